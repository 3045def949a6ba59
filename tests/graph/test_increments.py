"""`journey serve` patches the last graph when journeys alone changed: the patched graph must
equal a full compile in node and edge data and in every iteration order."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from tools import needs_dot

from toolkit.analyses.warnings import forget_journeys, graph_warnings, step_coverage
from toolkit.graph.build import compile_graph, nodes_of
from toolkit.graph.increments import changed_journeys, patch_journeys
from toolkit.load.cache import MemoryCache
from toolkit.model.project import Project, Validated, load_project
from toolkit.render.builder import render_all, render_journey_pages
from toolkit.render.common import RenderOptions
from toolkit.serve.live import LiveBuild


def snapshot(g: nx.MultiDiGraph) -> dict[str, Any]:
    return {
        "graph": dict(g.graph),
        "nodes": list(g.nodes(data=True)),
        "edges": list(g.edges(keys=True, data=True)),
        "pred": {n: list(g.pred[n]) for n in g},
        "succ": {n: list(g.succ[n]) for n in g},
        "by_type": {k: nodes_of(g, k) for k in ("journey", "step", "action", "content")},
    }


class Loader:
    """Loads a project repeatedly the way LiveBuild does (same Document objects if unchanged)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.memory = MemoryCache(None)
        self.validated: Validated = {}

    def load(self) -> Project:
        loaded = load_project(self.root, None, self.memory, self.validated)
        self.memory.forget_unused()
        assert loaded.ok, [d.render() for d in loaded.diagnostics]
        return loaded.project


def journey_file(root: Path, name: str = "") -> Path:
    files = sorted(
        p for p in (root / "journeys").rglob("*.yaml") if "kind: journey" in p.read_text()
    )
    return next(p for p in files if name in p.name)


