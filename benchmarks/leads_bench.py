"""Benchmark: judge N leads with M behaviour events (default 100,000 and 1,000,000).

    python benchmarks/leads_bench.py [--leads N] [--events M] [--format csv|parquet]

Generates the files into a temporary folder with DuckDB (deterministic: fixed seed), then
times `toolkit.leads.judge.judge` on them with the bundled example's qualification rules, and
prints the seconds and rows per second. Not part of the test suite (a smoke test runs it
with small sizes); the target is under 5 s for the default sizes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from toolkit.leads.judge import Judgment, Options, judge  # noqa: E402
from toolkit.model.qualification import load_rules_file  # noqa: E402
from toolkit.pipeline import compile_project  # noqa: E402

RULES = ROOT / "journeys" / "qualification.yaml"
EVENT_TYPES = [
    "資料DL",
    "WP DL",
    "メルマガクリック",
    "料金ページ閲覧",
    "問い合わせ",
    "セミナー参加",
    "展示会来場",
    "IS会話",
    "アンケート回答",
    "NPS回答",
]
EVENT_WEIGHTS = [20, 20, 30, 12, 3, 5, 4, 3, 2, 1]


def _list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def generate(folder: Path, n_leads: int, n_events: int, fmt: str) -> tuple[Path, Path]:
    """Write leads and events files with the example's column names; return their paths."""
    con = duckdb.connect()
    con.execute("SELECT setseed(0.42)")
    opts = "(FORMAT parquet)" if fmt == "parquet" else "(HEADER, DELIMITER ',')"
    leads, events = folder / f"leads.{fmt}", folder / f"events.{fmt}"
    pick = "list_extract({values}, 1 + (hash(i * {salt}) % {n})::INTEGER)"

    def col(values: list[str], salt: int) -> str:
        return pick.format(values=_list(values), salt=salt, n=len(values))

    con.execute(
        f"""COPY (SELECT printf('L-%07d', i) AS "リードID", '株式会社テスト' || i AS "会社名",
        '担当者' || i AS "氏名",
        {col(["部長", "課長", "担当", "主任", "リーダー", "役員"], 3)} AS "役職",
        {col(["導入済み", "未導入"], 5)} AS "MA導入状況",
        {col(["確保済み", "申請中", "なし", "", "", ""], 7)} AS "予算",
        {col(["決裁者", "起案者", "", ""], 11)} AS "決裁権",
        {col(["明確", "潜在", "", "", ""], 13)} AS "必要性",
        {col(["3ヶ月以内", "半年以内", "1年以内", "未定", ""], 17)} AS "導入時期",
        {col(["なし", "比較中", "", ""], 19)} AS "競合", '' AS "課題状態", '' AS "検討段階"
        FROM range(1, {n_leads + 1}) t(i)) TO '{leads}' {opts}"""
    )
    weighted = [t for t, w in zip(EVENT_TYPES, EVENT_WEIGHTS, strict=True) for _ in range(w)]
    con.execute(
        f"""COPY (SELECT printf('L-%07d', 1 + (hash(i * 23) % {n_leads})::INTEGER) AS "リードID",
        {col(weighted, 29)} AS "行動",
        strftime(TIMESTAMP '2025-07-01' + to_seconds((hash(i * 31) % 31536000)::BIGINT),
                 '%Y-%m-%d %H:%M:%S') AS "日時"
        FROM range(1, {n_events + 1}) t(i)) TO '{events}' {opts}"""
    )
    con.close()
    return leads, events


def run(n_leads: int, n_events: int, fmt: str = "csv") -> tuple[float, float, Judgment]:
    """Generate the data, judge it once; return wall and CPU seconds and the judgment."""
    compiled = compile_project(ROOT, shown_as="")
    doc, _, diags = load_rules_file(RULES)
    if compiled.graph is None or doc is None:
        raise SystemExit(
            "the bundled example or its rules do not load: "
            + "; ".join(d.render() for d in [*compiled.diagnostics, *diags])
        )
    with tempfile.TemporaryDirectory(prefix="leads-bench-") as tmp:
        leads, events = generate(Path(tmp), n_leads, n_events, fmt)
        start, cpu = time.perf_counter(), time.process_time()
        result = judge(doc, compiled.graph, leads, events, Options())
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return seconds, cpu, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    args = parser.parse_args(argv)
    seconds, cpu, result = run(args.leads, args.events, args.format)
    rows = args.leads + args.events
    inp = result.summary["input"]
    print(
        f"judged {inp['leads']['judged']:,} leads and {inp['events']['scored']:,} scored "
        f"events ({args.format}) in {seconds:.2f} s: {rows / seconds:,.0f} rows/s "
        f"({args.events / seconds:,.0f} events/s); CPU time {cpu:.2f} s (both cores count; "
        f"wall time grows when the machine is busy); {inp['rejected_total']} rows rejected"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
