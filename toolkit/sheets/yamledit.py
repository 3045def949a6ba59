"""Surgical YAML edits: change a few values of a file and leave every other byte alone.

PyYAML drops comments when it loads, so a file is never re-dumped. Instead the text is
parsed into a light tree of spans (character offsets from PyYAML's event marks, which agree
with the line/column locations the toolkit's loader keeps in ``Document.values``), and each
change becomes a replacement of one span, a deletion of one entry's lines or an insertion
after the last entry. Comments and layout outside the changed entries stay as they were.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from toolkit.load.sources import NULLS, parse_documents


class EditError(Exception):
    """A change that cannot be made safely by editing the text; the message says why."""


@dataclass
class Node:
    kind: str  # map | seq | scalar | alias
    start: int
    end: int  # offset just after the node (block collections: after their last child)
    line: int  # 1-based, as the toolkit's loader reports
    column: int
    flow: bool = False
    in_flow: bool = False  # inside a flow collection: ',', '[', '{' need quoting
    anchor: str | None = None
    value: str | None = None  # scalars
    items: list[Node] = field(default_factory=list)  # seq children
    entries: list[tuple[Node, Node]] = field(default_factory=list)  # map (key, value)

    def get(self, key: str) -> tuple[Node, Node] | None:
        for k, v in self.entries:
            if k.kind == "scalar" and k.value == key:
                return k, v
        return None


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str
    seq: int = 0  # insertions at one offset keep this order


# --- parsing into spans ----------------------------------------------------------------------


def parse_tree(text: str) -> list[Node]:
    """The root node of every non-empty document, in order (as the loader counts them)."""
    docs: list[Node] = []
    stack: list[Node] = []
    pending_key: list[Node | None] = []
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        name = type(event).__name__
        if name in ("MappingStartEvent", "SequenceStartEvent"):
            node = _node("map" if name == "MappingStartEvent" else "seq", event)
            node.flow = bool(event.flow_style)
            node.in_flow = any(n.flow for n in stack)
            stack.append(node)
            pending_key.append(None)
        elif name in ("MappingEndEvent", "SequenceEndEvent"):
            node = stack.pop()
            pending_key.pop()
            last = node.items[-1] if node.items else (node.entries[-1][1] if node.entries else None)
            node.end = event.end_mark.index if node.flow or last is None else last.end
            _attach(node, stack, pending_key, docs)
        elif name in ("ScalarEvent", "AliasEvent"):
            node = _node("scalar" if name == "ScalarEvent" else "alias", event)
            node.in_flow = any(n.flow for n in stack)
            if name == "ScalarEvent":
                plain = event.style in (None, "") and event.tag in (None, "!")
                node.value = None if plain and event.value in NULLS else event.value
            _attach(node, stack, pending_key, docs)
    return docs


def _node(kind: str, event: Any) -> Node:
    mark = event.start_mark
    return Node(
        kind,
        mark.index,
        event.end_mark.index,
        mark.line + 1,
        mark.column + 1,
        anchor=getattr(event, "anchor", None) if kind != "alias" else None,
    )


def _attach(node: Node, stack: list[Node], pending: list[Node | None], docs: list[Node]) -> None:
    if not stack:
        if not (node.kind == "scalar" and node.value is None):
            docs.append(node)
        return
    parent = stack[-1]
    if parent.kind == "seq":
        parent.items.append(node)
    elif pending[-1] is None:
        pending[-1] = node
    else:
        key = pending[-1]
        pending[-1] = None
        assert key is not None
        parent.entries.append((key, node))


# --- rendering values ------------------------------------------------------------------------


def scalar(value: str, in_flow: bool = False) -> str:
    """A YAML scalar that reads back as exactly this text (plain when that is safe).

    PyYAML's emitter picks the style; the result is parsed back with the toolkit's loader
    and, when it does not read as the same text, a double-quoted form with escapes is used.
    """
    dumped = yaml.safe_dump(
        [value] if in_flow else value, allow_unicode=True, width=10**9, default_flow_style=True
    )
    out = dumped.strip()
    if in_flow:
        out = out[1:-1]
    elif out.endswith("\n..."):
        out = out[: -len("\n...")]
    elif out.endswith("..."):
        out = out[:-3].rstrip()
    return out if _reads_back(out, value, in_flow) else double_quoted(value)


def _reads_back(text: str, value: str, in_flow: bool) -> bool:
    if "\n" in text or "\r" in text:
        return False
    docs, diags = parse_documents(("k: [{}]\n" if in_flow else "k: {}\n").format(text), "-")
    if diags or len(docs) != 1 or not isinstance(docs[0].data, dict):
        return False
    got = docs[0].data.get("k")
    return (got == [value]) if in_flow else (got == value)


SAFE_IN_QUOTES = re.compile(
    r"[\x20-\x7e\xa1-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


def double_quoted(value: str) -> str:
    """A double-quoted YAML scalar: printable characters as they are, the rest escaped."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif SAFE_IN_QUOTES.fullmatch(ch):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def flow_value(value: Any) -> str:
    """A value in flow style, for one line: scalars, [lists], {maps} and dates."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(scalar(str(v), True) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{scalar(str(k), True)}: {scalar(str(v), True)}" for k, v in value.items())
            + "}"
        )
    return scalar(str(value))


def block_value(value: Any, indent: str) -> str:
    """A list or map in block style whose first line starts where the old value started."""
    if isinstance(value, list) and value:
        return ("\n" + indent).join("- " + scalar(str(v)) for v in value)
    if isinstance(value, dict) and value:
        return ("\n" + indent).join(f"{scalar(str(k))}: {scalar(str(v))}" for k, v in value.items())
    return flow_value(value)


# --- offsets ---------------------------------------------------------------------------------


def trimmed_end(text: str, node: Node) -> int:
    """The node's end without the line breaks and spaces a block scalar carries."""
    end = node.end
    while end > node.start and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def line_end(text: str, pos: int) -> int:
    """Offset of the line break ending the line that holds pos (or the end of the text)."""
    at = text.find("\n", pos)
    return len(text) if at < 0 else at


