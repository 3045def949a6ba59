"""Diagram text safety, measuring and wrapping, and what the Graphviz diagrams share.

The journey diagrams are built in toolkit.render.journey_diagram (swimlanes on a grid
computed there), the funnel and overview diagrams in toolkit.render.dot; the Mermaid
renderer reuses ``clean_text``.

Text: every label is cleaned (controls, bidi overrides, unpaired surrogates dropped;
whitespace collapsed), truncated and wrapped, then passed through ``graphviz.escape`` and
``nohtml`` so it is always a quoted text label, never an HTML-like one. Wrapping never
breaks inside a word: Latin words stay whole, Japanese text breaks only between phrases (after
a particle or punctuation, between kanji and katakana runs, around brackets; see ``phrases``)
unless one phrase is wider than the whole line. No URL, href or tooltip attributes.

Ids: the diagrams name their nodes by graph node ids (``step:j/s``, ``content:c``, ... as in
data/graph.json), which are made of slugs; ``safe_id`` keeps any other character out, and
the ids are quoted (toolkit.render.dot_syntax) like any DOT string, so an id is never DOT or
SVG syntax.

Words: the diagrams' own words are gettext messages; flags and content statuses use the
very messages the HTML pages use (toolkit.render.html_context.flag_labels, status_labels).
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import graphviz
import networkx as nx

from toolkit.common.i18n import Catalog, translations
from toolkit.render.common import label_of, ordered, step_flags, strip_controls
from toolkit.render.dot_syntax import Edge, edges_by_type

# A proportional Japanese font first (IPAPGothic, Debian's fonts-ipafont-gothic), then
# fallbacks: Graphviz's cairo renderers (PNG, PDF) take the first one installed; SVG
# viewers read the list as a CSS font-family list.
FONT = "IPAPGothic,Noto Sans CJK JP,sans-serif"
WRAP_WIDTH = 28  # display columns (a CJK character counts two)
TITLE_LIMIT = 80
TEXT_LIMIT = 120
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)
ELLIPSIS = "…"
NO_LINE_START = frozenset("、。，．）」』】〕〉》・ー…：；！？,.)]!?:;")
NO_LINE_END = frozenset("「『（【〔〈《“‘")
CLOSING = frozenset("）」』】〕〉》”’")
# Hiragana that end a phrase when a kanji, katakana or Latin word follows: particles and
# the usual verb and adjective endings (を使って|現状, 展示会で|名刺, 届ける|資料).
PHRASE_END = frozenset("はがをにでとのもへやかてたるばくな")
WIDE = ("W", "F")  # east Asian widths drawn two columns wide
SAFE_ID = re.compile(r"[^A-Za-z0-9_:/#>.-]")

EMOTION_FILL = {1: "#f4b6b6", 2: "#f9dcc0", 3: "#eeeeee", 4: "#d8eec6", 5: "#b9e4b9"}
ROLE_FILL = ("#cfe2f3", "#fce5cd", "#d9d2e9", "#d9ead3", "#fff2cc", "#f4cccc", "#d0e0e3", "#ead1dc")
GAP_COLOR = "#c0392b"
HANDOFF_COLOR = "#b04a00"

# --- text -------------------------------------------------------------------------------


def clean_text(text: Any, limit: int = TEXT_LIMIT) -> str:
    """One line of plain text: controls and bidi overrides dropped, whitespace collapsed,
    truncated to ``limit`` characters."""
    if text is None:
        return ""
    if type(text) is str and text.isprintable() and "  " not in text and text.strip(" ") == text:
        # Nothing to drop (every character UNSAFE or strip_controls drops, and every
        # whitespace but the space, is unprintable) and nothing to collapse.
        return truncate(text, limit)
    collapsed = " ".join(strip_controls(str(text)).split())
    return truncate(" ".join(UNSAFE.sub("", collapsed).split()), limit)


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in WIDE else 1


def text_width(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(map(_char_width, text))


_char_width = functools.lru_cache(maxsize=16384)(char_width)


# Advance widths of printable ASCII in IPAPGothic, hundredths of an em (rounded up), as
# Graphviz measures them; see em_width.
ASCII_EM = (
    28, 31, 34, 64, 64, 85, 70, 20, 34, 34, 37, 64, 27, 37, 27, 51, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 33, 33, 64, 64, 64, 55, 90, 64, 67, 73, 76, 60, 58, 76, 76, 30, 39, 65, 53, 91,
    76, 80, 63, 80, 65, 59, 61, 76, 64, 94, 69, 63, 65, 31, 64, 31, 51, 51, 51, 55, 63, 55, 63,
    58, 31, 56, 61, 28, 28, 52, 28, 88, 61, 61, 63, 63, 37, 47, 35, 61, 49, 76, 49, 50, 48, 34,
    21, 34, 51,
)  # fmt: skip


@functools.lru_cache(maxsize=8192)
def char_em(ch: str) -> float:
    """The width of one character in ems, at least what IPAPGothic draws: printable ASCII
    from its metrics, wide characters a full em (kana are narrower in IPAPGothic, a full em
    in Noto Sans CJK), characters beyond the BMP (emoji) 1.1, anything else 0.65."""
    code = ord(ch)
    if 32 <= code < 127:
        return ASCII_EM[code - 32] / 100
    if code > 0xFFFF:
        return 1.1
    return 1.0 if unicodedata.east_asian_width(ch) in WIDE else 0.65


@functools.lru_cache(maxsize=16384)
def em_width(line: str) -> float:
    """The width of one line of text in ems (see char_em), kept per line: wrapped labels
    repeat as their texts do."""
    return sum(map(char_em, line))


# Phrases: each character gets a kind, and a line may break between two characters when
# their kinds allow it (break_allowed, looked up as the pair of kinds in BREAKS). Kinds: H
# hiragana, E hiragana that ends a phrase (PHRASE_END), T katakana, R the prolonged sound
# mark, K kanji, L Latin letters, D other printable ASCII and full-width digits, P
# punctuation after which a line may break but never before it, C closing brackets (the
# same, but a particle after them stays), B opening brackets, " " a space, O anything else.
KINDS = "HETRKLDPCB O"


def _kind_table() -> dict[int, str]:
    table: dict[int, str] = {c: ("L" if chr(c).isalpha() else "D") for c in range(0x21, 0x7F)}
    table[0x20] = " "
    spans = [
        (0x3041, 0x309F, "H"),
        (0x30A1, 0x30FF, "T"),
        (0x31F0, 0x31FF, "T"),
        (0xFF66, 0xFF9F, "T"),
        (0x3400, 0x4DBF, "K"),
        (0x4E00, 0x9FFF, "K"),
        (0xF900, 0xFAFF, "K"),
        (0xFF10, 0xFF19, "D"),
        (0xFF21, 0xFF3A, "L"),
        (0xFF41, 0xFF5A, "L"),
    ]
    for first, last, kind in spans:
        table.update(dict.fromkeys(range(first, last + 1), kind))
    table.update({ord(c): "E" for c in PHRASE_END})
    table.update({0x3005: "K", 0x3006: "K", 0x30FC: "R", 0xFF70: "R"})
    table.update({ord(c): "P" for c in NO_LINE_START if not c.isascii() and c != "ー"})
    table.update({ord(c): "C" for c in CLOSING})
    table.update({ord(c): "B" for c in NO_LINE_END})
    return table


KIND_TABLE = _kind_table()
OTHER_KIND = re.compile(f"[^{re.escape(KINDS[:-1])}]")


def break_allowed(k1: str, k2: str) -> bool:
    """Whether a line may break between a character of kind k1 and one of kind k2."""
    if k2 in "PCR" or k1 == "B":
        return False  # closing punctuation never starts a line, an opening bracket never ends one
    if k1 == "C":
        return k2 not in "HE"  # a particle stays with what a bracket closes: 「やり方」で
    if k1 == "P" or k2 == "B" or " " in (k1, k2):
        return True
    k1 = "T" if k1 == "R" else k1
    same = ("HE", "LD", "T", "K", "O")
    if any(k1 in group and k2 in group for group in same):
        return False  # one run: a word of one script, an ASCII run
    if k1 in "HE":
        return k1 == "E"  # after a particle or an ending: 展示会で|名刺, 使って|現状
    if k2 in "HE":
        return False  # the particle or ending stays with its word: ガイドと, MAの
    # A number stays with its counter or unit (80件, 第3); kanji | katakana | a Latin word
    # may break (リード|管理, BtoB|リード, MA|導入), as may anything next to other signs.
    return "O" in (k1, k2) or "D" not in (k1, k2)


BREAKS = frozenset(a + b for a in KINDS for b in KINDS if break_allowed(a, b))
SPACES = re.compile("( )")


def kinds_of(text: str) -> str:
    """One kind letter per character of text (see KINDS)."""
    return OTHER_KIND.sub("O", text.translate(KIND_TABLE))


def phrases(text: str) -> list[str]:
    """text as the runs a line never breaks inside, and single spaces: Latin words and
    numbers, and Japanese phrases (課題を|整理する, ワークシートを|使って, マーケティング|施策)."""
    if text.isascii() and text.isprintable():  # breaks at spaces only
        return [p for p in SPACES.split(text) if p]
    kinds = kinds_of(text)
    pairs = map(operator.add, kinds, kinds[1:])
    cuts = [i for i, pair in enumerate(pairs, 1) if pair in BREAKS]
    return [text[a:b] for a, b in pairwise([0, *cuts, len(text)]) if b > a]


def wrap(text: str, width: int = WRAP_WIDTH, longest: int | None = None) -> list[str]:
    """Greedy wrap by display width at phrase boundaries (see phrases). A word or phrase
    wider than the line has a line of its own, unbroken up to ``longest`` columns (half as
    much again as width by default), else broken between characters; closing punctuation
    never starts a line."""
    return list(_wrap(text, width, longest))


@functools.lru_cache(maxsize=8192)
def _wrap(text: str, width: int, longest: int | None) -> tuple[str, ...]:
    """wrap(), kept per text: a project's labels repeat (a content item in every journey
    that uses it, a role name in every lane)."""
    n = len(text)
    if "\n" not in text and (n * 2 <= width or (n <= width and text_width(text) <= width)):
        # It all fits on one line: the greedy loop would only drop the leading spaces.
        body = text.lstrip(" ")
        return (body.rstrip(),) if body.strip() else ()
    return tuple(_greedy_wrap(text, width, width * 3 // 2 if longest is None else longest))


def _greedy_wrap(text: str, width: int, longest: int) -> list[str]:
    lines: list[str] = []
    current, used = "", 0  # the line being built and its display width
    for token in phrases(text):
        if token == " ":
            if current and used < width:
                current, used = current + " ", used + 1
            continue
        size = text_width(token)
        if current and used + size <= width:
            current, used = current + token, used + size
            continue
        if current:
            lines.append(current.rstrip())
        current, used = token, size
        if used <= longest:
            continue
        while used > width and len(current) > 1:
            head = _fit(current, width)
            lines.append(head)
            current = current[len(head) :]
            used = text_width(current)
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _fit(text: str, width: int) -> str:
    """The longest prefix (at least one character) within the display width, with the
    closing punctuation that follows it."""
    used = 0
    end = len(text)
    for i, ch in enumerate(text):
        used += char_width(ch)
        if used > width:
            end = max(i, 1)
            break
    while end < len(text) and text[end] in NO_LINE_START:
        end += 1
    return text[:end]


def wrapped(*parts: Any, limit: int = TEXT_LIMIT, width: int = WRAP_WIDTH) -> list[str]:
    """The lines of a label: each part cleaned, truncated and wrapped (empty parts dropped)."""
    return [line for part in parts for line in wrap(clean_text(part, limit), width)]


def escaped(lines: list[str], end: str = "\\n") -> str:
    """Lines as a safe DOT text label, each line ended by ``end`` but the last (\\n centres
    the lines; \\l left-justifies them and ends the last one too)."""
    # Wrapped lines never hold a newline, so escaping them joined by one is escaping each.
    body = graphviz.escape("\n".join(lines)).replace("\n", end)
    return graphviz.nohtml(body + end if end == "\\l" and lines else body)


def dot_label(*parts: Any, limit: int = TEXT_LIMIT, width: int = WRAP_WIDTH) -> str:
    """A safe DOT text label: each part cleaned and wrapped, lines joined by DOT's ``\\n``."""
    return escaped(wrapped(*parts, limit=limit, width=width))


