"""Mermaid renderer: one ``journey`` diagram per journey (``mermaid/<journey>.mmd``).

Each step is a ``section`` named after its customer stage; its tasks are the step's ``doing``
items (or the stage itself), scored 1..5 from the step's emotion, with the persona (or
segment) and the roles acting at the step as actors. ``accTitle`` (the journey's title) and
``accDescr`` (what the diagram shows, in the output language) name it for screen readers.

Fitting the boxes: Mermaid draws a task (and a section) in a fixed box and clips what does
not fit. The front matter makes the boxes TASK_BOX_WIDTH x TASK_BOX_HEIGHT px, room for four
lines of 16 px text, and a task or section is cut (with "…") to TASK_UNITS display units (a
CJK character or a capital letter counts two, any other one; a unit is 10 px at most on
average in the usual fonts): three lines' worth, so that word wrapping and line-breaking
rules may cost a fourth line and the text still fits. A word too long for a line (a URL, a
code) gets zero-width break points, where Mermaid's box can wrap it. The title, one line of
TITLE_FONT_PX px text drawn from the left edge of the tasks, is cut to the width of the
tasks (TITLE_UNIT_PX px per unit); accTitle keeps it whole. tests/render/test_mermaid.py
draws every diagram with mermaid-cli and checks that no text overflows its box.

Mermaid's journey grammar has no escapes, so text is made safe by substitution: ``:`` ``;``
``#`` ``%`` ``<`` ``>`` ``&`` become their fullwidth forms (``%`` would start a comment or a
``%%{`` directive, ``#`` a comment or an entity, ``:`` and ``;`` end a task or a line), ``,``
in actor names becomes ``，``, whitespace and newlines collapse to one space, controls and
bidi overrides are dropped, and a task that would start with a keyword (``journey``,
``title``, ``section``, ``accTitle``, ``accDescr``) is prefixed with a zero-width space.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from typing import Any

import networkx as nx

from toolkit.common.i18n import Catalog, translations
from toolkit.graph.build import nid, nodes_of
from toolkit.render.common import (
    RenderOptions,
    actions_at,
    emotion_score,
    journey_steps,
    label_of,
)
from toolkit.render.diagrams import ELLIPSIS, clean_text

TASK_LIMIT = 200  # characters kept of a task before it is fitted to its box (TASK_UNITS)
TITLE_LIMIT = 100
DESCRIPTION_LIMIT = 400
INDENT = "    "
TASK_BOX_WIDTH = 180  # px (Mermaid's default: 150)
TASK_BOX_HEIGHT = 80  # px (Mermaid's default: 50): four lines of 16 px text
TASK_UNITS = 54  # three lines of TASK_BOX_WIDTH px: 3 x 18 units of 10 px
LONG_WORD = 20  # a run of narrow characters this long (a URL, a code) gets break points
WORD_PIECE = 4  # ... after every this many characters (a line loses 3 at most)
TITLE_FONT_PX = 24
TITLE_UNIT_PX = 15  # a CJK character of the bold title is 24 px: two units; Latin <= 15 px
TASK_PITCH = TASK_BOX_WIDTH + 50  # px per task: Mermaid's taskMargin is 50
TITLE_ROOM = 250  # px the title has besides the tasks: 150 of the actors' margin, 100 of margins
FRONT_MATTER = (
    "---\n"
    "config:\n"
    "  journey:\n"
    f"    width: {TASK_BOX_WIDTH}\n"
    f"    height: {TASK_BOX_HEIGHT}\n"
    f"    titleFontSize: {TITLE_FONT_PX}px\n"
    "---\n"
)
FULLWIDTH = str.maketrans(
    {
        ":": "：",
        ";": "；",
        "#": "＃",
        "%": "％",
        "<": "＜",
        ">": "＞",
        "&": "＆",
    }
)
KEYWORD_START = re.compile(r"(?i)(journey|title|section|acctitle|accdescr)")
ZWSP = "\u200b"
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
LONG_RUN = re.compile(rf"[!-~\u00a1-\u02ff]{{{LONG_WORD},}}")  # Latin letters, no space


def mermaid_text(text: Any, limit: int = TASK_LIMIT) -> str:
    """Text safe inside a Mermaid journey line (title, section, task)."""
    return clean_text(text, limit).translate(FULLWIDTH)


def char_units(ch: str) -> int:
    """Display units of one character (about 8 px each at 16 px): 2 for wide and ambiguous
    ones (CJK, '…') and capital letters, 0 for combining marks and zero-width characters,
    else 1."""
    if unicodedata.combining(ch) or ch in ZERO_WIDTH:
        return 0
    if ch.isupper() or unicodedata.east_asian_width(ch) in ("W", "F", "A"):
        return 2
    return 1


def units(text: str) -> int:
    """Display units of a text (see char_units)."""
    return sum(char_units(ch) for ch in text)


def fitted(text: str, budget: int) -> str:
    """The text cut to `budget` display units, with '…' (counted) where it was cut; a cut
    in Latin text falls on a space when one is near the end."""
    if units(text) <= budget:
        return text
    room, used, end = budget - char_units(ELLIPSIS), 0, 0
    for i, ch in enumerate(text):
        used += char_units(ch)
        if used > room:
            break
        end = i + 1
    head = text[:end]
    space = head.rfind(" ")
    if space >= end * 0.6:
        head = head[:space]
    return head.rstrip() + ELLIPSIS


def breakable(text: str) -> str:
    """The text with a zero-width space after every WORD_PIECE characters of a run of
    LONG_WORD or more narrow characters without a space (a URL, a code), where the box's
    line may break: the browser would not break such a word and Mermaid would clip it."""
    return LONG_RUN.sub(lambda m: ZWSP.join(re.findall(f".{{1,{WORD_PIECE}}}", m[0])), text)


def box_text(text: Any) -> str:
    """Text of a task or section box: safe, cut to fit the box (TASK_UNITS), words longer
    than a line made breakable."""
    return breakable(fitted(mermaid_text(text), TASK_UNITS))


def task_text(text: Any) -> str:
    safe = box_text(text)
    return ZWSP + safe if KEYWORD_START.match(safe) else safe


def title_units(tasks: int) -> int:
    """The display units of a title that fits over a diagram of that many tasks."""
    return (TITLE_ROOM + max(tasks, 1) * TASK_PITCH) // TITLE_UNIT_PX


def actor_name(text: Any) -> str:
    return mermaid_text(text, 40).replace(",", "，")


def journey_actor(g: nx.MultiDiGraph, journey: dict[str, Any], lang: str) -> str:
    """The persona's name, else the segment's label."""
    persona = nid("persona", journey["persona"]) if journey.get("persona") else None
    if persona and persona in g:
        return actor_name(g.nodes[persona].get("name") or journey["persona"])
    segment = nid("segment", journey["segment"]) if journey.get("segment") else None
    if segment and segment in g:
        return actor_name(label_of(g.nodes[segment], lang))
    return ""


def step_actors(
    g: nx.MultiDiGraph, step: str, audience: str, lang: str, names: dict[str, str] | None = None
) -> list[str]:
    """The audience and the roles acting at the step; names remembers role actor names."""
    names = {} if names is None else names
    roles = []
    for action in actions_at(g, step):
        role = nid("role", action["role"])
        if role in g:
            name = names.get(role)
            if name is None:
                name = names[role] = actor_name(label_of(g.nodes[role], lang))
            roles.append(name)
    return [a for a in dict.fromkeys([audience, *roles]) if a]


def task_line(task: str, score: int, actors: list[str]) -> str:
    data = f"{score}: {', '.join(actors)}" if actors else str(score)
    return f"{INDENT * 2}{task}: {data}"


def description(t: Catalog, audience: str, stages: list[str], tasks: int, title: str) -> str:
    """accDescr: what the diagram shows, in the output language (one safe line)."""
    who = audience or title
    text = t.ngettext(
        "Customer journey of %(who)s through %(n)s customer stage (%(stages)s), "
        "%(tasks)s tasks scored from 1 (negative) to 5 (positive).",
        "Customer journey of %(who)s through %(n)s customer stages (%(stages)s), "
        "%(tasks)s tasks scored from 1 (negative) to 5 (positive).",
        len(stages),
    ) % {"who": who, "n": len(stages), "stages": ", ".join(stages), "tasks": tasks}
    return mermaid_text(text, DESCRIPTION_LIMIT)


def journey_mermaid(
    g: nx.MultiDiGraph, journey: str, lang: str, names: dict[str, str] | None = None
) -> str:
    """One journey as a Mermaid ``journey`` diagram (names: see step_actors)."""
    names = {} if names is None else names
    data = g.nodes[nid("journey", journey)]
    title = mermaid_text(label_of(data, lang), TITLE_LIMIT) or journey
    audience = journey_actor(g, data, lang)
    body, stages = [], []
    for step, sdata in journey_steps(g, journey):
        stage = nid("stage", sdata["stage"])
        name = mermaid_text(label_of(g.nodes[stage], lang)) if stage in g else ""
        name = name or sdata["stage"]
        stages.append(name)
        body.append(f"{INDENT}section {box_text(name)}")
        score = emotion_score(sdata.get("emotion"))
        actors = step_actors(g, step, audience, lang, names)
        tasks = [t for t in (task_text(d) for d in sdata.get("doing") or []) if t]
        for task in tasks or [task_text(name)]:
            body.append(task_line(task, score, actors))
    count = len(body) - len(stages)
    head = [
        "journey",
        f"{INDENT}title {fitted(title, title_units(count))}",
        f"{INDENT}accTitle: {title}",
        f"{INDENT}accDescr: {description(translations(lang), audience, stages, count, title)}",
    ]
    return FRONT_MATTER + "\n".join(head + body) + "\n"


def render_mermaid(
    graph: nx.MultiDiGraph, options: RenderOptions, journeys: Collection[str] | None = None
) -> dict[str, bytes]:
    """``mermaid/<journey>.mmd`` per journey (there are no project-wide Mermaid files).

    journeys: None for every journey, else only these journey refs (unknown refs ignored);
    each file is the same, path and bytes, as in the full render.
    """
    if isinstance(journeys, str | bytes):
        raise TypeError("journeys must be a collection of journey refs, not one string")
    refs = sorted(d["ref"] for _, d in nodes_of(graph, "journey"))
    if journeys is not None:
        wanted = frozenset(journeys)
        refs = [ref for ref in refs if ref in wanted]
    names: dict[str, str] = {}
    return {
        f"mermaid/{ref}.mmd": journey_mermaid(graph, ref, options.lang, names).encode("utf-8")
        for ref in refs
    }
