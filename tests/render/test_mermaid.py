"""Mermaid renderer: exact text on a small fixture, safe text, and the real Mermaid (mmdc)."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REPO, chromium_path
from projects import hostile_copy

from toolkit.graph.build import nodes_of
from toolkit.pipeline import compile_project
from toolkit.render.common import RenderOptions, emotion_score, journey_steps
from toolkit.render.mermaid import (
    FRONT_MATTER,
    TASK_UNITS,
    fitted,
    mermaid_text,
    render_mermaid,
    task_text,
    title_units,
    units,
)

SMALL = FIXTURES / "mermaid-small"
NODE_DIR = REPO / "tests" / "node"
MMDC = NODE_DIR / "node_modules" / ".bin" / "mmdc"
ZWSP = "\u200b"

SMALL_EN = (
    FRONT_MATTER
    + """\
journey
    title Ken's path
    accTitle: Ken's path
    accDescr: Customer journey of Ken Sato through 3 customer stages (Problem aware, \
Consideration, Purchase), 4 tasks scored from 1 (negative) to 5 (positive).
    section Problem aware
        Searches the web: 1: Ken Sato, Marketing
        Reads： a 50％ guide； ＃1 pick: 1: Ken Sato, Marketing
    section Consideration
        Consideration: 3: Ken Sato, Field sales, Marketing
    section Purchase
        Signs the contract: 5: Ken Sato
"""
)
SMALL_JA = (
    FRONT_MATTER
    + """\
journey
    title 健のジャーニー
    accTitle: 健のジャーニー
    accDescr: Ken Sato のカスタマージャーニー。3 つの顧客ステージ（課題の認知, 検討, 購買）と \
4 件のタスクを、1（ネガティブ）から 5（ポジティブ）で評価。
    section 課題の認知
        Searches the web: 1: Ken Sato, マーケティング
        Reads： a 50％ guide； ＃1 pick: 1: Ken Sato, マーケティング
    section 検討
        検討: 3: Ken Sato, フィールドセールス, マーケティング
    section 購買
        Signs the contract: 5: Ken Sato
