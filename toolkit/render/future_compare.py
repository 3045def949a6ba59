"""Context builders for current and future-state journeys on the pages.

`pair_sections` is what compare.html shows of each current/future pair (side by side per
customer stage, with the delta of toolkit.analyses.future); `state_badge` is the "future"
mark that every list of journeys shows beside a future journey's title.
"""

from __future__ import annotations

from typing import Any

from toolkit.analyses.future import FuturePair, StageDelta, future_pairs, stage_deltas
from toolkit.graph.build import journey_state, nid
from toolkit.render.common import label_of
from toolkit.render.html_context import (
    Facts,
    emotion_class,
    emotion_text,
    flag_badges,
    flag_labels,
    journey_page,
    name_of,
    text,
)


def state_badge(f: Facts, ref: str) -> str:
    """The badge text of a future-state journey ('future' / '将来'); '' for a current one."""
    if journey_state(f.g.nodes[nid("journey", ref)]) == "future":
        return f.t.gettext("future")
    return ""


def change_text(before: int | None, after: int | None) -> str:
    """An emotion change as the pages write it: '−1 → +1: +2' ('' unless both are known)."""
    if before is None or after is None:
        return ""
    delta = after - before
    signed = "±0" if delta == 0 else f"{'+' if delta > 0 else '−'}{abs(delta)}"
    return f"{emotion_text(before)} → {emotion_text(after)}: {signed}"


def _side(f: Facts, step: str | None) -> dict[str, Any] | None:
    """One journey at one stage: emotion, feeling, the seller's actions and gap badges."""
    if step is None:
        return None
    data = f.g.nodes[step]
    e = data.get("emotion")
    return {
        "emotion": None if e is None else {"text": emotion_text(e), "classes": emotion_class(e)},
        "feeling": text(data.get("feeling")),
        "actions": [
            {"role": name_of(f, nid("role", a["role"])), "text": text(a.get("action"))}
            for a in f.actions[step]
        ],
        "flags": flag_badges(f, step),
    }


def _delta(f: Facts, d: StageDelta) -> dict[str, Any]:
    labels = flag_labels(f.t)

    def actions(found: tuple[Any, ...]) -> list[dict[str, str]]:
        return [{"role": name_of(f, nid("role", a.role)), "text": text(a.action)} for a in found]

    def content(ids: tuple[str, ...]) -> list[str]:
        return [name_of(f, nid("content", i)) or text(i) for i in ids]

    return {
        # shown when it moved: an unchanged emotion is part of "No change"
        "emotion": change_text(d.emotion_before, d.emotion_after) if d.emotion_change else "",
        "emotion_classes": ""
        if not d.emotion_change
        else ("delta-up" if d.emotion_change > 0 else "delta-down"),
        "actions_added": actions(d.actions_added),
        "actions_removed": actions(d.actions_removed),
        "content_added": content(d.content_added),
        "content_removed": content(d.content_removed),
        "gaps_closed": [{"code": c, "label": labels[c]} for c in d.gaps_closed],
        "gaps_opened": [{"code": c, "label": labels[c]} for c in d.gaps_opened],
        "unchanged": d.unchanged,
    }


def _journey(f: Facts, ref: str) -> dict[str, str]:
    data = f.g.nodes[nid("journey", ref)]
    return {
        "title": text(label_of(data, f.lang)),
        "href": journey_page(ref),
        "badge": state_badge(f, ref),
    }


def pair_section(f: Facts, pair: FuturePair, number: int) -> dict[str, Any]:
    """One current/future pair: its journeys and one row per stage either has a step at."""
    numbers = {d["ref"]: f"{i + 1:02d}" for i, (_, d) in enumerate(f.stages)}
    return {
        "id": f"future-pair-{number}",
        "current": _journey(f, pair.current),
        "future": _journey(f, pair.future),
        "stages": [
            {
                "number": numbers.get(d.stage, ""),
                "label": name_of(f, nid("stage", d.stage)),
                "current": _side(f, d.current),
                "future": _side(f, d.future),
                "delta": _delta(f, d),
            }
            for d in stage_deltas(f.g, pair)
        ],
    }


def pair_sections(f: Facts) -> list[dict[str, Any]]:
    """Every current/future pair of the project, in the order of the future journeys."""
    return [pair_section(f, pair, i + 1) for i, pair in enumerate(future_pairs(f.g))]
