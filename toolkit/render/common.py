"""Helpers shared by the renderers: labels in the output language, safe URLs, ordering.

The toolkit's own words come from gettext catalogs: toolkit.common.i18n."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import networkx as nx

from toolkit.analyses.warnings import StepCoverage, step_actions, step_coverage
from toolkit.graph.build import nid, nodes_of

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class RenderOptions:
    lang: str
    formats: frozenset[str] = field(default_factory=frozenset)
    # Lead volumes from `journey build --leads` (toolkit.render.leads_overlay.overlay()).
    overlay: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)
    # How diagnostics name the project folder (Project.shown_as): outputs name source files
    # relative to the project instead, never by a path of the author's machine.
    shown_as: str = ""


def pick(label: Any, lang: str, fallback: str = "") -> str:
    """A label in the output language, then English, then the first given, then fallback."""
    if label is None:
        return fallback
    if isinstance(label, str):
        return label
    if isinstance(label, dict) and label:
        for key in (lang, "en"):
            if label.get(key):
                return str(label[key])
        return str(next(iter(label.values())))
    return fallback


def label_of(data: dict[str, Any], lang: str) -> str:
    """The display label of a node: its label, title or name, else its id."""
    for key in ("label", "title", "name"):
        if data.get(key) is not None:
            return pick(data[key], lang, str(data.get("ref", "")))
    return str(data.get("ref", ""))


@functools.lru_cache(maxsize=65536)
def safe_url(url: str | None) -> str | None:
    """The URL when its scheme is http, https or mailto; None otherwise (javascript:, data:...).

    Cached: a content item's link is written in every cell that lists the item.
    """
    if not url:
        return None
    cleaned = CONTROL.sub("", url).strip()
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return None
    return cleaned if scheme in SAFE_SCHEMES and not any(c.isspace() for c in cleaned) else None


def strip_controls(text: str) -> str:
    """Text without C0 control characters other than tab, newline and carriage return."""
    return CONTROL.sub("", text)


def text(value: Any) -> str:
    """Text for display: '' for None, C0 control characters removed."""
    return "" if value is None else strip_controls(str(value))


def emotion_score(emotion: int | None) -> int:
    """Emotion -2..2 as a 1..5 score (missing emotion is neutral, 3)."""
    return 3 if emotion is None else max(1, min(5, int(emotion) + 3))


def ordered(g: nx.MultiDiGraph, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """Nodes of a type in model order (stages, funnel stages, lead classes), else source order."""
    found = nodes_of(g, kind)
    if found and "order" in found[0][1]:
        return sorted(found, key=lambda nd: nd[1]["order"])
    return found


def journey_steps(g: nx.MultiDiGraph, journey_id: str) -> list[tuple[str, dict[str, Any]]]:
    """A journey's step nodes in stage order."""
    steps = [
        (u, g.nodes[u])
        for u, _, d in g.in_edges(nid("journey", journey_id), data=True)
        if d["type"] == "step_of"
    ]
    return sorted(steps, key=lambda nd: nd[1]["order"])


def actions_at(g: nx.MultiDiGraph, step: str) -> list[dict[str, Any]]:
    return [g.nodes[a] for a in step_actions(g, step)]


def coverage_by_step(g: nx.MultiDiGraph) -> dict[str, StepCoverage]:
    return {c.step: c for c in step_coverage(g)}


def step_flags(g: nx.MultiDiGraph) -> dict[str, tuple[str, ...]]:
    """Warning codes marked on each step node: seller-absent and/or content-gap."""
    return {cov.step: flags_of(cov.actions > 0, cov) for cov in step_coverage(g)}


def flags_of(has_actions: bool, coverage: StepCoverage) -> tuple[str, ...]:
    """The warning codes of one step, from whether it has seller actions and its coverage."""
    absent = ("seller-absent",) if not has_actions else ()
    return absent + (("content-gap",) if coverage.count == 0 else ())
