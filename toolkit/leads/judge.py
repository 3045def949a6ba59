"""Leads: judge real leads with a project's qualification rules, in DuckDB (embedded).

    judge(doc, graph, leads_path, events_path, options) -> Judgment

1. read the lead export and the optional event export (CSV or Parquet), every value as text,
   each row numbered (toolkit/leads/io.py);
2. validate rows in SQL: a lead row without an id or with a repeated id is rejected; a
   BANT-C, role, segment, problem or stage value the rules do not know is ignored (the lead is
   still judged, the value counts as not known); an event row with an unknown lead id, an
   unknown event type or a timestamp that does not parse is rejected. Every rejected row and
   ignored value is returned as a Problem (file, row, column, reason) and counted;
3. score: each event's points decay by half-life from the as-of moment
   (points * 0.5 ** (age_days / half_life_days)); events older than max_age_days and events
   after the as-of moment do not count (both are counted in the summary); the criteria
   points of the lead's BANT-C values are added; depth is the deepest level reached;
4. judge: lead class (the deepest class whose rule holds), rank (the first that holds),
   buy-now / someday, customer stage (the first placement that yields one), with reasons;
5. handoff: for each prospect, which of the seven fields sales wants are known
   (toolkit/leads/handoff.py).

The as-of moment is explicit (`as_of`) or the latest valid event's timestamp, never the
clock, so the same files always give the same result.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import networkx as nx

from toolkit.analyses.order import ordered
from toolkit.graph.build import nodes_of
from toolkit.leads.handoff import handoff_inputs, handoff_rows, handoff_values
from toolkit.leads.io import (
    IGNORED,
    REJECTED,
    LeadsError,
    Problem,
    load_table,
    quote_ident,
    quote_text,
)
from toolkit.leads.rules import RuleSet, buy_now_sql, class_sql, rank_sql, rule_set, stage_sql
from toolkit.leads.summary import summarise
from toolkit.model.models import BuyingRole
from toolkit.model.qualification import (
    CRITERIA,
    CRITERION_LETTERS,
    HANDOFF_REUSE,
    HandoffSource,
    QualificationDoc,
    handoff_sources,
)

LEAD_FIELDS = ("id", "company", "contact", "role", "segment", *CRITERIA, "problem", "stage")
EVENT_FIELDS = ("lead", "type", "at")
PROBLEM_STATES = ("none", "latent", "explicit", "solving", "solved")
BUYING_ROLES: tuple[str, ...] = BuyingRole.__args__  # type: ignore[attr-defined]
OUTPUT_COLUMNS = (
    "lead_id",
    "company",
    "contact",
    "segment",
    "role",
    "target_contact",
    "known",
    "score",
    "behaviour_score",
    "criteria_score",
    "events",
    "depth",
    "depth_level",
    "lead_class",
    "rank",
    "horizon",
    "stage",
    "reasons",
)
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

__all__ = ["Judgment", "LeadsError", "Options", "Problem", "judge", "parse_as_of"]


@dataclass(frozen=True)
class Options:
    as_of: dt.datetime | None = None
    lead_columns: Mapping[str, str] = field(default_factory=dict)
    event_columns: Mapping[str, str] = field(default_factory=dict)
    leads_shown: str | None = None
    events_shown: str | None = None


@dataclass
class Judgment:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    problems: list[Problem]
    summary: dict[str, Any]
    handoff: list[tuple[Any, ...]] = field(default_factory=list)  # handoff.HANDOFF_COLUMNS

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def parse_as_of(text: str) -> dt.datetime:
    """--as-of: an ISO date (meaning the end of that day) or date and time; UTC if zoned."""
    value = text.strip()
    try:
        if DATE_ONLY.match(value):
            return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(23, 59, 59))
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise LeadsError(f"'{text}' is not a date like 2026-06-30 or 2026-06-30T18:00") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def column_map(
    defaults: Mapping[str, str | None], fields: tuple[str, ...], overrides: Mapping[str, str]
) -> tuple[dict[str, str], set[str]]:
    """Field -> column name (flags over YAML over the field's own name); which were explicit."""
    unknown = sorted(set(overrides) - set(fields))
    if unknown:
        raise LeadsError(f"unknown field {', '.join(unknown)}; fields are: {', '.join(fields)}")
    out: dict[str, str] = {}
    explicit: set[str] = set()
    for name in fields:
        given = overrides.get(name) or defaults.get(name)
        if given:
            explicit.add(name)
        out[name] = given or name
    return out, explicit


def judge(
    doc: QualificationDoc,
    graph: nx.MultiDiGraph,
    leads: Path,
    events: Path | None = None,
    options: Options | None = None,
) -> Judgment:
    opts = options or Options()
    rules = _rules(doc, graph)
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
        return _Engine(con, rules, graph, opts).run(leads, events)
    finally:
        con.close()


def _rules(doc: QualificationDoc, graph: nx.MultiDiGraph) -> RuleSet:
    classes = [d["ref"] for _, d in ordered(graph, "lead_class")]
    stages = [(d["ref"], d.get("problem")) for _, d in ordered(graph, "stage")]
    return rule_set(doc, classes, stages)


class _Engine:
    def __init__(
        self, con: duckdb.DuckDBPyConnection, rules: RuleSet, graph: nx.MultiDiGraph, opts: Options
    ) -> None:
        self.con, self.rules, self.graph, self.opts = con, rules, graph, opts
        self.doc = rules.doc
        self.counts: dict[str, Any] = {}
        self.notes: list[str] = []

    def sql(self, query: str, params: Any = None) -> duckdb.DuckDBPyConnection:
        return self.con.execute(query, params) if params is not None else self.con.execute(query)

    def scalar(self, query: str, params: Any = None) -> Any:
        row = self.sql(query, params).fetchone()
        return row[0] if row else None

    def run(self, leads: Path, events: Path | None) -> Judgment:
        self.sql(
            "CREATE TEMP TABLE problems (file VARCHAR, row BIGINT, col VARCHAR, "
            "value VARCHAR, reason VARCHAR, effect VARCHAR)"
        )
        self._lookups()
        shown = self.opts.leads_shown or str(leads)
        loaded = load_table(self.con, leads, "leads_raw", shown)
        self._add_problems(loaded.problems)
        self._leads(loaded.columns, shown, loaded.empty)
        self.counts["leads"]["rows"] += _unsplit(loaded.problems)
        if events is not None:
            eshown = self.opts.events_shown or str(events)
            ev = load_table(self.con, events, "events_raw", eshown)
            self._add_problems(ev.problems)
            self._events(ev.columns, eshown, ev.empty)
            self.counts["events"]["rows"] += _unsplit(ev.problems)
        else:
            self.sql(
                "CREATE TEMP TABLE ev_ok (lead VARCHAR, ts TIMESTAMP, points DOUBLE, "
                "depth INTEGER, half_life DOUBLE)"
            )
            self.counts["events"] = None
        self._score()
        self._judge()
        rows = self._rows()
        problems = [
            Problem(*p)
            for p in self.sql("SELECT * FROM problems ORDER BY file, row, col").fetchall()
        ]
        summary = summarise(self.con, self.rules, self.graph, self.counts, problems)
        summary["notes"] = self.notes
        prospect = self.rules.class_index(self.doc.prospect())
        handoff = handoff_rows(self.con, prospect, self.rules.classes)
        return Judgment(OUTPUT_COLUMNS, rows, problems, summary, handoff)

    # --- lookups ---------------------------------------------------------------------------

    def _table(self, name: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
        self.sql(f"CREATE TEMP TABLE {name} ({columns})")
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            self.con.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)

    def _lookups(self) -> None:
        doc, g = self.doc, self.graph
        vals = [
            (name, key.strip().lower(), v.value, v.points, v.known, v.months)
            for name, spec in doc.sales.criteria.items()
            for v in spec.values
            for key in (v.value, *v.aliases)
        ]
        self._table(
            "_vals",
            "criterion VARCHAR, key VARCHAR, value VARCHAR, points DOUBLE, "
            "known BOOLEAN, months DOUBLE",
            vals,
        )
        roles = {r: r for r in BUYING_ROLES} | dict(doc.sales.role_values)
        self._table("_roles", "key VARCHAR, value VARCHAR", _keyed(roles.items()))
        segs = {d["ref"]: d["ref"] for _, d in nodes_of(g, "segment")}
        segs |= _label_keys(nodes_of(g, "segment")) | dict(doc.segment_values)
        self._table("_segs", "key VARCHAR, value VARCHAR", _keyed(segs.items()))
        self._table(
            "_problems", "key VARCHAR, value VARCHAR", _keyed((p, p) for p in PROBLEM_STATES)
        )
        stages = {d["ref"]: d["ref"] for _, d in nodes_of(g, "stage")}
        stages |= _label_keys(nodes_of(g, "stage"))
        self._table("_stages", "key VARCHAR, value VARCHAR", _keyed(stages.items()))
        sigs = [
            (
                key.strip().lower(),
                s.id,
                s.points,
                self.rules.depth_index(s.depth) if s.depth else 0,
                s.half_life_days or doc.marketing.decay.half_life_days,
            )
            for s in doc.marketing.signals
            for key in (s.id, *s.aliases)
        ]
        self._table(
            "_sigs",
            "key VARCHAR, signal VARCHAR, points DOUBLE, depth INTEGER, half_life DOUBLE",
            sigs,
        )
        self.has_segments = bool(segs)

    def _add_problems(self, problems: tuple[Problem, ...]) -> None:
        if problems:  # one statement: executemany is slow at thousands of rows
            columns = list(
                zip(
                    *[(p.file, p.row, p.column, p.value, p.reason, p.effect) for p in problems],
                    strict=True,
                )
            )
            self.sql(
                "INSERT INTO problems SELECT unnest($a), unnest($b), unnest($c), "
                "unnest($d), unnest($e), unnest($f)",
                dict(zip("abcdef", [list(c) for c in columns], strict=True)),
            )

    def _problem(self, shown: str, effect: str, select: str) -> None:
        """Insert problems; select yields (row, column, value, reason)."""
        self.sql(
            f"INSERT INTO problems SELECT {quote_text(shown)}, p.*, {quote_text(effect)} "
            f"FROM ({select}) p"
        )

    def _mapped(
        self,
        table: str,
        present: tuple[str, ...],
        fields: tuple[str, ...],
        defaults: Mapping[str, str | None],
        overrides: Mapping[str, str],
        shown: str,
        empty: bool,
    ) -> dict[str, str | None]:
        mapping, explicit = column_map(defaults, fields, overrides)
        cols: dict[str, str | None] = {}
        for name in fields:
            column = mapping[name]
            if column in present:
                cols[name] = column
            elif empty:
                cols[name] = None
            elif name in explicit or name in ("id", "lead", "type", "at"):
                have = ", ".join(present) or "(none)"
                raise LeadsError(f"{shown}: no column '{column}' for {name} (columns: {have})")
            else:
                cols[name] = None
        return cols

    # --- leads -------------------------------------------------------------------------------

    def _leads(self, present: tuple[str, ...], shown: str, empty: bool) -> None:
        defaults = self.doc.columns.leads.model_dump()
        cols = self._mapped(
            "leads_raw", present, LEAD_FIELDS, defaults, self.opts.lead_columns, shown, empty
        )
        if not self.has_segments:
            cols["segment"] = None
        self.lead_cols = cols
        self.counts["columns"] = {"leads": dict(cols)}
        unmapped = [f for f in CRITERIA if cols[f] is None]
        if unmapped and not empty:
            self.notes.append(
                f"{shown} has no column for {', '.join(unmapped)}: not known for any lead"
            )
        self.handoff = self._handoff_sources(present, shown, empty)
        exprs = ", ".join(
            [f"{_field(cols[f])} AS {f}" for f in LEAD_FIELDS]
            + handoff_inputs(self.handoff, present)
        )
        self.sql(
            "CREATE TEMP TABLE leads_in AS SELECT *, min(_row) OVER (PARTITION BY id) AS "
            f"first_row FROM (SELECT _row, {exprs} FROM leads_raw) ORDER BY _row"
        )
        idcol = quote_text(cols["id"] or "id")
        self._problem(
            shown,
            REJECTED,
            f"SELECT _row, {idcol}, '', 'empty lead id' FROM leads_in WHERE id IS NULL",
        )
        self._problem(
            shown,
            REJECTED,
            f"SELECT _row, {idcol}, id, 'duplicate lead id (first at "
            "row ' || first_row || ')' FROM leads_in WHERE id IS NOT NULL AND "
            "_row > first_row",
        )
        self.sql(
            "CREATE TEMP TABLE leads_acc AS SELECT * FROM leads_in "
            "WHERE id IS NOT NULL AND _row = first_row"
        )
        for name in CRITERIA:
            spec = getattr(self.doc.sales.criteria, name)
            expected = ", ".join(v.value for v in spec.values) if spec else "(no values defined)"
            self._bad_values(
                shown,
                name,
                f"(SELECT key FROM _vals WHERE criterion = {quote_text(name)})",
                expected,
            )
        self._bad_values(
            shown,
            "role",
            "(SELECT key FROM _roles)",
            ", ".join([*self.doc.sales.role_values, *BUYING_ROLES]),
        )
        self._bad_values(shown, "segment", "(SELECT key FROM _segs)", "a segment id or label")
        self._bad_values(shown, "problem", "(SELECT key FROM _problems)", ", ".join(PROBLEM_STATES))
        self._bad_values(
            shown, "stage", "(SELECT key FROM _stages)", "a customer stage id or label"
        )
        self._lead_table()
        self.counts["leads"] = {
            "rows": int(self.scalar("SELECT count(*) FROM leads_in")),
            "judged": int(self.scalar("SELECT count(*) FROM leads_ok")),
        }

    def _handoff_sources(
        self, present: tuple[str, ...], shown: str, empty: bool
    ) -> dict[str, HandoffSource]:
        """Where each handoff field is read (the rules' columns as the flags and YAML name
        them). A column the export lacks is noted, not fatal: that field is unknown for
        every lead (the judgment itself does not need it). Criteria have their own note."""
        mapping, _ = column_map(
            self.doc.columns.leads.model_dump(), LEAD_FIELDS, self.opts.lead_columns
        )
        sources = handoff_sources(self.doc, {f: mapping[f] for f in HANDOFF_REUSE.values()})
        absent = [
            f"'{source.column}' ({name})"
            for name, source in sources.items()
            if source.criterion is None
            and source.column is not None
            and source.column not in present
        ]
        if absent and not empty:
            self.notes.append(
                f"{shown} has no handoff column {', '.join(absent)}: not known for any lead"
            )
        return sources

    def _bad_values(self, shown: str, name: str, keys: str, expected: str) -> None:
        column = self.lead_cols.get(name)
        if column is None:
            return
        reason = quote_text(f"' is not a known {name} value (expected: {expected})")
        self._problem(
            shown,
            IGNORED,
            f"SELECT _row, {quote_text(column)}, left({name}, 80), "
            f"'''' || left({name}, 80) || {reason} FROM leads_acc WHERE {name} IS NOT "
            f"NULL AND lower({name}) NOT IN {keys}",
        )

    def _lead_table(self) -> None:
        crit = []
        joins = []
        for name in CRITERIA:
            a = f"c_{name}"
            joins.append(
                f"LEFT JOIN _vals {a} ON {a}.criterion = {quote_text(name)} "
                f"AND {a}.key = lower(l.{name})"
            )
            crit.append(
                f"{a}.value AS v_{name}, coalesce({a}.known, false) AS k_{name}, "
                f"coalesce({a}.points, 0) AS p_{name}"
            )
        targets = self.doc.sales.target_roles
        target = (
            f"coalesce(r.value IN ({', '.join(quote_text(t) for t in targets)}), false)"
            if targets
            else "r.value IS NOT NULL"
        )
        handoff = ", ".join(handoff_values(self.handoff))
        self.sql(
            "CREATE TEMP TABLE leads_ok AS SELECT l._row, l.id, l.company, l.contact, "
            f"s.value AS segment, r.value AS role, {handoff}, " + ", ".join(crit) + ", "
            f"{target} AS target, c_timeframe.months AS tf_months, pr.value AS problem, "
            "st.value AS stage_answer FROM leads_acc l "
            "LEFT JOIN _roles r ON r.key = lower(l.role) LEFT JOIN _segs s ON s.key = "
            "lower(l.segment) LEFT JOIN _problems pr ON pr.key = lower(l.problem) "
            "LEFT JOIN _stages st ON st.key = lower(l.stage) " + " ".join(joins)
        )

    # --- events ------------------------------------------------------------------------------

    def _events(self, present: tuple[str, ...], shown: str, empty: bool) -> None:
        spec = self.doc.columns.events
        defaults = {"lead": spec.lead, "type": spec.type, "at": spec.at}
        cols = self._mapped(
            "events_raw", present, EVENT_FIELDS, defaults, self.opts.event_columns, shown, empty
        )
        self.counts["columns"]["events"] = dict(cols)
        fmt = spec.timestamp_format
        ts = timestamp_sql("at_raw", fmt)
        self.sql(
            f"CREATE TEMP VIEW ev_in AS SELECT _row, {_field(cols['lead'])} AS lead, "
            f"{_field(cols['type'])} AS type, {_field(cols['at'])} AS at_raw FROM events_raw"
        )
        self.sql(
            f"CREATE TEMP TABLE ev_chk AS SELECT e._row, e.lead, {ts} AS ts, "
            "s.signal IS NOT NULL AS known_type, s.points, s.depth, s.half_life, "
            "k.id IS NOT NULL AS known_lead "
            "FROM ev_in e LEFT JOIN _sigs s ON s.key = lower(e.type) "
            "LEFT JOIN (SELECT id FROM leads_ok) k ON k.id = e.lead"
        )
        self.sql(
            "CREATE TEMP TABLE ev_bad AS SELECT e.*, c.known_lead, c.known_type, c.ts "
            "FROM (SELECT _row, known_lead, known_type, ts FROM ev_chk WHERE NOT "
            "(known_lead AND known_type AND ts IS NOT NULL)) c JOIN ev_in e USING (_row)"
        )
        lc, tc, ac = (quote_text(cols[f] or f) for f in EVENT_FIELDS)
        self._problem(
            shown,
            REJECTED,
            f"SELECT _row, {lc}, coalesce(left(lead, 80), ''), "
            "CASE WHEN lead IS NULL THEN 'empty lead id' ELSE 'unknown lead id ''' || "
            "left(lead, 80) || '''' END FROM ev_bad WHERE NOT known_lead",
        )
        self._problem(
            shown,
            REJECTED,
            f"SELECT _row, {tc}, coalesce(left(type, 80), ''), "
            "CASE WHEN type IS NULL THEN 'empty event type' ELSE 'unknown event type ''' "
            "|| left(type, 80) || '''' END FROM ev_bad WHERE NOT known_type",
        )
        want = f"the format {fmt}" if fmt else "a timestamp like 2026-06-30 14:05:00"
        tail = quote_text(f"' (expected {want})")
        self._problem(
            shown,
            REJECTED,
            f"SELECT _row, {ac}, coalesce(left(at_raw, 80), ''), "
            "CASE WHEN at_raw IS NULL THEN 'empty timestamp' ELSE 'unparseable "
            f"timestamp ''' || left(at_raw, 80) || {tail} END FROM ev_bad "
            "WHERE ts IS NULL",
        )
        self.sql(
            "CREATE TEMP VIEW ev_ok AS SELECT lead, ts, points, depth, half_life FROM ev_chk "
            "WHERE known_lead AND known_type AND ts IS NOT NULL"
        )
        rows = int(self.scalar("SELECT count(*) FROM ev_in"))
        valid = int(self.scalar("SELECT count(*) FROM ev_ok"))
        self.counts["events"] = {"rows": rows, "valid": valid}

    # --- scoring and judging -----------------------------------------------------------------

    def _score(self) -> None:
        as_of = self.opts.as_of or self.scalar("SELECT max(ts) FROM ev_ok")
        self.counts["as_of"] = as_of.isoformat(sep=" ") if as_of else None
        max_age = self.doc.marketing.decay.max_age_days
        moment = f"TIMESTAMP '{as_of.isoformat(sep=' ')}'" if as_of else "CAST(NULL AS TIMESTAMP)"
        self.sql(
            "CREATE TEMP VIEW ev_aged AS SELECT lead, points, depth, half_life, "
            f"(epoch_ms({moment}) - epoch_ms(ts)) / 86400000.0 AS age FROM ev_ok"
        )
        live = "age >= 0" if max_age is None else f"age >= 0 AND age <= {float(max_age)!r}"
        if self.counts["events"] is not None:
            row = self.sql(
                f"SELECT count(*) FILTER (WHERE age < 0), count(*) FILTER (WHERE "
                f"age >= 0 AND NOT ({live})), count(*) FILTER (WHERE {live}) "
                "FROM ev_aged"
            ).fetchone() or (0, 0, 0)
            self.counts["events"].update(
                after_as_of=int(row[0]), expired=int(row[1]), scored=int(row[2])
            )
        self.sql(
            "CREATE TEMP TABLE ev_agg AS SELECT lead, sum(points * CASE WHEN half_life IS NULL "
            "THEN 1.0 ELSE pow(0.5, age / half_life) END) AS behaviour, max(depth) AS depth_sig, "
            f"count(*) AS n_events FROM ev_aged WHERE {live} GROUP BY lead"
        )
        repeat = " ".join(
            f"WHEN coalesce(a.n_events, 0) >= {lvl.min_events} THEN {i}"
            for i, lvl in reversed(list(enumerate(self.doc.marketing.depth_levels, start=1)))
            if lvl.min_events is not None
        )
        repeat_sql = f"CASE {repeat} ELSE 0 END" if repeat else "0"
        points = " + ".join(f"p_{c}" for c in CRITERIA)
        self.sql(
            "CREATE TEMP VIEW scored AS SELECT l.*, round(coalesce(a.behaviour, 0), 2) AS "
            f"behaviour, round({points}, 2) AS criteria, round(coalesce(a.behaviour, 0) + "
            f"{points}, 2) AS score, greatest(coalesce(a.depth_sig, 0), {repeat_sql}) AS depth, "
            "coalesce(a.n_events, 0) AS n_events FROM leads_ok l "
            "LEFT JOIN ev_agg a ON a.lead = l.id"
        )

    def _judge(self) -> None:
        cls, cls_why = class_sql(self.rules)
        rank, rank_why = rank_sql(self.rules)
        now, now_why = buy_now_sql(self.rules)
        stage, stage_why = stage_sql(self.rules)
        self.sql(
            f"CREATE TEMP TABLE judged AS WITH c AS (SELECT *, {cls} AS class_idx, {cls_why} "
            f"AS class_reason FROM scored) SELECT *, {rank} AS rank, {now} AS buy_now, {stage} AS "
            f"stage, concat_ws('; ', class_reason, {rank_why}, {now_why}, {stage_why}) AS reasons "
            "FROM c ORDER BY _row"
        )

    def _rows(self) -> list[tuple[Any, ...]]:
        known = " || ".join(
            f"CASE WHEN k_{c} THEN '{CRITERION_LETTERS[c]}' ELSE '' END" for c in CRITERIA
        )
        raw = self.sql(
            "SELECT id, company, contact, segment, role, target, " + known + ", score, behaviour, "
            "criteria, n_events, depth, class_idx, rank, buy_now, stage, reasons FROM judged "
            "ORDER BY _row"
        ).fetchall()
        depths = ("", *self.rules.depths)
        classes = self.rules.classes
        out = []
        for r in raw:
            (
                lid,
                company,
                contact,
                seg,
                role,
                target,
                known_s,
                score,
                beh,
                crit,
                n,
                depth,
                cidx,
                rank,
                now,
                stage,
                why,
            ) = r
            out.append(
                (
                    lid,
                    company,
                    contact,
                    seg,
                    role,
                    bool(target),
                    known_s,
                    float(score),
                    float(beh),
                    float(crit),
                    int(n),
                    depths[int(depth)],
                    int(depth),
                    classes[cidx] if cidx >= 0 else None,
                    rank,
                    "buy-now" if now else "someday",
                    stage,
                    why,
                )
            )
        return out


def timestamp_sql(column: str, fmt: str | None) -> str:
    """SQL turning a text column into a UTC TIMESTAMP (NULL when it does not parse).

    With a format: strptime codes (%z for an offset). Without: ISO-like text; a value with a
    zone (Z, +09:00, -05) is converted to UTC, one without is taken as it is. The zone-free
    path skips the slower time-zone parser, which matters at millions of rows.
    """
    if fmt:
        return f"CAST(try_strptime({column}, {quote_text(fmt)}) AS TIMESTAMP)"
    tail = f"substr({column}, 11)"
    zoned = (
        f"(contains({tail}, '+') OR contains({tail}, '-') OR contains({tail}, 'Z') "
        f"OR contains({tail}, 'z'))"
    )
    return (
        f"CASE WHEN {zoned} THEN CAST(TRY_CAST({column} AS TIMESTAMPTZ) AS TIMESTAMP) "
        f"ELSE TRY_CAST({column} AS TIMESTAMP) END"
    )


def _field(column: str | None) -> str:
    return "CAST(NULL AS VARCHAR)" if column is None else f"NULLIF(trim({quote_ident(column)}), '')"


def _keyed(pairs: Any) -> list[tuple[str, str]]:
    out: dict[str, str] = {}
    for key, value in pairs:
        out.setdefault(str(key).strip().lower(), str(value))
    return list(out.items())


def _label_keys(nodes: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for _, data in nodes:
        label = data.get("label")
        texts = label.values() if isinstance(label, dict) else [label] if label else []
        for text in texts:
            out.setdefault(str(text), data["ref"])
    return out


def _unsplit(problems: tuple[Problem, ...]) -> int:
    """Rows DuckDB could not split into columns (they never reached the table)."""
    return len({p.row for p in problems})
