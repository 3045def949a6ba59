"""HTML renderer: context builders on the bundled example, determinism, escaping, languages."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import StrictUndefined
from markupsafe import Markup, escape
from warned import write_warned_project

from toolkit.common.i18n import translations
from toolkit.pipeline import Pipeline, Settings, compile_project
from toolkit.render.common import RenderOptions, handoffs, pick, safe_url
from toolkit.render.dot import funnel_dot
from toolkit.render.html import (
    SHAPES,
    compare_context,
    index_context,
    journey_context,
    make_environment,
    marker_path,
    render_html,
)
from toolkit.render.html_context import (
    Facts,
    emotion_curve,
    journey_handoffs,
    lane_labels,
    lane_width,
    make_facts,
    pct,
    soft_breaks,
    step_columns,
    transition_arrows,
)
from toolkit.render.notices import page_warnings
from toolkit.render.overlay import LeadOverlay

JOURNEYS = [
    "ma-adopted-inside-sales",
    "ma-adopted-sales-head",
    "no-ma-manager-future",
    "no-ma-manager",
    "no-ma-segment",
]
ALL_FORMATS = frozenset({"svg", "mermaid", "json", "csv"})


@pytest.fixture(scope="module")
def facts(example_graph: nx.MultiDiGraph) -> Facts:
    return make_facts(example_graph, RenderOptions("ja"))


@pytest.fixture(scope="module")
def pages(example_graph: nx.MultiDiGraph) -> dict[str, str]:
    out = render_html(example_graph, RenderOptions("ja", ALL_FORMATS))
    return {path: data.decode("utf-8") for path, data in out.items()}


# --- context builders -----------------------------------------------------------------------


def plain(text: str) -> str:
    """Map text without its phrase breaks (soft_breaks, tested on its own)."""
    return str(text).replace("<wbr>", "")


def test_every_stage_is_a_column(facts: Facts, example_graph: nx.MultiDiGraph) -> None:
    stages = [d for _, d in example_graph.nodes(data=True) if d["type"] == "stage"]
    assert len(stages) == 9
    for ref in JOURNEYS:
        columns = journey_context(facts, ref)["columns"]
        assert len(columns) == 9
        assert [plain(c["label"]) for c in columns] == [
            "課題の未知",
            "課題の認知",
            "興味・関心",
            "情報収集",
            "検討",
            "購買・発注",
            "利用",
            "継続・リピート",
            "ロイヤルカスタマー化",
        ]
        assert [c["number"] for c in columns] == [f"0{i}" for i in range(1, 10)]


@pytest.mark.parametrize(
    ("journey", "skipped"),
    [
        ("ma-adopted-inside-sales", [0, 5, 7, 8]),
        ("ma-adopted-sales-head", [0, 3]),
        ("no-ma-manager", []),
        ("no-ma-segment", [0, 2, 7, 8]),
    ],
)
def test_skipped_columns(facts: Facts, journey: str, skipped: list[int]) -> None:
    ctx = journey_context(facts, journey)
    assert [i for i, c in enumerate(ctx["columns"]) if c["skipped"]] == skipped
    assert [i for i, s in enumerate(step_columns(facts, journey)) if s is None] == skipped
    for i in skipped:
        assert "skipped" in ctx["columns"][i]["classes"].split()
        for lane in ctx["buyer_lanes"]:
            if lane["cells"]:
                assert lane["cells"][i] == {"skipped": True, "classes": "skipped", "entries": []}
        assert ctx["funnel_row"][i] == {"classes": "skipped", "stages": []}
        assert all(lane["cells"][i]["actions"] == [] for lane in ctx["role_lanes"])
    assert ctx["journey"]["steps"] == 9 - len(skipped)


def test_buyer_lanes_in_order_with_cells(facts: Facts) -> None:
    lanes = journey_context(facts, "no-ma-manager")["buyer_lanes"]
    assert [lane["key"] for lane in lanes] == [
        "thinking",
        "feeling",
        "emotion",
        "doing",
        "questions",
        "touchpoints",
        "pains",
        "opportunities",
    ]
    assert [lane["label"] for lane in lanes][:3] == ["考えていること", "感じていること", "感情曲線"]
    doing = lanes[3]["cells"][2]
    assert doing["entries"] == [
        "MAの<wbr>入門資料を<wbr>ダウンロードする",  # soft_breaks: between phrases
        "ナーチャリング<wbr>入門<wbr>セミナーに<wbr>参加する",
        "展示会で<wbr>複数の<wbr>ベンダーの<wbr>ブースを<wbr>回る",
    ]
    feeling = lanes[1]["cells"]
    assert [c["classes"] for c in feeling] == [
        "emo-0",
        "emo-m1",
        "emo-p1",
        "emo-m1",
        "emo-m2",
        "emo-p1",
        "emo-m1",
        "emo-p1",
        "emo-p2",
    ]


def test_emotion_curve_points(facts: Facts) -> None:
    curve = emotion_curve(facts, step_columns(facts, "ma-adopted-inside-sales"))
    assert curve["width"] == 900
    assert curve["height"] == 176  # 32px between two of the five levels
    assert [(p["value"], p["x"], p["y"], p["cx"]) for p in curve["points"]] == [
        (-2, 150, 152, "16.667%"),
        (0, 250, 88, "27.778%"),
        (-1, 350, 120, "38.889%"),
        (1, 450, 56, "50%"),
        (1, 650, 56, "72.222%"),
    ]
    assert curve["polyline"] == "150,152 250,88 350,120 450,56 650,56"
    assert [p["text"] for p in curve["points"]] == ["−2", "0", "−1", "+1", "+1"]
    classes = [p["classes"] for p in curve["points"]]
    assert classes == ["emo-m2", "emo-0", "emo-m1", "emo-p1", "emo-p1"]
    assert curve["skipped"] == [
        {"x": "0%", "w": "11.111%"},
        {"x": "55.556%", "w": "11.111%"},
        {"x": "77.778%", "w": "11.111%"},
        {"x": "88.889%", "w": "11.111%"},
    ]
    assert [(g["y"], g["text"]) for g in curve["guides"]] == [
        (24, "+2"),
        (56, "+1"),
        (88, "0"),
        (120, "−1"),
        (152, "−2"),
    ]
    assert len(curve["dividers"]) == 8
    # the values per stage as text, for screen readers (the SVG is a picture)
    assert [f"{r['stage']}: {r['text']}" for r in curve["readout"]] == [
        "課題の未知: 通過しない",
        "課題の認知: −2（とてもネガティブ）",
        "興味・関心: 0（ニュートラル）",
        "情報収集: −1（ネガティブ）",
        "検討: +1（ポジティブ）",
        "購買・発注: 通過しない",
        "利用: +1（ポジティブ）",
        "継続・リピート: 通過しない",
        "ロイヤルカスタマー化: 通過しない",
    ]


def test_soft_breaks_between_phrases_never_inside_a_word() -> None:
    assert soft_breaks("インサイドセールス") == "インサイドセールス"  # one word: never broken
    assert soft_breaks("Customer success team") == "Customer success team"  # at its spaces
    assert soft_breaks("課題の未知") == "課題の<wbr>未知"
    # no break next to a single character: A社, 初導入 stay whole
    assert soft_breaks("中堅部品メーカーA社（MA初導入）") == (
        "中堅部品<wbr>メーカーA社<wbr>（MA<wbr>初導入）"
    )
    long = soft_breaks("BtoBリードナーチャリング入門セミナー")
    assert isinstance(long, Markup)
    assert long == "BtoB<wbr>リードナーチャリング<wbr>入門<wbr>セミナー"
    # a particle or ending stays with its word; a verb is never split (どうまとめれば)
    assert soft_breaks("成果をどうまとめれば本部長に伝わるか") == (
        "成果をどうまとめれば<wbr>本部長に<wbr>伝わるか"
    )
    assert soft_breaks("リードの質について議論する") == "リードの<wbr>質について<wbr>議論する"
    # what is not a break opportunity is escaped
    hostile = soft_breaks("<b>セキュリティチェックシート回答集</b> & more")
    assert hostile == "&lt;b&gt;セキュリティチェックシート<wbr>回答集&lt;/b&gt; &amp; more"
    # a NUL (never in YAML text, which stands for a break while escaping) is kept as text
    assert soft_breaks("課題の\x00未知<i>") == "課題の\x00<wbr>未知&lt;i&gt;"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="あいをの課題未知カタナABC 1&<>\"'\x00（）、。", max_size=24))
def test_soft_breaks_escape_each_phrase(value: str) -> None:
    """Escaping the text once with marks at the breaks gives what escaping each phrase gives:
    the text, escaped, with <wbr> only between phrases."""
    out = soft_breaks(value)
    shown = str(escape(out))  # as the template shows it: Markup as is, text escaped
    assert shown.replace("<wbr>", "") == str(escape(value))


def test_lane_column_fits_the_longest_label() -> None:
    assert lane_width(["考えていること", "KPI"]) == "9.5em"  # the narrowest column
    assert lane_width(["インサイドセールス", "Thinking"]) == "10.4em"
    assert lane_width(["Customer success", "Opportunities"]) == "9.5em"  # wraps at spaces
    assert lane_width(["カスタマーサクセスマネージャー"]) == "14.0em"  # at most: then wraps


def test_paper_empty_rows_and_text_language(example_graph: nx.MultiDiGraph) -> None:
    ja = make_facts(example_graph, RenderOptions("ja"))
    en = make_facts(example_graph, RenderOptions("en"))
    a3 = journey_context(ja, "no-ma-manager")
    assert (a3["paper"], a3["paper_class"], a3["text_lang"]) == ("A3 landscape", "paper-a3", "")
    a4 = journey_context(ja, "no-ma-manager", RenderOptions("ja", paper="a4"))
    assert (a4["paper"], a4["paper_class"]) == ("A4 landscape", "paper-a4")
    # the project's free text is Japanese: on an English page it is marked lang="ja"
    assert journey_context(en, "no-ma-manager")["text_lang"] == "ja"
    pages = render_html(example_graph, RenderOptions("en", paper="a4"))
    page = pages["journeys/no-ma-manager.html"].decode()
    assert '<body class="page-journey paper-a4">' in page
    assert "@page { size: A4 landscape; }" in page
    assert page.count('<div class="action" lang="ja">') == 12
    assert '<td class="emo-0" lang="ja"><p class="txt">忙しいが' in page
    assert (
        'lang="ja"'
        not in render_html(example_graph, RenderOptions("ja"))["journeys/no-ma-manager.html"]
        .decode()
        .split("<body", 1)[1]
    )


def test_pct_formatting() -> None:
    assert pct(0.5 / 9) == "5.556%"
    assert pct(0.5) == "50%"
    assert pct(0) == "0%"
    assert pct(1) == "100%"


def test_transitions_are_labelled_arrows(facts: Facts) -> None:
    arrows = transition_arrows(facts, "no-ma-manager")
    assert arrows == {
        "arrows": [
            {
                "x1": "27.778%",
                "x2": "50%",
                "xm": "38.889%",
                "y": 24,
                "label_y": 18,
                "label": "比較検討へ直行",
                "title": "興味・関心 → 検討: 比較検討へ直行",
                "direction": "forward",
            },
            {
                "x1": "94.444%",
                "x2": "16.667%",
                "xm": "55.556%",
                "y": 46,
                "label_y": 40,
                "label": "新たな課題",
                "title": "ロイヤルカスタマー化 → 課題の認知: 新たな課題",
                "direction": "back",
            },
        ],
        "height": 58,
    }
    assert transition_arrows(facts, "no-ma-segment") == {"arrows": [], "height": 0}


FLAGGED = {
    ("ma-adopted-inside-sales", 1): ["content-gap"],
    ("ma-adopted-inside-sales", 6): ["seller-absent"],
    ("ma-adopted-sales-head", 1): ["content-gap"],
    ("no-ma-manager", 0): ["seller-absent"],
}


def test_flags_on_known_steps(facts: Facts) -> None:
    found = {
        (ref, i): [b["code"] for b in column["flags"]]
        for ref in JOURNEYS
        for i, column in enumerate(journey_context(facts, ref)["columns"])
        if column["flags"]
    }
    assert found == FLAGGED
    column = journey_context(facts, "ma-adopted-inside-sales")["columns"][6]
    assert column["flags"] == [{"code": "seller-absent", "label": "売り手の接点なし"}]
    assert column["classes"] == "flag-seller-absent"


def test_seller_absent_marks_role_cells(facts: Facts) -> None:
    options = RenderOptions("ja", show_empty_rows=True)
    lanes = journey_context(facts, "ma-adopted-inside-sales", options)["role_lanes"]
    assert [lane["label"] for lane in lanes] == [
        "マーケティング",
        "インサイドセールス",
        "フィールドセールス",
        "サポート",
        "カスタマーサクセス",
    ]
    cells = [lane["cells"][6] for lane in lanes]
    assert all(c["classes"] == "flag-seller-absent" and c["actions"] == [] for c in cells)
    assert [c["marker"] for c in cells] == ["売り手の接点なし", "", "", "", ""]
    assert all(lane["cells"][2]["marker"] == "" for lane in lanes)


def test_role_lanes_empty_in_every_stage_are_left_out(facts: Facts) -> None:
    # support and customer success act nowhere in this journey and receive no handoff
    ctx = journey_context(facts, "ma-adopted-inside-sales")
    assert [lane["key"] for lane in ctx["role_lanes"]] == [
        "marketing",
        "inside-sales",
        "field-sales",
    ]
    assert ctx["role_lanes"][0]["cells"][6]["marker"] == "売り手の接点なし"
    assert len(ctx["buyer_lanes"]) == 8 and ctx["kpi_row"] and ctx["content_row"]
    # in the others every role acts or takes a lead over somewhere
    for ref in JOURNEYS[1:]:
        assert len(journey_context(facts, ref)["role_lanes"]) == 5


HANDOFFS = {
    "ma-adopted-inside-sales": [
        (
            "marketing",
            3,
            "out",
            "インサイドセールスへ引き継ぎ",
            "リードナーチャリング → クオリフィケーション",
        ),
        ("marketing", 4, "out", "フィールドセールスへ引き継ぎ", "クオリフィケーション → 商談化"),
        (
            "inside-sales",
            3,
            "in",
            "マーケティングから引き継ぎ",
            "リードナーチャリング → クオリフィケーション",
        ),
        ("inside-sales", 4, "out", "フィールドセールスへ引き継ぎ", "クオリフィケーション → 商談化"),
        (
            "field-sales",
            4,
            "in",
            "マーケティング、インサイドセールスから引き継ぎ",
            "クオリフィケーション → 商談化",
        ),
    ],
    "ma-adopted-sales-head": [
        (
            "marketing",
            8,
            "in",
            "フィールドセールス、カスタマーサクセスから引き継ぎ",
            "個別対応 → ロイヤルカスタマー",
        ),
        ("field-sales", 6, "out", "サポート、カスタマーサクセスへ引き継ぎ", "受注 → 利用サポート"),
        ("field-sales", 8, "out", "マーケティングへ引き継ぎ", "個別対応 → ロイヤルカスタマー"),
        ("support", 6, "in", "フィールドセールスから引き継ぎ", "受注 → 利用サポート"),
        ("customer-success", 6, "in", "フィールドセールスから引き継ぎ", "受注 → 利用サポート"),
        ("customer-success", 8, "out", "マーケティングへ引き継ぎ", "個別対応 → ロイヤルカスタマー"),
    ],
}


@pytest.mark.parametrize("journey", sorted(HANDOFFS))
def test_handoffs_are_marked_on_the_role_lanes(facts: Facts, journey: str) -> None:
    lanes = journey_context(facts, journey)["role_lanes"]
    found = [
        (lane["key"], i, h["direction"], h["text"], h["detail"])
        for lane in lanes
        for i, cell in enumerate(lane["cells"])
        for h in cell["handoffs"]
    ]
    expected = [(*h[:4], f"（ファネルステージ：{h[4]}）") for h in HANDOFFS[journey]]
    assert found == expected


def test_map_handoffs_are_the_funnel_diagrams(facts: Facts, example_graph: nx.MultiDiGraph) -> None:
    # every handoff marked on a map is a handoff edge of the funnel diagram (funnel.dot)
    funnel = funnel_dot(example_graph, "ja")
    drawn = {(u, v, d["from_stage"], d["to_stage"]) for u, v, _, d in handoffs(example_graph)}
    assert len(drawn) == 8
    for u, v, from_stage, to_stage in drawn:  # a box per stage pair, arrows from and to roles
        box = f'"handoff:{from_stage}->{to_stage}"'
        assert f'"{u}" -> {box}' in funnel and f'{box} -> "{v}"' in funnel, (u, v, box)
    for ref in JOURNEYS:
        marked = journey_handoffs(facts, step_columns(facts, ref))
        assert marked and {h[1:] for h in marked} <= drawn
    # no-ma-manager skips the funnel's opportunity stage: its handoffs to field sales are not
    # this journey's; the later ones are
    marked = journey_handoffs(facts, step_columns(facts, "no-ma-manager"))
    assert [(h[0], h[3], h[4]) for h in marked] == [
        (3, "lead-nurturing", "qualification"),
        (6, "won", "usage-support"),
        (6, "won", "usage-support"),
    ]


def test_content_gap_lists_pipeline(facts: Facts) -> None:
    cell = journey_context(facts, "ma-adopted-inside-sales")["content_row"][1]
    assert cell["classes"] == "flag-content-gap"
    assert cell["marker"] == "公開コンテンツなし"
    assert [(plain(e["title"]), e["status"], e["pipeline"]) for e in cell["entries"]] == [
        ("MA運用が止まる5つの理由", "draft", True),
        ("MA活用度 無料診断", "planned", True),
    ]
    live = journey_context(facts, "no-ma-manager")["content_row"][5]
    assert live["classes"] == ""
    assert [(plain(e["title"]), e["pipeline"], e["status_label"]) for e in live["entries"]] == [
        ("導入効果シミュレーター", False, "公開中"),
        ("料金プラン・導入スケジュール表", False, "公開中"),
        ("セキュリティチェックシート回答集", True, "下書き"),
    ]
    assert live["entries"][0]["href"] == "https://example.com/tools/roi"


def test_funnel_row_with_lead_classes(facts: Facts) -> None:
    row = journey_context(facts, "ma-adopted-inside-sales")["funnel_row"]
    assert [c["classes"] for c in row[1:5]] == ["", "", "", ""]
    assert [[{**s, "label": plain(s["label"])} for s in c["stages"]] for c in row[1:5]] == [
        [{"label": "リードジェネレーション", "lead_class": "リード"}],
        [{"label": "リードナーチャリング", "lead_class": "プロスペクト"}],
        [{"label": "クオリフィケーション", "lead_class": "MQL"}],
        [{"label": "商談化", "lead_class": "SQL"}],
    ]
    assert row[6] == {"classes": "", "stages": [{"label": "利用<wbr>サポート", "lead_class": ""}]}


def test_kpi_row(facts: Facts) -> None:
    row = journey_context(facts, "ma-adopted-inside-sales")["kpi_row"]
    assert row[3]["kpis"] == [
        {"role": "インサイドセールス", "text": "SQL<wbr>化率 40%"},
        {"role": "マーケティング", "text": "フォローメール<wbr>開封率 45%"},
    ]
    assert row[0] == {"classes": "skipped", "kpis": []}


def test_persona_and_segment_cards(facts: Facts) -> None:
    card = journey_context(facts, "no-ma-manager")["card"]
    assert card["kind"] == "persona"
    assert card["name"] == "佐藤 健一"
    assert card["subtitle"] == "マーケティング課長"
    assert card["facts"] == [
        {"label": "セグメント", "value": "MA未導入企業"},
        {"label": "購買での役割", "value": "起案者"},
    ]
    assert [s["title"] for s in card["sections"]] == ["目標", "悩み", "情報源"]
    assert len(card["sections"][2]["entries"]) == 5
    assert card["quote"].startswith("展示会のたびに")
    segment = journey_context(facts, "no-ma-segment")["card"]
    assert segment["kind"] == "segment"
    assert segment["name"] == "MA未導入企業"
    assert segment["facts"][0] == {"label": "ma_tool", "value": "none"}
    assert segment["quote"] == ""


def test_index_context(facts: Facts) -> None:
    ctx = index_context(facts)
    assert ctx["project"] == {
        "title": "株式会社サンプル「サンプルリンク」カスタマージャーニー",
        "client": "株式会社サンプル",
        "language": "ja",
    }
    table = ctx["stage_table"]
    assert len(table["columns"]) == 9
    labels = [r["label"] for r in table["rows"]]
    assert labels[:3] == ["説明", "課題の状態", "解決ストーリー"]
    assert labels[3:10] == [
        "課題軸",
        "購買プロセス",
        "心理態度",
        "販売者視点",
        "営業活動",
        "顧客分類",
        "リード分類",
    ]
    assert labels[10] == "対応するファネルステージ"
    assert table["rows"][1]["cells"][:3] == [["課題なし"], ["潜在"], ["顕在"]]
    assert table["rows"][2]["cells"][3] == ["3 · 課題の顕在化", "4 · 解決策の探索"]
    assert table["rows"][3]["cells"][0] == []  # axis without a value for problem-unknown
    funnel = table["rows"][10]["cells"][3]
    assert funnel == ["リードナーチャリング", "クオリフィケーション", "商談化"]
    assert [(r["href"], r["steps"], r["coverage"]["covered"]) for r in ctx["journeys"]] == [
        ("journeys/ma-adopted-inside-sales.html", 5, 4),
        ("journeys/ma-adopted-sales-head.html", 7, 6),
        ("journeys/no-ma-manager-future.html", 9, 9),
        ("journeys/no-ma-manager.html", 9, 9),
        ("journeys/no-ma-segment.html", 5, 5),
    ]
    assert ctx["journeys"][4]["persona"] == "セグメント全体"
    assert [r["badge"] for r in ctx["journeys"]] == ["", "", "将来", "", ""]
    assert ctx["coverage"] == {"covered": 24, "total": 26, "percent": 92, "bar": "92.308%"}
    assert [(a["href"], a["stage"]) for a in ctx["attention"]] == [
        ("journeys/ma-adopted-inside-sales.html", "課題の認知"),
        ("journeys/ma-adopted-inside-sales.html", "利用"),
        ("journeys/ma-adopted-sales-head.html", "課題の認知"),
        ("journeys/no-ma-manager.html", "課題の未知"),
    ]


def test_compare_context(facts: Facts) -> None:
    ctx = compare_context(facts)
    assert ctx["groups"] == [
        {"label": "MA導入済み企業", "span": 2},
        {"label": "MA未導入企業", "span": 3},
    ]
    assert [j["href"] for j in ctx["journeys"]] == [f"journeys/{r}.html" for r in JOURNEYS]
    assert [j["classes"] for j in ctx["journeys"]] == ["group-start", "", "group-start", "", ""]
    assert len(ctx["rows"]) == 9
    purchase = ctx["rows"][5]["cells"]
    assert [c["skipped"] for c in purchase] == [True, False, False, False, False]
    cell = ctx["rows"][1]["cells"][0]
    assert cell["emotion"] == {"text": "−2", "classes": "emo-m2"}
    assert cell["doing"][0] == "通知リストを上から順に架電する"
    assert cell["actions"][0]["role"] == "マーケティング"
    assert "flag-content-gap" in cell["classes"].split()


def test_compare_emotion_chart(facts: Facts) -> None:
    """Every journey's curve in one chart: colour and dash by segment, marker by journey,
    markers of one stage side by side (5 journeys: -16, -8, 0, +8, +16 px), values as text."""
    chart = compare_context(facts)["chart"]
    assert (chart["width"], chart["height"], chart["col"], chart["gutter"]) == (1120, 148, 120, 40)
    assert [g["y"] for g in chart["guides"]] == [14, 44, 74, 104, 134]
    assert [g["text"] for g in chart["guides"]] == ["+2", "+1", "0", "−1", "−2"]
    assert chart["dividers"] == [160, 280, 400, 520, 640, 760, 880, 1000]
    assert [s["label"] for s in chart["stages"]][:2] == ["課題の未知", "課題の認知"]
    assert [(s["classes"], s["polyline"]) for s in chart["series"]] == [
        ("series-0 dash-0", "204,134 324,74 444,104 564,44 804,44"),
        ("series-0 dash-0", "212,104 332,74 572,104 692,44 812,74 932,44 1052,14"),
        ("series-1 dash-1", "100,74 220,104 340,44 460,74 580,104 700,44 820,74 940,44 1060,14"),
        ("series-1 dash-1", "108,74 228,104 348,44 468,104 588,134 708,44 828,104 948,44 1068,14"),
        ("series-1 dash-1", "236,104 476,74 596,104 716,44 836,104"),
    ]
    first = chart["series"][0]["points"][0]
    assert first == {
        "x": "204",
        "y": "134",
        "d": "M199,134a5,5 0 1,0 10,0a5,5 0 1,0 -10,0z",
        "title": "MA導入済み企業 インサイドセールスリーダー 鈴木のジャーニー · 課題の認知: −2",
    }
    assert [g["label"] for g in chart["legend"]] == ["MA導入済み企業", "MA未導入企業"]
    markers = [j["marker"] for g in chart["legend"] for j in g["journeys"]]
    assert markers[0] == markers[2] != markers[1] == markers[3]  # circle, square per segment
    assert chart["table"]["rows"][0]["values"] == [
        "通過しない", "−2", "0", "−1", "+1", "通過しない", "+1", "通過しない", "通過しない"
    ]  # fmt: skip
    assert [j["badge"] for g in chart["legend"] for j in g["journeys"]] == ["", "", "将来", "", ""]
    assert len(chart["table"]["rows"]) == 5 and len(chart["table"]["stages"]) == 9


def test_marker_shapes() -> None:
    assert [marker_path(shape, 100, 50) for shape in SHAPES] == [
        "M95,50a5,5 0 1,0 10,0a5,5 0 1,0 -10,0z",
        "M95.5,45.5L104.5,45.5L104.5,54.5L95.5,54.5z",
        "M100,44L105.8,54.5L94.2,54.5z",
        "M100,43.5L106.5,50L100,56.5L93.5,50z",
        "M100,56L105.8,45.5L94.2,45.5z",
    ]


def test_index_links_pages_and_shows_project_warnings(
    example_graph: nx.MultiDiGraph, tmp_path: Path
) -> None:
    plain = index_context(make_facts(example_graph, RenderOptions("en")))
    assert plain["pages"] == [
        {"label": "Compare journeys", "href": "compare.html"},
        {"label": "Content coverage", "href": "coverage.html"},
        {"label": "Content inventory", "href": "coverage-inventory.html"},
        {"label": "Marketing plan", "href": "plan.html"},
    ]
    assert plain["project_attention"] == []
    assert [f for r in plain["stage_table"]["rows"] for f in r["flags"] if f] == []
    root = tmp_path / "warned"
    write_warned_project(root)
    compiled = Pipeline(Settings(root, shown_as=str(root))).compiled()
    assert compiled.graph is not None
    options = RenderOptions("en", shown_as=str(root), warnings=page_warnings(compiled.diagnostics))
    step = {"journey": "ann-journey", "stage": "aware", "segment": "(none)", "count": 0}
    overlay = LeadOverlay(as_of=None, total=0, steps={"step:ann-journey/aware": step})
    leads = replace(options, overlay=overlay)
    ctx = index_context(make_facts(compiled.graph, leads), leads)
    assert ctx["pages"][-1] == {"label": "Leads on the journey", "href": "leads.html"}
    assert ctx["page"]["nav"][-1] == {
        "label": "Leads on the journey",
        "href": "leads.html",
        "current": False,
    }
    assert [(n["code"], n["subject"], n["href"]) for n in ctx["project_attention"]] == [
        ("unknown-language", "fr", None),
        ("empty-file", "journeys/empty.yaml:1", None),
        ("handoff-blind", "interests", None),
        ("unserved-stage", "1 customer stage", "coverage.html#warning-unserved-stage"),
        ("orphan-content", "1 content item", "coverage.html#warning-orphan-content"),
        ("unpersonified-role", "1 buying role", "coverage.html#warning-unpersonified-role"),
    ]
    funnel = ctx["stage_table"]["rows"][-1]
    assert funnel["cells"] == [["attract"], ["close"], []]
    assert funnel["flags"] == [
        [],
        [],
        [{"code": "unserved-stage", "label": "No funnel stage serves it"}],
    ]
    page = render_html(compiled.graph, leads)["index.html"].decode()
    assert '<span class="subject">journeys/empty.yaml:1</span>' in page
    assert str(tmp_path) not in page  # never a path of the author's machine
    assert page.count('<td data-label="Persona">') == 1  # the journey list: labelled fields


def test_downloads_follow_formats(example_graph: nx.MultiDiGraph) -> None:
    bare = render_html(example_graph, RenderOptions("ja"))
    full = render_html(example_graph, RenderOptions("ja", ALL_FORMATS))
    journey = "journeys/no-ma-manager.html"
    for needle in ("diagrams/", "mermaid/", "data/graph.json", "data/journeys.csv"):
        assert all(needle not in page.decode() for page in bare.values())
    assert 'href="../diagrams/no-ma-manager.svg"' in full[journey].decode()
    assert 'href="../mermaid/no-ma-manager.mmd"' in full[journey].decode()
    assert 'href="data/graph.json"' in full["index.html"].decode()
    assert 'href="data/journeys.csv"' in full["index.html"].decode()
    only_svg = render_html(example_graph, RenderOptions("ja", frozenset({"svg"})))
    assert "../mermaid/" not in only_svg[journey].decode()


# --- whole pages ----------------------------------------------------------------------------


def test_page_set(pages: dict[str, str]) -> None:
    assert sorted(pages) == sorted(
        ["index.html", "compare.html", *(f"journeys/{r}.html" for r in JOURNEYS)]
    )


class Collector(HTMLParser):
    """Every start tag with its attributes, to check the markup of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def parse(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = Collector()
    collector.feed(page)
    return collector.tags


def assert_safe_markup(page: str) -> None:
    assert "<script" not in page.lower()
    assert page.count("<style>") == 1 and page.count("</style>") == 1
    for tag, attrs in parse(page):
        assert tag not in ("script", "iframe", "object", "embed", "link", "img", "base")
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "xlink:href", "action"):
                assert value is not None
                if ":" in value.split("/")[0] or value.startswith("//"):
                    assert safe_url(value) == value, value
                    assert value.split(":")[0].lower() in ("http", "https", "mailto"), value
    # every attribute value is double-quoted
    for tag_text in re.findall(r"<[a-zA-Z][^>]*>", page):
        assert not re.search(r'=[^"]', re.sub(r'"[^"]*"', '""', tag_text)), tag_text


