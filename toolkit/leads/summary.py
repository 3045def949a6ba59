"""The summary of a lead judgment: counts per lead class and customer stage per segment,
conversion between consecutive lead classes, the buy-now / someday split of prospects, the
prospects that get no content at their stage, and the prospects ready for handoff. Plain
data (JSON-ready); see docs/QUALIFICATION.md for its shape.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import duckdb
import networkx as nx

from toolkit.analyses.warnings import step_coverage
from toolkit.graph.build import nid, nodes_of
from toolkit.leads.handoff import handoff_lines, handoff_summary
from toolkit.leads.io import IGNORED, REJECTED, Problem

if TYPE_CHECKING:
    from toolkit.leads.rules import RuleSet

NO_SEGMENT = "(none)"
MAX_IDS = 50


def _label(graph: nx.MultiDiGraph, node: str, fallback: str) -> str:
    if node not in graph:
        return fallback
    label = graph.nodes[node].get("label")
    if isinstance(label, dict):
        lang = graph.graph.get("language", "en")
        return str(label.get(lang) or label.get("en") or next(iter(label.values())))
    return str(label) if label else fallback


def _grouped(con: duckdb.DuckDBPyConnection, key: str) -> dict[tuple[Any, str], int]:
    rows = con.execute(
        f"SELECT {key}, coalesce(segment, '{NO_SEGMENT}'), count(*) FROM judged GROUP BY ALL"
    ).fetchall()
    return {(k, seg): int(n) for k, seg, n in rows}


def _input_counts(counts: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    rejected: Counter[str] = Counter()
    ignored: Counter[str] = Counter()
    seen: set[tuple[str, int]] = set()
    for p in problems:
        if p.effect == REJECTED and (p.file, p.row) not in seen:
            seen.add((p.file, p.row))
            rejected[p.file] += 1
        elif p.effect == IGNORED:
            ignored[p.file] += 1
    out: dict[str, Any] = {"leads": dict(counts["leads"]), "events": counts.get("events")}
    out["rejected_rows"] = dict(rejected)
    out["ignored_values"] = dict(ignored)
    out["rejected_total"] = sum(rejected.values())
    out["ignored_total"] = sum(ignored.values())
    return out


def _classes(
    con: duckdb.DuckDBPyConnection, rules: RuleSet, graph: nx.MultiDiGraph, segments: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    grouped = _grouped(con, "class_idx")
    out = []
    for i, cid in enumerate(rules.classes):
        by_seg = {s: grouped.get((i, s), 0) for s in segments}
        reached = sum(n for (k, _), n in grouped.items() if k >= i)
        reached_seg = {
            s: sum(n for (k, s2), n in grouped.items() if k >= i and s2 == s) for s in segments
        }
        out.append(
            {
                "id": cid,
                "label": _label(graph, nid("lead_class", cid), cid),
                "count": sum(by_seg.values()),
                "by_segment": by_seg,
                "reached": reached,
                "reached_by_segment": reached_seg,
            }
        )
    conversion = []
    for a, b in zip(out, out[1:], strict=False):
        conversion.append(
            {
                "from": a["id"],
                "to": b["id"],
                "from_reached": a["reached"],
                "to_reached": b["reached"],
                "rate": _rate(b["reached"], a["reached"]),
                "by_segment": {
                    s: _rate(b["reached_by_segment"][s], a["reached_by_segment"][s])
                    for s in segments
                },
            }
        )
    unclassified = sum(n for (k, _), n in grouped.items() if k < 0)
    return out, conversion, unclassified


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _stages(
    con: duckdb.DuckDBPyConnection, graph: nx.MultiDiGraph, segments: list[str]
) -> tuple[list[dict[str, Any]], int]:
    grouped = _grouped(con, "stage")
    out = []
    for _, data in sorted(nodes_of(graph, "stage"), key=lambda n: n[1]["order"]):
        sid = data["ref"]
        by_seg = {s: grouped.get((sid, s), 0) for s in segments}
        out.append(
            {
                "id": sid,
                "label": _label(graph, nid("stage", sid), sid),
                "count": sum(by_seg.values()),
                "by_segment": by_seg,
            }
        )
    unplaced = sum(n for (k, _), n in grouped.items() if k is None)
    return out, unplaced


def content_at(graph: nx.MultiDiGraph, stage: str, segment: str | None) -> list[str]:
    """Published content a buyer at this stage and segment gets: items that target both
    (items without segments target all), and items named by actions at such journey steps."""
    found: set[str] = set()
    for node, data in nodes_of(graph, "content"):
        if data.get("status") != "published":
            continue
        stages = {
            graph.nodes[v]["ref"]
            for _, v, d in graph.out_edges(node, data=True)
            if d["type"] == "targets_stage"
        }
        segs = data.get("segments")
        if stage in stages and (segs is None or (segment is not None and segment in segs)):
            found.add(data["ref"])
    for cov in step_coverage(graph):
        if cov.stage == stage and cov.segment == segment:
            found.update(cov.items)
    return sorted(found)


def _uncovered(
    con: duckdb.DuckDBPyConnection, rules: RuleSet, graph: nx.MultiDiGraph
) -> tuple[list[dict[str, Any]], int, int]:
    p = rules.class_index(rules.doc.prospect())
    rows = con.execute(
        "SELECT stage, segment, count(*), list(id ORDER BY _row)[1:$n] FROM judged "
        "WHERE class_idx >= $p GROUP BY ALL ORDER BY min(_row)",
        {"p": p, "n": MAX_IDS},
    ).fetchall()
    out, unplaced, total = [], 0, 0
    for stage, segment, n, ids in rows:
        if stage is None:
            unplaced += int(n)
            continue
        if content_at(graph, stage, segment):
            continue
        total += int(n)
        out.append(
            {
                "stage": stage,
                "segment": segment or NO_SEGMENT,
                "leads": int(n),
                "lead_ids": list(ids),
            }
        )
    return out, total, unplaced


def summarise(
    con: duckdb.DuckDBPyConnection,
    rules: RuleSet,
    graph: nx.MultiDiGraph,
    counts: dict[str, Any],
    problems: list[Problem],
) -> dict[str, Any]:
    present = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT coalesce(segment, $n) FROM judged", {"n": NO_SEGMENT}
        ).fetchall()
    }
    segments = [d["ref"] for _, d in nodes_of(graph, "segment")]
    segments += [NO_SEGMENT] if NO_SEGMENT in present or not segments else []
    classes, conversion, unclassified = _classes(con, rules, graph, segments)
    stages, unplaced = _stages(con, graph, segments)
    p = rules.class_index(rules.doc.prospect())
    row = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE buy_now), count(*) FILTER (WHERE NOT buy_now) "
        "FROM judged WHERE class_idx >= $p",
        {"p": p},
    ).fetchone()
    n_prospects, buy_now, someday = (int(x) for x in row) if row else (0, 0, 0)
    ranks = dict(
        con.execute(
            "SELECT rank, count(*) FROM judged WHERE rank IS NOT NULL GROUP BY rank"
        ).fetchall()
    )
    horizon = con.execute(
        "SELECT count(*) FILTER (WHERE buy_now), count(*) FILTER (WHERE NOT buy_now) FROM judged"
    ).fetchone() or (0, 0)
    uncovered, uncovered_n, unplaced_prospects = _uncovered(con, rules, graph)
    return {
        "as_of": counts.get("as_of"),
        "columns": counts.get("columns", {}),
        "input": _input_counts(counts, problems),
        "segments": segments,
        "lead_classes": classes,
        "unclassified": unclassified,
        "conversion": conversion,
        "stages": stages,
        "unplaced": unplaced,
        "ranks": {r.id: int(ranks.get(r.id, 0)) for r in rules.doc.ranks},
        "horizon": {"buy_now": int(horizon[0]), "someday": int(horizon[1])},
        "prospects": {
            "class": rules.doc.prospect(),
            "count": n_prospects,
            "buy_now": buy_now,
            "someday": someday,
            "someday_share": _rate(someday, n_prospects),
            "unplaced": unplaced_prospects,
        },
        "uncovered": uncovered,
        "uncovered_prospects": uncovered_n,
        "handoff": handoff_summary(con, p, segments, NO_SEGMENT),
    }


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """The summary as short text lines for a terminal."""
    inp = summary["input"]
    leads = inp["leads"]
    lines = [
        f"as of {summary['as_of'] or '(no events)'}: {leads['judged']} of {leads['rows']} "
        f"lead rows judged"
    ]
    ev = inp.get("events")
    if ev:
        lines.append(
            f"events: {ev['rows']} rows, {ev['scored']} scored, "
            f"{ev['after_as_of']} after the as-of moment, {ev['expired']} too old"
        )
    if inp["rejected_total"] or inp["ignored_total"]:
        lines.append(
            f"problems: {inp['rejected_total']} row(s) rejected, "
            f"{inp['ignored_total']} value(s) ignored"
        )
    segs = summary["segments"]
    head = "  ".join(f"{s:>10}" for s in segs)
    lines.append(f"{'lead class':<16}{'total':>7}  {head}")
    for c in summary["lead_classes"]:
        cells = "  ".join(f"{c['by_segment'][s]:>10}" for s in segs)
        lines.append(f"{c['id']:<16}{c['count']:>7}  {cells}")
    if summary["unclassified"]:
        lines.append(f"{'(no class)':<16}{summary['unclassified']:>7}")
    for conv in summary["conversion"]:
        rate = "-" if conv["rate"] is None else f"{conv['rate']:.1%}"
        lines.append(
            f"  {conv['from']} -> {conv['to']}: {conv['to_reached']}/"
            f"{conv['from_reached']} = {rate}"
        )
    lines.append(f"{'customer stage':<24}{'total':>7}  {head}")
    for s in summary["stages"]:
        cells = "  ".join(f"{s['by_segment'][g]:>10}" for g in segs)
        lines.append(f"{s['id']:<24}{s['count']:>7}  {cells}")
    if summary["unplaced"]:
        lines.append(f"{'(not placed)':<24}{summary['unplaced']:>7}")
    pro = summary["prospects"]
    share = "-" if pro["someday_share"] is None else f"{pro['someday_share']:.1%}"
    lines.append(
        f"prospects ({pro['class']} and beyond): {pro['count']}; buy-now "
        f"{pro['buy_now']}, someday {pro['someday']} ({share})"
    )
    if summary["ranks"]:
        lines.append("ranks: " + ", ".join(f"{k} {v}" for k, v in summary["ranks"].items()))
    for gap in summary["uncovered"]:
        ids = ", ".join(gap["lead_ids"][:5]) + (" ..." if gap["leads"] > 5 else "")
        lines.append(
            f"no content: {gap['leads']} prospect(s) at {gap['stage']} / {gap['segment']} ({ids})"
        )
    lines.extend(handoff_lines(summary["handoff"]))
    lines.extend(f"note: {n}" for n in summary.get("notes", []))
    return lines
