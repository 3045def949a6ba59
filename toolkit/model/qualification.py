"""Qualification: the `kind: qualification` document (prospect judgment rules, see
docs/QUALIFICATION.md) and the cross-check of its references against the project.

The rules are designed up front, as the seeds ask: sales criteria (BANT + C, target contact,
the product's lead time), marketing signals from shallow to deep with points and decay, lead
classes with entry rules, A/B/C ranks, the buy-now / someday split, the placement of a
judged lead on a customer stage and the columns of what sales wants to know at handoff.
toolkit/leads/judge.py applies them to real lead data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, Protocol

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from toolkit.common.diagnostics import Diagnostic, Location, did_you_mean, error, warning
from toolkit.load.sources import Document, parse_documents
from toolkit.model.entry import Entry
from toolkit.model.models import (
    BuyingRole,
    Label,
    LeadClass,
    Model,
    PersonaDoc,
    ProblemState,
    Ref,
    RefList,
    Segment,
    Slug,
    Stage,
    Text,
    TextList,
)
from toolkit.model.validation import convert


class ProjectView(Protocol):
    """What the cross-check reads of a project (toolkit.model.project.Project has it)."""

    lead_classes: list[Entry[LeadClass]]
    stages: list[Entry[Stage]]
    segments: list[Entry[Segment]]
    personas: list[Entry[PersonaDoc]]


CRITERIA = ("budget", "authority", "need", "timeframe", "competitor")
CRITERION_LETTERS = {
    "budget": "B",
    "authority": "A",
    "need": "N",
    "timeframe": "T",
    "competitor": "C",
}
Criterion = Literal["budget", "authority", "need", "timeframe", "competitor"]
CriterionList = Annotated[
    list[Criterion], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)
]
BuyingRoleList = Annotated[
    list[BuyingRole], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)
]
ProblemList = Annotated[
    list[ProblemState], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)
]
RankId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
Points = Annotated[float, Field(ge=-1000, le=1000)]
Days = Annotated[float, Field(gt=0, le=36500)]


# --- sales judgment: BANT + C ------------------------------------------------------------------


class CriterionValue(Model):
    value: Text
    label: Label | None = None
    aliases: TextList = []
    points: Points = 0
    known: bool = True
    months: Annotated[float, Field(ge=0, le=1200)] | None = None


class CriterionSpec(Model):
    label: Label | None = None
    values: list[CriterionValue] = Field(min_length=1)
    description: Text | None = None


class Criteria(Model):
    budget: CriterionSpec | None = None
    authority: CriterionSpec | None = None
    need: CriterionSpec | None = None
    timeframe: CriterionSpec | None = None
    competitor: CriterionSpec | None = None

    def items(self) -> Iterator[tuple[str, CriterionSpec]]:
        for name in CRITERIA:
            spec = getattr(self, name)
            if spec is not None:
                yield name, spec


class Sales(Model):
    lead_time_months: Annotated[float, Field(gt=0, le=1200)]
    target_roles: BuyingRoleList = []
    role_values: dict[str, BuyingRole] = {}
    criteria: Criteria = Criteria()


# --- marketing judgment: signals from shallow to deep -----------------------------------------


class DepthLevel(Model):
    id: Slug
    label: Label | None = None
    min_events: Annotated[int, Field(ge=2, le=1000)] | None = None
    description: Text | None = None


class Signal(Model):
    id: Slug
    label: Label | None = None
    aliases: TextList = []
    points: Points = 0
    depth: Ref | None = None
    half_life_days: Days | None = None
    description: Text | None = None


class Decay(Model):
    half_life_days: Days | None = None
    max_age_days: Days | None = None


class Marketing(Model):
    depth_levels: list[DepthLevel] = []
    signals: list[Signal] = Field(min_length=1)
    decay: Decay = Decay()


# --- rules -------------------------------------------------------------------------------------


class ValuesCondition(Model):
    budget: TextList | None = None
    authority: TextList | None = None
    need: TextList | None = None
    timeframe: TextList | None = None
    competitor: TextList | None = None

    def items(self) -> Iterator[tuple[str, list[str]]]:
        for name in CRITERIA:
            values = getattr(self, name)
            if values is not None:
                yield name, values


class Condition(Model):
    """All keys must hold (AND); `any` holds when one of its conditions holds (OR)."""

    score_min: float | None = None
    score_max: float | None = None
    depth_min: Ref | None = None
    events_min: Annotated[int, Field(ge=0)] | None = None
    known: CriterionList = []
    known_min: Annotated[int, Field(ge=0, le=5)] | None = None
    values: ValuesCondition | None = None
    target_role: bool | None = None
    timeframe_near: bool | None = None
    problem: ProblemList = []
    segment: RefList = []
    class_min: Ref | None = None
    any: list[Condition] = []


def _condition(value: Any) -> Any:
    return {} if value is None else value


When = Annotated[Condition, BeforeValidator(_condition)]


class ClassRule(Model):
    id: Ref
    when: When = Condition()
    description: Text | None = None


class Rank(Model):
    id: RankId
    label: Label | None = None
    when: When = Condition()
    description: Text | None = None


class Placement(Model):
    stage: Ref | None = None
    from_: Literal["answer", "problem"] | None = Field(default=None, alias="from")
    when: When = Condition()

    @model_validator(mode="after")
    def one_target(self) -> Placement:
        if (self.stage is None) == (self.from_ is None):
            raise PydanticCustomError(
                "stage_or_from", "a placement names exactly one of 'stage' or 'from'"
            )
        return self


class LeadColumns(Model):
    id: Text | None = None
    company: Text | None = None
    contact: Text | None = None
    role: Text | None = None
    segment: Text | None = None
    budget: Text | None = None
    authority: Text | None = None
    need: Text | None = None
    timeframe: Text | None = None
    competitor: Text | None = None
    problem: Text | None = None
    stage: Text | None = None


class EventColumns(Model):
    lead: Text | None = None
    type: Text | None = None
    at: Text | None = None
    timestamp_format: Text | None = None


class Columns(Model):
    leads: LeadColumns = LeadColumns()
    events: EventColumns = EventColumns()


# --- what sales wants to know at handoff (DOMAIN.md section 9) --------------------------------

HANDOFF_FIELDS = ("mission", "interests", "position", "need", "progress", "timing", "budget")
# A handoff field without a column of its own reads the lead field the rules already read.
HANDOFF_REUSE = {
    "position": "role",
    "need": "need",
    "progress": "stage",
    "timing": "timeframe",
    "budget": "budget",
}


def _column(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("wrong_type", "expected a column name, not empty text")
    return value


ColumnName = Annotated[Text, AfterValidator(_column)]


class Handoff(Model):
    """Handoff field -> the lead column holding it (see HANDOFF_FIELDS, HANDOFF_REUSE)."""

    mission: ColumnName | None = None
    interests: ColumnName | None = None
    position: ColumnName | None = None
    need: ColumnName | None = None
    progress: ColumnName | None = None
    timing: ColumnName | None = None
    budget: ColumnName | None = None


class HandoffSource(NamedTuple):
    """Where a handoff field is read: `column` (None: no column can fill it) and, when it is
    read through a BANT-C criterion, that criterion (the field is known when it is known)."""

    column: str | None
    criterion: str | None


def handoff_sources(
    q: QualificationDoc, rules_columns: Mapping[str, str | None]
) -> dict[str, HandoffSource]:
    """Each handoff field's source, in HANDOFF_FIELDS order. `rules_columns` maps the lead
    fields the rules read (role, stage, the criteria) to their columns. A field's own column
    (under `handoff:`) wins unless it is the very column the rules read; a field read through
    a criterion the rules do not define has no source (never known)."""
    own = q.handoff.model_dump() if q.handoff is not None else {}
    out: dict[str, HandoffSource] = {}
    for name in HANDOFF_FIELDS:
        reused = HANDOFF_REUSE.get(name)
        rules_column = rules_columns.get(reused) if reused else None
        column = own.get(name)
        if column is not None and column != rules_column:
            out[name] = HandoffSource(column, None)
        elif reused is None:
            out[name] = HandoffSource(None, None)
        elif reused in CRITERIA:
            defined = getattr(q.sales.criteria, reused) is not None
            out[name] = HandoffSource(rules_column if defined else None, reused)
        else:
            out[name] = HandoffSource(rules_column, None)
    return out


def yaml_lead_columns(q: QualificationDoc) -> dict[str, str]:
    """Lead field -> column as the YAML's `columns.leads` names it (default: the field)."""
    given = q.columns.leads.model_dump()
    return {name: given.get(name) or name for name in given}


