"""serve/live.py and serve/session.py: a rebuild gives the rest of its work up to a newer
save, and the next build finishes it; saves queue while a build runs."""

from __future__ import annotations

import threading
from pathlib import Path

from toolkit.graph.build import compile_graph
from toolkit.model.project import load_project
from toolkit.render.builder import render_all
from toolkit.render.common import RenderOptions
from toolkit.serve.live import LiveBuild
from toolkit.serve.session import Saves

FORMATS = frozenset({"html", "mermaid", "json"})


def first_journey(root: Path) -> Path:
    return sorted(
        p for p in (root / "journeys").rglob("*.yaml") if "kind: journey" in p.read_text()
    )[0]


def retitle(root: Path) -> None:
    path = first_journey(root)
    text = path.read_text(encoding="utf-8")
    assert "title: {ja: " in text
    path.write_text(text.replace("title: {ja: ", "title: {ja: 改訂 ", 1), encoding="utf-8")


def written(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.name != ".journey-build"
    }


def test_saves_merge_until_taken_and_say_when_one_waits() -> None:
    saves = Saves()
    assert not saves.waiting() and saves.take(timeout=0.01) is None
    saves.add([Path("a.yaml")])
    saves.add([Path("b.yaml"), Path("a.yaml")])
    saves.add([])  # a change only the fingerprint saw still counts as a save
    assert saves.waiting()
    assert saves.take(timeout=0.01) == {Path("a.yaml"), Path("b.yaml")}
    assert not saves.waiting()
    threading.Timer(0.05, saves.add, args=([],)).start()
    assert saves.take(timeout=5) == frozenset()  # woken by the save, not the timeout


def test_a_superseded_build_writes_the_edited_page_and_the_next_build_the_rest(
    example_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    live = LiveBuild.for_project(example_copy, out, FORMATS, None, 1, None)
    assert live.rebuild()[0]
    edited = first_journey(example_copy).stem.removeprefix("journey-")
    retitle(example_copy)

    ok, _, changed = live.rebuild(None, superseded=lambda: True)
    assert ok and changed == [f"journeys/{edited}.html"]
    assert "改訂" in (out / "journeys" / f"{edited}.html").read_text(encoding="utf-8")
    assert "改訂" not in (out / "index.html").read_text(encoding="utf-8")  # given up
    assert live.unfinished == {edited}

    ok, _, changed = live.rebuild()  # nothing saved since: finishes the journey's rest
    assert ok and "index.html" in changed and live.unfinished == set()
    fresh = load_project(example_copy).project
    options = RenderOptions(fresh.language, FORMATS, shown_as=fresh.shown_as)
    assert written(out) == render_all(compile_graph(fresh), options, 1)


def test_a_superseded_full_build_leaves_the_next_one_full(
    example_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    live = LiveBuild.for_project(example_copy, out, FORMATS, None, 1, None)
    assert live.rebuild()[0]
    persona = sorted((example_copy / "personas").glob("*.yaml"))[0]
    text = persona.read_text(encoding="utf-8")
    persona.write_text(text.replace("name: ", "name: 新 ", 1), encoding="utf-8")
    assert live.rebuild(None, superseded=lambda: True)[0]
    assert live.rendered is None  # the next build renders everything
    assert live.rebuild()[0]
    fresh = load_project(example_copy).project
    options = RenderOptions(fresh.language, FORMATS, shown_as=fresh.shown_as)
    assert written(out) == render_all(compile_graph(fresh), options, 1)
