"""What a deck is, as plain data: slides of positioned text boxes, tables and charts.

The context builders (toolkit.render.deck.context) decide every word, colour key and
position; the writer (toolkit.render.deck.pptx) only turns this into PowerPoint XML. Sizes
are inches from the slide's top left corner; colours are keys the writer knows (FILLS there).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markupsafe import Markup

EMU_PER_INCH = 914400


def text_of(value: str) -> str:
    """Plain text of a page context's value: markup the pages add for the browser (the
    map's <wbr> break opportunities) is dropped and its entities read back as text."""
    return value.striptags() if isinstance(value, Markup) else value


@dataclass(frozen=True)
class Span:
    """A run of text; style "" (plain), "strong", "muted" or "alert"."""

    text: str
    style: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", text_of(self.text))


Para = tuple[Span, ...]


def para(*parts: str | Span) -> Para:
    """A paragraph from strings (plain runs) and spans; empty strings are left out."""
    return tuple(p if isinstance(p, Span) else Span(p) for p in parts if p and str(p))


def plain(para_: Para) -> str:
    return "".join(s.text for s in para_)


@dataclass(frozen=True)
class Cell:
    """A table cell: paragraphs on a fill ("" white; see pptx.FILLS for the others)."""

    paras: tuple[Para, ...] = ()
    fill: str = ""
    align: str = "left"  # or "center"


@dataclass(frozen=True)
class Table:
    left: float
    top: float
    widths: tuple[float, ...]  # per column
    heights: tuple[float, ...]  # per row, header first (PowerPoint grows a row if needed)
    rows: tuple[tuple[Cell, ...], ...]
    pt: float = 10.0
    name: str = ""  # the shape's name in PowerPoint's selection pane


@dataclass(frozen=True)
class Box:
    """A text box."""

    left: float
    top: float
    width: float
    height: float
    paras: tuple[Para, ...]
    pt: float
    fill: str = ""
    name: str = ""


@dataclass(frozen=True)
class Chart:
    """A line chart of one series over categories (None: no point), with a fixed value
    range; the plot area spans plot_left..plot_left+plot_width (fractions of the chart's
    width), so that its points sit over the table columns below it."""

    left: float
    top: float
    width: float
    height: float
    categories: tuple[str, ...]
    series: str
    values: tuple[int | None, ...]
    minimum: int
    maximum: int
    plot_left: float
    plot_width: float
    name: str = ""


@dataclass(frozen=True)
class Slide:
    """One slide. kind "title" shows title and lines in the title layout's placeholders;
    every other kind has its title in the title placeholder and the rest as shapes."""

    kind: str  # title, stages, persona, map, coverage, gaps
    title: str
    lines: tuple[Para, ...] = ()  # the title slide's subtitle lines
    boxes: tuple[Box, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class Page:
    """A slide size and the frame every slide shares (inches)."""

    name: str
    width_emu: int
    height_emu: int
    margin: float = 0.4
    label_w: float = 1.5  # a table's first (label) column
    min_col: float = 1.8  # narrowest stage column of a map

    @property
    def width(self) -> float:
        return self.width_emu / EMU_PER_INCH

    @property
    def height(self) -> float:
        return self.height_emu / EMU_PER_INCH

    @property
    def inner_w(self) -> float:
        return self.width - 2 * self.margin

    title_top: float = 0.25
    title_h: float = 0.6
    subtitle_top: float = 0.85
    subtitle_h: float = 0.32
    body_top: float = 1.25
    legend_h: float = 0.3

    @property
    def body_bottom(self) -> float:
        """Where a slide's body ends: above the legend line."""
        return self.height - self.margin - self.legend_h

    @property
    def legend_top(self) -> float:
        return self.height - self.margin - self.legend_h + 0.05


PAGES = {
    # PowerPoint's "Widescreen" (13.333 x 7.5 in).
    "16:9": Page("16:9", 12192000, 6858000),
    # A3 landscape, 420 x 297 mm (36,000 EMU per mm).
    "a3": Page("a3", 420 * 36000, 297 * 36000, margin=0.5, label_w=1.7),
}


@dataclass(frozen=True)
class Deck:
    page: Page
    lang: str  # the UI language: "ja" or "en"
    title: str  # the document's title (core properties)
    stamp: dt.datetime  # the document's dates and the zip entries' time
    slides: tuple[Slide, ...] = field(default=())
