"""Lead overlay: the counts of a lead judgment laid over the journey map and funnel diagram.

`overlay(graph, summary)` turns the graph and the summary of toolkit.leads.judge into plain
data (JSON-ready, documented in docs/QUALIFICATION.md, "Overlay"):

    {
      "as_of": "2026-06-29 12:30:00" | null,
      "total": 16,                                  # judged leads
      "segments": ["ma-adopted", "no-ma"],
      "stages": {stage_id: {"count": n, "by_segment": {segment: n}}},       # customer stages
      "steps": {step_node_id: {"journey", "stage", "segment", "count"}},    # journey map cells
      "funnel_stages": {funnel_stage_id: {"lead_class": id | null, "count": n | null,
                                          "reached": n | null}},
      "transitions": [{"from_stage", "to_stage", "from_class", "to_class", "from_reached",
                       "to_reached", "rate": float | null, "handoff": bool,
                       "from_roles": [...], "to_roles": [...]}],   # consecutive funnel stages
      "uncovered": {stage_id: {segment: n}}     # prospects with no content at their stage
    }

A funnel stage's `count` is the number of leads whose lead class is the stage's
`lead_class`; `reached` counts those at that class or deeper. The conversion of a step from
funnel stage A to B is reached(B's class) / reached(A's class); null when either stage has no
lead class the rules judge. `handoff` is true where the owners change (a handoff edge).

`stage_badges`, `step_badges` and `transition_labels` give short display strings for the
HTML and diagram renderers; `render_overlay_html` a standalone, escaped HTML fragment;
`render_leads_overlay` the build's files (`data/leads-overlay.json`, `leads.html`).
"""

from __future__ import annotations

import html
import json
from itertools import pairwise
from typing import Any

import networkx as nx

from toolkit.graph import nid, nodes_of
from toolkit.renderers.common import RenderOptions, label_of, ordered

NO_SEGMENT = "(none)"
GAP = ' class="gap"'
HANDOFF = ' class="handoff"'


def overlay(graph: nx.MultiDiGraph, summary: dict[str, Any]) -> dict[str, Any]:
    """Per-stage volumes and per-transition conversion, as plain data."""
    stages = {s["id"]: {"count": s["count"], "by_segment": dict(s["by_segment"])}
              for s in summary["stages"]}
    classes = {c["id"]: c for c in summary["lead_classes"]}
    funnel: dict[str, dict[str, Any]] = {}
    fs_nodes = ordered(graph, "funnel_stage")
    for _, data in fs_nodes:
        lc = data.get("lead_class")
        known = classes.get(lc) if lc else None
        funnel[data["ref"]] = {
            "lead_class": lc,
            "count": known["count"] if known else None,
            "reached": known["reached"] if known else None,
        }
    handoffs = {(d["from_stage"], d["to_stage"]) for _, _, d in graph.edges(data=True)
                if d["type"] == "handoff"}
    transitions = []
    for (_, a), (_, b) in pairwise(fs_nodes):
        fa, fb = funnel[a["ref"]], funnel[b["ref"]]
        rate = None
        if fa["reached"] and fb["reached"] is not None and fa["lead_class"] != fb["lead_class"]:
            rate = round(fb["reached"] / fa["reached"], 4)
        transitions.append({
            "from_stage": a["ref"], "to_stage": b["ref"],
            "from_class": fa["lead_class"], "to_class": fb["lead_class"],
            "from_reached": fa["reached"], "to_reached": fb["reached"], "rate": rate,
            "handoff": (a["ref"], b["ref"]) in handoffs,
            "from_roles": list(a["owners"]), "to_roles": list(b["owners"]),
        })
    steps = {}
    for node, data in nodes_of(graph, "step"):
        segment = graph.nodes[nid("journey", data["journey"])].get("segment") or NO_SEGMENT
        by_seg = stages.get(data["stage"], {}).get("by_segment", {})
        steps[node] = {"journey": data["journey"], "stage": data["stage"], "segment": segment,
                       "count": int(by_seg.get(segment, 0))}
    uncovered: dict[str, dict[str, int]] = {}
    for gap in summary.get("uncovered", []):
        uncovered.setdefault(gap["stage"], {})[gap["segment"]] = gap["leads"]
    return {
        "as_of": summary.get("as_of"),
        "total": summary["input"]["leads"]["judged"],
        "segments": list(summary.get("segments", [])),
        "stages": stages,
        "steps": steps,
        "funnel_stages": funnel,
        "transitions": transitions,
        "uncovered": uncovered,
    }


def lead_count_text(n: int, lang: str) -> str:
    """'12 leads' / '12件'."""
    return _leads(n, lang)


def _leads(n: int, lang: str) -> str:
    return f"{n:,}件" if lang == "ja" else f"{n:,} lead{'s' if n != 1 else ''}"


def stage_badges(data: dict[str, Any], lang: str) -> dict[str, str]:
    """Customer stage id -> '12 leads' (all segments)."""
    return {sid: _leads(s["count"], lang) for sid, s in data["stages"].items()}


