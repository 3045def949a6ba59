"""Journey diagrams as real swimlanes, read back from the SVGs and PDFs Graphviz draws.

Every journey SVG of the bundled example and of a generated project (benchmarks' size M:
20 journeys, 12 stages, ~35 actions each): each action lies inside its role's lane and its
stage's column, each content item beside the action that uses it, in the same column;
every id is unique; the font is the proportional one. PDFs are one A3 landscape page.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest
from tools import needs_dot

from benchmarks.generate import generate
from toolkit.graph.build import nodes_of
from toolkit.pipeline import compile_project
from toolkit.render.common import RenderOptions, journey_steps
from toolkit.render.diagrams import FONT
from toolkit.render.dot import journey_diagram_paths, render_dot, render_images
from toolkit.render.journey_diagram import lane_key

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
A3 = (1190.55, 841.89)

pytestmark = needs_dot


@dataclass(frozen=True)
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float

    def inside(self, other: Rect, slack: float = 0.5) -> bool:
        return (
            self.x0 >= other.x0 - slack
            and self.x1 <= other.x1 + slack
            and self.y0 >= other.y0 - slack
            and self.y1 <= other.y1 + slack
        )


@dataclass
class Drawing:
    rects: dict[str, Rect]  # element id -> bounding box of its shape
    classes: dict[str, list[str]]
    edges: list[tuple[str, str, str]]  # class, tail, head
    ids: list[str]  # every id attribute in the file
    fonts: set[str]


def shape_rect(group: ET.Element) -> Rect:
    """The box around a node's shape (polygon points, path coordinates), SVG coordinates."""
    numbers: list[float] = []
    for el in group:
        if el.tag in (f"{SVG}polygon", f"{SVG}polyline"):
            numbers += map(float, NUMBER.findall(el.get("points", "")))
        elif el.tag == f"{SVG}path":
            numbers += map(float, NUMBER.findall(el.get("d", "")))
        elif el.tag == f"{SVG}ellipse":
            cx, cy = float(el.get("cx", 0)), float(el.get("cy", 0))
            rx, ry = float(el.get("rx", 0)), float(el.get("ry", 0))
            numbers += [cx - rx, cy - ry, cx + rx, cy + ry]
    xs, ys = numbers[0::2], numbers[1::2]
    assert xs and ys, group.get("id")
    return Rect(min(xs), min(ys), max(xs), max(ys))


def read_svg(svg: bytes) -> Drawing:
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{SVG}g") if g.get("id")]
    # One transform for the whole drawing, none below it: coordinates compare as they are.
    assert [g.get("transform") is not None for g in groups].count(True) == 1
    rects, classes, edges = {}, {}, []
    for g in groups:
        kinds = (g.get("class") or "").split()
        if kinds[:1] == ["node"]:
            rects[g.get("id")] = shape_rect(g)
            classes[g.get("id")] = kinds[1:]
        elif kinds[:1] == ["edge"]:
            title = g.find(f"{SVG}title")
            assert title is not None and title.text
            tail, _, head = title.text.partition("->")
            edges.append((kinds[1], tail, head))
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    fonts = {el.get("font-family") for el in root.iter(f"{SVG}text")}
    return Drawing(rects, classes, edges, ids, fonts)


