"""Graphviz renderer: DOT sources for the diagrams and images drawn by the system ``dot``.

``render_dot`` returns ``diagrams/<journey>.dot`` for each journey (built in
toolkit.renderers.diagrams, which also holds the label safety rules) plus
``diagrams/funnel.dot`` and ``diagrams/overview.dot`` (built here); all UTF-8.
``render_images`` runs ``dot -T<fmt>`` (no shell, DOT on stdin) for each source and format.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import PurePosixPath
from typing import Any

import networkx as nx

from toolkit.graph import nid, nodes_of
from toolkit.renderers.common import RenderOptions, label_of, ordered, step_flags
from toolkit.renderers.diagrams import (
    JOURNEY_EDGES,
    dot_label,
    journey_dot,
    journey_shared,
    new_digraph,
    ref_label,
    role_fills,
    word,
)
from toolkit.renderers.dot_syntax import Edge, Ids, chain, edges_by_type
from toolkit.renderers.leads_overlay import lead_count_text, transition_labels

IMAGE_FORMATS = ("svg", "png", "pdf")
DOT_TIMEOUT = 120  # seconds per image
RESERVED = frozenset({"funnel", "overview"})
STDERR_LINES = 20
FUNNEL_EDGES = ("lead_class_next", "funnel_next", "lead_class", "owns", "handoff")
OVERVIEW_EDGES = ("stage_next", "funnel_next", "serves")


class DiagramError(RuntimeError):
    """The system ``dot`` could not draw one diagram."""

    def __init__(self, path: str, fmt: str, detail: str) -> None:
        self.path = path
        self.fmt = fmt
        self.detail = detail
        super().__init__(f"graphviz 'dot -T{fmt}' failed on {path}: {detail}")


# --- funnel -----------------------------------------------------------------------------


def funnel_dot(
    g: nx.MultiDiGraph,
    lang: str,
    overlay: Mapping[str, Any] | None = None,
    edges: dict[str, list[Edge]] | None = None,
) -> str:
    """Lead classes over funnel stages over roles; owner lines and role-to-role handoffs.

    With a leads overlay, funnel stages show their lead volume and handoffs their conversion.
    edges has (at least) the FUNNEL_EDGES types of edges_by_type (computed when missing).
    """
    edges = edges_by_type(g, FUNNEL_EDGES) if edges is None else edges
    volumes = funnel_volumes(overlay, lang) if overlay else {}
    rates = transition_labels(dict(overlay)) if overlay else {}
    dg = new_digraph("funnel", word("funnel", lang), "TB")
    ids = Ids()
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
        with dg.subgraph(name=f"row_{kind}") as sub:
            if kind != "role":
                sub.attr(rank="same")
            for node, data in nodes:
                extra = {"fillcolor": fills[node]} if kind == "role" else {}
                text = label_of(data, lang)
                if kind == "funnel_stage" and data["ref"] in volumes:
                    text = f"{text} ({volumes[data['ref']]})"
                sub.node(
                    ids(node),
                    dot_label(text),
                    **{**attrs, **extra},
                    **{"class": kind},
                )
        if next_kind:
            for u, v, _, _ in edges.get(next_kind, ()):
                dg.edge(ids(u), ids(v), penwidth="2", **{"class": next_kind})
    for u, v, _, d in _of_types(g, edges, ("lead_class", "owns")):
        dg.edge(ids(v), ids(u), style="dotted", dir="none", **{"class": d["type"]})
    for u, v, _key, d in _handoffs(g, edges):
        label = "{} → {}".format(
            ref_label(g, nid("funnel_stage", d["from_stage"]), lang),
            ref_label(g, nid("funnel_stage", d["to_stage"]), lang),
        )
        if (d["from_stage"], d["to_stage"]) in rates:
            label += " " + rates[(d["from_stage"], d["to_stage"])]
        dg.edge(
            ids(u),
            ids(v),
            label=dot_label(label, width=24),
            color="#b04a00",
            fontcolor="#b04a00",
            penwidth="1.5",
            **{"class": "handoff"},
        )
    return dg.source


def funnel_volumes(overlay: Mapping[str, Any], lang: str) -> dict[str, str]:
    """Funnel stage id -> lead volume text, for stages whose lead class has a count."""
    return {
        ref: lead_count_text(fs["reached"], lang)
        for ref, fs in overlay["funnel_stages"].items()
        if fs.get("reached") is not None
    }


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


def _handoffs(g: nx.MultiDiGraph, edges: dict[str, list[Edge]]) -> list[Edge]:
    order = {n: d["order"] for n, d in ordered(g, "funnel_stage")}
    found = list(edges.get("handoff", ()))
    return sorted(
        found,
        key=lambda e: (order.get(nid("funnel_stage", e[3]["from_stage"]), 0), e[2], e[0], e[1]),
    )


# --- overview ---------------------------------------------------------------------------


def overview_dot(g: nx.MultiDiGraph, lang: str, edges: dict[str, list[Edge]] | None = None) -> str:
    """Customer stages (top row) against funnel stages (bottom row): which serves which.

    edges has (at least) the OVERVIEW_EDGES types of edges_by_type (computed when missing).
    """
    edges = edges_by_type(g, OVERVIEW_EDGES) if edges is None else edges
    dg = new_digraph("overview", word("overview", lang), "TB")
    ids = Ids()
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
        with dg.subgraph(name=f"row_{kind}") as sub:
            sub.attr(rank="same")
            sub.node(
                ids(f"head:{kind}"),
                dot_label(word(head, lang)),
                shape="plaintext",
                style="solid",
                fontsize="13",
                **{"class": "lane"},
            )
            for node, data in ordered(g, kind):
                sub.node(ids(node), dot_label(label_of(data, lang)), **attrs, **{"class": kind})
        heads.append(ids(f"head:{kind}"))
        first = ordered(g, kind)[:1]
        if first:
            dg.edge(ids(f"head:{kind}"), ids(first[0][0]), style="invis")
        for u, v, _, _ in edges.get(next_kind, ()):
            dg.edge(ids(u), ids(v), penwidth="2", **{"class": next_kind})
    chain(dg, heads, style="invis")
    for u, v, _, _ in edges.get("serves", ()):
        dg.edge(ids(v), ids(u), dir="back", color="#1f5fa8", **{"class": "serves"})
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


def render_dot(graph: nx.MultiDiGraph, options: RenderOptions) -> dict[str, bytes]:
    lang = options.lang
    edges = edges_by_type(graph, (*FUNNEL_EDGES, *OVERVIEW_EDGES, *JOURNEY_EDGES))
    out: dict[str, bytes] = {
        "diagrams/funnel.dot": funnel_dot(graph, lang, options.overlay, edges).encode("utf-8"),
        "diagrams/overview.dot": overview_dot(graph, lang, edges).encode("utf-8"),
    }
    shared = journey_shared(graph, step_flags(graph), edges)
    for ref, path in journey_diagram_paths(graph).items():
        out[path] = journey_dot(graph, ref, lang, shared=shared).encode("utf-8")
    return dict(sorted(out.items()))


def dot_available() -> bool:
    return shutil.which("dot") is not None


def image_path(dot_path: str, fmt: str) -> str:
    return str(PurePosixPath(dot_path).with_suffix(f".{fmt}"))


def render_image(path: str, source: bytes, fmt: str) -> bytes:
    """One image from one DOT source; DiagramError with dot's stderr on any failure."""
    exe = shutil.which("dot")
    if exe is None:
        raise DiagramError(path, fmt, "the 'dot' executable is not on PATH (install graphviz)")
    try:
        done = subprocess.run(
            [exe, f"-T{fmt}"],
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
    return fixed_pdf_date(done.stdout) if fmt == "pdf" else done.stdout


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


def render_images(
    dot_files: dict[str, bytes], formats: frozenset[str], jobs: int
) -> dict[str, bytes]:
    """Draw each .dot source in each of svg/png/pdf present in formats, ``jobs`` at a time."""
    tasks = [
        (path, fmt)
        for path in sorted(dot_files)
        if path.endswith(".dot")
        for fmt in IMAGE_FORMATS
        if fmt in formats
    ]
    if not tasks:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures: list[Future[bytes]] = [
            pool.submit(render_image, path, dot_files[path], fmt) for path, fmt in tasks
        ]
        wait(futures, return_when="FIRST_EXCEPTION")
        failed = next((f for f in futures if f.done() and f.exception() is not None), None)
        if failed is not None:
            for f in futures:
                f.cancel()
            raise failed.exception()  # type: ignore[misc]
        return {
            image_path(path, fmt): f.result() for (path, fmt), f in zip(tasks, futures, strict=True)
        }
