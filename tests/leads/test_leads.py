"""The lead engine (toolkit/leads/judge.py): hand-computed fixtures for every rule type, bad rows,
empty files, Parquet, hostile column names, and a smoke run of the benchmark.

The fixture project and data are in tests/fixtures/leads-project/ (rules.yaml says how each
number below comes about: half-life 10 days, clicks 5 days, events older than 100 days do
not count, lead time 6 months).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import textwrap
from pathlib import Path
from typing import Any

import duckdb
import networkx as nx
import pytest

from toolkit.leads.judge import Judgment, LeadsError, Options, judge, parse_as_of
from toolkit.model.qualification import QualificationDoc, load_rules_file, load_rules_text
from toolkit.pipeline import compile_project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROJECT = FIXTURES / "leads-project"
BAD = FIXTURES / "leads-bad-rows"
EMPTY = FIXTURES / "leads-empty"
AS_OF = dt.datetime(2026, 1, 31)


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    compiled = compile_project(PROJECT)
    assert compiled.graph is not None, [d.render() for d in compiled.diagnostics]
    return compiled.graph


@pytest.fixture(scope="module")
def rules() -> QualificationDoc:
    doc, _, diags = load_rules_file(PROJECT / "rules.yaml")
    assert doc is not None, [d.render() for d in diags]
    return doc


@pytest.fixture(scope="module")
def result(graph: nx.MultiDiGraph, rules: QualificationDoc) -> Judgment:
    return judge(rules, graph, PROJECT / "leads.csv", PROJECT / "events.csv", Options(as_of=AS_OF))


@pytest.fixture(scope="module")
def by_id(result: Judgment) -> dict[str, dict[str, Any]]:
    return {r["lead_id"]: r for r in result.records()}


def rules_text(**replace: str) -> QualificationDoc:
    text = (PROJECT / "rules.yaml").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    doc, _, diags = load_rules_text(text, "rules.yaml")
    assert doc is not None, [d.render() for d in diags]
    return doc


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- score and decay -------------------------------------------------------------------------


def test_score_decays_by_half_life(by_id: dict[str, dict[str, Any]]) -> None:
    # download 10 days old: 8 * 0.5 = 4; click 5 days old with its own 5-day half-life: 2 * 0.5
    assert by_id["L1"]["behaviour_score"] == 5.0
    # BANT-C points 10 + 5 + 5 + 4 + 2
    assert by_id["L1"]["criteria_score"] == 26.0
    assert by_id["L1"]["score"] == 31.0
    # a seminar half a day old: 20 * 0.5 ** (0.5 / 10) = 19.3187...
    assert by_id["L5"]["score"] == 19.32


def test_old_and_future_events_do_not_count(
    result: Judgment, by_id: dict[str, dict[str, Any]]
) -> None:
    # L2's download is 152 days old (limit 100); L4's download is after the as-of moment
    assert by_id["L2"]["behaviour_score"] == 20.0 and by_id["L2"]["events"] == 1
    assert by_id["L4"]["behaviour_score"] == 0.0 and by_id["L4"]["events"] == 0
    events = result.summary["input"]["events"]
    assert events == {"rows": 9, "valid": 9, "after_as_of": 1, "expired": 1, "scored": 7}


def test_as_of_defaults_to_latest_event_not_the_clock(
    graph: nx.MultiDiGraph, rules: QualificationDoc
) -> None:
    result = judge(rules, graph, PROJECT / "leads.csv", PROJECT / "events.csv")
    assert result.summary["as_of"] == "2026-02-01 00:00:00"
    assert {r["lead_id"]: r for r in result.records()}["L4"]["behaviour_score"] == 8.0


def test_without_decay_points_add_up(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    doc = rules_text(
        **{"  decay: {half_life_days: 10, max_age_days: 100}\n": "", ", half_life_days: 5": ""}
    )
    result = judge(doc, graph, PROJECT / "leads.csv", PROJECT / "events.csv", Options(as_of=AS_OF))
    rows = {r["lead_id"]: r for r in result.records()}
    assert rows["L1"]["behaviour_score"] == 10.0  # 8 + 2
    assert rows["L2"]["behaviour_score"] == 28.0  # 20 + 8: no age limit either


def test_as_of_parsing() -> None:
    assert parse_as_of("2026-06-30") == dt.datetime(2026, 6, 30, 23, 59, 59)
    assert parse_as_of("2026-06-30T09:00+09:00") == dt.datetime(2026, 6, 30, 0, 0)
    with pytest.raises(LeadsError):
        parse_as_of("yesterday")


# --- depth, BANT-C, role, lead time ----------------------------------------------------------


def test_depth_is_deepest_level_and_repeat_responses(by_id: dict[str, dict[str, Any]]) -> None:
    assert (by_id["L1"]["depth"], by_id["L1"]["depth_level"]) == ("shallow", 1)
    assert (by_id["L2"]["depth"], by_id["L2"]["depth_level"]) == ("contact", 3)
    # three clicks (no depth of their own) reach 'active' through min_events: 3
    assert (by_id["L3"]["depth"], by_id["L3"]["depth_level"]) == ("active", 2)
    assert (by_id["L7"]["depth"], by_id["L7"]["depth_level"]) == ("", 0)


def test_bant_c_completeness(by_id: dict[str, dict[str, Any]]) -> None:
    assert by_id["L1"]["known"] == "BANTC"
    assert by_id["L6"]["known"] == "BANT"  # 'あり' is an alias of need 'yes'
    assert by_id["L4"]["known"] == "N"  # need 'no' is known, worth 0
    assert by_id["L1"]["lead_class"] == by_id["L6"]["lead_class"] == "sql"


def test_unknown_value_is_not_known(
    graph: nx.MultiDiGraph, rules: QualificationDoc, tmp_path: Path
) -> None:
    leads = write(
        tmp_path,
        "leads.csv",
        """\
        lead_id,budget,authority,need,timeframe
        X1,unknown,yes,yes,3m
        X2,YES ,yes,yes,3m
    """,
    )
    rows = {r["lead_id"]: r for r in judge(rules, graph, leads).records()}
    assert rows["X1"]["known"] == "ANT" and rows["X1"]["lead_class"] == "prospect"
    assert rows["X2"]["known"] == "BANT" and rows["X2"]["lead_class"] == "sql"  # case, spaces


def test_target_role(by_id: dict[str, dict[str, Any]], result: Judgment) -> None:
    assert (by_id["L1"]["role"], by_id["L1"]["target_contact"]) == ("decision-maker", True)
    assert (by_id["L2"]["role"], by_id["L2"]["target_contact"]) == ("user", False)
    assert (by_id["L4"]["role"], by_id["L4"]["target_contact"]) == ("decision-maker", True)
    assert (by_id["L5"]["role"], by_id["L5"]["target_contact"]) == (None, False)
    bad = [p for p in result.problems if p.value == "社長"]
    assert len(bad) == 1 and bad[0].row == 6 and bad[0].column == "role"
    assert bad[0].effect == "value ignored"


def test_lead_time_decides_near_timeframe(by_id: dict[str, dict[str, Any]]) -> None:
    # both are SQL; 3 months is within the 6-month lead time, 12 months is not
    assert by_id["L1"]["rank"] == "A" and by_id["L1"]["horizon"] == "buy-now"
    assert by_id["L6"]["rank"] == "B" and by_id["L6"]["horizon"] == "someday"
    assert "timeframe within lead time (6 months)" in by_id["L1"]["reasons"]


# --- classes, ranks, buy-now, stages ---------------------------------------------------------


def test_class_rules_deepest_first(by_id: dict[str, dict[str, Any]]) -> None:
    classes = {k: v["lead_class"] for k, v in by_id.items()}
    assert classes == {
        "L1": "sql",
        "L2": "prospect",
        "L3": "lead",
        "L4": "prospect",
        "L5": "prospect",
        "L6": "sql",
        "L7": "lead",
        "L8": "lead",
    }
    assert by_id["L2"]["reasons"].startswith("class prospect: any of (depth >= contact")


def test_rank_boundaries_and_order(by_id: dict[str, dict[str, Any]]) -> None:
    assert by_id["L2"]["score"] == 20.0 and by_id["L2"]["rank"] == "B"  # score_min 20 holds
    assert by_id["L5"]["score"] == 19.32 and by_id["L5"]["rank"] == "C"  # just below
    assert by_id["L3"]["rank"] is None  # a lead with 6 points gets no rank
    assert "rank A: class >= sql, timeframe within" not in by_id["L1"]["reasons"]
    assert "rank A: timeframe within lead time (6 months), class >= sql" in by_id["L1"]["reasons"]


def test_custom_buy_now_rule(graph: nx.MultiDiGraph) -> None:
    doc = rules_text(**{"ranks:": "buy_now: {depth_min: contact}\nranks:"})
    result = judge(doc, graph, PROJECT / "leads.csv", PROJECT / "events.csv", Options(as_of=AS_OF))
    now = {r["lead_id"] for r in result.records() if r["horizon"] == "buy-now"}
    assert now == {"L2", "L5"}


def test_stage_placement(by_id: dict[str, dict[str, Any]], result: Judgment) -> None:
    stages = {k: v["stage"] for k, v in by_id.items()}
    assert stages == {
        "L1": "decide",  # class >= sql
        "L2": "research",  # depth >= contact
        "L3": "aware",  # fallback
        "L4": "research",  # problem 'explicit': the first stage with that problem state
        "L5": "research",
        "L6": "decide",
        "L7": "research",  # answered '情報収集', the label of stage research
        "L8": "aware",  # answer 'nowhere' is not a stage: ignored and reported
    }
    assert "stage research: answered (placement 1)" in by_id["L7"]["reasons"]
    assert "stage research: problem explicit (placement 3)" in by_id["L4"]["reasons"]
    ignored = {(p.row, p.column) for p in result.problems}
    assert {(9, "problem"), (9, "stage")} <= ignored


def test_segments_by_id_and_label(by_id: dict[str, dict[str, Any]]) -> None:
    assert by_id["L3"]["segment"] == "small"  # label 中小企業
    assert by_id["L4"]["segment"] is None


# --- summary ---------------------------------------------------------------------------------


def test_summary_counts_and_conversion(result: Judgment) -> None:
    s = result.summary
    counts = {c["id"]: (c["count"], c["reached"]) for c in s["lead_classes"]}
    assert counts == {"lead": (3, 8), "prospect": (3, 5), "sql": (2, 2)}
    assert [(c["from"], c["to"], c["rate"]) for c in s["conversion"]] == [
        ("lead", "prospect", 0.625),
        ("prospect", "sql", 0.4),
    ]
    sql = next(c for c in s["lead_classes"] if c["id"] == "sql")
    assert sql["by_segment"] == {"small": 1, "large": 1, "(none)": 0}
    stages = {st["id"]: st["count"] for st in s["stages"]}
    assert stages == {"unaware": 0, "aware": 2, "research": 4, "decide": 2}
    assert s["ranks"] == {"A": 1, "B": 2, "C": 2}


def test_someday_share_and_uncovered_prospects(result: Judgment) -> None:
    s = result.summary
    assert s["prospects"] == {
        "class": "prospect",
        "count": 5,
        "buy_now": 1,
        "someday": 4,
        "someday_share": 0.8,
        "unplaced": 0,
    }
    # L6 is at 'decide' in segment 'large', whose case study is still a draft
    assert s["uncovered"] == [
        {"stage": "decide", "segment": "large", "leads": 1, "lead_ids": ["L6"]}
    ]
    assert s["uncovered_prospects"] == 1


def test_problem_counts_in_summary(result: Judgment) -> None:
    inp = result.summary["input"]
    assert inp["rejected_total"] == 0
    assert inp["ignored_total"] == 3  # L5 role, L8 problem and stage


# --- bad rows --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bad(graph: nx.MultiDiGraph, rules: QualificationDoc) -> Judgment:
    return judge(
        rules,
        graph,
        BAD / "leads.csv",
        BAD / "events.csv",
        Options(as_of=AS_OF, leads_shown="leads.csv", events_shown="events.csv"),
    )


def test_bad_lead_rows_are_reported_with_row_numbers(bad: Judgment) -> None:
    leads = [(p.row, p.reason) for p in bad.problems if p.file == "leads.csv"]
    assert leads == [
        (3, "empty lead id"),
        (4, "more fields than the header has columns"),
        (5, "duplicate lead id (first at row 2)"),
    ]
    assert [r["lead_id"] for r in bad.records()] == ["A1", "A3"]
    assert bad.records()[0]["company"] == "Multi\nline Co"
    assert bad.summary["input"]["leads"] == {"rows": 5, "judged": 2}


def test_bad_event_rows_are_reported(bad: Judgment) -> None:
    events = [(p.row, p.column, p.reason) for p in bad.problems if p.file == "events.csv"]
    assert events == [
        (3, "lead_id", "unknown lead id 'ZZ'"),
        (4, "event", "unknown event type 'webinar'"),
        (
            5,
            "time",
            "unparseable timestamp '2026-01-32 10:00' (expected a timestamp like "
            "2026-06-30 14:05:00)",
        ),
        (6, "lead_id", "empty lead id"),
        (7, "event", "empty event type"),
        (7, "time", "empty timestamp"),
    ]
    inp = bad.summary["input"]
    assert inp["rejected_rows"] == {"leads.csv": 3, "events.csv": 5}
    assert inp["rejected_total"] == 8
    assert inp["events"]["rows"] == 7 and inp["events"]["valid"] == 2


def test_zoned_timestamps_become_utc(bad: Judgment) -> None:
    # A3's seminar at 09:00+09:00 is midnight UTC, 20 days before the as-of moment
    a3 = next(r for r in bad.records() if r["lead_id"] == "A3")
    assert a3["behaviour_score"] == 5.0  # 20 * 0.5 ** 2


def test_empty_and_header_only_files(graph: nx.MultiDiGraph, rules: QualificationDoc) -> None:
    result = judge(rules, graph, EMPTY / "empty.csv", EMPTY / "header-only.csv")
    assert result.rows == [] and result.problems == []
    assert result.summary["input"]["leads"] == {"rows": 0, "judged": 0}
    assert result.summary["as_of"] is None
    assert result.summary["prospects"]["someday_share"] is None


def test_missing_required_column(
    graph: nx.MultiDiGraph, rules: QualificationDoc, tmp_path: Path
) -> None:
    leads = write(tmp_path, "leads.csv", "id,company\nX1,A\n")
    with pytest.raises(LeadsError, match="no column 'lead_id' for id"):
        judge(rules, graph, leads)


def test_explicit_mapping_must_exist(
    graph: nx.MultiDiGraph, rules: QualificationDoc, tmp_path: Path
) -> None:
    leads = write(tmp_path, "leads.csv", "lead_id\nX1\n")
    with pytest.raises(LeadsError, match="no column '予算' for budget"):
        judge(rules, graph, leads, options=Options(lead_columns={"budget": "予算"}))
    with pytest.raises(LeadsError, match="unknown field"):
        judge(rules, graph, leads, options=Options(lead_columns={"budjet": "x"}))


def test_hostile_column_names_stay_names(
    graph: nx.MultiDiGraph, rules: QualificationDoc, tmp_path: Path
) -> None:
    evil = 'a"; DROP TABLE leads_ok; --'
    leads = write(tmp_path, "leads.csv", '"a""; DROP TABLE leads_ok; --",need\nX1,yes\n')
    result = judge(rules, graph, leads, options=Options(lead_columns={"id": evil}))
    assert [(r["lead_id"], r["lead_class"]) for r in result.records()] == [("X1", "prospect")]
    odd_value = write(tmp_path, "odd.csv", "lead_id,need\nX2,\"it's'); DROP--\"\n")
    result = judge(rules, graph, odd_value)
    assert "it's'); DROP--" in result.problems[0].reason


def test_parquet_input(graph: nx.MultiDiGraph, rules: QualificationDoc, tmp_path: Path) -> None:
    con = duckdb.connect()
    for name in ("leads", "events"):
        src, dest = str(PROJECT / f"{name}.csv"), str(tmp_path / f"{name}.parquet")
        con.execute(
            f"COPY (SELECT * FROM read_csv('{src}', all_varchar = true)) "
            f"TO '{dest}' (FORMAT parquet)"
        )
    result = judge(
        rules, graph, tmp_path / "leads.parquet", tmp_path / "events.parquet", Options(as_of=AS_OF)
    )
    expected = judge(
        rules, graph, PROJECT / "leads.csv", PROJECT / "events.csv", Options(as_of=AS_OF)
    )
    assert result.rows == expected.rows
    assert [(p.row, p.column) for p in result.problems] == [
        (p.row, p.column) for p in expected.problems
    ]


def test_timestamp_format(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    old = "events: {lead: lead_id, type: event, at: time}"
    new = "events: {lead: lead_id, type: event, at: time, timestamp_format: '%d/%m/%Y %H:%M'}"
    doc = rules_text(**{old: new})
    leads = write(tmp_path, "leads.csv", "lead_id\nX1\n")
    events = write(
        tmp_path,
        "events.csv",
        "lead_id,event,time\nX1,seminar,21/01/2026 00:00\nX1,seminar,2026-01-21\n",
    )
    result = judge(doc, graph, leads, events, Options(as_of=AS_OF))
    assert result.records()[0]["behaviour_score"] == 10.0
    assert result.problems[0].reason.endswith("(expected the format %d/%m/%Y %H:%M)")


def test_output_is_reproducible(
    graph: nx.MultiDiGraph, rules: QualificationDoc, result: Judgment
) -> None:
    again = judge(rules, graph, PROJECT / "leads.csv", PROJECT / "events.csv", Options(as_of=AS_OF))
    assert again.rows == result.rows and again.summary == result.summary


def test_many_rows_keep_their_numbers(
    graph: nx.MultiDiGraph, rules: QualificationDoc, tmp_path: Path
) -> None:
    # DuckDB reads big files in parallel; row numbers must still follow the file
    lines = ["lead_id,need"] + [f"R{i},yes" for i in range(300_000)]
    lines[150_001] = "R150000,bogus"
    lines[250_001] = "R250000,yes,extra"
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = judge(rules, graph, path)
    assert [(p.row, p.effect) for p in result.problems] == [
        (150_002, "value ignored"),
        (250_002, "row rejected"),
    ]
    assert len(result.rows) == 299_999


# --- benchmark smoke test --------------------------------------------------------------------


def test_benchmark_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "leads_bench.py"
    spec = importlib.util.spec_from_file_location("leads_bench", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--leads", "200", "--events", "2000"]) == 0
    out = capsys.readouterr().out
    assert "judged 200 leads" in out and "rows/s" in out
