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
from toolkit.graph.build import nid, nodes_of
from toolkit.pipeline import compile_project
from toolkit.render.common import RenderOptions, journey_steps, label_of
from toolkit.render.diagrams import (
    MAX_NODES,
    clean_text,
    dot_label,
    journey_dot,
    plan_columns,
    text_width,
    wrap,
)
from toolkit.render.dot import (
    DiagramError,
    dot_available,
    journey_file,
    render_dot,
    render_images,
)

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
    "x" * 28,
    "journey title section",
]
TEXT_KEYS = ("label", "title", "name", "thinking", "feeling", "action", "kpi", "format")


# --- a small DOT reader for the output of graphviz.Digraph.source ------------------------

NODE_RE = re.compile(r"^\t+(\S+) \[(.*)\]$")
EDGE_RE = re.compile(r"^\t+(\S+) -> (\S+)(?: \[(.*)\])?$")
ATTR_RE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^\s"\]]+)')
KEYWORDS = {"graph", "node", "edge"}


@dataclass
class Dot:
    defaults: dict[str, dict[str, str]] = field(default_factory=dict)
    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def of_class(self, cls: str) -> dict[str, dict[str, str]]:
        return {n: a for n, a in self.nodes.items() if a.get("class") == cls}

    def edges_of(self, cls: str) -> list[tuple[str, str, dict[str, str]]]:
        return [e for e in self.edges if e[2].get("class") == cls]


def attrs(text: str | None) -> dict[str, str]:
    out = {}
    for key, value in ATTR_RE.findall(text or ""):
        out[key] = value[1:-1] if value.startswith('"') else value
    return out


def parse_dot(source: str) -> Dot:
    dot = Dot()
    for line in source.splitlines():
        if m := EDGE_RE.match(line):
            dot.edges.append((m[1], m[2], attrs(m[3])))
        elif m := NODE_RE.match(line):
            if m[1] in KEYWORDS:
                dot.defaults[m[1]] = attrs(m[2])
            else:
                assert m[1] not in dot.nodes, f"node {m[1]} declared twice"
                dot.nodes[m[1]] = attrs(m[2])
    return dot


def dots(graph: nx.MultiDiGraph) -> dict[str, Dot]:
    return {k: parse_dot(v.decode("utf-8")) for k, v in render_dot(graph, JA).items()}


def journeys(graph: nx.MultiDiGraph) -> list[str]:
    return sorted(d["ref"] for _, d in nodes_of(graph, "journey"))


