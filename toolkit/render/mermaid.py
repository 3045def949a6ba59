"""Mermaid renderer: one ``journey`` diagram per journey (``mermaid/<journey>.mmd``).

Each step is a ``section`` named after its customer stage; its tasks are the step's ``doing``
items (or the stage itself), scored 1..5 from the step's emotion, with the persona (or
segment) and the roles acting at the step as actors.

Mermaid's journey grammar has no escapes, so text is made safe by substitution: ``:`` ``;``
``#`` ``%`` ``<`` ``>`` ``&`` become their fullwidth forms (``%`` would start a comment or a
``%%{`` directive, ``#`` a comment or an entity, ``:`` and ``;`` end a task or a line), ``,``
in actor names becomes ``，``, whitespace and newlines collapse to one space, controls and
bidi overrides are dropped, and a task that would start with a keyword (``journey``,
``title``, ``section``, ``accTitle``, ``accDescr``) is prefixed with a zero-width space.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import networkx as nx

from toolkit.graph.build import nid, nodes_of
from toolkit.render.common import (
    RenderOptions,
    actions_at,
    emotion_score,
    journey_steps,
    label_of,
)
from toolkit.render.diagrams import clean_text

TASK_LIMIT = 60
TITLE_LIMIT = 100
INDENT = "    "
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


def mermaid_text(text: Any, limit: int = TASK_LIMIT) -> str:
    """Text safe inside a Mermaid journey line (title, section, task)."""
    return clean_text(text, limit).translate(FULLWIDTH)


def task_text(text: Any) -> str:
    safe = mermaid_text(text)
    return ZWSP + safe if KEYWORD_START.match(safe) else safe


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


def journey_mermaid(
    g: nx.MultiDiGraph, journey: str, lang: str, names: dict[str, str] | None = None
) -> str:
    """One journey as a Mermaid ``journey`` diagram (names: see step_actors)."""
    names = {} if names is None else names
    data = g.nodes[nid("journey", journey)]
    lines = [
        "journey",
        f"{INDENT}title {mermaid_text(label_of(data, lang), TITLE_LIMIT) or journey}",
    ]
    audience = journey_actor(g, data, lang)
    for step, sdata in journey_steps(g, journey):
        stage = nid("stage", sdata["stage"])
        section = mermaid_text(label_of(g.nodes[stage], lang)) if stage in g else ""
        section = section or sdata["stage"]
        lines.append(f"{INDENT}section {section}")
        score = emotion_score(sdata.get("emotion"))
        actors = step_actors(g, step, audience, lang, names)
        tasks = [t for t in (task_text(d) for d in sdata.get("doing") or []) if t]
        for task in tasks or [task_text(section)]:
            lines.append(task_line(task, score, actors))
    return "\n".join(lines) + "\n"


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
