"""The editable PowerPoint deck: `journey export pptx` and `journey build --format pptx`.

toolkit.render.deck.context turns the compiled graph into slides as plain data (reusing the
HTML pages' context builders), toolkit.render.deck.fit estimates the room text takes, and
toolkit.render.deck.writer writes the slides with python-pptx, which is imported only here,
when a deck is made: a missing python-pptx is an EnvironmentFailure with its fix.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from toolkit.common.errors import EnvironmentFailure
from toolkit.render.common import RenderOptions
from toolkit.render.deck.slides import PAGES

DECK_PATH = "deck.pptx"
SIZES = tuple(PAGES)  # "16:9", "a3"
NEEDS = ("pptx", "lxml", "xlsxwriter", "PIL")  # python-pptx and what it imports


class DeckUnavailable(EnvironmentFailure):
    """python-pptx (or a library it needs) is not installed."""

    fix = "pip install 'python-pptx>=1.0.2', or reinstall the toolkit, which depends on it"


@dataclass(frozen=True)
class DeckFile:
    data: bytes  # the .pptx file
    slides: int


def make_deck(graph: nx.MultiDiGraph, options: RenderOptions, size: str = "16:9") -> DeckFile:
    """The deck of the compiled project, identical for identical input; size is a key of
    slides.PAGES ("16:9" or "a3")."""
    try:
        from toolkit.render.deck.writer import deck_bytes
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in NEEDS:
            raise
        raise DeckUnavailable(
            f"the PowerPoint deck needs python-pptx, which is not installed ({exc.name} is missing)"
        ) from None
    from toolkit.render.deck.context import deck_context

    deck = deck_context(graph, options, size)
    return DeckFile(deck_bytes(deck), len(deck.slides))


def deck_files(graph: nx.MultiDiGraph, options: RenderOptions) -> dict[str, bytes]:
    """`journey build --format pptx`: deck.pptx at the output's root (16:9)."""
    return {DECK_PATH: make_deck(graph, options).data}