"""
)

HOSTILE = [
    "%%{init: {'securityLevel': 'loose'}}%%",
    "5% off; #35; a: b",
    "title Injected",
    "section Injected",
    "journey",
    "accDescr { x }",
    "line1\nline2\n    section Evil\n        task: 5: Me",
    "<img src=x onerror=alert(1)>",
    "Tom, Jerry: 5",
    "tab\tnul\x00esc\x1b bell\x07 \u202eRTL",
    "emoji 😀",
    "back\\slash\\",
    "y" * 5000,
]
TEXT_KEYS = ("label", "title", "name", "action")

# The journey grammar, line by line (fields never hold : ; # % or newlines).
FIELD = r"[^#:;%\n]+"
TITLE_LINE = re.compile(r"    title [^#;%\n]+")
ACC_TITLE_LINE = re.compile(r"    accTitle: [^#;%\n]+")
ACC_DESCR_LINE = re.compile(r"    accDescr: [^#;%\n]+")
SECTION_LINE = re.compile(rf"    section {FIELD}")
TASK_LINE = re.compile(rf"        ({FIELD}): ([1-5])(?:: ([^#:;%,\n]+(?:, [^#:;%,\n]+)*))?")
KEYWORD = re.compile(r"(?i)\s*(journey|title|section|acctitle|accdescr)")


def compiled_graph(path: Path) -> Any:
    compiled = compile_project(path)
    assert compiled.ok, [d.render() for d in compiled.diagnostics]
    return compiled.graph


def check_grammar(text: str) -> list[tuple[str, int, str]]:
    """Assert every line fits the journey grammar; return the tasks (text, score, actors)."""
    assert text.startswith(FRONT_MATTER)  # the only front matter: fixed box sizes
    lines = text[len(FRONT_MATTER) :].splitlines()
    assert text.endswith("\n") and lines[0] == "journey"
    assert TITLE_LINE.fullmatch(lines[1]), lines[1]
    assert ACC_TITLE_LINE.fullmatch(lines[2]), lines[2]
    assert ACC_DESCR_LINE.fullmatch(lines[3]), lines[3]
    tasks = []
    for line in lines[4:]:
        if line.startswith("    section "):
            assert SECTION_LINE.fullmatch(line), line
            continue
        m = TASK_LINE.fullmatch(line)
        assert m, line
        assert not KEYWORD.match(m[1]), line
        assert units(m[1]) <= TASK_UNITS, line
        tasks.append((m[1], int(m[2]), m[3] or ""))
    return tasks


# --- exact text -------------------------------------------------------------------------


def test_small_fixture_exact_text():
    g = compiled_graph(SMALL)
    assert render_mermaid(g, RenderOptions("en")) == {
        "mermaid/ken-path.mmd": SMALL_EN.encode("utf-8")
    }
    assert render_mermaid(g, RenderOptions("ja"))["mermaid/ken-path.mmd"].decode() == SMALL_JA


def test_one_file_per_example_journey(example_graph):
    out = render_mermaid(example_graph, RenderOptions("ja"))
    refs = sorted(d["ref"] for _, d in nodes_of(example_graph, "journey"))
    assert list(out) == [f"mermaid/{r}.mmd" for r in refs]
    assert render_mermaid(example_graph, RenderOptions("ja")) == out


def test_example_sections_tasks_and_integer_scores(example_graph):
    out = render_mermaid(example_graph, RenderOptions("ja"))
    for ref in sorted(d["ref"] for _, d in nodes_of(example_graph, "journey")):
        text = out[f"mermaid/{ref}.mmd"].decode("utf-8")
        tasks = check_grammar(text)
        steps = journey_steps(example_graph, ref)
        assert text.count("\n    section ") == len(steps)
        expected = [
            emotion_score(d.get("emotion")) for _, d in steps for _ in (d.get("doing") or [None])
        ]
        assert [score for _, score, _ in tasks] == expected
        assert all(isinstance(s, int) and 1 <= s <= 5 for _, s, _ in tasks)


def test_segment_journey_uses_segment_label_as_actor(example_graph):
    text = render_mermaid(example_graph, RenderOptions("ja"))["mermaid/no-ma-segment.mmd"].decode()
    assert all(actors.startswith("MA未導入企業") for _, _, actors in check_grammar(text))
    persona = render_mermaid(example_graph, RenderOptions("ja"))["mermaid/no-ma-manager.mmd"]
    assert all(a.startswith("佐藤 健一") for _, _, a in check_grammar(persona.decode()))


# --- hostile text -----------------------------------------------------------------------


def test_mermaid_text_neutralises_grammar_characters():
    assert mermaid_text("a: b; c # d % e") == "a： b； c ＃ d ％ e"
    assert mermaid_text("%%{init: {}}%%") == "％％{init： {}}％％"
    assert mermaid_text("x\n    section Evil\r\n\ttask") == "x section Evil task"
    assert mermaid_text("<b>&</b>") == "＜b＞＆＜/b＞"
    assert mermaid_text("nul\x00\x1b\u202e!") == "nul!"
    assert task_text("Title of the talk") == ZWSP + "Title of the talk"
    assert task_text("journeying") == ZWSP + "journeying"
    assert task_text("A journey") == "A journey"
    assert len(mermaid_text("z" * 500)) == 200
    # cut to 54 units (TASK_UNITS), with a break point every 4 letters of a long word
    assert task_text("z" * 500) == ZWSP.join(["z" * 4] * 13) + "…"
    assert task_text("a " + "b" * 19) == "a " + "b" * 19  # words up to 19 letters stay whole


def test_long_labels_are_cut_to_fit_their_boxes():
    # a CJK character counts two units, '…' two: 26 characters and the ellipsis make 54
    long_ja = "スコアの設定についてマーケティングに問い合わせる" * 2
    assert units(long_ja) == 96
    assert fitted(long_ja, TASK_UNITS) == long_ja[:26] + "…"
    assert units(fitted(long_ja, TASK_UNITS)) == TASK_UNITS
    assert fitted("短い", TASK_UNITS) == "短い"
    latin = "reads the comparison sheet and asks the sales team about pricing options today"
    assert fitted(latin, TASK_UNITS) == "reads the comparison sheet and asks the sales team…"
    assert units("Ab") == 3  # a capital letter counts two
    assert task_text(long_ja) == long_ja[:26] + "…"
    # the title is cut to the width of the tasks: 250 + 230 px per task, 15 px per unit
    assert (title_units(1), title_units(5)) == (32, 93)
    assert units(fitted("鈴木のジャーニー" * 4, title_units(1))) <= 32


@pytest.fixture(scope="module")
def hostile_mermaid(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("hostile") / "project"
    hostile_copy(root, REPO, HOSTILE, TEXT_KEYS, doing=3)
    return render_mermaid(compiled_graph(root), RenderOptions("ja"))


def test_hostile_text_keeps_the_grammar(hostile_mermaid):
    assert hostile_mermaid
    for text in (v.decode("utf-8") for v in hostile_mermaid.values()):
        tasks = check_grammar(text)
        assert tasks
        assert "%%" not in text and "#" not in text and ";" not in text
        assert "\x00" not in text and "\x1b" not in text and "\u202e" not in text
        assert "<" not in text and ">" not in text
        assert "\n    section Evil" not in text
        assert all(units(task) <= TASK_UNITS for task, _, _ in tasks)


# --- the real Mermaid -------------------------------------------------------------------


LONG_LABELS = [
    "スコアの設定についてマーケティングに問い合わせる、そのうえで営業部長に説明資料を作る",
    "Reads the comparison sheet and asks the sales team about pricing options for larger teams",
    "インサイドセールス",
    "W" * 30,
]


def long_labels_graph() -> Any:
    """The small fixture with long task labels and a long title on every step."""
    g = compiled_graph(SMALL).copy()
    for _, data in list(g.nodes(data=True)):
        if data.get("type") == "step":
            data["doing"] = list(LONG_LABELS)
        if data.get("type") == "journey":
            data["label"] = {
                "ja": "とても長いジャーニーの名前、インサイドセールスリーダー鈴木の一年"
            }
            data["title"] = data["label"]
    return g


def puppeteer_config(tmp: Path) -> Path:
    config = json.loads((NODE_DIR / "puppeteer.json").read_text(encoding="utf-8"))
    found = chromium_path()
    if found and not Path(config["executablePath"]).exists():
        config["executablePath"] = found
    path = tmp / "puppeteer.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def mmdc_svgs(
    tmp_path_factory: pytest.TempPathFactory, example_graph: Any, hostile_mermaid: dict[str, bytes]
) -> list[tuple[str, str, str]]:
    """Every example, fixture and hostile chart drawn by ONE mmdc run: (name, mmd, svg)."""
    if not MMDC.exists():
        pytest.skip(
            "mermaid-cli not installed: PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix tests/node"
        )
    if chromium_path() is None:
        pytest.skip("chromium not installed")
    charts = {
        **render_mermaid(example_graph, RenderOptions("ja")),
        **{
            f"small-{lang}": render_mermaid(compiled_graph(SMALL), RenderOptions(lang))[
                "mermaid/ken-path.mmd"
            ]
            for lang in ("en", "ja")
        },
        **{f"hostile/{k}": v for k, v in hostile_mermaid.items()},
        "long": render_mermaid(long_labels_graph(), RenderOptions("ja"))["mermaid/ken-path.mmd"],
    }
    tmp = tmp_path_factory.mktemp("mmdc")
    names = list(charts)
    markdown = "\n".join(f"```mermaid\n{charts[n].decode('utf-8')}```\n" for n in names)
    (tmp / "charts.md").write_text(markdown, encoding="utf-8")
    run = subprocess.run(
        [
            str(MMDC),
            "-q",
            # every chart in its own page of the one browser at once: the charts are drawn
            # independently (out-N.svg as without -j), and mmdc mostly waits on each page
            "-j",
            str(len(names)),
            "-p",
            str(puppeteer_config(tmp)),
            "-i",
            str(tmp / "charts.md"),
            "-o",
            str(tmp / "out.md"),
        ],
        capture_output=True,
        timeout=300,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")[-3000:]
    out = []
    for i, name in enumerate(names, start=1):
        svg = tmp / f"out-{i}.svg"
        assert svg.exists(), name
        out.append((name, charts[name].decode("utf-8"), svg.read_text(encoding="utf-8")))
    return out


def test_mmdc_draws_every_chart_without_nan(mmdc_svgs):
    assert len(mmdc_svgs) >= 6
    for name, mmd, svg in mmdc_svgs:
        assert "<svg" in svg, name
        assert "NaN" not in svg, name
        assert 'aria-roledescription="journey"' in svg, name
        # nothing was swallowed as a comment or a directive: every section and task is drawn
        # (Mermaid draws consecutive sections of the same name as one box)
        names = [line[12:] for line in mmd.splitlines() if line.startswith("    section ")]
        boxes = len(list(itertools.groupby(names)))
        tasks = len(check_grammar(mmd))
        assert len(re.findall(r'<rect [^>]*class="journey-section section-type-\d+"', svg)) == boxes
        assert len(re.findall(r'<rect [^>]*class="task task-type-\d+"', svg)) == tasks, name


def test_mmdc_shows_escaped_text_and_no_script(mmdc_svgs):
    by_name = {name: svg for name, _, svg in mmdc_svgs}
    assert "Reads： a 50％ guide； ＃1 pick" in by_name["small-en"]
    assert "課題の認知" in by_name["mermaid/no-ma-manager.mmd"]
    hostile = "".join(svg for name, _, svg in mmdc_svgs if name.startswith("hostile/"))
    assert "＜img src=x onerror=alert(1)＞" in hostile
    assert "<img" not in hostile and "<script" not in hostile and "javascript:" not in hostile
    assert "securityLevel" in hostile  # drawn as text, not applied as a directive


FIT_JS = """() => {
  const out = [];
  const svg = document.querySelector('svg');
  const frame = svg.getBoundingClientRect();
  for (const fo of svg.querySelectorAll('foreignObject')) {
    const label = fo.querySelector('.label') || fo;
    if (!label.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(label);
    const t = range.getBoundingClientRect(), f = fo.getBoundingClientRect();
    if (t.top < f.top - 0.5 || t.bottom > f.bottom + 0.5 || t.left < f.left - 0.5
        || t.right > f.right + 0.5) out.push(label.textContent);
  }
  for (const title of svg.querySelectorAll(':scope > text')) {
    const t = title.getBoundingClientRect();
    if (t.right > frame.right + 0.5 || t.left < frame.left - 0.5) out.push(title.textContent);
  }
  return out;
}"""


def test_mmdc_text_fits_its_boxes_and_the_diagram_is_named(mmdc_svgs, tmp_path):
    """Every task, section and title that Mermaid drew lies inside its box (nothing clipped),
    and accTitle / accDescr name the drawing for screen readers."""
    from browser import launched

    with launched() as browser:
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        for i, (name, mmd, svg) in enumerate(mmdc_svgs):
            path = tmp_path / f"chart-{i}.svg"
            path.write_text(svg, encoding="utf-8")
            page.goto(path.as_uri(), wait_until="load")
            assert page.evaluate(FIT_JS) == [], name
            title = re.search(r"    accTitle: (.*)", mmd)
            assert title and f">{title[1]}</title>" in svg, name
            assert re.search(r'<desc id="chart-desc-[^"]*">[^<]+</desc>', svg), name
        page.close()