def rewrite(old: str, new: str, name: str = "") -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = journey_file(root, name)
        text = path.read_text(encoding="utf-8")
        assert old in text, (path, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def add_copy(root: Path) -> None:
    source = journey_file(root)
    text = source.read_text(encoding="utf-8")
    journey_id = next(
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("id:")
    )
    (source.parent / "aaa-copy.yaml").write_text(
        text.replace(f"id: {journey_id}", "id: aaa-copy", 1), encoding="utf-8"
    )


def remove_first(root: Path) -> None:
    journey_file(root).unlink()


EDITS: dict[str, Callable[[Path], None]] = {
    "text": rewrite("thinking: ", "thinking: 改めて考えると、"),
    "title": rewrite("title: {ja: ", "title: {ja: 改訂 "),
    "other-content": rewrite("content: [wp-ma-stalled-cases]", "content: [wp-ma-to-pipeline]"),
    "funnel-from-serving": rewrite("    funnel: lead-generation\n", ""),
    "added-journey": add_copy,
    "removed-journey": remove_first,
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_patched_graph_equals_a_full_compile(example_copy: Path, edit: str) -> None:
    loader = Loader(example_copy)
    before = loader.load()
    graph = compile_graph(before)
    graph_warnings(graph)  # fills the analyses' memos, which the patch must keep right
    EDITS[edit](example_copy)
    after = loader.load()
    changed = changed_journeys(before, after)
    assert changed, "the edit must be seen as a journey change"
    patch_journeys(graph, after, changed, forget_journeys)
    full = compile_graph(after)
    assert snapshot(graph) == snapshot(full)
    assert step_coverage(graph) == step_coverage(full)
    assert graph_warnings(graph) == graph_warnings(full)


@pytest.mark.parametrize(
    ("edit", "in_place"),
    [
        ("text", True),
        ("title", True),
        ("funnel-from-serving", True),  # the stage served is the one it named: same edges
        ("other-content", False),  # an edge to another content item
        ("added-journey", False),
    ],
)
def test_a_text_edit_is_patched_in_place(example_copy: Path, edit: str, in_place: bool) -> None:
    """Same nodes and edges: the attributes change where they are (nothing is removed and
    added again, so no order is restored); a changed reference takes the full patch."""
    loader = Loader(example_copy)
    before = loader.load()
    graph = compile_graph(before)
    dicts = {n: id(d) for n, d in graph.nodes(data=True)}
    EDITS[edit](example_copy)
    after = loader.load()
    changed = changed_journeys(before, after)
    assert changed is not None and len(changed) == 1
    patch_journeys(graph, after, changed, forget_journeys)
    (journey,) = changed
    kept = [id(d) == dicts.get(n) for n, d in graph.nodes(data=True) if d.get("journey") == journey]
    assert kept and all(kept) == in_place and any(kept) == in_place
    assert snapshot(graph) == snapshot(compile_graph(after))


def test_a_change_to_anything_else_needs_a_full_compile(example_copy: Path) -> None:
    loader = Loader(example_copy)
    before = loader.load()
    assert changed_journeys(before, loader.load()) == set()  # nothing changed
    persona = sorted((example_copy / "personas").glob("*.yaml"))[0]
    persona.write_text(persona.read_text(encoding="utf-8") + "\n# note\n", encoding="utf-8")
    assert changed_journeys(before, loader.load()) is None


def test_journeys_changing_places_need_a_full_compile(example_copy: Path) -> None:
    loader = Loader(example_copy)
    before = loader.load()
    first = journey_file(example_copy)
    shutil.move(first, first.parent / "zzz-last.yaml")
    assert changed_journeys(before, loader.load()) is None


def rename_persona(root: Path) -> None:
    path = sorted((root / "personas").glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name: ", "name: 新 ", 1), encoding="utf-8")


@needs_dot
def test_live_build_output_equals_a_fresh_build(example_copy: Path, tmp_path: Path) -> None:
    formats = frozenset({"html", "mermaid", "json", "csv", "dot", "svg"})
    live = LiveBuild.for_project(example_copy, tmp_path / "out", formats, None, 1, None)
    assert live.rebuild()[0]
    steps = [
        ("text", EDITS["text"], {"j"}),
        ("other-content", EDITS["other-content"], {"j"}),
        ("persona", rename_persona, None),  # not a journey: full compile and render
        ("funnel-from-serving", EDITS["funnel-from-serving"], {"j"}),
        ("added-journey", add_copy, {"aaa-copy"}),
        ("removed-journey", remove_first, {"aaa-copy"}),  # the first file now
    ]
    edited = journey_file(example_copy).stem.removeprefix("journey-")
    for name, edit, patched in steps:
        edit(example_copy)
        ok, _, _ = live.rebuild()
        assert ok
        expected_patch = None if patched is None else {edited if p == "j" else p for p in patched}
        assert live.patched == expected_patch, name
        fresh = load_project(example_copy).project
        options = RenderOptions(fresh.language, formats, shown_as=fresh.shown_as)
        expected = render_all(compile_graph(fresh), options, 1)
        written = {
            p.relative_to(tmp_path / "out").as_posix(): p.read_bytes()
            for p in (tmp_path / "out").rglob("*")
            if p.is_file() and p.name != ".journey-build"
        }
        assert written == expected, name


def test_journey_pages_alone_equal_the_full_render(example_graph: nx.MultiDiGraph) -> None:
    options = RenderOptions("ja", frozenset({"html"}))
    full = render_all(example_graph, options, 1)
    refs = [d["ref"] for _, d in nodes_of(example_graph, "journey")]
    alone = render_journey_pages(example_graph, options, refs[1:3])
    assert len(alone) == 2
    assert alone == {path: full[path] for path in alone}
    assert render_journey_pages(example_graph, RenderOptions("ja", frozenset({"svg"})), refs) == {}


def test_live_build_writes_the_edited_page_and_counts_it_changed(
    example_copy: Path, tmp_path: Path
) -> None:
    live = LiveBuild.for_project(example_copy, tmp_path / "out", frozenset({"html"}), None, 1, None)
    assert live.rebuild()[0]
    EDITS["text"](example_copy)
    ok, _, changed = live.rebuild()
    edited = journey_file(example_copy).stem.removeprefix("journey-")
    assert ok and live.patched == {edited}
    assert f"journeys/{edited}.html" in changed
    page = (tmp_path / "out" / "journeys" / f"{edited}.html").read_text()
    assert "改めて考えると" in page.replace("<wbr>", "")  # the map breaks between phrases


def test_a_broken_save_then_a_fix_patches_from_the_last_good_graph(
    example_copy: Path, tmp_path: Path
) -> None:
    formats = frozenset({"html", "json"})
    live = LiveBuild.for_project(example_copy, tmp_path / "out", formats, None, 1, None)
    assert live.rebuild()[0]
    good = (tmp_path / "out" / "data" / "graph.json").read_bytes()
    rewrite("content: [wp-ma-stalled-cases]", "content: [no-such-item]")(example_copy)
    ok, lines, changed = live.rebuild()
    assert not ok and changed == []
    assert any("unknown-ref" in line and "no-such-item" in line for line in lines)
    assert (tmp_path / "out" / "data" / "graph.json").read_bytes() == good  # last good stays
    rewrite("content: [no-such-item]", "content: [wp-ma-to-pipeline]")(example_copy)
    ok, _, _ = live.rebuild()
    assert ok and live.patched
    fresh = load_project(example_copy).project
    options = RenderOptions(fresh.language, formats, shown_as=fresh.shown_as)
    expected = render_all(compile_graph(fresh), options, 1)
    for path, data in expected.items():
        assert (tmp_path / "out" / path).read_bytes() == data, path
