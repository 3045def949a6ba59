"""Graphviz renderer: DOT sources for the diagrams and images drawn by the system ``dot``.

``render_dot`` returns ``diagrams/<journey>.dot`` for each journey (built in
toolkit.render.journey_diagram: swimlanes with every position computed, drawn by Graphviz's
``nop2`` engine) plus ``diagrams/funnel.dot`` and ``diagrams/overview.dot`` (built here,
laid out by ``dot``); all UTF-8. Given ``journeys``, it returns only those journeys'
diagrams beside the funnel and the overview. Nodes are named and identified by their graph
node ids (toolkit.render.diagrams.safe_id), so the SVG groups carry them as ``id``.
``render_images`` runs ``dot -T<fmt>`` (no shell, DOT on stdin): SVGs of several sources per
run, PNG and PDF one run per source and format; a PDF is one A3 landscape page.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from itertools import pairwise
from pathlib import PurePosixPath

import networkx as nx
from graphviz import quoting

from toolkit.common.errors import EnvironmentFailure
from toolkit.graph.build import nid, nodes_of
from toolkit.render.common import RenderOptions, handoffs, label_of, ordered, step_flags
from toolkit.render.diagrams import (
    HANDOFF_COLOR,
    JOURNEY_EDGES,
    dot_label,
    journey_shared,
    new_digraph,
    ref_label,
    role_fills,
    safe_id,
    word,
)
from toolkit.render.dot_syntax import (
    Edge,
    add_subgraph,
    chain,
    edge_stmt,
    edges_by_type,
    node_stmt,
)
from toolkit.render.journey_diagram import journey_dot
from toolkit.render.overlay import LeadOverlay, funnel_volumes, transition_labels

IMAGE_FORMATS = ("svg", "png", "pdf")
DOT_TIMEOUT = 120  # seconds per image
RESERVED = frozenset({"funnel", "overview"})
STDERR_LINES = 20
FUNNEL_EDGES = ("lead_class_next", "funnel_next", "lead_class", "owns", "handoff")
OVERVIEW_EDGES = ("stage_next", "funnel_next", "serves")


class DiagramError(EnvironmentFailure):
    """The system ``dot`` could not draw one diagram."""

    fix = (
        "Graphviz failed, not the project: check that 'dot -V' works and reinstall graphviz "
        "(apt-get install graphviz), or build without images: --format html,dot,mermaid,json,csv"
    )

    def __init__(self, path: str, fmt: str, detail: str) -> None:
        self.path = path
        self.fmt = fmt
        self.detail = detail
        super().__init__(f"graphviz 'dot -T{fmt}' failed on {path}: {detail}")

    def __reduce__(self) -> tuple[type[DiagramError], tuple[str, str, str]]:
        return (DiagramError, (self.path, self.fmt, self.detail))  # from a forked worker


# --- funnel -----------------------------------------------------------------------------


def funnel_dot(
    g: nx.MultiDiGraph,
    lang: str,
    overlay: LeadOverlay | None = None,
    edges: dict[str, list[Edge]] | None = None,
) -> str:
    """Lead classes over funnel stages over roles; owner lines and role-to-role handoffs.

    A handoff between two funnel stages is a box naming them (its id the key of the graph's
    handoff edges, ``handoff:<from>-><to>``), with an arrow from each role that hands off
    and one to each role that takes over: its words sit in a node, never on an edge.
    With a leads overlay, funnel stages show their lead volume and handoffs their
    conversion. edges has (at least) the FUNNEL_EDGES types of edges_by_type (computed when
    missing).
    """
    edges = edges_by_type(g, FUNNEL_EDGES) if edges is None else edges
    volumes = funnel_volumes(overlay, lang) if overlay else {}
    rates = transition_labels(overlay) if overlay else {}
    dg = new_digraph("funnel", word("funnel", lang), "TB")
    fills = role_fills(g)
    rows = (
        (
            "lead_class",
            "lead_class_next",
            {"shape": "ellipse", "style": "filled", "fillcolor": "#eef3fb"},
        ),
        (
            "funnel_stage",
            "funnel_next",
            {"shape": "cds", "style": "filled", "fillcolor": "#dddddd"},
        ),
        ("role", None, {}),
    )
    for kind, next_kind, attrs in rows:
        nodes = ordered(g, kind)
        if not nodes:
            continue
        lines = []
        for node, data in nodes:
            extra = {"fillcolor": fills[node]} if kind == "role" else {}
            text = label_of(data, lang)
            if kind == "funnel_stage" and data["ref"] in volumes:
                text = f"{text} ({volumes[data['ref']]})"
            lines.append(
                node_stmt(
                    q(node), dot_label(text, width=32), **{**attrs, **extra}, **node_ids(node, kind)
                )
            )
        add_subgraph(dg, f"row_{kind}", lines, "same" if kind != "role" else None)
        if next_kind:
            for u, v, _, _ in edges.get(next_kind, ()):
                dg.body.append(edge_stmt(q(u), q(v), penwidth="2", **{"class": next_kind}))
    for u, v, _, d in _of_types(g, edges, ("lead_class", "owns")):
        dg.body.append(edge_stmt(q(v), q(u), style="dotted", dir="none", **{"class": d["type"]}))
    for key, group in _handoff_groups(g, edges):
        d = group[0][3]
        label = "{} → {}".format(
            ref_label(g, nid("funnel_stage", d["from_stage"]), lang),
            ref_label(g, nid("funnel_stage", d["to_stage"]), lang),
        )
        if (d["from_stage"], d["to_stage"]) in rates:
            label += " " + rates[(d["from_stage"], d["to_stage"])]
        hid = q(safe_id(key))
        style = {"color": HANDOFF_COLOR, "class": "handoff"}
        dg.body.append(
            node_stmt(
                hid,
                dot_label(label, width=24),
                shape="box",
                style="rounded,filled",
                fillcolor="#fff4ec",
                fontcolor=HANDOFF_COLOR,
                fontsize="10",
                id=safe_id(key),
                **style,
            )
        )
        for giver in dict.fromkeys(e[0] for e in group):
            dg.body.append(edge_stmt(q(giver), hid, penwidth="1.5", **style))
        for taker in dict.fromkeys(e[1] for e in group):
            dg.body.append(edge_stmt(hid, q(taker), penwidth="1.5", **style))
    return dg.source


def q(node: str) -> str:
    """A node's DOT name: its graph id made safe (diagrams.safe_id), quoted."""
    return quoting.quote(safe_id(node))


