"""The fast emission helpers give exactly what the slower, obvious code they replace gave."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import graphviz
import networkx as nx
import pytest
from graphviz import quoting
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tools import needs_dot

from toolkit.render import data, diagrams, dot, dot_syntax, journey_diagram, xlsx
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


# --- reference implementations (obvious, slow code the fast paths must agree with) ----------


def ref_char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def ref_text_width(text: str) -> int:
    return sum(ref_char_width(c) for c in text)


def ref_kind(ch: str) -> str:
    """A character's kind (diagrams.KINDS), one test at a time."""
    code = ord(ch)
    if ch == " ":
        return " "
    if 0x21 <= code <= 0x7E:
        return "L" if ch.isalpha() else "D"
    if ch in diagrams.NO_LINE_END:
        return "B"
    if ch in diagrams.CLOSING:
        return "C"
    if ch in "ーｰ":
        return "R"
    if ch in diagrams.NO_LINE_START:
        return "P"
    if ch in diagrams.PHRASE_END:
        return "E"
    if 0x3041 <= code <= 0x309F:
        return "H"
    if 0x30A1 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
        return "T"
    if any(a <= code <= b for a, b in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))):
        return "K"
    if ch in "々〆":
        return "K"
    if 0xFF10 <= code <= 0xFF19:
        return "D"
    if 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
        return "L"
    return "O"


def ref_phrases(text: str) -> list[str]:
    out: list[str] = []
    for i, ch in enumerate(text):
        if i and not diagrams.break_allowed(ref_kind(text[i - 1]), ref_kind(ch)):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def ref_wrap(text: str, width: int) -> list[str]:
    if "\n" not in text and ref_text_width(text) <= width:
        body = text.lstrip(" ")
        return [body.rstrip()] if body.strip() else []
    longest = width * 3 // 2
    lines: list[str] = []
    current, used = "", 0
    for token in ref_phrases(text):
        if token == " ":
            if current and used < width:
                current, used = current + " ", used + 1
            continue
        size = ref_text_width(token)
        if current and used + size <= width:
            current, used = current + token, used + size
            continue
        if current:
            lines.append(current.rstrip())
        current, used = token, size
        if used <= longest:
            continue
        while used > width and len(current) > 1:
            head = ref_fit(current, width)
            lines.append(head)
            current = current[len(head) :]
            used = ref_text_width(current)
    if current.strip():
        lines.append(current.rstrip())
    return lines


def ref_fit(text: str, width: int) -> str:
    used, end = 0, len(text)
    for i, ch in enumerate(text):
        used += ref_char_width(ch)
        if used > width:
            end = max(i, 1)
            break
    while end < len(text) and text[end] in diagrams.NO_LINE_START:
        end += 1
    return text[:end]


def ref_dot_label(*parts: Any, limit: int, width: int) -> str:
    lines = [line for part in parts for line in ref_wrap(diagrams.clean_text(part, limit), width)]
    return graphviz.nohtml("\\n".join(graphviz.escape(line) for line in lines))


# --- text -----------------------------------------------------------------------------------


@SETTINGS
@given(TEXTS, st.integers(min_value=0, max_value=40))
def test_wrap_matches_the_reference(text: str, width: int) -> None:
    assert diagrams.phrases(text) == ref_phrases(text)
    assert diagrams.wrap(text, width) == ref_wrap(text, width)


@SETTINGS
@given(TEXTS, st.integers(min_value=2, max_value=40))
def test_wrap_keeps_every_character_and_breaks_only_long_phrases(raw: str, width: int) -> None:
    text = diagrams.clean_text(raw, 200)  # as labels are wrapped: cleaned first
    lines = diagrams.wrap(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    longest = width * 3 // 2
    for line in lines:
        body = line.rstrip("".join(diagrams.NO_LINE_START))
        single = len(diagrams.phrases(line)) == 1
        assert diagrams.text_width(body) <= width or (
            single and diagrams.text_width(line) <= longest
        )
    # Every line break falls between two phrases, unless inside a phrase too long for a line.
    phrases = [p.replace(" ", "") for p in diagrams.phrases(text) if p.strip()]
    bounds, at = {0}, 0
    for p in phrases:
        at += len(p)
        bounds.add(at)
    cut, flat = 0, text.replace(" ", "")
    for line in lines[:-1]:
        cut += len(line.replace(" ", ""))
        kept = cut  # closing punctuation never starts a line: it may end the line before
        while kept > 0 and flat[kept - 1] in diagrams.NO_LINE_START:
            kept -= 1
        if cut not in bounds and kept not in bounds:
            start = max(b for b in bounds if b < cut)
            inside = next(p for p in phrases if sum(map(len, phrases[: phrases.index(p)])) == start)
            assert diagrams.text_width(inside) > longest, (line, inside)


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


def test_journey_ids_number_the_later_drawings_of_one_id() -> None:
    ids = journey_diagram.Ids()
    made = [ids(x) for x in ("content:a", "content:b", "content:a", "content:a")]
    assert made == ["content:a", "content:b", "content:a#2", "content:a#3"]


@SETTINGS
@given(LABELS | st.sampled_from(["step:j/a", "handoff:a->b", "content:x#2"]))
def test_journey_quoting_reads_as_graphviz_quoting(text: str | None) -> None:
    text = "" if text is None else text
    theirs = quoting.quote(text)
    assert journey_diagram.q(text) == (theirs if theirs.startswith('"') else f'"{text}"')


@SETTINGS
@given(LABELS, ATTRS)
def test_journey_attributes_match_a_plain_attribute_list(
    label: str | None, attrs: dict[str, str]
) -> None:
    plain = [] if label is None else [f"label={journey_diagram.q(label)}"]
    plain += [f"{k}={journey_diagram.q(v)}" for k, v in sorted(attrs.items())]
    assert journey_diagram.attr_text(attrs, label) == f" [{' '.join(plain)}]"


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


# --- data/graph.json ----------------------------------------------------------------------

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | TEXTS
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(TEXTS, inner, max_size=4)
        | st.tuples(inner, inner)
    ),
    max_leaves=25,
)


@SETTINGS
@given(JSON_VALUES)
def test_pretty_json_is_json_dumps_with_an_indent_of_one(value: Any) -> None:
    assert data.pretty_json(value) == json.dumps(
        value, ensure_ascii=False, indent=1, sort_keys=True
    )


def test_pretty_json_leaves_keys_that_are_not_strings_to_json() -> None:
    value = {"a": {1: "x", 2: [True, None]}}
    assert data.pretty_json(value) == json.dumps(
        value, ensure_ascii=False, indent=1, sort_keys=True
    )
