"""Data exports: the graph as node-link JSON and the journeys as one CSV row per cell."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from json.encoder import encode_basestring
from typing import Any

import networkx as nx

from toolkit.common.spreadsheet import csv_bytes
from toolkit.common.spreadsheet import neutralise as neutralise
from toolkit.graph.build import nodes_of, to_node_link
from toolkit.render.common import (
    RenderOptions,
    actions_at,
    coverage_by_step,
    journey_steps,
    label_of,
    strip_controls,
)

BUYER_LANES = (
    "thinking",
    "feeling",
    "emotion",
    "doing",
    "questions",
    "touchpoints",
    "pains",
    "opportunities",
)
CSV_COLUMNS = (
    "journey",
    "segment",
    "persona",
    "stage",
    "stage_label",
    "side",
    "lane",
    "value",
)


def render_json(graph: nx.MultiDiGraph, options: RenderOptions) -> dict[str, bytes]:
    data = to_node_link(graph)
    if options.shown_as:
        data["nodes"] = [in_project(node, options.shown_as + "/") for node in data["nodes"]]
    return {"data/graph.json": (pretty_json(data) + "\n").encode("utf-8")}


def pretty_json(value: Any) -> str:
    """json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True), the same text made
    about three times faster: with an indent, the json module encodes in Python, while
    this writes the layout itself and leaves each string to json's C escaper."""
    parts: list[str] = []
    try:
        _pretty(value, "\n", parts)
    except TypeError:  # a key that is not a string (json converts it): json decides
        return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    return "".join(parts)


# The text of the scalars json writes the same way in every context (an int's is its repr).
WORDS: dict[Any, str] = {None: "null", True: "true", False: "false"}


def _leaf(value: Any) -> str | None:
    """The JSON text of a string, None, a boolean or an int; None for anything else."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    if value is None or kind is bool:
        return WORDS[value]
    return None


def _pretty(value: Any, newline: str, out: list[str]) -> None:
    """Append the text of value, whose line breaks are `newline` (a break and the indent of
    value's level). Strings, numbers and words are written inline, without a call of their
    own (a graph is mostly such leaves)."""
    leaf = _leaf(value)
    if leaf is not None:
        out.append(leaf)
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + " "
        sep = "{" + inner
        for key in sorted(value):
            if not isinstance(key, str):
                raise TypeError(key)
            item = value[key]
            leaf = _leaf(item)
            if leaf is not None:
                out.append(sep + encode_basestring(key) + ": " + leaf)
            else:
                out.append(sep + encode_basestring(key) + ": ")
                _pretty(item, inner, out)
            sep = "," + inner
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + " "
        sep = "[" + inner
        for item in value:
            leaf = _leaf(item)
            if leaf is not None:
                out.append(sep + leaf)
            else:
                out.append(sep)
                _pretty(item, inner, out)
            sep = "," + inner
        out.append(newline + "]")
    elif isinstance(value, str):  # a str subclass
        out.append(encode_basestring(value))
    else:  # floats, other numbers: json's own words for them
        out.append(json.dumps(value))


def in_project(node: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A node whose source file is named relative to the project folder."""
    file = node.get("file")
    if isinstance(file, str) and file.startswith(prefix):
        return {**node, "file": file[len(prefix) :]}
    return node


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def journey_rows(graph: nx.MultiDiGraph, lang: str) -> Iterable[tuple[str, ...]]:
    """One row per journey step x lane cell (empty cells left out), in stage order."""
    roles = [data["ref"] for _, data in nodes_of(graph, "role")]
    coverage = coverage_by_step(graph)
    for _, journey in nodes_of(graph, "journey"):
        head = (journey["ref"], journey["segment"] or "", journey["persona"] or "")
        for step, data in journey_steps(graph, journey["ref"]):
            stage = graph.nodes[f"stage:{data['stage']}"]
            where = (*head, data["stage"], label_of(stage, lang))
            for lane in BUYER_LANES:
                value = _text(data.get(lane))
                if value:
                    yield (*where, "buyer", lane, value)
            if data["funnel"]:
                yield (*where, "seller", "funnel", "\n".join(data["funnel"]))
            acts = actions_at(graph, step)
            for role in roles:
                mine = [a["action"] for a in acts if a["role"] == role]
                if mine:
                    yield (*where, "seller", f"role:{role}", "\n".join(mine))
            kpis = [a["kpi"] for a in acts if a.get("kpi")]
            if kpis:
                yield (*where, "seller", "kpi", "\n".join(kpis))
            if coverage[step].items:
                yield (*where, "seller", "content", "\n".join(coverage[step].items))


def render_csv(graph: nx.MultiDiGraph, options: RenderOptions) -> dict[str, bytes]:
    cells = CsvCells()
    rows = ([cells[cell] for cell in row] for row in journey_rows(graph, options.lang))
    return {"data/journeys.csv": csv_bytes(itertools.chain([CSV_COLUMNS], rows))}


class CsvCells(dict[str, str]):
    """Cell text -> what is written: controls removed, formulas neutralised.

    One per file, so repeated cells (journey, stage, lane...) are worked out once.
    """

    def __missing__(self, cell: str) -> str:
        clean = self[cell] = neutralise(strip_controls(cell))
        return clean
