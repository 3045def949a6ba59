"""Reading lead and event exports (CSV or Parquet) into DuckDB, every value as text.

Each table gets a `_row` column: the row's number counting a header as row 1, so the first
data row is 2 (for CSV this is the record a spreadsheet shows on that row; Parquet files are
numbered the same way). Rows DuckDB cannot split into the header's columns (too many or too
few fields, an unterminated quote, bytes that are not UTF-8) are kept out of the table and
returned as problems with their row number; nothing is dropped silently.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

PARQUET_SUFFIXES = (".parquet", ".pq")
TSV_SUFFIXES = (".tsv", ".tab")
FIRST_DATA_ROW = 2
RESERVED = frozenset({"rowid", "_row"})


class LeadsError(Exception):
    """Input that cannot be judged at all (unreadable file, missing column); says why."""


@dataclass(frozen=True)
class Problem:
    """A rejected row or an ignored value: where it is and why."""

    file: str
    row: int
    column: str
    value: str
    reason: str
    effect: str  # "row rejected" | "value ignored"

    def render(self) -> str:
        col = f" {self.column}" if self.column else ""
        return f"{self.file}:{self.row}:{col}: {self.effect}: {self.reason}"


REJECTED = "row rejected"
IGNORED = "value ignored"


def quote_ident(name: str) -> str:
    """A DuckDB identifier, quoted so any text (quotes included) stays one name."""
    return '"' + name.replace('"', '""') + '"'


def quote_text(value: str) -> str:
    """A SQL string literal (single quotes doubled; DuckDB has no backslash escapes)."""
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class Loaded:
    table: str
    columns: tuple[str, ...]
    rows: int
    problems: tuple[Problem, ...]
    empty: bool


def is_parquet(path: Path) -> bool:
    return path.suffix.lower() in PARQUET_SUFFIXES


def read_header(path: Path, delimiter: str) -> list[str] | None:
    """The header row of a CSV file (None when the file holds nothing)."""
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            head = fh.read(1 << 20)
    except UnicodeDecodeError:
        head = None
    except OSError as exc:
        raise LeadsError(f"cannot read {path}: {exc.strerror}") from None
    if head is None:
        raise LeadsError(f"{path}: the header row is not UTF-8 text; save the file as UTF-8")
    if not head.strip():
        return None
    try:
        header = next(csv.reader(io.StringIO(head), delimiter=delimiter))
    except (csv.Error, StopIteration) as exc:
        raise LeadsError(f"{path}: cannot read the header row ({exc})") from None
    return [h.strip() for h in header]


def _check_header(path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        if name.lower() in RESERVED:
            raise LeadsError(
                f"{path}: a column may not be named '{name}' (DuckDB uses it for "
                "row numbers); rename it in the header row"
            )
        if not name:
            raise LeadsError(f"{path}: column {i} of the header row has no name")
        if name in seen:
            raise LeadsError(f"{path}: column name '{name}' appears twice in the header row")
        seen.add(name)


def load_table(con: duckdb.DuckDBPyConnection, path: Path, table: str, shown: str) -> Loaded:
    """Read a CSV or Parquet file into `table` (all columns text, plus `_row`)."""
    if not path.is_file():
        raise LeadsError(f"{shown}: no such file")
    if is_parquet(path):
        return _load_parquet(con, path, table, shown)
    return _load_csv(con, path, table, shown)


def _load_parquet(con: duckdb.DuckDBPyConnection, path: Path, table: str, shown: str) -> Loaded:
    try:
        rel = con.execute(
            "SELECT * FROM read_parquet($p, file_row_number = true) LIMIT 0", {"p": str(path)}
        )
    except duckdb.Error as exc:
        raise LeadsError(f"{shown}: not a readable Parquet file ({_first_line(exc)})") from None
    names = [d[0] for d in rel.description if d[0] != "file_row_number"]
    _check_header(path, names)
    select = ", ".join(f"CAST({quote_ident(n)} AS VARCHAR) AS {quote_ident(n)}" for n in names)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT file_row_number + {FIRST_DATA_ROW} "
        f"AS _row{', ' + select if select else ''} "
        "FROM read_parquet($p, file_row_number = true)",
        {"p": str(path)},
    )
    rows = _count(con, table)
    return Loaded(table, tuple(names), rows, (), rows == 0 and not names)


def _load_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str, shown: str) -> Loaded:
    delimiter = "\t" if path.suffix.lower() in TSV_SUFFIXES else ","
    header = read_header(path, delimiter)
    if header is None:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (_row BIGINT)")
        return Loaded(table, (), 0, (), True)
    _check_header(path, header)
    rejects = f"{table}_rejects"
    columns = {name: "VARCHAR" for name in header}
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table}_raw AS SELECT * FROM read_csv($p, "
            "header = true, auto_detect = false, columns = $c, delim = $d, quote = '\"', "
            "escape = '\"', store_rejects = true, "
            f"rejects_table = {quote_text(rejects)}, "
            f"rejects_scan = {quote_text(rejects + '_scan')})",
            {"p": str(path), "c": columns, "d": delimiter},
        )
    except duckdb.Error as exc:
        raise LeadsError(f"{shown}: cannot read as CSV ({_first_line(exc)})") from None
    bad = con.execute(
        f"SELECT line, coalesce(column_name, ''), error_type::VARCHAR, coalesce(csv_line, ''), "
        f"error_message FROM {rejects} ORDER BY line"
    ).fetchall()
    # Accepted rows keep file order (DuckDB preserves insertion order); a row's number is its
    # position plus the rejected rows before it.
    lines = sorted({int(b[0]) for b in bad})
    _number_rows(con, table, lines)
    problems = tuple(
        Problem(shown, int(line), col, _short(raw), _csv_reason(kind, msg), REJECTED)
        for line, col, kind, raw, msg in bad
    )
    return Loaded(table, tuple(header), _count(con, table), problems, False)


def _number_rows(con: duckdb.DuckDBPyConnection, table: str, rejected: list[int]) -> None:
    if not rejected:  # a view: no copy of a million rows
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {table} AS "
            f"SELECT rowid + {FIRST_DATA_ROW} AS _row, * FROM {table}_raw"
        )
        return
    # Rejected row i (1-based, sorted) sits after (line_i - i - 1) accepted data rows.
    # An accepted row is shifted by the number of rejected rows before it: an ASOF join finds
    # the last rejected row at or before it (fast at any number of rejects).
    gaps: dict[int, int] = {}
    for i, line in enumerate(rejected, start=1):
        gaps[line - i - 1] = i
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _gaps AS SELECT unnest($k)::BIGINT AS before_k, "
        "unnest($s)::BIGINT AS shift",
        {"k": list(gaps), "s": list(gaps.values())},
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT r.rowid + {FIRST_DATA_ROW} + "
        f"coalesce(g.shift, 0) AS _row, r.* FROM {table}_raw r "
        "ASOF LEFT JOIN _gaps g ON r.rowid >= g.before_k ORDER BY r.rowid"
    )
    con.execute(f"DROP TABLE {table}_raw")


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


CSV_REASONS = {
    "TOO MANY COLUMNS": "more fields than the header has columns",
    "MISSING COLUMNS": "fewer fields than the header has columns",
    "UNQUOTED VALUE": "a quote is not closed (the rest of the file may be inside it)",
    "INVALID ENCODING": "bytes that are not UTF-8",
    "LINE SIZE OVER MAXIMUM": "the row is longer than DuckDB's line limit",
}


def _csv_reason(kind: str, message: str) -> str:
    return CSV_REASONS.get(kind, f"cannot read the row ({message})")


def _short(text: str, limit: int = 60) -> str:
    text = text.rstrip("\r\n")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