class QualificationDoc(Model):
    kind: Literal["qualification"]
    title: Label | None = None
    description: Text | None = None
    columns: Columns = Columns()
    segment_values: dict[str, Ref] = {}
    sales: Sales
    marketing: Marketing
    classes: list[ClassRule] = Field(min_length=1)
    prospect_class: Ref | None = None
    ranks: list[Rank] = []
    buy_now: When | None = None
    placement: list[Placement] = []
    handoff: Handoff | None = None

    def prospect(self) -> str:
        """The lead class from which a lead counts as a prospect."""
        if self.prospect_class is not None:
            return self.prospect_class
        ids = [c.id for c in self.classes]
        return "prospect" if "prospect" in ids else ids[min(1, len(ids) - 1)]


DEFAULT_BUY_NOW = Condition(timeframe_near=True)


# --- loading a rules file on its own ------------------------------------------------------------


def load_rules_text(
    text: str, display: str
) -> tuple[QualificationDoc | None, Document | None, list[Diagnostic]]:
    """Parse and validate a YAML text holding one `kind: qualification` document."""
    docs, diags = parse_documents(text, display)
    if any(d.severity == "error" for d in diags):
        return None, None, diags
    found = [d for d in docs if isinstance(d.data, dict) and d.data.get("kind") == "qualification"]
    if len(found) != 1:
        msg = "no 'kind: qualification' document" if not found else "more than one qualification"
        where = found[1].loc(("kind",)) if len(found) > 1 else Location(display, 1, 1)
        return None, None, [*diags, error("missing-qualification", msg, where)]
    doc = found[0]
    try:
        parsed = QualificationDoc.model_validate(doc.data)
    except ValidationError as exc:
        return None, doc, [*diags, *convert(exc, doc, QualificationDoc)]
    return parsed, doc, diags


