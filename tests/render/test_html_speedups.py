"""The shortcuts behind fast HTML rendering give exactly what the plain versions give."""

from __future__ import annotations

import networkx as nx
import pytest
from jinja2 import StrictUndefined
from jinja2.exceptions import UndefinedError

from toolkit.analyses import coverage as cov
from toolkit.analyses.warnings import content_items, item_matches
from toolkit.render.common import (
    RenderOptions,
    actions_at,
    journey_steps,
    step_flags,
)
from toolkit.render.environment import make_environment
from toolkit.render.facts import Lazy, listed_content
from toolkit.render.html import render_html
from toolkit.render.html_context import make_facts


def test_environment_reads_dict_keys_first_and_stays_strict() -> None:
    env = make_environment()
    page = env.from_string("{{ d.title }} {{ d.items }} {{ o.real }}")
    out = page.render(d={"title": "<b>", "items": "x"}, o=1)
    assert out == "&lt;b&gt; x 1"  # escaped; a key shadows the dict method of the same name
    with pytest.raises(UndefinedError):
        env.from_string("{{ d.missing }}").render(d={})
    assert env.undefined is StrictUndefined


def test_facts_match_graph_walks(example_graph: nx.MultiDiGraph) -> None:
    f = make_facts(example_graph, RenderOptions("ja"))
    for step, codes in step_flags(example_graph).items():
        assert f.flags[step] == codes
        assert f.actions[step] == actions_at(example_graph, step)
    for ref, steps in f.steps.items():
        assert steps == journey_steps(example_graph, ref)
    order = [d["ref"] for _, d in example_graph.nodes(data=True) if d["type"] == "content"]
    for c in f.coverage.values():
        both = [(i, False) for i in sorted(c.items, key=order.index)] + [
            (i, True) for i in sorted(c.pipeline, key=order.index)
        ]
        shown, rest = listed_content(c, f.content_order, f.content_ids)
        assert shown == both[:12] and rest == max(0, len(both) - 12)


def test_lazy_works_a_key_out_once() -> None:
    calls: list[str] = []
    lazy: Lazy[str, int] = Lazy(lambda key: calls.append(key) or len(key))
    assert [lazy["ab"], lazy["ab"], lazy["abc"]] == [2, 2, 3]
    assert calls == ["ab", "abc"]


def test_segment_cells_match_item_matches(example_graph: nx.MultiDiGraph) -> None:
    items = content_items(example_graph)
    for cell in cov.segment_cells(example_graph):
        matching = [i for i in items if item_matches(i, cell.stage, cell.segment)]
        assert cell.items == tuple(sorted(i.id for i in matching if i.status == "published"))
        assert cell.pipeline == tuple(
            sorted(i.id for i in matching if i.status in ("draft", "planned"))
        )


def test_render_twice_same_bytes(example_graph: nx.MultiDiGraph) -> None:
    options = RenderOptions("en", frozenset({"svg", "mermaid", "json", "csv"}))
    assert render_html(example_graph, options) == render_html(example_graph, options)
