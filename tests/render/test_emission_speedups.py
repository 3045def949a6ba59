"""The fast emission helpers give exactly what the slower, obvious code they replace gave."""

from __future__ import annotations

import unicodedata
from typing import Any

import graphviz
import networkx as nx
import pytest
from graphviz import quoting
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tools import needs_dot

from toolkit.render import data, diagrams, dot, dot_syntax, xlsx
from toolkit.render.common import RenderOptions

SVG_PNG = frozenset({"svg", "png"})
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters that exercise the wrapping rules: ASCII words and punctuation, spaces and tabs,
# wide CJK, closing punctuation that never starts a line, combining and fullwidth forms.
WRAP_CHARS = st.sampled_from(
    list("abcXYZ019 -_.,!?:;()[]\t\n\r")
    + list("あいう漢字カナ、。，．）」』】〕・ー…：；！？")
    + ["\u3000", "\u0301", "Ａ", "😀", "\u202e", "\x00"]
)
TEXTS = st.text(WRAP_CHARS, max_size=90) | st.text(max_size=60)


# --- reference implementations (the code before the speed-ups) -------------------------------


def ref_char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def ref_text_width(text: str) -> int:
    return sum(ref_char_width(c) for c in text)


def ref_wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current, used = "", 0
    for token in diagrams.TOKENS.findall(text):
        if token == " ":
            if current and used < width:
                current, used = current + " ", used + 1
            continue
        size = ref_text_width(token)
        if current and (used + size <= width or token in diagrams.NO_LINE_START):
            current, used = current + token, used + size
            continue
        if current:
            lines.append(current.rstrip())
        current, used = token, size
        while used > width and len(current) > 1:
            head = ref_fit(current, width)
            lines.append(head)
            current = current[len(head) :]
            used = ref_text_width(current)
    if current.strip():
        lines.append(current.rstrip())
    return lines


def ref_fit(text: str, width: int) -> str:
    used = 0
    for i, ch in enumerate(text):
        used += ref_char_width(ch)
        if used > width:
            return text[: max(i, 1)]
    return text


def ref_dot_label(*parts: Any, limit: int, width: int) -> str:
    lines = [line for part in parts for line in ref_wrap(diagrams.clean_text(part, limit), width)]
    return graphviz.nohtml("\\n".join(graphviz.escape(line) for line in lines))


# --- text -----------------------------------------------------------------------------------


@SETTINGS
@given(TEXTS, st.integers(min_value=0, max_value=40))
def test_wrap_matches_the_greedy_reference(text: str, width: int) -> None:
    assert diagrams.wrap(text, width) == ref_wrap(text, width)


@SETTINGS
@given(TEXTS)
def test_text_widths_match_per_character_widths(text: str) -> None:
    assert diagrams.text_width(text) == ref_text_width(text)
    assert xlsx.text_width(text) == ref_text_width(text)


@SETTINGS
@given(st.lists(TEXTS | st.none(), max_size=4), st.sampled_from([(120, 28), (80, 80), (60, 20)]))
def test_dot_label_matches_per_line_escaping(parts: list[Any], sizes: tuple[int, int]) -> None:
    limit, width = sizes
    got = diagrams.dot_label(*parts, limit=limit, width=width)
    assert got == ref_dot_label(*parts, limit=limit, width=width)
    assert isinstance(got, quoting.NoHtml)


# --- DOT statements ---------------------------------------------------------------------------

ATTR_VALUES = st.sampled_from(["filled", "#dddddd", "rounded,filled", "2.5", "", "a b", 'q"t'])
ATTRS = st.dictionaries(st.sampled_from(["style", "class", "color", "dir", "weight"]), ATTR_VALUES)
LABELS = (
    st.none()
    | st.builds(graphviz.escape, TEXTS)
    | st.sampled_from(["spam", "node", "-4.2", "<b>x</b>", '"]; x [', graphviz.nohtml("<i>")])
)


@SETTINGS
@given(LABELS, ATTRS)
def test_statements_match_graphviz(label: str | None, attrs: dict[str, str]) -> None:
    assert dot_syntax.attr_list(label, attrs) == quoting.attr_list(label, kwargs=attrs)
    dg = graphviz.Digraph()
    dg.node("n1", label, **attrs)
    dg.edge("n1", "n2", label, **attrs)
    assert dg.body == [
        dot_syntax.node_stmt("n1", label, **attrs),
        dot_syntax.edge_stmt("n1", "n2", label, **attrs),
    ]


def test_subgraph_and_chain_match_graphviz() -> None:
    ours, theirs = graphviz.Digraph("x"), graphviz.Digraph("x")
    dot_syntax.add_subgraph(
        ours, "col0", [dot_syntax.node_stmt("n0", graphviz.nohtml("a"))], "same"
    )
    dot_syntax.add_subgraph(ours, "lanes", [])
    dot_syntax.chain(ours, ["n0", "n1", "n2"], style="invis", weight="5")
    with theirs.subgraph(name="col0") as sub:
        sub.attr(rank="same")
        sub.node("n0", graphviz.nohtml("a"))
    with theirs.subgraph(name="lanes") as sub:
        pass
    theirs.edge("n0", "n1", style="invis", weight="5")
    theirs.edge("n1", "n2", style="invis", weight="5")
    assert ours.source == theirs.source


def test_ids_are_plain_dot_identifiers() -> None:
    ids = dot_syntax.Ids()
    made = [ids(f"k{i}") for i in range(30)] + [ids("k3")]
    assert made[-1] == made[3]
    assert all(quoting.quote(i) == i and quoting.quote_edge(i) == i for i in made)