def test_pages_are_self_contained(pages: dict[str, str]) -> None:
    for path, page in pages.items():
        assert page.startswith('<!DOCTYPE html>\n<html lang="ja">'), path
        assert '<meta charset="utf-8">' in page
        assert "@page { size: A3 landscape;" in page
        assert '"IPAGothic", "IPAexGothic", "Noto Sans CJK JP"' in page
        assert "url(http" not in page and "@import" not in page and "@font-face" not in page
        assert_safe_markup(page)


def test_journey_page_markup(pages: dict[str, str]) -> None:
    page = pages["journeys/ma-adopted-inside-sales.html"]
    assert page.count('<th scope="col" class="stage-head') == 9
    assert page.count('class="stage-head skipped"') == 4
    polyline = '<polyline class="curve-line" points="150,152 250,88 350,120 450,56 650,56"'
    assert page.count(polyline) == 1
    assert page.count('<g class="point ') == 5
    assert 'class="divider divider-seller"' in page
    assert 'class="badge badge-seller-absent"' in page
    assert 'class="marker marker-content-gap"' in page
    manager = pages["journeys/no-ma-manager.html"]
    assert '<g class="arrow arrow-back">' in manager and ">新たな課題</text>" in manager
    assert 'href="../index.html"' in manager and 'href="../compare.html"' in manager


