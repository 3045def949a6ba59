"""How much room text takes on a slide: line counts, cell and row heights, and the stage
groups a journey map is cut into so that its text stays at BODY_PT or larger.

Pure arithmetic on strings and inches. The estimate is deliberately on the safe side: an East
Asian (wide) character is one em, any other character LATIN_EM of an em, Latin words wrap
whole, and every paragraph has an exact line spacing of LINE_FACTOR times its size (the
writer sets it, so a font with tall metrics such as Yu Gothic cannot make a row taller than
estimated). PowerPoint and LibreOffice grow a table row that holds more than its height, so a
low estimate shows as a taller table, never as clipped text.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BODY_PT = 10.0  # the smallest text of a slide (table cells, legends)
LINE_FACTOR = 1.2  # exact line spacing as a multiple of the font size
LATIN_EM = 0.6  # width of a narrow character in ems (Arial averages about 0.55)
CELL_MARGIN_X = 0.06  # inches left and right inside a table cell
CELL_MARGIN_Y = 0.04  # inches above and below
PARA_GAP_PT = 2.0  # space after each paragraph of a cell but the last
BISECTIONS = 16  # steps of the search for even bands: 1/65536 of a slide's height
TOKEN = re.compile(r"[^\s]+\s*|\s+")


@functools.lru_cache(maxsize=65536)
def char_em(ch: str) -> float:
    """Width of one character in ems: 1 for wide (East Asian) characters."""
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else LATIN_EM


def is_east_asian(text: str) -> bool:
    """Whether the text holds a wide (East Asian) character: kana, kanji, full-width forms."""
    return not text.isascii() and any(char_em(ch) == 1.0 for ch in text)


@functools.lru_cache(maxsize=262144)
def tokens(text: str) -> tuple[tuple[float, bool], ...]:
    """The text as units a line can break after: (width in ems, breakable inside).

    A wide character is a unit of its own (Japanese breaks between any two characters); a
    Latin word with the spaces after it is one unit that breaks inside only when it is
    longer than a line.
    """
    out: list[tuple[float, bool]] = []
    for token in TOKEN.findall(text):
        if token.isascii():
            out.append((len(token) * LATIN_EM, True))
            continue
        run = 0.0
        for ch in token:
            w = char_em(ch)
            if w == 1.0:
                if run:
                    out.append((run, True))
                    run = 0.0
                out.append((1.0, False))
            else:
                run += w
        if run:
            out.append((run, True))
    return tuple(out)


def line_count(text: str, width_in: float, pt: float) -> int:
    """Lines the text fills in a box width_in inches wide at pt points (1 for empty text)."""
    per_line = max(width_in * 72.0 / pt, 1.0)  # ems on one line
    lines, used = 1, 0.0
    for width, breakable in tokens(text):
        if used + width <= per_line + 1e-9:
            used += width
            continue
        if breakable and width > per_line:  # a word longer than a line wraps inside
            rest = width - (per_line - used)
            extra = math.ceil(rest / per_line)
            lines += extra
            used = rest - (extra - 1) * per_line
            continue
        lines += 1
        used = width
    return lines


def paragraphs_height(paras: Iterable[str], width_in: float, pt: float) -> float:
    """Height in inches of paragraphs of text set at pt points in a box width_in wide."""
    line = pt * LINE_FACTOR / 72.0
    counts = [sum(line_count(part, width_in, pt) for part in p.split("\n")) for p in paras]
    if not counts:
        return line
    return sum(counts) * line + (len(counts) - 1) * PARA_GAP_PT / 72.0


def cell_height(paras: Sequence[str], width_in: float, pt: float = BODY_PT) -> float:
    """Height in inches a table cell needs for its paragraphs, with the cell's margins."""
    inner = width_in - 2 * CELL_MARGIN_X
    return paragraphs_height(paras, inner, pt) + 2 * CELL_MARGIN_Y


@dataclass(frozen=True)
class Grid:
    """Rows of a table, each a label cell and one cell per column, as paragraphs of text."""

    head: Sequence[Sequence[str]]  # one per column: the header cell
    rows: Sequence[tuple[Sequence[str], Sequence[Sequence[str]]]]  # (label, cells)


@functools.lru_cache(maxsize=262144)
def _cell_height(paras: tuple[str, ...], width_in: float) -> float:
    return cell_height(paras, width_in)


def grid_heights(grid: Grid, columns: Sequence[int], label_w: float, col_w: float) -> list[float]:
    """Row heights (header first) of the grid restricted to these column indexes."""
    head = max((_cell_height(tuple(grid.head[i]), col_w) for i in columns), default=0.0)
    heights = [head]
    for label, cells in grid.rows:
        tallest = max((_cell_height(tuple(cells[i]), col_w) for i in columns), default=0.0)
        heights.append(max(_cell_height(tuple(label), label_w), tallest))
    return heights