def node_ids(node: str, kind: str) -> dict[str, str]:
    return {"id": safe_id(node), "class": kind}


def _of_types(
    g: nx.MultiDiGraph, edges: dict[str, list[Edge]], kinds: tuple[str, ...]
) -> list[Edge]:
    """The edges of these types in graph edge order: the out-edges of their tails, in turn."""
    tails = {e[0] for kind in kinds for e in edges.get(kind, ())}
    rank = {n: i for i, n in enumerate(g.succ) if n in tails}
    return [
        e
        for u in sorted(tails, key=rank.__getitem__)
        for e in g.out_edges(u, keys=True, data=True)
        if e[3]["type"] in kinds
    ]


def _handoff_groups(
    g: nx.MultiDiGraph, edges: dict[str, list[Edge]]
) -> list[tuple[str, list[Edge]]]:
    """The handoff edges by key (one key per pair of funnel stages), in funnel order
    (toolkit.render.common.handoffs: the journey map marks the same ones)."""
    groups: dict[str, list[Edge]] = {}
    for edge in handoffs(g, edges.get("handoff", ())):
        groups.setdefault(edge[2], []).append(edge)
    return list(groups.items())


# --- overview ---------------------------------------------------------------------------


def overview_dot(g: nx.MultiDiGraph, lang: str, edges: dict[str, list[Edge]] | None = None) -> str:
    """Customer stages (top row) against funnel stages (bottom row): which serves which.

    edges has (at least) the OVERVIEW_EDGES types of edges_by_type (computed when missing).
    """
    edges = edges_by_type(g, OVERVIEW_EDGES) if edges is None else edges
    dg = new_digraph("overview", word("overview", lang), "TB")
    rows = (
        ("stage", "stage_next", "stages", {"fillcolor": "#e8f1fb"}),
        (
            "funnel_stage",
            "funnel_next",
            "funnel",
            {"shape": "cds", "style": "filled", "fillcolor": "#dddddd"},
        ),
    )
    heads = []
    for kind, next_kind, head, attrs in rows:
        head_id = q(f"head:{kind}")
        lines = [
            node_stmt(
                head_id,
                dot_label(word(head, lang)),
                shape="plaintext",
                style="solid",
                fontsize="13",
                id=safe_id(f"head:{kind}"),
                **{"class": "lane"},
            )
        ]
        for node, data in ordered(g, kind):
            lines.append(
                node_stmt(q(node), dot_label(label_of(data, lang)), **attrs, **node_ids(node, kind))
            )
        add_subgraph(dg, f"row_{kind}", lines, "same")
        heads.append(head_id)
        first = ordered(g, kind)[:1]
        if first:
            dg.body.append(edge_stmt(head_id, q(first[0][0]), style="invis"))
        for u, v, _, _ in edges.get(next_kind, ()):
            dg.body.append(edge_stmt(q(u), q(v), penwidth="2", **{"class": next_kind}))
    chain(dg, heads, style="invis")
    for u, v, _, _ in edges.get("serves", ()):
        dg.body.append(edge_stmt(q(v), q(u), dir="back", color="#1f5fa8", **{"class": "serves"}))
    return dg.source