def test_render_is_deterministic(example_graph: nx.MultiDiGraph, repo_root: Path) -> None:
    options = RenderOptions("ja", ALL_FORMATS)
    first = render_html(example_graph, options)
    assert render_html(example_graph, options) == first
    again = compile_project(repo_root, shown_as="").graph
    assert again is not None
    assert render_html(again, options) == first


def test_environment_escapes_everything() -> None:
    env = make_environment()
    assert env.autoescape is True
    assert env.undefined is StrictUndefined
    for name in ("index.html.j2", "compare.html.j2", "journey.html.j2", "base.html.j2"):
        assert name in env.list_templates()


# --- languages ------------------------------------------------------------------------------


def test_language_switch(example_graph: nx.MultiDiGraph, repo_root: Path) -> None:
    stages = yaml.safe_load((repo_root / "journeys" / "stages.yaml").read_text(encoding="utf-8"))
    label = next(s["label"] for s in stages["stages"] if s["id"] == "problem-aware")
    assert label == {"ja": "課題の認知", "en": "Problem aware"}
    en = render_html(example_graph, RenderOptions("en"))["journeys/no-ma-manager.html"].decode()
    ja = render_html(example_graph, RenderOptions("ja"))["journeys/no-ma-manager.html"].decode()
    assert '<html lang="en">' in en and '<html lang="ja">' in ja
    assert '<span class="stage-name">Problem aware</span>' in en
    assert '<span class="stage-name">課題の<wbr>認知</span>' in ja
    assert "Problem aware" not in ja
    assert ">Thinking</th>" in en and ">考えていること</th>" in ja
    assert ">Seller</th>" in en and ">売り手</th>" in ja
    assert "Straight to comparison" in en and "比較検討へ直行" in ja