def drawings(graph: nx.MultiDiGraph) -> dict[str, Drawing]:
    sources = render_dot(graph, RenderOptions(graph.graph["language"]))
    paths = journey_diagram_paths(graph)
    journey_sources = {path: sources[path] for path in paths.values()}
    svgs = render_images(journey_sources, frozenset({"svg"}), jobs=2)
    return {ref: read_svg(svgs[path.replace(".dot", ".svg")]) for ref, path in paths.items()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    root: Path = tmp_path_factory.mktemp("generated") / "project"
    generate(root, "M")
    compiled = compile_project(root, shown_as="")
    assert compiled.graph is not None
    return compiled.graph


@pytest.fixture(scope="module")
def example_drawings(example_graph: nx.MultiDiGraph) -> dict[str, Drawing]:
    return drawings(example_graph)


@pytest.fixture(scope="module")
def generated_drawings(generated: nx.MultiDiGraph) -> dict[str, Drawing]:
    return drawings(generated)


def check_lanes(graph: nx.MultiDiGraph, ref: str, d: Drawing) -> int:
    """Every box of one journey SVG in its lane and column; the number of actions checked."""
    rects = d.rects
    steps = journey_steps(graph, ref)
    lanes = sorted((r for i, r in rects.items() if i.startswith("lane:")), key=lambda r: r.y0)
    columns = sorted((r for i, r in rects.items() if i.startswith("column:")), key=lambda r: r.x0)
    assert len(columns) == len(steps)
    for a, b in zip(lanes, lanes[1:], strict=False):  # lanes stack without overlapping
        assert a.y1 <= b.y0 + 0.5
    for a, b in zip(columns, columns[1:], strict=False):
        assert a.x1 <= b.x0 + 0.5
    for step, data in steps:
        column = rects[f"column:{data['stage']}"]
        assert rects[step].inside(rects["lane:thinking"]) and rects[step].inside(column), step
        for key in ("doing", "touchpoints"):
            cell = f"{key}:{step.partition(':')[2]}"
            if data.get(key):
                assert rects[cell].inside(rects[f"lane:{key}"]) and rects[cell].inside(column)
    actions = [i for i, kinds in d.classes.items() if kinds[:1] == ["action"]]
    for action in actions:
        data = graph.nodes[action]
        lane = rects[f"lane:{lane_key(data['role'])}"]
        column = rects[f"column:{data['stage']}"]
        assert rects[action].inside(lane), (ref, action)
        assert rects[action].inside(column), (ref, action)
    uses = [(tail, head) for kind, tail, head in d.edges if kind == "uses"]
    assert {h for _, h in uses} == {i for i, k in d.classes.items() if k[:1] == ["content"]}
    for action, content in uses:
        assert graph.has_edge(action, content.partition("#")[0], key="uses")
        data = graph.nodes[action]
        column = rects[f"column:{data['stage']}"]
        assert rects[content].inside(column), (ref, content)  # in its action's column
        assert rects[content].inside(rects[f"lane:{lane_key(data['role'])}"])
        assert rects[content].x0 >= rects[action].x1  # beside it, on its right
    for bar in (i for i, k in d.classes.items() if k[:1] == ["funnel_stage"]):
        assert rects[bar].inside(rects["lane:funnel"]), bar
    return len(actions)


def test_every_example_action_is_in_its_lane_and_column(example_graph, example_drawings):
    checked = {ref: check_lanes(example_graph, ref, d) for ref, d in example_drawings.items()}
    assert checked == {
        "ma-adopted-inside-sales": 6,
        "ma-adopted-sales-head": 11,
        "no-ma-manager": 12,
        "no-ma-manager-future": 15,
        "no-ma-segment": 6,
    }
    assert sum(checked.values()) == len(nodes_of(example_graph, "action"))


def test_the_check_sees_an_action_out_of_its_lane(example_graph):
    path = journey_diagram_paths(example_graph)["no-ma-manager"]
    source = render_dot(example_graph, RenderOptions("ja"), journeys=["no-ma-manager"])[path]
    text = source.decode()
    step = re.search(r'"step:no-ma-manager/interest" \[.*? pos="([\d.]+),([\d.]+)"', text)
    action = re.search(r'"action:no-ma-manager/interest/1" \[.*? pos="([\d.]+),([\d.]+)"', text)
    assert step and action
    moved = text.replace(f'pos="{action[1]},{action[2]}"', f'pos="{action[1]},{step[2]}"')
    svg = render_images({path: moved.encode()}, frozenset({"svg"}), jobs=1)
    with pytest.raises(AssertionError, match="interest/1"):
        check_lanes(example_graph, "no-ma-manager", read_svg(svg[path[:-4] + ".svg"]))


def test_every_generated_action_is_in_its_lane_and_column(generated, generated_drawings):
    assert len(generated_drawings) == 20
    checked = sum(check_lanes(generated, ref, d) for ref, d in generated_drawings.items())
    assert checked == len(nodes_of(generated, "action")) == 708


def test_ids_are_unique_and_name_graph_nodes(example_graph, example_drawings, generated_drawings):
    for d in [*example_drawings.values(), *generated_drawings.values()]:
        assert len(d.ids) == len(set(d.ids))
    d = example_drawings["no-ma-manager"]
    for kind in ("step", "action", "content", "funnel_stage"):
        drawn = {i.partition("#")[0] for i in d.rects if i.startswith(f"{kind}:")}
        assert drawn and drawn <= set(example_graph), kind
    assert "journey:no-ma-manager" in d.rects  # the title
    assert {i for i in d.ids if i.startswith("lane:")} == {
        "lane:transitions",
        "lane:thinking",
        "lane:doing",
        "lane:touchpoints",
        "lane:funnel",
        "lane:marketing",
        "lane:inside-sales",
        "lane:field-sales",
        "lane:support",
        "lane:customer-success",
    }
    stages = {f"column:{d['ref']}" for _, d in nodes_of(example_graph, "stage")}
    assert {i for i in d.ids if i.startswith("column:")} == stages  # a step at every stage


def test_diagrams_use_the_proportional_font(example_drawings, generated_drawings):
    for d in [*example_drawings.values(), *generated_drawings.values()]:
        assert d.fonts == {FONT}
    assert FONT.split(",")[0] == "IPAPGothic"


def page_boxes(pdf: bytes) -> list[tuple[float, float]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def test_pdfs_are_one_a3_landscape_page(example_graph, generated):
    pytest.importorskip("pypdf")
    sources = render_dot(example_graph, RenderOptions("ja"))
    paths = journey_diagram_paths(generated)
    big = render_dot(generated, RenderOptions("ja"), journeys=sorted(paths)[:1])
    sources["diagrams/big.dot"] = big[paths[sorted(paths)[0]]]
    pdfs = render_images(sources, frozenset({"pdf"}), jobs=2)
    assert len(pdfs) == 8
    for name, pdf in pdfs.items():
        [(width, height)] = page_boxes(pdf)
        assert width == pytest.approx(A3[0], abs=1) and height == pytest.approx(A3[1], abs=1), name


def test_images_are_byte_identical_run_to_run(example_graph):
    sources = render_dot(example_graph, RenderOptions("ja"))
    first = render_images(sources, frozenset({"svg", "pdf"}), jobs=2)
    assert render_images(sources, frozenset({"svg", "pdf"}), jobs=1) == first