def safe_id(text: str) -> str:
    """A diagram element id: a graph node id (slugs joined by ``:`` and ``/``) kept as it is;
    any other character becomes ``_``, so no id holds a quote, backslash, space or markup."""
    return SAFE_ID.sub("_", text)


# --- words ------------------------------------------------------------------------------


@functools.cache
def diagram_words(t: Catalog) -> dict[str, str]:
    """The diagrams' own words (lane and row heads, titles, notes) by key.

    The flag and status words are the HTML pages' messages (html_context.flag_labels,
    status_labels, lane_labels), so a diagram and a page never word a thing differently.
    """
    _ = t.gettext
    return {
        "buyer": t.pgettext("diagram", "Buyer"),
        "seller": t.pgettext("diagram", "Seller"),
        "emotion": _("Emotion"),
        "no-content": _("No published content"),
        "no-seller": _("No seller action"),
        "funnel": _("Sales funnel"),
        "overview": _("Customer stages and funnel"),
        "stages": _("Customer stages"),
        "lead-classes": _("Lead classes"),
        "roles": _("Roles"),
        "thinking": _("Thinking"),
        "doing": _("Doing"),
        "touchpoints": _("Touchpoints"),
        "transitions": _("Transitions"),
        "funnel-stage": _("Funnel stage"),
        "handoff": t.pgettext("diagram", "Handoff"),
        "published": _("published"),
        "draft": _("draft"),
        "planned": _("planned"),
        "retired": _("retired"),
    }