def load_rules_file(
    path: Path, display: str | None = None
) -> tuple[QualificationDoc | None, Document | None, list[Diagnostic]]:
    shown = display or str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return None, None, [error("unreadable", f"cannot read rules file: {exc}", Location(shown))]
    return load_rules_text(text, shown)


# --- cross-check ---------------------------------------------------------------------------------


class _Check:
    """Collects unknown-ref / duplicate-id diagnostics for one qualification document."""

    def __init__(self, entry: Entry[QualificationDoc]) -> None:
        self.entry = entry
        self.diags: list[Diagnostic] = []

    def loc(self, *path: str | int, key: bool = False) -> Location:
        return self.entry.loc(*path, key=key)

    def ref(self, name: str, value: str, known: list[str], *path: str | int) -> bool:
        if value in known:
            return True
        hint = did_you_mean(value, known) or (
            f"one of: {', '.join(known)}" if known else f"no {name} is defined"
        )
        self.diags.append(error("unknown-ref", f"unknown {name} '{value}'", self.loc(*path), hint))
        return False

    def unique(self, name: str, values: list[tuple[str, tuple[str | int, ...]]]) -> None:
        seen: dict[str, tuple[str | int, ...]] = {}
        for value, path in values:
            norm = value.strip().casefold()
            if norm in seen:
                self.diags.append(
                    error(
                        "duplicate-id",
                        f"duplicate {name} '{value}' (also at {self.loc(*seen[norm])})",
                        self.loc(*path),
                        "values are matched without regard to case or surrounding spaces",
                    )
                )
            else:
                seen[norm] = path


