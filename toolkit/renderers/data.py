"""Data exports: the graph as node-link JSON and the journeys as one CSV row per cell."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring
from typing import Any

import networkx as nx

from toolkit.graph import nodes_of, to_node_link
from toolkit.renderers.common import (
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
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def render_json(graph: nx.MultiDiGraph, options: RenderOptions) -> dict[str, bytes]:
    text = indented_json(to_node_link(graph))
    return {"data/graph.json": (text + "\n").encode("utf-8")}


def neutralise(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula (plain numbers stay numbers)."""
    if value.startswith(FORMULA_START) and not NUMBER.match(value):
        return "'" + value
    return value


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
    fields = CsvFields()
    rows = journey_rows(graph, options.lang)
    lines = [CSV_HEADER, *(",".join(map(fields.__getitem__, row)) for row in rows)]
    # A byte-order mark so spreadsheet programs read the file as UTF-8 (Japanese text).
    return {"data/journeys.csv": ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")}


def csv_field(value: str) -> str:
    """One field as csv.writer (excel dialect, QUOTE_MINIMAL) writes it in a row of two or
    more fields: quoted, with quotes doubled, when it holds a quote, comma or line break."""
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


class CsvFields(dict[str, str]):
    """Cell text -> its CSV field: controls removed, formulas neutralised, quoted if needed.

    One per file, so repeated cells (journey, stage, lane...) are worked out once.
    """

    def __missing__(self, cell: str) -> str:
        field = self[cell] = csv_field(neutralise(strip_controls(cell)))
        return field


CSV_HEADER = ",".join(map(CsvFields().__getitem__, CSV_COLUMNS))


# --- JSON: json.dumps(indent=1, sort_keys=True) with the C encoder doing the work -------------

SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})
STR_ONLY = frozenset({str})
HOLE = "\ue000"  # stands in for a nested container while its parent is encoded
HOLE_TEXT = json.dumps(HOLE, ensure_ascii=False)
ROW_SEP = ",\x00"  # an item separator no encoded string can contain (controls are escaped)
C_MAKE_ENCODER: Callable[..., Any] | None = getattr(json.encoder, "c_make_encoder", None)


class Unusual(Exception):
    """Data the fast JSON writer leaves to json.dumps."""


def _unusual(value: Any) -> Any:
    raise Unusual(type(value).__name__)


def indented_json(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)``, byte for byte.

    With an indent, json.dumps encodes every value in Python. Here the C encoder writes each
    container of scalars whole (with the item separator of its depth), and lists of such
    dicts in one go; containers holding containers are written with a placeholder for each
    child, then the children are put in. Anything else (other types, dict or str subclasses,
    a placeholder-like string, a cycle) is left to json.dumps itself.
    """
    if C_MAKE_ENCODER is not None:
        try:
            return IndentedJson(C_MAKE_ENCODER).encode(data, 0)
        except (Unusual, TypeError, ValueError, RecursionError):
            pass
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)


class IndentedJson:
    """One indented_json call: C encoders by item separator."""

    def __init__(self, make_encoder: Callable[..., Any]) -> None:
        self.make_encoder = make_encoder
        self.encoders: dict[str, Callable[[Any, int], Any]] = {}

    def flat(self, value: Any, level: int) -> str:
        """A scalar, or a container of scalars whose closing bracket is at ``level``."""
        inner = "\n" + " " * (level + 1)
        text = "".join(self.c_encoder("," + inner)(value, 0))
        if type(value) in SCALAR_TYPES or len(text) == 2:  # a scalar, [] or {}
            return text
        return f"{text[0]}{inner}{text[1:-1]}\n{' ' * level}{text[-1]}"

    def c_encoder(self, separator: str) -> Callable[[Any, int], Any]:
        found = self.encoders.get(separator)
        if found is None:
            found = self.encoders[separator] = self.make_encoder(
                None, _unusual, encode_basestring, None, ": ", separator, True, False, True
            )
        return found

    def encode(self, value: Any, level: int) -> str:
        kind = type(value)
        if kind is dict:
            if SCALAR_TYPES.issuperset(map(type, value.values())):
                return self.flat(value, level)
            if not STR_ONLY.issuperset(map(type, value)):
                raise Unusual("non-string keys")
            children = [value[k] for k in sorted(value) if type(value[k]) not in SCALAR_TYPES]
            shallow: Any = {k: v if type(v) in SCALAR_TYPES else HOLE for k, v in value.items()}
        elif kind is list or kind is tuple:
            if SCALAR_TYPES.issuperset(map(type, value)):
                return self.flat(value, level)
            if all(type(v) is dict for v in value):
                return f"[\n{' ' * (level + 1)}{self.dict_items(value, level)}\n{' ' * level}]"
            children = [v for v in value if type(v) not in SCALAR_TYPES]
            shallow = [v if type(v) in SCALAR_TYPES else HOLE for v in value]
        elif kind in SCALAR_TYPES:
            return self.flat(value, level)
        else:
            raise Unusual(kind.__name__)
        parts = self.flat(shallow, level).split(HOLE_TEXT)
        if len(parts) != len(children) + 1:
            raise Unusual("placeholder text in the data")
        out = [parts[0]]
        for child, part in zip(children, parts[1:], strict=True):
            out += (self.encode(child, level + 1), part)
        return "".join(out)

    def dict_items(self, items: list[dict[Any, Any]], level: int) -> str:
        """The items of a list of dicts, joined; runs of non-empty dicts of scalars at once."""
        out: list[str] = []
        run: list[dict[Any, Any]] = []
        for item in items:
            if item and SCALAR_TYPES.issuperset(map(type, item.values())):
                run.append(item)
                continue
            if run:
                out.append(self.rows(run, level))
                run = []
            out.append(self.encode(item, level + 1))
        if run:
            out.append(self.rows(run, level))
        return (",\n" + " " * (level + 1)).join(out)

    def rows(self, run: list[dict[Any, Any]], level: int) -> str:
        """Non-empty dicts of scalars as the items of a list closed at ``level``, joined.

        Encoded as one list with ROW_SEP between all items: as values are scalars, a
        separator between "}" and "{" is one between rows, any other one is inside a row.
        """
        text = "".join(self.c_encoder(ROW_SEP)(run, 0))
        outer = "\n" + " " * (level + 1)
        inner = "\n" + " " * (level + 2)
        body = (
            text[2:-2]
            .replace("}" + ROW_SEP + "{", "\x02")
            .replace(ROW_SEP, "," + inner)
            .replace("\x02", f"{outer}}},{outer}{{{inner}")
        )
        return f"{{{inner}{body}{outer}}}"