def step_badges(data: dict[str, Any], lang: str) -> dict[str, str]:
    """Journey step node id -> '5 leads' (the journey's segment at that stage)."""
    return {node: _leads(s["count"], lang) for node, s in data["steps"].items()}


def transition_labels(data: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(from funnel stage, to funnel stage) -> '7/11 = 63.6%' where a conversion is known."""
    out = {}
    for t in data["transitions"]:
        if t["rate"] is not None:
            out[(t["from_stage"], t["to_stage"])] = (
                f"{t['to_reached']:,}/{t['from_reached']:,} = {t['rate']:.1%}"
            )
    return out


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


WORDS = {
    "en": ("Leads on the journey", "as of", "customer stage", "total", "funnel stage",
           "lead class", "leads", "reached", "conversion", "handoff",
           "shaded: prospects who get no content at that stage"),
    "ja": ("リードの分布", "基準日時", "顧客ステージ", "合計", "ファネル段階", "リード分類",
           "件数", "到達", "転換率", "部門間の引き継ぎ",
           "網掛け：そのステージで届くコンテンツがない見込み客"),
}


def _labels(graph: nx.MultiDiGraph, kind: str, lang: str) -> dict[str, str]:
    return {d["ref"]: label_of(d, lang) for _, d in nodes_of(graph, kind)}


def render_overlay_html(graph: nx.MultiDiGraph, data: dict[str, Any], lang: str) -> str:
    """A standalone HTML fragment: stage volumes per segment and funnel conversion."""
    w = WORDS.get(lang, WORDS["en"])
    segs = data["segments"]
    seg_label, cls_label = _labels(graph, "segment", lang), _labels(graph, "lead_class", lang)
    fs_label = _labels(graph, "funnel_stage", lang)
    head = "".join(f"<th>{_e(seg_label.get(s, s))}</th>" for s in segs)
    rows = []
    for _, sdata in ordered(graph, "stage"):
        st = data["stages"].get(sdata["ref"], {"count": 0, "by_segment": {}})
        gaps = data["uncovered"].get(sdata["ref"], {})
        cells = "".join(
            f"<td{GAP if gaps.get(s) else ''}>{st['by_segment'].get(s, 0):,}</td>" for s in segs
        )
        rows.append(f"<tr><th scope=\"row\">{_e(label_of(sdata, lang))}</th>"
                    f"<td>{st['count']:,}</td>{cells}</tr>")
    funnel = []
    for _, fdata in ordered(graph, "funnel_stage"):
        f = data["funnel_stages"].get(fdata["ref"], {})
        lc = f.get("lead_class")
        count = "" if f.get("count") is None else f"{f['count']:,}"
        reached = "" if f.get("reached") is None else f"{f['reached']:,}"
        funnel.append(f"<tr><th scope=\"row\">{_e(label_of(fdata, lang))}</th>"
                      f"<td>{_e(cls_label.get(lc, lc) if lc else '')}</td><td>{count}</td>"
                      f"<td>{reached}</td></tr>")
    labels = transition_labels(data)
    conv = "".join(
        f"<li{HANDOFF if t['handoff'] else ''}>{_e(fs_label.get(t['from_stage']))} &rarr; "
        f"{_e(fs_label.get(t['to_stage']))}: {_e(labels[(t['from_stage'], t['to_stage'])])}"
        f"{' (' + _e(w[9]) + ')' if t['handoff'] else ''}</li>"
        for t in data["transitions"] if (t["from_stage"], t["to_stage"]) in labels
    )
    return (
        f"<section class=\"leads-overlay\"><h2>{_e(w[0])}</h2><p class=\"as-of\">{_e(w[1])} "
        f"{_e(data['as_of'] or '-')}: {_leads(data['total'], lang)}</p>"
        f"<table class=\"stage-volume\"><thead><tr><th>{_e(w[2])}</th><th>{_e(w[3])}</th>"
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table><p class=\"note\">"
        f"{_e(w[10])}</p><table class=\"funnel-volume\"><thead><tr><th>{_e(w[4])}</th>"
        f"<th>{_e(w[5])}</th><th>{_e(w[6])}</th><th>{_e(w[7])}</th></tr></thead>"
        f"<tbody>{''.join(funnel)}</tbody></table><h3>{_e(w[8])}</h3>"
        f"<ul class=\"conversion\">{conv}</ul></section>"
    )


PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin:1em 0}}
th,td{{border:1px solid #ccc;padding:.3em .6em;text-align:right}}th[scope=row]{{text-align:left}}
td.gap{{background:#fde2e2}}li.handoff{{font-weight:bold}}</style></head>
<body>{body}</body></html>
"""


def render_leads_overlay(graph: nx.MultiDiGraph, summary: dict[str, Any],
                         options: RenderOptions) -> dict[str, bytes]:
    """The build's overlay files: the data as JSON and a standalone page."""
    data = overlay(graph, summary)
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    page = PAGE.format(lang=_e(options.lang), title=_e("leads"),
                       body=render_overlay_html(graph, data, options.lang))
    return {"data/leads-overlay.json": (text + "\n").encode("utf-8"),
            "leads.html": page.encode("utf-8")}