def check_qualification(
    entry: Entry[QualificationDoc], project: ProjectView, invalid: dict[str, set[str]] | None = None
) -> list[Diagnostic]:
    """References of a qualification document: lead classes, stages, segments, depth levels,
    criterion values; duplicates; roles no persona has (a warning). `invalid` holds ids of
    documents that failed validation (as project.load_project keeps them), so references to
    them do not cascade into unknown-ref errors."""
    q = entry.model
    c = _Check(entry)
    bad = invalid or {}
    funnel_classes = [lc.model.id for lc in project.lead_classes]
    funnel_classes += sorted(bad.get("lead_class", ()))
    for i, rule in enumerate(q.classes):
        c.ref("lead class", rule.id, funnel_classes, "classes", i, "id")
    c.unique("lead class", [(r.id, ("classes", i, "id")) for i, r in enumerate(q.classes)])
    listed = [r.id for r in q.classes]
    if q.prospect_class is not None:
        c.ref("lead class", q.prospect_class, listed, "prospect_class")
    depths = [d.id for d in q.marketing.depth_levels]
    c.unique(
        "depth level", [(d, ("marketing", "depth_levels", i, "id")) for i, d in enumerate(depths)]
    )
    _check_signals(c, q, depths)
    _check_criteria(c, q)
    stages = [s.model.id for s in project.stages] + sorted(bad.get("stage", ()))
    segments = [s.model.id for s in project.segments] + sorted(bad.get("segment", ()))
    for raw, seg in q.segment_values.items():
        c.ref("segment", seg, segments, "segment_values", raw)
    for i, placement in enumerate(q.placement):
        if placement.stage is not None:
            c.ref("customer stage", placement.stage, stages, "placement", i, "stage")
    c.unique("rank", [(r.id, ("ranks", i, "id")) for i, r in enumerate(q.ranks)])
    ctx = _RuleContext(c, depths, listed, segments, q)
    for i, rule in enumerate(q.classes):
        ctx.condition(rule.when, ("classes", i, "when"), class_rule=True)
    for i, rank in enumerate(q.ranks):
        ctx.condition(rank.when, ("ranks", i, "when"))
    if q.buy_now is not None:
        ctx.condition(q.buy_now, ("buy_now",))
    for i, placement in enumerate(q.placement):
        ctx.condition(placement.when, ("placement", i, "when"))
    c.diags.extend(_role_warnings(entry, project))
    c.diags.extend(handoff_warnings(entry))
    return c.diags


def _check_signals(c: _Check, q: QualificationDoc, depths: list[str]) -> None:
    signals = q.marketing.signals
    names: list[tuple[str, tuple[str | int, ...]]] = []
    for i, sig in enumerate(signals):
        names.append((sig.id, ("marketing", "signals", i, "id")))
        names.extend(
            (a, ("marketing", "signals", i, "aliases", j)) for j, a in enumerate(sig.aliases)
        )
        if sig.depth is not None:
            c.ref("depth level", sig.depth, depths, "marketing", "signals", i, "depth")
    c.unique("event type", names)


def _check_criteria(c: _Check, q: QualificationDoc) -> None:
    for name, spec in q.sales.criteria.items():
        names: list[tuple[str, tuple[str | int, ...]]] = []
        for i, val in enumerate(spec.values):
            at = ("sales", "criteria", name, "values", i)
            names.append((val.value, (*at, "value")))
            names.extend((a, (*at, "aliases", j)) for j, a in enumerate(val.aliases))
            if val.months is not None and name != "timeframe":
                c.diags.append(
                    error(
                        "invalid-value",
                        f"'months' is for timeframe values only, not {name}",
                        c.loc(*at, "months", key=True),
                    )
                )
        c.unique(f"{name} value", names)
    c.unique("role value", [(k, ("sales", "role_values", k)) for k in q.sales.role_values])
    c.unique("segment value", [(k, ("segment_values", k)) for k in q.segment_values])