def word(key: str, lang: str, **values: Any) -> str:
    """A word of the diagrams in the output language; "more" takes n (the items left out)."""
    t = translations(lang)
    if key == "more":
        n = values["n"]
        return t.ngettext("%(n)s more not shown", "%(n)s more not shown", n) % {"n": n}
    return diagram_words(t)[key]


def status_word(status: Any, lang: str) -> str:
    """A content status as the journey map page shows it (unknown values as written)."""
    value = clean_text(status, 40)
    return diagram_words(translations(lang)).get(value, value) if value else ""


# --- shared -----------------------------------------------------------------------------


def new_digraph(name: str, title: str, rankdir: str) -> graphviz.Digraph:
    return graphviz.Digraph(
        name=name,
        graph_attr={
            # Named, as one dot run over several graphs keeps the engine of the one before.
            "layout": "dot",
            "rankdir": rankdir,
            "fontname": FONT,
            "fontsize": "18",
            "label": dot_label(title, limit=TITLE_LIMIT, width=80),
            "labelloc": "t",
            "nodesep": "0.3",
            "ranksep": "0.6",
            "charset": "UTF-8",
        },
        node_attr={
            "fontname": FONT,
            "fontsize": "11",
            "shape": "box",
            "style": "rounded,filled",
            "fillcolor": "white",
            "margin": "0.12,0.06",
        },
        edge_attr={"fontname": FONT, "fontsize": "9", "color": "#555555"},
    )