def test_unknown_language_falls_back_to_english(example_graph: nx.MultiDiGraph) -> None:
    assert lane_labels(translations("fr"))["thinking"] == "Thinking"
    assert lane_labels(translations("ja-JP"))["thinking"] == "考えていること"
    page = render_html(example_graph, RenderOptions("fr"))["journeys/no-ma-manager.html"].decode()
    assert '<html lang="fr">' in page and "Problem aware" in page and ">Thinking</th>" in page


# --- hostile input --------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ATTR = '" onmouseover="x'
STYLE = "'; </style><script>"
ODD = "\u202eevil\u202c 😀 C:\\path\\to\\ line1\nline2"


def edit_yaml(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def poison(root: Path) -> None:
    """Put hostile strings into labels and text fields of a copy of the example project."""
    j = root / "journeys"

    def project(d: dict[str, Any]) -> None:
        d["title"] = {"ja": SCRIPT, "en": SCRIPT}
        d["client"] = ATTR

    def stages(d: dict[str, Any]) -> None:
        d["stages"][1]["label"] = {"ja": f"課題{SCRIPT}", "en": ATTR}
        d["stages"][2]["description"] = STYLE
        d["axes"][0]["label"] = STYLE
        d["axes"][0]["values"]["interest"] = ODD

    def content(d: dict[str, Any]) -> None:
        item = next(i for i in d["items"] if i["id"] == "checklist-lead-management")
        item["url"] = "javascript:alert(1)"
        item["title"] = {"ja": SCRIPT}
        other = next(i for i in d["items"] if i["id"] == "wp-ma-basics")
        other["url"] = " JaVaScRiPt:alert(1)"
        other["title"] = ATTR

    def journey(d: dict[str, Any]) -> None:
        d["title"] = {"ja": ATTR}
        step = d["steps"]["interest"]
        step["thinking"] = SCRIPT
        step["feeling"] = STYLE
        step["doing"] = [ATTR, ODD]
        step["touchpoints"] = [SCRIPT]
        step["actions"][0]["action"] = SCRIPT
        step["actions"][0]["kpi"] = ATTR
        d["transitions"][0]["label"] = {"ja": STYLE}

    def segments(d: dict[str, Any]) -> None:
        d["segments"][1]["label"] = {"ja": SCRIPT}
        d["segments"][1]["criteria"]["ma_tool"] = ATTR

    def persona(d: dict[str, Any]) -> None:
        d["name"] = SCRIPT
        d["quote"] = STYLE
        d["goals"] = [ATTR, ODD]

    edit_yaml(j / "project.yaml", project)
    edit_yaml(j / "stages.yaml", stages)
    edit_yaml(j / "content.yaml", content)
    edit_yaml(j / "journey-no-ma-manager.yaml", journey)
    edit_yaml(j / "segments.yaml", segments)
    edit_yaml(root / "personas" / "sato.yaml", persona)


def test_hostile_strings_are_escaped(example_copy: Path) -> None:
    poison(example_copy)
    compiled = compile_project(example_copy, shown_as="")
    assert compiled.ok, [d.render() for d in compiled.diagnostics]
    assert compiled.graph is not None
    assert pick(compiled.graph.graph["title"], "ja") == SCRIPT
    out = render_html(compiled.graph, RenderOptions("ja", ALL_FORMATS))
    pages = {path: data.decode("utf-8") for path, data in out.items()}
    for page in pages.values():
        assert_safe_markup(page)
        assert "javascript:" not in page.lower()
        assert SCRIPT not in page and ATTR not in page and "</style><script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the project title
    journey = pages["journeys/no-ma-manager.html"]
    assert "&#34; onmouseover=&#34;x" in journey
    assert "&#39;; &lt;/style&gt;&lt;script&gt;" in journey
    assert "\u202eevil\u202c 😀 C:\\path\\to\\ line1\nline2" in journey
    assert "課題&lt;script&gt;alert(1)&lt;/script&gt;" in journey
    # the unsafe content URLs are shown as plain text, never as links
    assert "<span>&lt;script&gt;alert(1)&lt;/script&gt;</span>" in journey
    assert "<span>&#34; onmouseover=&#34;x</span>" in journey
    index = pages["index.html"]
    assert "&#39;; &lt;/style&gt;&lt;script&gt;" in index  # stage description and axis label
    assert "\u202eevil\u202c" in index


MINIMAL = {
    "journeys/stages.yaml": {"kind": "stages", "stages": [{"id": "aware"}, {"id": "buy"}]},
    "journeys/funnel.yaml": {
        "kind": "funnel",
        "roles": [{"id": "sales"}],
        "stages": [{"id": "close", "owners": ["sales"], "serves": ["buy"]}],
    },
    "personas/ann.yaml": {"kind": "persona", "id": "ann", "name": "Ann"},
    "journeys/ann.yaml": {
        "kind": "journey",
        "id": "ann-journey",
        "persona": "ann",
        "steps": {"buy": {"thinking": "Which one?"}},
    },
}


def test_minimal_project_renders(tmp_path: Path) -> None:
    for rel, doc in MINIMAL.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(yaml.safe_dump(doc), encoding="utf-8")
    compiled = compile_project(tmp_path, shown_as="")
    assert compiled.graph is not None, [d.render() for d in compiled.diagnostics]
    facts = make_facts(compiled.graph, RenderOptions("en"))
    ctx = journey_context(facts, "ann-journey")
    assert [c["label"] for c in ctx["columns"]] == ["aware", "buy"]
    assert [c["skipped"] for c in ctx["columns"]] == [True, False]
    assert ctx["emotion"]["points"] == [] and ctx["emotion"]["polyline"] == ""
    assert ctx["card"]["facts"] == []
    # rows empty in every stage are left out: only "thinking" has text; the one role acts
    # nowhere but keeps its lane for the seller-absent marker; no KPI anywhere
    assert [lane["key"] for lane in ctx["buyer_lanes"]] == ["thinking"]
    assert [lane["key"] for lane in ctx["role_lanes"]] == ["sales"]
    assert ctx["role_lanes"][0]["cells"][1]["marker"] == "No seller action"
    assert ctx["kpi_row"] == [] and ctx["funnel_row"] and ctx["content_row"]
    assert ctx["legend"][-1]["key"] == "emotion"  # no handoff, no transition
    full = journey_context(facts, "ann-journey", RenderOptions("en", show_empty_rows=True))
    assert len(full["buyer_lanes"]) == 8 and len(full["kpi_row"]) == 2
    page = render_html(compiled.graph, RenderOptions("en"))["journeys/ann-journey.html"].decode()
    assert 'class="lane side-buyer lane-thinking"' in page
    assert "lane-pains" not in page and 'class="lane side-buyer lane-emotion"' not in page
    assert 'class="lane side-seller lane-kpi"' not in page
    out = render_html(compiled.graph, RenderOptions("en"))
    assert sorted(out) == ["compare.html", "index.html", "journeys/ann-journey.html"]
    index = out["index.html"].decode()
    assert "<h1>Customer journeys</h1>" in index
    assert compare_context(facts)["groups"] == [{"label": "No segment", "span": 1}]
    assert ">0 / 1</span>" in index


def test_ui_strings_follow_the_primary_language_subtag() -> None:
    for tag in ("ja", "ja-JP", "ja_JP", "JA"):
        assert translations(tag).gettext("Overview") == "概要"
    for tag in ("en", "en-GB", "fr", ""):
        assert translations(tag).gettext("Overview") == "Overview"