class _RuleContext:
    def __init__(
        self,
        c: _Check,
        depths: list[str],
        classes: list[str],
        segments: list[str],
        q: QualificationDoc,
    ) -> None:
        self.c, self.depths, self.classes, self.segments, self.q = c, depths, classes, segments, q

    def condition(
        self, cond: Condition, at: tuple[str | int, ...], class_rule: bool = False
    ) -> None:
        c = self.c
        if cond.depth_min is not None:
            c.ref("depth level", cond.depth_min, self.depths, *at, "depth_min")
        if cond.class_min is not None:
            if class_rule:
                c.diags.append(
                    error(
                        "invalid-value",
                        "a lead class rule cannot use 'class_min'",
                        c.loc(*at, "class_min", key=True),
                        "lead classes are judged from the other conditions; "
                        "use class_min in ranks, buy_now and placement",
                    )
                )
            else:
                c.ref("lead class", cond.class_min, self.classes, *at, "class_min")
        for i, seg in enumerate(cond.segment):
            c.ref("segment", seg, self.segments, *at, "segment", i)
        if cond.values is not None:
            for name, values in cond.values.items():
                spec = getattr(self.q.sales.criteria, name)
                known = [v.value for v in spec.values] if spec is not None else []
                for i, value in enumerate(values):
                    c.ref(f"{name} value", value, known, *at, "values", name, i)
        for i, sub in enumerate(cond.any):
            self.condition(sub, (*at, "any", i), class_rule)


def _role_warnings(entry: Entry[QualificationDoc], project: ProjectView) -> list[Diagnostic]:
    if not project.personas:
        return []
    have = {p.model.buying_role for p in project.personas}
    out = []
    for i, role in enumerate(entry.model.sales.target_roles):
        if role not in have:
            out.append(
                warning(
                    "unpersonified-role",
                    f"target role '{role}' has no persona",
                    entry.loc("sales", "target_roles", i),
                    f"add a persona with 'buying_role: {role}' "
                    "so content for this contact is designed",
                )
            )
    return out


def handoff_warnings(entry: Entry[QualificationDoc]) -> list[Diagnostic]:
    """`handoff-blind`, at the `handoff:` key, for each handoff field that no column can ever
    fill: no column of its own and no column the rules read for it (mission and interests
    have none; need, timing and budget have none when the rules do not define the
    criterion). Only when `handoff:` is given: without it the rules never asked for one."""
    q = entry.model
    if q.handoff is None:
        return []
    out = []
    for name, source in handoff_sources(q, yaml_lead_columns(q)).items():
        if source.column is not None:
            continue
        if source.criterion is not None:
            why = f"reads the {source.criterion} criterion, which the rules do not define"
            hint = f"define sales.criteria.{source.criterion} or name a column: '{name}: COLUMN'"
        else:
            why = "has no column"
            hint = f"name the lead column that holds it: '{name}: COLUMN'"
        out.append(
            warning(
                "handoff-blind",
                f"handoff field '{name}' {why}: it is never known, so no prospect is ready",
                entry.loc("handoff", key=True),
                hint,
            )
        )
    return out


# --- describing rules (the "reason" of a judgment) ----------------------------------------------


def describe(cond: Condition, lead_time: float) -> str:
    """A short English description of a condition, as shown in a judged lead's reason."""
    parts: list[str] = []
    if cond.score_min is not None:
        parts.append(f"score >= {cond.score_min:g}")
    if cond.score_max is not None:
        parts.append(f"score <= {cond.score_max:g}")
    if cond.depth_min is not None:
        parts.append(f"depth >= {cond.depth_min}")
    if cond.events_min is not None:
        parts.append(f"events >= {cond.events_min}")
    if cond.known:
        parts.append("known " + "+".join(CRITERION_LETTERS[k] for k in cond.known))
    if cond.known_min is not None:
        parts.append(f"{cond.known_min}+ of BANT-C known")
    if cond.values is not None:
        parts.extend(f"{name} in {'/'.join(vals)}" for name, vals in cond.values.items())
    if cond.target_role is not None:
        parts.append("target contact" if cond.target_role else "not a target contact")
    if cond.timeframe_near is not None:
        near = f"timeframe within lead time ({lead_time:g} months)"
        parts.append(near if cond.timeframe_near else "timeframe not " + near[10:])
    if cond.problem:
        parts.append("problem " + "/".join(cond.problem))
    if cond.segment:
        parts.append("segment " + "/".join(cond.segment))
    if cond.class_min is not None:
        parts.append(f"class >= {cond.class_min}")
    if cond.any:
        parts.append("any of (" + " | ".join(describe(s, lead_time) for s in cond.any) + ")")
    return ", ".join(parts) or "always"


def project_qualification(project: Any) -> Any:
    """The project's qualification entry once the loader registers the kind, else None."""
    return getattr(project, "qualification", None)