def ref_label(g: nx.MultiDiGraph, node: str, lang: str) -> str:
    return label_of(g.nodes[node], lang) if node in g else node.partition(":")[2]


def role_fills(g: nx.MultiDiGraph) -> dict[str, str]:
    return {n: ROLE_FILL[i % len(ROLE_FILL)] for i, (n, _) in enumerate(ordered(g, "role"))}


JOURNEY_EDGES = ("uses", "served_by", "transition", "handoff")


@dataclass(frozen=True)
class Shared:
    """What the journey diagrams of one graph share, worked out once per render."""

    flags: dict[str, tuple[str, ...]]
    roles: list[tuple[str, dict[str, Any]]]
    fills: dict[str, str]
    # (node, edge type) -> [(target, edge data)] in out-edge order, for JOURNEY_EDGES
    out: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]
    # handoff edges by (from funnel stage ref, to funnel stage ref), in graph edge order
    handoffs: dict[tuple[str, str], list[Edge]] = field(default_factory=dict)
    # (kind, node, lang) -> something drawn alike in every journey diagram
    drawn: dict[tuple[str, str, str], Any] = field(default_factory=dict)

    def refs(self, node: str, kind: str) -> list[str]:
        """out_refs(g, node, kind) for a kind in JOURNEY_EDGES."""
        return list(dict.fromkeys(v for v, _ in self.out.get((node, kind), ())))


def journey_shared(
    g: nx.MultiDiGraph,
    flags: dict[str, tuple[str, ...]] | None = None,
    edges: dict[str, list[Edge]] | None = None,
) -> Shared:
    """Shared for g; flags is step_flags(g) and edges has (at least) the JOURNEY_EDGES types
    (each computed when missing)."""
    edges = edges_by_type(g, JOURNEY_EDGES) if edges is None else edges
    out: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for kind in JOURNEY_EDGES:
        for u, v, _, d in edges.get(kind, ()):
            out.setdefault((u, kind), []).append((v, d))
    handoffs: dict[tuple[str, str], list[Edge]] = {}
    for edge in edges.get("handoff", ()):
        handoffs.setdefault((edge[3]["from_stage"], edge[3]["to_stage"]), []).append(edge)
    return Shared(
        flags=step_flags(g) if flags is None else flags,
        roles=ordered(g, "role"),
        fills=role_fills(g),
        out=out,
        handoffs=handoffs,
    )