def balanced(n: int, size: int) -> list[range]:
    """0..n-1 cut in order into the fewest runs of at most `size`, as even as can be."""
    if n == 0:
        return []
    parts = math.ceil(n / max(1, size))
    base, extra = divmod(n, parts)
    out, start = [], 0
    for i in range(parts):
        stop = start + base + (1 if i < extra else 0)
        out.append(range(start, stop))
        start = stop
    return out


def bands_of(
    heights: Sequence[float], sections: Sequence[int], first_room: float, room: float
) -> list[list[int]]:
    """The grid's rows (heights[0] is the header, repeated on every band) cut in order into
    bands no taller than their room (first_room for the first band, room for the others):
    all rows when they fit one band; else, when as few bands do it, bands that each hold
    rows of one section only (the buyer's lanes, the seller's); else bands of mixed
    sections. Either way the rows are spread evenly over the bands."""
    head, rows = heights[0], list(heights[1:])
    if sum(heights) <= first_room:
        return [list(range(len(rows)))]
    rooms = (first_room - head, room - head)
    pure: list[list[int]] = []
    start = 0
    for end in [*(i for i in range(1, len(rows)) if sections[i] != sections[i - 1]), len(rows)]:
        bands = evenly(rows[start:end], rooms if not pure else (rooms[1], rooms[1]))
        pure += [[start + i for i in band] for band in bands]
        start = end
    mixed = evenly(rows, rooms)
    return pure if len(pure) <= len(mixed) else mixed


def evenly(rows: Sequence[float], rooms: tuple[float, float]) -> list[list[int]]:
    """packed() into as few bands as it needs, with the rows spread evenly over them: the
    lowest cap on a band's height that needs no more bands."""
    fewest = len(packed(rows, rooms))
    low, high = 0.0, max(rooms)
    for _ in range(BISECTIONS):
        cap = (low + high) / 2
        if len(packed(rows, (min(cap, rooms[0]), min(cap, rooms[1])))) <= fewest:
            high = cap
        else:
            low = cap
    return packed(rows, (min(high, rooms[0]), min(high, rooms[1])))


def packed(rows: Sequence[float], rooms: tuple[float, float]) -> list[list[int]]:
    """Rows in order into bands, each filled up to its room (rooms[0] for the first band,
    rooms[1] for the others); a row taller than its room gets a band of its own."""
    bands: list[list[int]] = []
    current: list[int] = []
    used, limit = 0.0, rooms[0]
    for i, h in enumerate(rows):
        if current and used + h > limit + 1e-9:
            bands.append(current)
            current, used, limit = [], 0.0, rooms[1]
        current.append(i)
        used += h
    if current:
        bands.append(current)
    return bands


@dataclass(frozen=True)
class Cut:
    """A grid cut into slides: column groups x row bands, and the column width."""

    groups: list[range]  # column indexes per group
    bands: list[list[int]]  # row indexes (of Grid.rows) per band, the same for every group
    col_w: float
    heights: list[list[float]]  # per group: the header's and every row's height


def cut_grid(
    grid: Grid,
    sections: Sequence[int],
    width: float,
    rooms: tuple[float, float],
    label_w: float,
    min_col: float,
) -> Cut:
    """The fewest slides for a grid, text at BODY_PT: its columns cut into balanced groups
    (no column narrower than min_col), its rows into bands (bands_of, with rooms: the first
    band's height and the others'); between cuts of as many slides, the one that keeps
    more lanes together (fewer bands), then the one with more columns per slide. A row
    too tall for any slide gets a band of its own (PowerPoint grows the row; text never
    shrinks)."""
    n = len(grid.head)
    most = max(1, min(n, int((width - label_w) / min_col)))
    best: Cut | None = None
    for size in range(most, 0, -1):
        groups = balanced(n, size)
        widest = max((len(g) for g in groups), default=1)
        col_w = (width - label_w) / widest
        heights = [grid_heights(grid, g, label_w, col_w) for g in groups]
        tallest = [max(h[i] for h in heights) for i in range(len(grid.rows) + 1)]
        bands = bands_of(tallest, sections, *rooms)
        cut = Cut(groups, bands, col_w, heights)
        if best is None or (len(groups) * len(bands), len(bands)) < (
            len(best.groups) * len(best.bands),
            len(best.bands),
        ):
            best = cut
    assert best is not None
    return best


def cut_rows(heights: Sequence[float], room: float, first_room: float | None = None) -> list[range]:
    """Rows 0..n-1 (each heights[i] tall) cut in order into pages that fit `room` inches
    (the first page `first_room`); a row taller than a page gets a page of its own."""
    pages: list[range] = []
    start, used = 0, 0.0
    limit = room if first_room is None else first_room
    for i, h in enumerate(heights):
        if i > start and used + h > limit:
            pages.append(range(start, i))
            start, used, limit = i, 0.0, room
        used += h
    if start < len(heights) or not pages:
        pages.append(range(start, len(heights)))
    return pages
