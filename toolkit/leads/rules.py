"""Qualification rules compiled to SQL expressions over the judged-lead table.

The columns a condition may read are fixed names made by toolkit/leads/judge.py (never text from a
file or the YAML): `score`, `depth`, `n_events`, `k_<criterion>` (known), `v_<criterion>`
(the matched value), `tf_months`, `target`, `problem`, `segment` and, after the lead class is
judged, `class_idx`. Values from the YAML enter only as quoted string literals or numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from toolkit.leads.io import quote_text
from toolkit.model.qualification import (
    CRITERIA,
    DEFAULT_BUY_NOW,
    Condition,
    QualificationDoc,
    describe,
)


@dataclass(frozen=True)
class RuleSet:
    """Everything the engine needs from a qualification, in evaluation order."""

    doc: QualificationDoc
    classes: tuple[str, ...]  # listed lead classes in funnel order
    depths: tuple[str, ...]  # depth level ids, shallow to deep (level n is index n-1)
    problem_stage: dict[str, str]  # problem state -> first customer stage with that state

    @property
    def lead_time(self) -> float:
        return self.doc.sales.lead_time_months

    def class_index(self, class_id: str) -> int:
        return self.classes.index(class_id)

    def depth_index(self, depth_id: str) -> int:
        return self.depths.index(depth_id) + 1


def rule_set(
    doc: QualificationDoc, funnel_classes: Sequence[str], stages: Sequence[tuple[str, str | None]]
) -> RuleSet:
    """Order the document's classes by the funnel; map problem states to stages."""
    listed = {c.id for c in doc.classes}
    ordered = [c for c in funnel_classes if c in listed]
    ordered += [c.id for c in doc.classes if c.id not in ordered]
    problem_stage: dict[str, str] = {}
    for stage_id, problem in stages:
        if problem is not None:
            problem_stage.setdefault(problem, stage_id)
    depths = tuple(d.id for d in doc.marketing.depth_levels)
    return RuleSet(doc, tuple(ordered), depths, problem_stage)


def _num(value: float) -> str:
    return repr(float(value))


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(quote_text(v) for v in values)})"


def condition_sql(cond: Condition, rules: RuleSet) -> str:
    """A SQL boolean expression that holds exactly when the condition holds."""
    parts: list[str] = []
    if cond.score_min is not None:
        parts.append(f"score >= {_num(cond.score_min)}")
    if cond.score_max is not None:
        parts.append(f"score <= {_num(cond.score_max)}")
    if cond.depth_min is not None:
        parts.append(f"depth >= {rules.depth_index(cond.depth_min)}")
    if cond.events_min is not None:
        parts.append(f"n_events >= {int(cond.events_min)}")
    parts.extend(f"k_{name}" for name in cond.known)
    if cond.known_min is not None:
        total = " + ".join(f"k_{name}::INTEGER" for name in CRITERIA)
        parts.append(f"({total}) >= {int(cond.known_min)}")
    if cond.values is not None:
        parts.extend(_in(f"v_{name}", values) for name, values in cond.values.items())
    if cond.target_role is not None:
        parts.append("target" if cond.target_role else "NOT target")
    if cond.timeframe_near is not None:
        near = f"coalesce(tf_months <= {_num(rules.lead_time)}, false)"
        parts.append(near if cond.timeframe_near else f"NOT {near}")
    if cond.problem:
        parts.append(_in("problem", cond.problem))
    if cond.segment:
        parts.append(_in("segment", cond.segment))
    if cond.class_min is not None:
        parts.append(f"class_idx >= {rules.class_index(cond.class_min)}")
    if cond.any:
        parts.append("(" + " OR ".join(condition_sql(s, rules) for s in cond.any) + ")")
    return "(" + " AND ".join(parts) + ")" if parts else "true"


def class_sql(rules: RuleSet) -> tuple[str, str]:
    """`class_idx` (-1: no rule holds) and its reason; the deepest class whose rule holds wins."""
    by_id = {c.id: c for c in rules.doc.classes}
    idx, why = [], []
    for i in reversed(range(len(rules.classes))):
        rule = by_id[rules.classes[i]]
        cond = condition_sql(rule.when, rules)
        text = f"class {rule.id}: {describe(rule.when, rules.lead_time)}"
        idx.append(f"WHEN {cond} THEN {i}")
        why.append(f"WHEN {cond} THEN {quote_text(text)}")
    none = quote_text("class: no class rule holds")
    return (f"CASE {' '.join(idx)} ELSE -1 END", f"CASE {' '.join(why)} ELSE {none} END")


def rank_sql(rules: RuleSet) -> tuple[str, str]:
    """`rank` (NULL: no rank rule holds) and its reason; the first rank listed that holds."""
    ranks = rules.doc.ranks
    if not ranks:
        return "CAST(NULL AS VARCHAR)", "CAST(NULL AS VARCHAR)"
    val, why = [], []
    for rank in ranks:
        cond = condition_sql(rank.when, rules)
        val.append(f"WHEN {cond} THEN {quote_text(rank.id)}")
        text = f"rank {rank.id}: {describe(rank.when, rules.lead_time)}"
        why.append(f"WHEN {cond} THEN {quote_text(text)}")
    return f"CASE {' '.join(val)} END", f"CASE {' '.join(why)} END"


def buy_now_sql(rules: RuleSet) -> tuple[str, str]:
    """`buy_now` (boolean) and its reason."""
    cond = rules.doc.buy_now if rules.doc.buy_now is not None else DEFAULT_BUY_NOW
    expr = condition_sql(cond, rules)
    text = describe(cond, rules.lead_time)
    yes = quote_text(f"buy-now: {text}")
    no = quote_text(f"someday: not ({text})")
    return expr, f"CASE WHEN {expr} THEN {yes} ELSE {no} END"


def stage_sql(rules: RuleSet) -> tuple[str, str]:
    """`stage` (NULL: not placed) and its reason; the first placement that yields a stage."""
    placements = rules.doc.placement
    if not placements:
        return "CAST(NULL AS VARCHAR)", "CAST(NULL AS VARCHAR)"
    val, why = [], []
    for n, p in enumerate(placements, start=1):
        cond = condition_sql(p.when, rules)
        when = "" if cond == "true" else f" if {describe(p.when, rules.lead_time)}"
        if p.stage is not None:
            target, label = quote_text(p.stage), f"stage {p.stage}: placement {n}{when}"
            why_target = quote_text(label)
        elif p.from_ == "answer":
            target = "stage_answer"
            tail = quote_text(f": answered (placement {n}{when})")
            why_target = f"'stage ' || stage_answer || {tail}"
        else:
            target = _problem_case(rules)
            why_target = (
                f"'stage ' || {target} || ': problem ' || problem || "
                f"{quote_text(f' (placement {n}{when})')}"
            )
        test = f"{cond} AND {target} IS NOT NULL"
        val.append(f"WHEN {test} THEN {target}")
        why.append(f"WHEN {test} THEN {why_target}")
    return f"CASE {' '.join(val)} END", f"CASE {' '.join(why)} ELSE 'stage: not placed' END"


def _problem_case(rules: RuleSet) -> str:
    if not rules.problem_stage:
        return "CAST(NULL AS VARCHAR)"
    arms = " ".join(
        f"WHEN {quote_text(p)} THEN {quote_text(s)}" for p, s in rules.problem_stage.items()
    )
    return f"(CASE problem {arms} END)"