def test_edges_by_type_keeps_graph_edge_order(example_graph: nx.MultiDiGraph) -> None:
    kinds = ("owns", "lead_class", "uses", "served_by", "transition", "handoff", "nothing")
    found = dot_syntax.edges_by_type(example_graph, kinds)
    for kind in kinds:
        want = [e for e in example_graph.edges(keys=True, data=True) if e[3]["type"] == kind]
        assert found[kind] == want
    mixed = [e for e in example_graph.edges(keys=True, data=True) if e[3]["type"] in kinds[:2]]
    assert dot._of_types(example_graph, found, kinds[:2]) == mixed


def test_shared_refs_match_out_edges(example_graph: nx.MultiDiGraph) -> None:
    shared = diagrams.journey_shared(example_graph)
    for node in example_graph:
        for kind in diagrams.JOURNEY_EDGES:
            want = [v for _, v, d in example_graph.out_edges(node, data=True) if d["type"] == kind]
            assert shared.refs(node, kind) == list(dict.fromkeys(want))


# --- Graphviz SVGs in batches -----------------------------------------------------------

TRICKY = graphviz.Digraph("journey")
TRICKY.node("n0", graphviz.nohtml(dot.SVG_DECL.decode() + ' <g id="page0,1_graph0">'))
TRICKY.node("n1", graphviz.nohtml("</svg> page0,1_graph0"))
TRICKY.edge("n0", "n1")


@SETTINGS
@given(st.integers(0, 40), st.integers(1, 9), st.integers(1, 10))
def test_batches_cover_the_paths_in_order(n: int, jobs: int, size: int) -> None:
    paths = [f"diagrams/{i:02d}.dot" for i in range(n)]
    got = dot.batches(paths, jobs, size)
    assert [p for batch in got for p in batch] == paths
    assert all(0 < len(batch) <= size for batch in got)
    assert len(got) >= min(jobs, n)
    sizes = [len(batch) for batch in got]
    assert max(sizes, default=0) - min(sizes, default=0) <= 1


def test_split_svgs_wants_exactly_the_documents_asked_for() -> None:
    doc = dot.SVG_DECL + b'\n<svg>\n<g id="graph0" class="graph">\n</svg>\n'
    later = doc.replace(b'"graph0"', b'"page0,1_graph0"')
    assert dot.split_svgs(doc + later + later, 3) == [doc, doc, doc]
    assert dot.split_svgs(doc + later, 3) is None
    assert dot.split_svgs(doc + later, 1) is None
    assert dot.split_svgs(b"junk" + doc, 1) is None
    assert dot.split_svgs(b"", 1) is None


@needs_dot
@pytest.mark.parametrize("jobs", [1, 2])
def test_batched_svgs_are_the_svgs_of_one_run_each(
    example_graph: nx.MultiDiGraph, jobs: int
) -> None:
    sources = dot.render_dot(example_graph, RenderOptions(example_graph.graph["language"]))
    sources["diagrams/tricky.dot"] = TRICKY.source.encode("utf-8")
    assert len(dot.batches(sorted(sources), jobs)) < len(sources)
    want = {
        dot.image_path(path, "svg"): dot.render_image(path, src, "svg")
        for path, src in sorted(sources.items())
    }
    got = dot.render_images(sources, frozenset({"svg"}), jobs)
    assert list(got) == list(want)
    assert got == want


@needs_dot
def test_a_failing_batch_names_its_diagram(monkeypatch: pytest.MonkeyPatch) -> None:
    good = b"digraph a { x -> y }"
    sources = {"diagrams/a.dot": good, "diagrams/b.dot": b"digraph { a -> [ }"}
    sources["diagrams/c.dot"] = good
    with pytest.raises(dot.DiagramError) as err:
        dot.render_images(sources, frozenset({"svg", "png"}), jobs=1)
    assert (err.value.path, err.value.fmt) == ("diagrams/b.dot", "svg")
    assert "syntax error" in str(err.value)
    two = {"diagrams/a.dot": b"digraph a { x }\ndigraph b { y }", "diagrams/c.dot": good}
    # Not one graph per source: the output does not split, so one run per source again.
    alone = [dot.render_image(path, src, "svg") for path, src in two.items()]
    assert dot.render_svg_batch(list(two.items())) == alone
    out = dot.render_images({"diagrams/c.dot": good, "diagrams/a.dot": good}, SVG_PNG, 1)
    assert list(out) == ["diagrams/a.svg", "diagrams/a.png", "diagrams/c.svg", "diagrams/c.png"]
    monkeypatch.setattr(dot.shutil, "which", lambda _name: None)
    with pytest.raises(dot.DiagramError) as err:
        dot.render_images(sources, frozenset({"svg"}), jobs=1)
    assert err.value.path == "diagrams/a.dot" and "not on PATH" in err.value.detail


# --- CSV ----------------------------------------------------------------------------------


@SETTINGS
@given(st.lists(TEXTS | st.sampled_from(["=1+1", "-2", "+3.5", "@x", "\tx", "-"]), min_size=2))
def test_csv_cells_are_cleaned_once_per_text(row: list[str]) -> None:
    cells = data.CsvCells()
    want = [data.neutralise(data.strip_controls(cell)) for cell in row]
    assert [cells[cell] for cell in row] == want
    assert len(cells) == len(set(row))
