"""Graphviz renderer: DOT structure on the example, safety of labels, images by the real dot."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pytest
from projects import hostile_copy
from tools import needs_dot

from toolkit.analyses.warnings import step_actions
from toolkit.graph.build import nodes_of
from toolkit.pipeline import compile_project
from toolkit.render.common import RenderOptions, journey_steps, label_of
from toolkit.render.diagrams import (
    FONT,
    clean_text,
    dot_label,
    em_width,
    phrases,
    text_width,
    word,
    wrap,
)
from toolkit.render.dot import (
    DiagramError,
    journey_file,
    render_dot,
    render_images,
)
from toolkit.render.formats import has_dot
from toolkit.render.journey_diagram import MAX_NODES, journey_dot, lane_key, plan_columns

JA = RenderOptions("ja")
FORBIDDEN_ATTRS = {"URL", "href", "tooltip", "target", "edgeURL", "labelURL", "headURL", "tailURL"}

HOSTILE = [
    "<b>x</b>",
    "<<i>html</i>>",
    '"]; evil [label="pwned"]; x [',
    "back\\slash\\",
    "line1\nline2\r\nline3",
    "nul\x00ctl\x07\x1b[31m\x85",
    "rtl \u202eoverride\u202c \u200fmark",
    "emoji 😀👍🏽",
    "<script>alert(1)</script>",
    '%%{init: {"securityLevel": "loose"}}%%',
    "a: b; c # d %% e",
    "\\N \\G \\L \\l",
    "x" * 20000,
    "journey title section",
]
# How each hostile string must read in the drawing (one wrapped line of it at least).
VISIBLE = [
    "<b>x</b>",
    "<<i>html</i>>",
    '"]; evil [label="pwned"]; x',
    "back\\slash\\",
    "line1 line2 line3",
    "nulctl[31m",
    "rtl override \u200fmark",
    "emoji 😀👍🏽",
    "<script>alert(1)</script>",
    "a: b; c # d %% e",
    "\\N \\G \\L \\l",
    "journey title section",
]
TEXT_KEYS = ("label", "title", "name", "thinking", "feeling", "action", "kpi", "format")


# --- a small DOT reader for the diagrams' sources ------------------------------------

NODE_RE = re.compile(r'^\t+("(?:[^"\\]|\\.)*"|\S+) \[(.*)\]$')
EDGE_RE = re.compile(r'^\t+("(?:[^"\\]|\\.)*"|\S+) -> ("(?:[^"\\]|\\.)*"|\S+)(?: \[(.*)\])?$')
ATTR_RE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^\s"\]]+)')
KEYWORDS = {"graph", "node", "edge"}
BANDS = ("lane", "column", "side")


@dataclass
class Dot:
    defaults: dict[str, dict[str, str]] = field(default_factory=dict)
    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def of_class(self, cls: str) -> dict[str, dict[str, str]]:
        return {n: a for n, a in self.nodes.items() if a.get("class", "").split(" ")[0] == cls}

    def edges_of(self, cls: str) -> list[tuple[str, str, dict[str, str]]]:
        return [e for e in self.edges if e[2].get("class") == cls]


def unquote(text: str) -> str:
    return text[1:-1] if text.startswith('"') else text


def attrs(text: str | None) -> dict[str, str]:
    out = {}
    for key, value in ATTR_RE.findall(text or ""):
        out[key] = unquote(value)
    return out


def parse_dot(source: str) -> Dot:
    dot = Dot()
    for line in source.splitlines():
        if m := EDGE_RE.match(line):
            dot.edges.append((unquote(m[1]), unquote(m[2]), attrs(m[3])))
        elif m := NODE_RE.match(line):
            if m[1] in KEYWORDS:
                dot.defaults[m[1]] = attrs(m[2])
            else:
                name = unquote(m[1])
                assert name not in dot.nodes, f"node {name} declared twice"
                dot.nodes[name] = attrs(m[2])
    return dot


def dots(graph: nx.MultiDiGraph) -> dict[str, Dot]:
    return {k: parse_dot(v.decode("utf-8")) for k, v in render_dot(graph, JA).items()}


def journeys(graph: nx.MultiDiGraph) -> list[str]:
    return sorted(d["ref"] for _, d in nodes_of(graph, "journey"))


def edges_of(graph: nx.MultiDiGraph, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [(u, v, d) for u, v, d in graph.edges(data=True) if d["type"] == kind]


def plain(label: str) -> str:
    """A DOT label as shown: escapes undone, lines joined by spaces."""
    return re.sub(r"\\(.)", lambda m: " " if m[1] in "nl" else m[1], label).strip()


def lines_of(label: str) -> list[str]:
    r"""The lines of a DOT label (\n or \l ended), escapes undone."""
    parts = re.split(r"\\[nl]", label)
    return [re.sub(r"\\(.)", r"\1", p) for p in parts if p]


def squash(text: str) -> str:
    """A label without line breaks or spaces."""
    return re.sub(r"\s+", "", plain(text))


def runs(graph: nx.MultiDiGraph, steps: list[str]) -> int:
    """How many funnel bars a journey diagram draws: one per run of neighbouring columns."""
    count = 0
    for ref in {f for s in steps for f in graph.nodes[s]["funnel"]}:
        serving = [i for i, s in enumerate(steps) if ref in graph.nodes[s]["funnel"]]
        count += 1 + sum(1 for a, b in zip(serving, serving[1:], strict=False) if b != a + 1)
    return count


# --- files and structure ----------------------------------------------------------------


def test_render_dot_names_one_file_per_journey_plus_funnel_and_overview(example_graph):
    out = render_dot(example_graph, JA)
    expected = {f"diagrams/{j}.dot" for j in journeys(example_graph)}
    assert set(out) == expected | {"diagrams/funnel.dot", "diagrams/overview.dot"}
    assert all(
        isinstance(v, bytes) and v.decode("utf-8").startswith("digraph ") for v in out.values()
    )


def test_journey_ids_named_like_fixed_diagrams_do_not_overwrite_them():
    assert journey_file("funnel", {"diagrams/funnel.dot"}) == "diagrams/journey-funnel.dot"
    assert journey_file("overview", set()) == "diagrams/journey-overview.dot"
    taken = {"diagrams/journey-funnel.dot"}
    assert journey_file("funnel", taken) == "diagrams/journey-journey-funnel.dot"
    assert journey_file("no-ma", set()) == "diagrams/no-ma.dot"


def test_journey_diagram_holds_the_journey(example_graph):
    parsed = dots(example_graph)
    g = example_graph
    for ref in journeys(g):
        dot = parsed[f"diagrams/{ref}.dot"]
        steps = [s for s, _ in journey_steps(g, ref)]
        actions = [a for s in steps for a in step_actions(g, s)]
        uses = [
            (a, v) for a in actions for _, v, d in g.out_edges(a, data=True) if d["type"] == "uses"
        ]
        transitions = [e for e in edges_of(g, "transition") if e[0] in steps]
        roles = {g.nodes[a]["role"] for a in actions}
        assert list(dot.of_class("step")) == steps  # in stage order, named by their graph ids
        assert sorted(dot.of_class("action")) == sorted(actions)
        assert len(dot.of_class("funnel_stage")) == runs(g, steps)
        assert len(dot.of_class("content")) == len(uses)  # beside each action using it
        assert len(dot.edges_of("uses")) == len(uses)
        drawn_uses = sorted((u, v.partition("#")[0]) for u, v, _ in dot.edges_of("uses"))
        assert drawn_uses == sorted(uses)
        assert len(dot.edges_of("step_next")) == len(steps) - 1
        assert len(dot.edges_of("transition")) == len(transitions)
        lanes = {n.removeprefix("lane:") for n in dot.of_class("lane")}
        buyer = {"thinking", "doing", "touchpoints"} | ({"transitions"} if transitions else set())
        assert lanes == buyer | {"funnel"} | roles
        assert set(dot.of_class("column")) == {f"column:{g.nodes[s]['stage']}" for s in steps}
        assert set(dot.of_class("side")) == {"side:buyer", "side:seller"}
        assert not dot.of_class("note")
        assert dot.defaults["graph"]["layout"] == "nop2"
        for name, a in dot.nodes.items():  # every node placed, with a fixed size
            assert re.fullmatch(r"[\d.]+,[\d.]+", a["pos"]), name
            assert float(a["width"]) > 0 and float(a["height"]) > 0
        assert all(
            re.fullmatch(r"e,[\d.]+,[\d.]+( [\d.]+,[\d.]+)+", e[2]["pos"]) for e in dot.edges
        )
        assert len(dot.nodes) < 1000


def test_ids_are_graph_ids_unique_and_documented(example_graph):
    g = example_graph
    for name, raw in render_dot(g, JA).items():
        dot = parse_dot(raw.decode())
        for node, a in dot.nodes.items():
            assert a["id"] == node, (name, node)  # the SVG id is the node's name
            assert re.fullmatch(r"[a-z_]+:[a-z0-9_/>#.-]+", node), (name, node)
            base = node.partition("#")[0]
            kind = base.partition(":")[0]
            if kind in ("step", "action", "content", "funnel_stage", "journey", "role", "stage"):
                assert base in g, (name, node)
            elif kind == "handoff":
                assert any(k == base for _, _, k in g.edges(keys=True)), (name, node)
            else:
                others = ("lead_class", "lane", "column", "side", "doing", "touchpoints")
                assert kind in (*others, "transition", "note", "head"), (name, node)
    dot = dots(g)["diagrams/no-ma-manager.dot"]
    copies = [n for n in dot.of_class("content") if "#" in n]
    assert copies  # the worksheet and the onboarding guide serve two actions each
    for copy in copies:
        base, _, n = copy.partition("#")
        assert base in dot.nodes and int(n) >= 2


def test_transition_labels_are_drawn(example_graph):
    dot = dots(example_graph)["diagrams/no-ma-manager.dot"]
    labels = {plain(a["label"]) for a in dot.of_class("transition").values()}
    assert labels == {"新たな課題", "比較検討へ直行"}
    assert set(dot.of_class("transition")) == {"transition:0", "transition:1"}
    assert all(a.get("style") == "dashed" for _, _, a in dot.edges_of("transition"))


def test_journey_diagram_marks_handoffs_as_the_funnel_diagram_does(example_graph):
    g = example_graph
    dot = dots(g)["diagrams/no-ma-manager.dot"]
    marks = {n: plain(a["label"]) for n, a in dot.of_class("handoff").items()}
    assert marks == {
        "handoff:lead-nurturing->qualification": "引き継ぎ マーケティング → インサイドセールス",
        "handoff:won->usage-support": "引き継ぎ フィールドセールス → サポート, カスタマーサクセス",
    }
    funnel = dots(g)["diagrams/funnel.dot"]
    assert set(marks) <= set(funnel.of_class("handoff"))


def test_funnel_diagram(example_graph):
    dot = dots(example_graph)["diagrams/funnel.dot"]
    g = example_graph
    assert len(dot.of_class("funnel_stage")) == len(nodes_of(g, "funnel_stage"))
    assert len(dot.of_class("role")) == len(nodes_of(g, "role"))
    assert len(dot.of_class("lead_class")) == len(nodes_of(g, "lead_class"))
    assert len(dot.edges_of("owns")) == len(edges_of(g, "owns"))
    assert len(dot.edges_of("lead_class")) == len(edges_of(g, "lead_class"))
    assert len(dot.edges_of("funnel_next")) == len(nodes_of(g, "funnel_stage")) - 1
    handoffs = list(example_graph.edges(keys=True, data=True))
    handoffs = [(u, v, k, d) for u, v, k, d in handoffs if d["type"] == "handoff"]
    assert len(handoffs) == 8
    boxes = dot.of_class("handoff")
    assert set(boxes) == {k for _, _, k, _ in handoffs}  # one box per pair of funnel stages
    drawn = {(u, v) for u, v, _ in dot.edges_of("handoff")}
    for u, v, key, _ in handoffs:  # each role hands off to the box, the box to the next role
        assert (u, key) in drawn and (key, v) in drawn
    assert len(drawn) == len(
        {(u, k) for u, _, k, _ in handoffs} | {(k, v) for _, v, k, _ in handoffs}
    )
    assert not any("label" in a for _, _, a in dot.edges)  # no words on edges
    stage = {d["ref"]: label_of(d, "ja") for _, d in nodes_of(g, "funnel_stage")}
    for key, a in boxes.items():
        d = next(d for _, _, k, d in handoffs if k == key)
        assert squash(a["label"]) == squash(f"{stage[d['from_stage']]} → {stage[d['to_stage']]}")
    for a in dot.nodes.values():  # no word broken over two lines
        for word_ in re.findall(r"[ァ-ヺー]+", plain(a["label"]).replace(" ", "")):
            assert any(word_ in line for line in lines_of(a["label"])), a["label"]


def test_overview_diagram(example_graph):
    dot = dots(example_graph)["diagrams/overview.dot"]
    g = example_graph
    assert len(dot.of_class("stage")) == len(nodes_of(g, "stage"))
    assert len(dot.of_class("funnel_stage")) == len(nodes_of(g, "funnel_stage"))
    assert sorted((v, u) for u, v, _ in dot.edges_of("serves")) == sorted(
        (u, v) for u, v, _ in edges_of(g, "serves")
    )
    assert all(a.get("dir") == "back" for _, _, a in dot.edges_of("serves"))
    assert {plain(a["label"]) for a in dot.of_class("stage").values()} == {
        label_of(d, "ja") for _, d in nodes_of(g, "stage")
    }


def test_every_diagram_sets_a_proportional_cjk_font_everywhere(example_graph):
    assert FONT == "IPAPGothic,Noto Sans CJK JP,sans-serif"
    for name, dot in dots(example_graph).items():
        for kind in ("graph", "node"):
            assert dot.defaults[kind]["fontname"] == FONT, (name, kind)
        overrides = [a["fontname"] for a in dot.nodes.values() if "fontname" in a]
        assert all(f == FONT for f in overrides)


def test_no_links_or_html_labels(example_graph):
    for name, raw in render_dot(example_graph, JA).items():
        source = raw.decode()
        dot = parse_dot(source)
        keys = {k for a in [*dot.nodes.values(), *(e[2] for e in dot.edges)] for k in a}
        assert not keys & FORBIDDEN_ATTRS, name
        assert "label=<" not in source
        assert "http" not in source


def test_diagram_words_are_the_pages_words(example_graph):
    from toolkit.common.i18n import translations
    from toolkit.render.html_context import flag_labels, lane_labels, status_labels

    for lang in ("ja", "en"):
        t = translations(lang)
        for code, key in (("seller-absent", "no-seller"), ("content-gap", "no-content")):
            assert word(key, lang) == flag_labels(t)[code]
        for status, label in status_labels(t).items():
            assert word(status, lang) == label
        for key in ("thinking", "doing", "touchpoints"):
            assert word(key, lang) == lane_labels(t)[key]
    dot = dots(example_graph)["diagrams/no-ma-manager.dot"]
    first = plain(dot.nodes["step:no-ma-manager/problem-unknown"]["label"])
    assert first.endswith("売り手の接点なし")
    assert (
        "[売り手の行動なし]"
        not in render_dot(example_graph, JA)["diagrams/no-ma-manager.dot"].decode()
    )
    content = plain(dot.nodes["content:checklist-lead-management"]["label"])
    assert content.endswith("checklist / 公開中")


def test_dot_is_deterministic(example_graph, repo_root):
    first = render_dot(example_graph, JA)
    assert render_dot(example_graph, JA) == first
    again = compile_project(repo_root, shown_as="")
    assert again.graph is not None
    assert render_dot(again.graph, JA) == first


def test_english_labels(example_graph):
    out = render_dot(example_graph, RenderOptions("en"))
    dot = parse_dot(out["diagrams/overview.dot"].decode())
    labels = {plain(a["label"]) for a in dot.of_class("stage").values()}
    assert "Problem aware" in labels
    journey = parse_dot(out["diagrams/no-ma-manager.dot"].decode())
    assert plain(journey.nodes["lane:thinking"]["label"]) == "Thinking"
    assert plain(journey.nodes["lane:marketing"]["label"]) == "Marketing"


def test_node_budget_leaves_out_the_rest_and_says_so(example_graph):
    plan = plan_columns(example_graph, "no-ma-manager", budget=15)
    placed = len(plan.columns) + len({f for c in plan.columns for f in c.funnel})
    placed += sum(len(c.actions) + sum(map(len, c.content.values())) for c in plan.columns)
    assert placed == 15 and plan.omitted > 0
    assert [c.step for c in plan.columns] == [
        s for s, _ in journey_steps(example_graph, "no-ma-manager")
    ]
    dot = parse_dot(journey_dot(example_graph, "no-ma-manager", "ja", budget=15))
    notes = [plain(a["label"]) for a in dot.of_class("note").values()]
    assert notes == [f"ほか {plan.omitted} 件は省略"]
    assert MAX_NODES < 1000


def test_show_empty_rows_keeps_a_lane_for_every_role(example_graph):
    source = journey_dot(example_graph, "no-ma-manager", "ja", all_rows=True)
    lanes = set(parse_dot(source).of_class("lane"))
    roles = {f"lane:{d['ref']}" for _, d in nodes_of(example_graph, "role")}
    assert roles <= lanes
    opts = RenderOptions("ja", show_empty_rows=True)
    assert render_dot(example_graph, opts)["diagrams/no-ma-manager.dot"].decode() == source


def test_a_role_named_like_a_lane_gets_its_own_lane_id():
    assert lane_key("marketing") == "marketing"
    assert lane_key("thinking") == "role:thinking"
    assert lane_key("funnel") == "role:funnel"
    assert lane_key("pains") == "role:pains"


# --- text safety (pure) -----------------------------------------------------------------


def test_clean_text_drops_controls_and_overrides_and_truncates():
    assert (
        clean_text("a\x00b\x07c\x1b[0m\x85\u202ed\u2066e\u200f") == "abc[0m de\u200f"
    )  # NEL is whitespace
    assert clean_text("  line1\nline2\r\n\tline3  ") == "line1 line2 line3"
    assert clean_text("\ud800x") == "x"
    assert clean_text(None) == ""
    long = clean_text("y" * 20000, 200)
    assert len(long) == 200 and long.endswith("…")


def test_wrap_respects_display_width():
    text = "課題整理ワークシートを使って現状と導入時期を聞き取り、BANT+Cで商談化を判断する"
    lines = wrap(text, 28)
    assert "".join(lines) == text
    assert all(text_width(line) <= 28 for line in lines)
    assert lines == [
        "課題整理ワークシートを使って",
        "現状と導入時期を聞き取り、",
        "BANT+Cで商談化を判断する",
    ]
    assert wrap("The quick brown fox jumps over the lazy dog", 20) == [
        "The quick brown fox",
        "jumps over the lazy",
        "dog",
    ]
    assert wrap("あ" * 14 + "。", 28) == ["あ" * 14 + "。"]  # no line starts with 。
    assert wrap("", 10) == []
    assert all(len(line) <= 10 for line in wrap("z" * 95, 10))


def test_wrap_never_breaks_inside_a_word():
    assert phrases("ロイヤルカスタマー化を進める") == ["ロイヤルカスタマー", "化を", "進める"]
    assert phrases("BtoBリードナーチャリング入門") == ["BtoB", "リードナーチャリング", "入門"]
    assert phrases("月80件の商談") == ["月80件の", "商談"]  # a number stays with its counter
    assert phrases("「リード管理 やり方」で検索") == ["「リード", "管理", " ", "やり方」で", "検索"]
    assert phrases("見込み客を掘り起こす") == ["見込み客を", "掘り起こす"]  # okurigana stay
    assert wrap("ロイヤルカスタマー", 16) == ["ロイヤルカスタマー"]  # 18 columns: longer, whole
    assert wrap("個別対応 → ロイヤルカスタマー", 24) == ["個別対応 →", "ロイヤルカスタマー"]
    assert wrap("セキュリティチェックシート回答集", 20) == ["セキュリティチェックシート", "回答集"]
    long = "セキュリティチェックシートテンプレート"  # wider than one and a half lines: broken
    assert [text_width(x) for x in wrap(long, 16)] == [16, 16, 6]


def test_em_widths_follow_the_proportional_font():
    assert em_width("iiii") < em_width("WWWW") < em_width("ああああ")
    assert em_width("漢字") == 2.0
    assert em_width("Marketing") == pytest.approx(4.73)  # IPAPGothic's advances


def test_dot_label_is_never_html_and_keeps_backslashes():
    import graphviz

    label = dot_label("<b>x</b>")
    assert isinstance(label, graphviz.quoting.NoHtml)
    assert graphviz.quoting.quote(label) == '"<b>x</b>"'
    assert graphviz.quoting.quote(dot_label("end\\")) == '"end\\\\"'
    assert graphviz.quoting.quote(dot_label('a"]; b [')) == '"a\\"]; b ["'
    assert dot_label("one", "two") == "one\\ntwo"


# --- the real dot -----------------------------------------------------------------------


def svg_lines(svg: bytes) -> set[str]:
    root = ET.fromstring(svg)
    return {el.text for el in root.iter("{http://www.w3.org/2000/svg}text") if el.text}


@needs_dot
def test_dot_available():
    assert has_dot()


@needs_dot
def test_every_example_diagram_renders_with_dot(example_graph):
    sources = render_dot(example_graph, JA)
    images = render_images(sources, frozenset({"svg"}), jobs=2)
    assert set(images) == {k.replace(".dot", ".svg") for k in sources}
    for name, svg in images.items():
        text = svg_lines(svg)
        assert text, name
        assert f'font-family="{FONT}"'.encode() in svg
    assert "課題の認知" in svg_lines(images["diagrams/overview.svg"])


@needs_dot
def test_render_images_picks_formats_and_reports_failures():
    good = {"diagrams/a.dot": b"digraph a { x -> y }"}
    out = render_images(good, frozenset({"svg", "png", "html", "json"}), jobs=2)
    assert set(out) == {"diagrams/a.svg", "diagrams/a.png"}
    assert out["diagrams/a.png"].startswith(b"\x89PNG")
    assert render_images(good, frozenset({"html"}), jobs=1) == {}
    bad = {**good, "diagrams/broken.dot": b"digraph { a -> [ }"}
    with pytest.raises(DiagramError) as err:
        render_images(bad, frozenset({"svg"}), jobs=2)
    assert err.value.path == "diagrams/broken.dot"
    assert "diagrams/broken.dot" in str(err.value) and "syntax error" in str(err.value)


@needs_dot
def test_hostile_labels_stay_text(tmp_path, repo_root, example_graph):
    hostile_copy(
        tmp_path / "project", repo_root, HOSTILE, TEXT_KEYS, doing=2, url="javascript:alert(1)"
    )
    compiled = compile_project(tmp_path / "project")
    assert compiled.ok, [d.render() for d in compiled.diagnostics]
    sources = render_dot(compiled.graph, JA)
    clean = dots(example_graph)
    assert set(sources) == set(clean)
    for name, raw in sources.items():
        source = raw.decode("utf-8")
        dot = parse_dot(source)
        # same structure as the clean example: no injected node or edge
        assert len(dot.nodes) == len(clean[name].nodes), name
        assert len(dot.edges) == len(clean[name].edges), name
        assert len(source.splitlines()) == len(render_dot(example_graph, JA)[name].splitlines())
        assert "label=<" not in source and "javascript" not in source
        assert "\x00" not in source and "\x1b" not in source and "\u202e" not in source
        assert max(len(a.get("label", "")) for a in dot.nodes.values()) < 1000
    images = render_images(sources, frozenset({"svg"}), jobs=2)
    seen: set[str] = set()
    for name, svg in images.items():
        lowered = svg.lower()
        for bad in (b"<script", b"javascript:", b"href", b"<a ", b"\x1b", b"\xe2\x80\xae"):
            assert bad not in lowered, (name, bad)
        seen |= svg_lines(svg)  # also proves the SVG is well-formed XML
    for text in VISIBLE:
        assert text in seen, text
    xs = [len(line) for line in seen if set(line) == {"x"}]  # 20000 x: truncated, then broken
    assert xs and max(xs) <= 60 and sum(xs) < 1000


@needs_dot
def test_pdf_embeds_a_japanese_font(example_graph):
    funnel = {"diagrams/funnel.dot": render_dot(example_graph, JA)["diagrams/funnel.dot"]}
    pdf = render_images(funnel, frozenset({"pdf"}), jobs=1)["diagrams/funnel.pdf"]
    assert pdf.startswith(b"%PDF")
    fonts = pdf_fonts(pdf)
    assert fonts and all("IPAPGothic" in f for f in fonts), fonts  # proportional


def pdf_fonts(pdf: bytes) -> set[str]:
    """BaseFont names of the fonts the PDF's pages use (pypdf when installed, else a scan)."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return {m.decode() for m in re.findall(rb"/BaseFont\s*/([^\s/<>\[\]()]+)", pdf)}
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        for ref in (fonts.get_object() if fonts is not None else {}).values():
            names.add(str(ref.get_object().get("/BaseFont")))
    return names