def column(text: str, pos: int) -> int:
    return pos - line_start(text, pos)


def alone_on_line(text: str, pos: int) -> bool:
    return text[line_start(text, pos) : pos].strip() == ""


# --- edits -----------------------------------------------------------------------------------


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (insertions at one offset keep their seq order)."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end, e.seq))
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.start < a.end:
            raise EditError("two changes touch the same text")
    for e in sorted(edits, key=lambda e: (e.start, e.end, e.seq), reverse=True):
        text = text[: e.start] + e.text + text[e.end :]
    return text


def replace_value(text: str, value: Node, new: Any, seq: int = 0) -> Edit:
    """Replace a value in the style it was written (block lists stay block lists)."""
    if value.anchor:
        raise EditError(f"the value at line {value.line} has anchor '&{value.anchor}'")
    if value.kind in ("seq", "map") and not value.flow and isinstance(new, list | dict) and new:
        rendered = block_value(new, " " * column(text, value.start))
    elif isinstance(new, list | dict):
        rendered = flow_value(new)
    else:
        rendered = flow_value(new) if isinstance(new, dt.date) else scalar(str(new), value.in_flow)
    return Edit(value.start, trimmed_end(text, value), rendered, seq)


def delete_entry(text: str, mapping: Node, index: int, seq: int = 0) -> Edit:
    """Remove one key and its value from a mapping (its whole lines in block style)."""
    key, value = mapping.entries[index]
    end = trimmed_end(text, value)
    if mapping.flow:
        if index > 0:
            return Edit(trimmed_end(text, mapping.entries[index - 1][1]), end, "", seq)
        if len(mapping.entries) > 1:
            return Edit(key.start, mapping.entries[1][0].start, "", seq)
        return Edit(key.start, end, "", seq)
    if alone_on_line(text, key.start):
        stop = min(line_end(text, end) + 1, len(text))
        return Edit(line_start(text, key.start), stop, "", seq)
    if index + 1 < len(mapping.entries):  # first key after "- ": pull the next key up
        return Edit(key.start, mapping.entries[index + 1][0].start, "", seq)
    raise EditError(f"cannot remove the only key at line {key.line}")


