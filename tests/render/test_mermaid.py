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
from toolkit.render.mermaid import mermaid_text, render_mermaid, task_text

SMALL = FIXTURES / "mermaid-small"
NODE_DIR = REPO / "tests" / "node"
MMDC = NODE_DIR / "node_modules" / ".bin" / "mmdc"
ZWSP = "\u200b"

SMALL_EN = """\
journey
    title Ken's path
    section Problem aware
        Searches the web: 1: Ken Sato, Marketing
        Reads： a 50％ guide； ＃1 pick: 1: Ken Sato, Marketing
    section Consideration
        Consideration: 3: Ken Sato, Field sales, Marketing
    section Purchase
        Signs the contract: 5: Ken Sato
"""
SMALL_JA = """\
journey
    title 健のジャーニー
    section 課題の認知
        Searches the web: 1: Ken Sato, マーケティング
        Reads： a 50％ guide； ＃1 pick: 1: Ken Sato, マーケティング
    section 検討
        検討: 3: Ken Sato, フィールドセールス, マーケティング
    section 購買
        Signs the contract: 5: Ken Sato
"""

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
SECTION_LINE = re.compile(rf"    section {FIELD}")
TASK_LINE = re.compile(rf"        ({FIELD}): ([1-5])(?:: ([^#:;%,\n]+(?:, [^#:;%,\n]+)*))?")
KEYWORD = re.compile(r"(?i)\s*(journey|title|section|acctitle|accdescr)")


def compiled_graph(path: Path) -> Any:
    compiled = compile_project(path)
    assert compiled.ok, [d.render() for d in compiled.diagnostics]
    return compiled.graph


def check_grammar(text: str) -> list[tuple[str, int, str]]:
    """Assert every line fits the journey grammar; return the tasks (text, score, actors)."""
    lines = text.splitlines()
    assert text.endswith("\n") and lines[0] == "journey"
    assert TITLE_LINE.fullmatch(lines[1]), lines[1]
    tasks = []
    for line in lines[2:]:
        if line.startswith("    section "):
            assert SECTION_LINE.fullmatch(line), line
            continue
        m = TASK_LINE.fullmatch(line)
        assert m, line
        assert not KEYWORD.match(m[1]), line
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
    assert len(mermaid_text("z" * 500)) == 60


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
        assert all(len(task) <= 61 for task, _, _ in tasks)


# --- the real Mermaid -------------------------------------------------------------------


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
    }
    tmp = tmp_path_factory.mktemp("mmdc")
    names = list(charts)
    markdown = "\n".join(f"```mermaid\n{charts[n].decode('utf-8')}```\n" for n in names)
    (tmp / "charts.md").write_text(markdown, encoding="utf-8")
    run = subprocess.run(
        [
            str(MMDC),
            "-q",
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