def edges_of(graph: nx.MultiDiGraph, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [(u, v, d) for u, v, d in graph.edges(data=True) if d["type"] == kind]


def plain(label: str) -> str:
    """A DOT label as shown: escapes undone, lines joined by spaces."""
    return re.sub(r"\\(.)", lambda m: " " if m[1] == "n" else m[1], label)


def squash(text: str) -> str:
    """A label without line breaks or spaces (CJK lines wrap inside words)."""
    return re.sub(r"\s+", "", plain(text))


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
    for ref in journeys(example_graph):
        dot = parsed[f"diagrams/{ref}.dot"]
        steps = [s for s, _ in journey_steps(example_graph, ref)]
        actions = [a for s in steps for a in step_actions(example_graph, s)]
        funnel = {f for s in steps for f in example_graph.nodes[s]["funnel"]}
        uses = {
            (a, v)
            for a in actions
            for _, v, d in example_graph.out_edges(a, data=True)
            if d["type"] == "uses"
        }
        served = [e for e in edges_of(example_graph, "served_by") if e[0] in steps]
        transitions = [e for e in edges_of(example_graph, "transition") if e[0] in steps]
        roles = {example_graph.nodes[a]["role"] for a in actions}
        assert len(dot.of_class("step")) == len(steps)
        assert len(dot.of_class("funnel_stage")) == len(funnel)
        assert len(dot.of_class("action")) == len(actions)
        assert len(dot.of_class("content")) == len({c for _, c in uses})
        assert len(dot.of_class("role")) == len(roles)
        assert len(dot.edges_of("step_next")) == len(steps) - 1
        assert len(dot.edges_of("action_at")) == len(actions)
        assert len(dot.edges_of("uses")) == len(uses)
        assert len(dot.edges_of("serves")) == len(served)
        assert len(dot.edges_of("transition")) == len(transitions)
        assert not any(a.get("class") == "note" for a in dot.nodes.values())
        assert len(dot.nodes) < 1000


def test_journey_steps_appear_in_stage_order_with_stage_labels(example_graph):
    dot = dots(example_graph)["diagrams/no-ma-manager.dot"]
    shown = [plain(a["label"]) for a in dot.of_class("step").values()]
    stages = [
        label_of(example_graph.nodes[nid("stage", d["stage"])], "ja")
        for _, d in journey_steps(example_graph, "no-ma-manager")
    ]
    assert len(shown) == len(stages)
    assert all(text.startswith(stage) for text, stage in zip(shown, stages, strict=True))
    # every column is one rank, and transitions never constrain the ranks
    assert dot.edges_of("transition")
    assert all(a.get("constraint") == "false" for _, _, a in dot.edges_of("transition"))
    source = render_dot(example_graph, JA)["diagrams/no-ma-manager.dot"].decode()
    assert source.count("rank=same") == len(stages) + 1  # + the lane header column
    assert "cluster" not in source


def test_transition_labels_are_drawn(example_graph):
    dot = dots(example_graph)["diagrams/no-ma-manager.dot"]
    labels = {plain(a.get("label", "")) for _, _, a in dot.edges_of("transition")}
    assert labels == {"新たな課題", "比較検討へ直行"}
    assert all(a.get("style") == "dashed" for _, _, a in dot.edges_of("transition"))


def test_funnel_diagram(example_graph):
    dot = dots(example_graph)["diagrams/funnel.dot"]
    g = example_graph
    assert len(dot.of_class("funnel_stage")) == len(nodes_of(g, "funnel_stage"))
    assert len(dot.of_class("role")) == len(nodes_of(g, "role"))
    assert len(dot.of_class("lead_class")) == len(nodes_of(g, "lead_class"))
    assert len(dot.edges_of("owns")) == len(edges_of(g, "owns"))
    assert len(dot.edges_of("lead_class")) == len(edges_of(g, "lead_class"))
    assert len(dot.edges_of("funnel_next")) == len(nodes_of(g, "funnel_stage")) - 1
    handoffs = edges_of(g, "handoff")
    assert len(handoffs) == 8
    assert len(dot.edges_of("handoff")) == len(handoffs)
    label = {n: plain(a["label"]) for n, a in dot.nodes.items()}
    drawn = sorted((label[u], label[v]) for u, v, _ in dot.edges_of("handoff"))
    expected = sorted(
        (label_of(g.nodes[u], "ja"), label_of(g.nodes[v], "ja")) for u, v, _ in handoffs
    )
    assert drawn == expected
    stage = {d["ref"]: label_of(d, "ja") for _, d in nodes_of(g, "funnel_stage")}
    drawn_stages = sorted(squash(a["label"]) for _, _, a in dot.edges_of("handoff"))
    assert drawn_stages == sorted(
        squash(f"{stage[d['from_stage']]} → {stage[d['to_stage']]}") for _, _, d in handoffs
    )


def test_overview_diagram(example_graph):
    dot = dots(example_graph)["diagrams/overview.dot"]
    g = example_graph
    assert len(dot.of_class("stage")) == len(nodes_of(g, "stage"))
    assert len(dot.of_class("funnel_stage")) == len(nodes_of(g, "funnel_stage"))
    label = {n: plain(a["label"]) for n, a in dot.nodes.items()}
    drawn = sorted((label[v], label[u]) for u, v, _ in dot.edges_of("serves"))  # stage -> fs
    expected = sorted(
        (label_of(g.nodes[u], "ja"), label_of(g.nodes[v], "ja"))
        for u, v, _ in edges_of(g, "serves")
    )
    assert drawn == expected
    assert all(a.get("dir") == "back" for _, _, a in dot.edges_of("serves"))


def test_every_diagram_sets_a_cjk_font_everywhere(example_graph):
    for name, dot in dots(example_graph).items():
        for kind in ("graph", "node", "edge"):
            assert dot.defaults[kind]["fontname"] == "IPAGothic", (name, kind)
        overrides = [a["fontname"] for a in dot.nodes.values() if "fontname" in a]
        assert all(f == "IPAGothic" for f in overrides)


def test_ids_are_generated_and_no_links_or_html_labels(example_graph):
    for name, raw in render_dot(example_graph, JA).items():
        source = raw.decode()
        dot = parse_dot(source)
        assert all(re.fullmatch(r"n\d+", n) for n in dot.nodes), name
        assert all(re.fullmatch(r"n\d+", u) and re.fullmatch(r"n\d+", v) for u, v, _ in dot.edges)
        keys = {k for a in [*dot.nodes.values(), *(e[2] for e in dot.edges)] for k in a}
        assert not keys & FORBIDDEN_ATTRS
        assert "label=<" not in source
        assert "http" not in source


def test_dot_is_deterministic(example_graph, repo_root):
    first = render_dot(example_graph, JA)
    assert render_dot(example_graph, JA) == first
    again = compile_project(repo_root, shown_as="")
    assert again.graph is not None
    assert render_dot(again.graph, JA) == first


def test_english_labels(example_graph):
    dot = parse_dot(
        render_dot(example_graph, RenderOptions("en"))["diagrams/overview.dot"].decode()
    )
    labels = {plain(a["label"]) for a in dot.of_class("stage").values()}
    assert "Problem aware" in labels


def test_node_budget_leaves_out_the_rest_and_says_so(example_graph):
    plan = plan_columns(example_graph, "no-ma-manager", budget=15)
    placed = sum(len(c.nodes()) for c in plan.columns)
    assert placed == 15 and plan.omitted > 0
    assert [c.step for c in plan.columns] == [
        s for s, _ in journey_steps(example_graph, "no-ma-manager")
    ]
    dot = parse_dot(journey_dot(example_graph, "no-ma-manager", "ja", budget=15))
    notes = [plain(a["label"]) for a in dot.of_class("note").values()]
    assert notes == [f"ほか {plan.omitted} 件は省略"]
    assert MAX_NODES < 1000


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
    assert any("BANT+C" in line for line in lines)
    assert wrap("The quick brown fox jumps over the lazy dog", 20) == [
        "The quick brown fox",
        "jumps over the lazy",
        "dog",
    ]
    assert wrap("あ" * 14 + "。", 28) == ["あ" * 14 + "。"]  # no line starts with 。
    assert wrap("", 10) == []
    assert all(len(line) <= 10 for line in wrap("z" * 95, 10))


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
    assert dot_available()


@needs_dot
def test_every_example_diagram_renders_with_dot(example_graph):
    sources = render_dot(example_graph, JA)
    images = render_images(sources, frozenset({"svg"}), jobs=2)
    assert set(images) == {k.replace(".dot", ".svg") for k in sources}
    for name, svg in images.items():
        text = svg_lines(svg)
        assert text, name
        assert b"IPAGothic" in svg
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
    assert not any(line.startswith("x" * 29) for line in seen)


@needs_dot
def test_pdf_embeds_a_japanese_font(example_graph):
    funnel = {"diagrams/funnel.dot": render_dot(example_graph, JA)["diagrams/funnel.dot"]}
    pdf = render_images(funnel, frozenset({"pdf"}), jobs=1)["diagrams/funnel.pdf"]
    assert pdf.startswith(b"%PDF")
    fonts = pdf_fonts(pdf)
    assert any("IPAGothic" in f for f in fonts), fonts


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