def insert_entries(
    text: str, mapping: Node, pairs: list[tuple[str, Any]], after: int | None = None, seq: int = 0
) -> Edit:
    """Add keys after entry `after` (default: the last one), in the mapping's style."""
    anchor_index = len(mapping.entries) - 1 if after is None else after
    if anchor_index < 0:
        raise EditError(f"cannot add keys to the empty mapping at line {mapping.line}")
    last = mapping.entries[anchor_index][1]
    if mapping.flow:
        body = "".join(f", {k}: {_flow_in_flow(v)}" for k, v in pairs)
        return Edit(trimmed_end(text, last), trimmed_end(text, last), body, seq)
    indent = " " * column(text, mapping.entries[0][0].start)
    at = line_end(text, trimmed_end(text, last))
    body = "".join(f"\n{indent}{k}: {flow_value(v)}" for k, v in pairs)
    return Edit(at, at, body, seq)


def render_item(pairs: list[tuple[str, Any]], key_indent: str, flow: bool) -> str:
    """One new sequence item (a mapping) from its dash on, without a final line break."""
    if flow:
        return "- {" + ", ".join(f"{k}: {_flow_in_flow(v)}" for k, v in pairs) + "}"
    return "- " + ("\n" + key_indent).join(f"{k}: {flow_value(v)}" for k, v in pairs)


def _flow_in_flow(value: Any) -> str:
    if isinstance(value, str):
        return scalar(value, True)
    return flow_value(value)


def sequence_edits(
    text: str, seq_node: Node, deleted: set[int], new_items: list[list[tuple[str, Any]]], seq: int
) -> list[Edit]:
    """Delete items (by index) and append new mapping items at the end of a sequence."""
    remaining = [i for i in range(len(seq_node.items)) if i not in deleted]
    first = seq_node.items[0] if seq_node.items else None
    flow_items = first is not None and first.kind == "map" and first.flow
    if seq_node.flow or not remaining:
        return _rewrite_sequence(text, seq_node, remaining, new_items, flow_items, seq)
    assert first is not None
    dash = " " * column(text, seq_node.start)
    key_indent = " " * column(text, first.start)
    edits = [_delete_item(text, seq_node, i, seq) for i in sorted(deleted)]
    if new_items:
        at = line_end(text, trimmed_end(text, seq_node.items[remaining[-1]]))
        body = "".join("\n" + dash + render_item(p, key_indent, flow_items) for p in new_items)
        edits.append(Edit(at, at, body, seq + 1))
    return edits


def _delete_item(text: str, seq_node: Node, index: int, seq: int) -> Edit:
    item = seq_node.items[index]
    dash = text.rfind("-", seq_node.start, item.start + 1)
    if dash < 0 or not alone_on_line(text, dash):
        raise EditError(f"cannot remove the item at line {item.line}: unusual layout")
    stop = min(line_end(text, trimmed_end(text, item)) + 1, len(text))
    return Edit(line_start(text, dash), stop, "", seq)


def _rewrite_sequence(
    text: str,
    seq_node: Node,
    remaining: list[int],
    new_items: list[list[tuple[str, Any]]],
    flow_items: bool,
    seq: int,
) -> list[Edit]:
    """A flow sequence, or a block one losing every item: write its value anew."""
    if seq_node.flow and remaining:
        kept = [
            text[seq_node.items[i].start : trimmed_end(text, seq_node.items[i])] for i in remaining
        ]
        added = ["{" + ", ".join(f"{k}: {_flow_in_flow(v)}" for k, v in p) + "}" for p in new_items]
        return [Edit(seq_node.start, seq_node.end, "[" + ", ".join(kept + added) + "]", seq)]
    start = seq_node.start
    end = seq_node.end if seq_node.flow else trimmed_end(text, seq_node)
    if not new_items:
        return [Edit(start, end, "[]", seq)]
    if seq_node.flow:  # `items: []` becomes a block list on the following lines
        while start > 0 and text[start - 1] == " ":
            start -= 1
        dash = " " * (indent_of_line(text, start) + 2)
        lead = "\n" + dash
    else:
        dash = " " * column(text, seq_node.start)
        lead = ""
    key_indent = dash + "  "
    body = ("\n" + dash).join(render_item(p, key_indent, flow_items) for p in new_items)
    return [Edit(start, end, lead + body, seq)]


def indent_of_line(text: str, pos: int) -> int:
    begin = line_start(text, pos)
    line = text[begin : line_end(text, pos)]
    return len(line) - len(line.lstrip(" "))