# --- entry points -----------------------------------------------------------------------


def journey_file(ref: str, taken: Iterable[str]) -> str:
    """The journey diagram's path; a journey id equal to a fixed diagram's name gets a prefix."""
    used = set(taken)
    name = ref if ref not in RESERVED else f"journey-{ref}"
    while f"diagrams/{name}.dot" in used:
        name = f"journey-{name}"
    return f"diagrams/{name}.dot"


def journey_diagram_paths(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Journey id -> its diagram's DOT path (the other formats share the stem)."""
    taken = ["diagrams/funnel.dot", "diagrams/overview.dot"]
    paths: dict[str, str] = {}
    for _, data in sorted(nodes_of(graph, "journey"), key=lambda nd: nd[1]["ref"]):
        paths[data["ref"]] = journey_file(data["ref"], taken)
        taken.append(paths[data["ref"]])
    return paths


def render_dot(
    graph: nx.MultiDiGraph, options: RenderOptions, journeys: Collection[str] | None = None
) -> dict[str, bytes]:
    """The DOT sources by path: the funnel, the overview and one diagram per journey.

    journeys: None for every journey, else only the diagrams of these journey refs (unknown
    refs ignored) beside the funnel and the overview. Each file is the same, path and bytes,
    as in the full render.
    """
    lang = options.lang
    wanted = subset(journeys)
    edges = edges_by_type(graph, (*FUNNEL_EDGES, *OVERVIEW_EDGES, *JOURNEY_EDGES))
    out: dict[str, bytes] = {
        "diagrams/funnel.dot": funnel_dot(graph, lang, options.overlay, edges).encode("utf-8"),
        "diagrams/overview.dot": overview_dot(graph, lang, edges).encode("utf-8"),
    }
    shared = journey_shared(graph, step_flags(graph), edges)
    for ref, path in journey_diagram_paths(graph).items():
        if wanted is None or ref in wanted:
            source = journey_dot(graph, ref, lang, shared=shared, all_rows=options.show_empty_rows)
            out[path] = source.encode("utf-8")
    return dict(sorted(out.items()))


def subset(journeys: Collection[str] | None) -> frozenset[str] | None:
    """The journey refs asked for (None: all); a bare string is refused, not read as refs."""
    if isinstance(journeys, str | bytes):
        raise TypeError("journeys must be a collection of journey refs, not one string")
    return None if journeys is None else frozenset(journeys)


def image_path(dot_path: str, fmt: str) -> str:
    return str(PurePosixPath(dot_path).with_suffix(f".{fmt}"))


def run_dot(path: str, source: bytes, fmt: str, *options: str) -> bytes:
    """``dot -T<fmt> [options]`` on source (no shell); its stdout, or DiagramError naming
    path."""
    exe = shutil.which("dot")
    if exe is None:
        raise DiagramError(path, fmt, "the 'dot' executable is not on PATH (install graphviz)")
    try:
        done = subprocess.run(
            [exe, f"-T{fmt}", *options],
            input=source,
            capture_output=True,
            timeout=DOT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise DiagramError(path, fmt, f"timed out after {DOT_TIMEOUT} s") from exc
    except OSError as exc:
        raise DiagramError(path, fmt, str(exc)) from exc
    if done.returncode != 0 or not done.stdout:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()[-STDERR_LINES:]
        raise DiagramError(
            path, fmt, f"exit {done.returncode}: " + (" | ".join(err) or "no output")
        )
    return done.stdout


def render_image(path: str, source: bytes, fmt: str) -> bytes:
    """One image from one DOT source; DiagramError with dot's stderr on any failure.

    A PDF is one A3 landscape page (see page_options)."""
    if fmt != "pdf":
        return run_dot(path, source, fmt)
    return fixed_pdf_date(run_dot(path, source, fmt, *page_options(path, source)))


# --- PDF pages --------------------------------------------------------------------------
# Cairo makes the PDF page as large as the drawing; a viewport of the page's size (and no
# margin) makes it that page instead, with the drawing centred and zoomed to fit. The zoom
# needs the drawing's size: a journey diagram's source states its bounding box (its layout
# is computed in Python), the others are laid out once more to read it.

PAGE = (1190.55, 841.89)  # A3 landscape, points
PAGE_MARGIN = 18.0  # points kept free on every side of the page
PAD = 4.0  # Graphviz's default pad around the drawing, points
GRAPH_BB = re.compile(rb'^\s*graph \[bb="([\d.]+),([\d.]+),([\d.]+),([\d.]+)"', re.M)


def drawing_size(path: str, source: bytes) -> tuple[float, float]:
    """The drawing's width and height in points, pad included."""
    found = GRAPH_BB.search(source) or GRAPH_BB.search(run_dot(path, source, "dot"))
    if found is None:
        raise DiagramError(path, "pdf", "no bounding box in the layout")
    x0, y0, x1, y1 = (float(v) for v in found.groups())
    return x1 - x0 + 2 * PAD, y1 - y0 + 2 * PAD


def page_options(path: str, source: bytes) -> list[str]:
    """``dot`` options drawing source on one A3 landscape page, shrunk to fit if larger."""
    width, height = drawing_size(path, source)
    zoom = min(1.0, (PAGE[0] - 2 * PAGE_MARGIN) / width, (PAGE[1] - 2 * PAGE_MARGIN) / height)
    return ["-Gmargin=0", f"-Gviewport={PAGE[0]},{PAGE[1]},{zoom:.6f}"]


# --- SVG in batches ---------------------------------------------------------------------
# One ``dot -Tsvg`` run lays out every graph of its input and writes one SVG document per
# graph, which saves most of the process start and font set-up of a run per diagram. The
# documents are what one run per graph writes, except that dot names the root group of every
# graph after the first as if it were on a later page ("page0,1_graph0"); that id is put
# back. Sources are assumed to hold one graph each (as render_dot writes them).

SVG_BATCH = 64  # graphs per dot run, at most
SVG_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
PAGED_ROOT = re.compile(rb'<g id="page\d+,\d+_(graph\d+)" class="graph"')


def split_svgs(output: bytes, count: int) -> list[bytes] | None:
    """The count SVG documents of one dot run, each as a run of its own writes it; None when
    the output is not exactly count documents."""
    parts = output.split(SVG_DECL)
    if len(parts) != count + 1 or parts[0]:
        return None
    return [PAGED_ROOT.sub(rb'<g id="\1" class="graph"', SVG_DECL + p, count=1) for p in parts[1:]]


def render_svg_batch(batch: list[tuple[str, bytes]]) -> list[bytes]:
    """The SVGs of these (path, DOT source) pairs from one dot run. If that run fails or its
    output does not split, one run per source, so that a failure names its diagram."""
    if len(batch) > 1:
        try:
            output = run_dot(batch[0][0], b"\n".join(src for _, src in batch), "svg")
        except DiagramError:
            output = b""
        found = split_svgs(output, len(batch))
        if found is not None:
            return found
    return [render_image(path, src, "svg") for path, src in batch]


def batches(paths: list[str], jobs: int, size: int = SVG_BATCH) -> list[list[str]]:
    """paths in order, cut into at least min(jobs, len(paths)) runs of at most size, as even
    as possible."""
    if not paths:
        return []
    count = max(min(jobs, len(paths)), -(-len(paths) // size))
    step, extra = divmod(len(paths), count)
    bounds = [i * step + min(i, extra) for i in range(count + 1)]
    return [paths[a:b] for a, b in pairwise(bounds)]


PDF_DATE = re.compile(rb"/CreationDate \(D:\d{14}Z\)")


def build_stamp() -> str:
    """SOURCE_DATE_EPOCH as a PDF date (YYYYMMDDHHMMSS), else the Unix epoch: no wall clock."""
    try:
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    except ValueError:
        epoch = 0
    return dt.datetime.fromtimestamp(max(epoch, 0), dt.UTC).strftime("%Y%m%d%H%M%S")


def fixed_pdf_date(pdf: bytes) -> bytes:
    """Cairo stamps PDFs with the current time; replace it (same length, offsets stay valid)."""
    stamp = f"/CreationDate (D:{build_stamp()}Z)".encode()
    return PDF_DATE.sub(lambda _: stamp, pdf)


Task = tuple[list[tuple[str, str]], Callable[[], list[bytes]]]  # (path, fmt) made, and how


def image_tasks(dot_files: dict[str, bytes], formats: frozenset[str], jobs: int) -> list[Task]:
    """SVG runs of several sources (batches), then a run per source for PNG and PDF."""
    paths = sorted(p for p in dot_files if p.endswith(".dot"))
    tasks: list[Task] = []
    if "svg" in formats:
        for group in batches(paths, jobs):
            pairs = [(p, dot_files[p]) for p in group]
            tasks.append(([(p, "svg") for p in group], functools.partial(render_svg_batch, pairs)))
    for path in paths:
        for fmt in IMAGE_FORMATS:
            if fmt != "svg" and fmt in formats:
                run = functools.partial(render_image, path, dot_files[path], fmt)
                tasks.append(([(path, fmt)], functools.partial(_as_list, run)))
    return tasks


def render_images(
    dot_files: dict[str, bytes], formats: frozenset[str], jobs: int
) -> dict[str, bytes]:
    """Draw each .dot source in each of svg/png/pdf present in formats, ``jobs`` runs at a
    time (SVGs several sources per run, see render_svg_batch), keyed in path then format order.

    Of the failures found when the first run fails, the one of the first path (svg before
    png before pdf) is raised, a DiagramError naming that diagram.
    """
    tasks = image_tasks(dot_files, formats, jobs)
    if not tasks:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(run) for _, run in tasks]
        wait(futures, return_when="FIRST_EXCEPTION")
        failed = [e for f in futures if (e := _failure(f)) is not None]
        if failed:
            for f in futures:
                f.cancel()
            raise min(failed, key=_failure_order)
        made = {
            made_as: image
            for (outputs, _), f in zip(tasks, futures, strict=True)
            for made_as, image in zip(outputs, f.result(), strict=True)
        }
    return {image_path(path, fmt): made[(path, fmt)] for path, fmt in sorted(made, key=_order)}


def _as_list(run: Callable[[], bytes]) -> list[bytes]:
    return [run()]


def _failure(future: Future[list[bytes]]) -> BaseException | None:
    return future.exception() if future.done() and not future.cancelled() else None


def _order(made: tuple[str, str]) -> tuple[str, int]:
    return made[0], IMAGE_FORMATS.index(made[1])


def _failure_order(exc: BaseException) -> tuple[str, int]:
    return _order((exc.path, exc.fmt)) if isinstance(exc, DiagramError) else ("", -1)
