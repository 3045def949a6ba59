"""Fuzzing the importers and the loader: whatever bytes come in, the answer is diagnostics and
an exit code 0, 1 or 2, never a traceback, and the project changes only when `--write`
succeeded. Sheets are CSV bytes, XLSX workbooks (built here and then mutated) and YAML bytes.
Kept small (max_examples) so that the file runs in well under 20 s."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import openpyxl
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.cli.main import cli
from toolkit.common.diagnostics import Diagnostic
from toolkit.load.sources import parse_bytes
from toolkit.pipeline import compile_project
from toolkit.sheets import importer as imp
from toolkit.sheets import inventory as inv
from toolkit.sheets.files import SheetFileError, read_csv, read_xlsx
from toolkit.sheets.grid import read_steps, vocabulary

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FAST = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- inputs ----------------------------------------------------------------------------------

NASTY = [
    "\x00", "\x1b", "\x7f", "\x1c", "\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\ufeff", "\r",
    "\n", "\r\n", ",", ";", '"', "'", "=", "+1", "-", "@", "\t", " ", "[content: x]", "[kpi: y]",
    "(", ")", "é", "日本",
]  # fmt: skip
WORDS = [
    "id", "title", "title:ja", "title:en", "title:", "format", "stages", "segments", "owner",
    "status", "url", "updated", "guide-all", "case-big", "case-small", "new-item", "Bad Id", "s1",
    "s2", "s9", "big", "small", "marketing", "sales", "draft", "published", "live", "2026-01-10",
    "2026-13-01", "thinking", "doing", "emotion", "story", "funnel", "interest", "consideration",
    "-1", "3", "x",
]  # fmt: skip
CELL = st.lists(st.sampled_from(NASTY + WORDS) | st.text(max_size=3), max_size=4).map("".join)
ROWS = st.lists(st.lists(CELL, max_size=8), max_size=6)


def csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


CSV_BYTES = st.one_of(
    st.binary(max_size=200),
    ROWS.map(lambda rows: csv_text(rows).encode("utf-8")),
    st.tuples(st.sampled_from(["\ufeff", ""]), ROWS, st.sampled_from(["", 'x,"y', "\n\n,"])).map(
        lambda t: (t[0] + csv_text(t[1]) + t[2]).encode("utf-8")
    ),
    ROWS.map(lambda rows: csv_text(rows).encode("cp932", errors="replace")),
)


def base_workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "inventory"
    ws.append(["id", "title", "stages", "status", "updated"])
    ws.append(["case-big", "Big case", "s2", "published", 3])
    ws.append(["new-item", "=1+2", "s1", "draft", None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


BASE_XLSX = base_workbook()
XML_BITS = [
    "<", ">", "/>", '"', "&", "&#0;", "&#x1b;", "<row r=\"1048576\">", "<c r=\"XFD9\"><v>1</v></c>",
    '<dimension ref="A1:XFD1048576"/>', "<c r=\"A0\" t=\"s\"><v>99</v></c>", 't="e"', 't="b"',
    "<v>nan</v>", "<v>1e999</v>", "<f>SUM(A1)</f>", "_x0000_", "\x00", "r=\"ZZZZ1\"", "</row>",
    "<is><t>x</t></is>", 's="999"', 't="d"', "<v>2026-99-99</v>",
]  # fmt: skip


@st.composite
def xlsx_bytes(draw: st.DrawFn) -> bytes:
    """A valid workbook whose sheet XML or zip bytes were mutated."""
    how = draw(st.sampled_from(["xml", "bytes", "truncate", "entry"]))
    raw = BASE_XLSX
    if how == "truncate":
        return raw[: draw(st.integers(0, len(raw)))]
    if how == "bytes":
        data = bytearray(raw)
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        victim = draw(st.sampled_from([i.filename for i in src.infolist()]))
        for info in src.infolist():
            data = src.read(info.filename)
            if how == "entry" and info.filename == victim:
                if draw(st.booleans()):
                    continue  # a missing part
                data = draw(st.binary(max_size=50))
            elif how == "xml" and info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                for _ in range(draw(st.integers(1, 4))):
                    at = draw(st.integers(0, len(text)))
                    cut = draw(st.integers(0, 20))
                    bit = draw(st.sampled_from(XML_BITS) | st.text(max_size=4))
                    text = text[:at] + bit + text[at + cut :]
                data = text.encode("utf-8", errors="surrogatepass")
            dst.writestr(info, data)
    return out.getvalue()


YAML_BITS = [
    "kind: content\n", "items:\n", "  - id: a\n", "    title: ", "&a ", "*a", "!!python/object ",
    "<<: *a\n", "---\n", "...\n", "%YAML 1.1\n", "? ", ": ", "- ", "[", "]", "{", "}", "'", '"',
    "\\x00", "\t", "\ufeff", "\x00", "\x85", "\u2028", "#", "|\n", ">-\n", "1e999", "2026-13-01",
    "~", "null", "kind: journey\n", "steps: ", "stages:\n",
]  # fmt: skip
YAML_BYTES = st.one_of(
    st.binary(max_size=200),
    st.lists(st.sampled_from(YAML_BITS) | st.text(max_size=5), max_size=15).map(
        lambda parts: "".join(parts).encode("utf-8", errors="surrogatepass")
    ),
    st.lists(st.sampled_from(YAML_BITS), max_size=15).map(
        lambda parts: "".join(parts).encode("utf-16")
    ),
)

# --- helpers ---------------------------------------------------------------------------------


@contextmanager
def project() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="fuzz-import-") as tmp:
        root = Path(tmp) / "project"
        shutil.copytree(FIXTURES / "coverage-basic", root)
        yield root


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def journey(*args: str) -> tuple[int, str]:
    """`journey ARGS` through click's CliRunner: (exit code, stdout + stderr).

    Any exception other than a usage error fails the test (it would be a traceback).
    """
    result = CliRunner().invoke(cli, list(args), standalone_mode=False, catch_exceptions=True)
    if isinstance(result.exception, click.UsageError):
        return 2, result.output
    assert result.exception is None, (result.exception, result.output)
    assert isinstance(result.return_value, int)
    return result.return_value, result.output


def well_formed(diags: list[Diagnostic]) -> None:
    for d in diags:
        assert d.severity in ("error", "warning") and d.code and d.message and d.file
        assert d.render().startswith(d.file)


_COMPILED = compile_project(FIXTURES / "coverage-basic", shown_as="")
KNOWN = inv.Known.of(_COMPILED.project)


# --- content import --------------------------------------------------------------------------


@FAST
@given(CSV_BYTES, st.sampled_from([".csv", ".xlsx"]))
def test_content_reader_gives_a_sheet_or_a_sheet_error(raw: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"s{suffix}"
        path.write_bytes(raw)
        try:
            sheet = inv.read_sheet(path, "s" + suffix)
        except inv.SheetError as exc:
            well_formed([exc.diagnostic])
            return
    items, diags = inv.parse_rows(sheet, KNOWN)
    well_formed(diags)
    assert all(d.severity == "error" for d in diags)


@FAST
@given(st.one_of(CSV_BYTES.map(lambda b: (b, ".csv")), xlsx_bytes().map(lambda b: (b, ".xlsx"))))
def test_content_import_cli_changes_the_project_only_when_the_write_succeeds(
    case: tuple[bytes, str],
) -> None:
    raw, suffix = case
    with project() as root:
        sheet = root.parent / f"sheet{suffix}"
        sheet.write_bytes(raw)
        before = tree_bytes(root)
        code, output = journey("content", "import", str(root), str(sheet), "--write")
        assert code in (0, 1, 2), output
        assert "Traceback" not in output and "internal error" not in output
        if tree_bytes(root) != before:
            assert code == 0 and "wrote " in output, output


@FAST
@given(xlsx_bytes())
def test_mutated_workbooks_give_a_sheet_or_a_sheet_error(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.xlsx"
        path.write_bytes(raw)
        try:
            sheet = inv.read_sheet(path, "s.xlsx")
        except inv.SheetError as exc:
            well_formed([exc.diagnostic])
        else:
            well_formed(inv.parse_rows(sheet, KNOWN)[1])
    try:
        grid = read_xlsx(raw)
    except SheetFileError:
        return
    assert all(isinstance(v, str | int) or v is None for row in grid for v in row)


# --- import sheet ----------------------------------------------------------------------------


@FAST
@given(CSV_BYTES)
def test_journey_sheet_reader_gives_steps_or_diagnostics(raw: bytes) -> None:
    try:
        grid = read_csv(raw)
    except SheetFileError:
        return
    steps, diags = read_steps(grid, VOCAB, "s.csv")
    well_formed(diags)
    if not any(d.severity == "error" for d in diags):
        assert all(isinstance(step, dict) for step in steps.values())


VOCAB = vocabulary(_COMPILED.project)


@settings(FAST, max_examples=15)
@given(st.one_of(CSV_BYTES.map(lambda b: (b, ".csv")), xlsx_bytes().map(lambda b: (b, ".xlsx"))))
def test_import_sheet_cli_writes_only_a_checked_file(case: tuple[bytes, str]) -> None:
    raw, suffix = case
    with project() as root:
        sheet = root.parent / f"sheet{suffix}"
        sheet.write_bytes(raw)
        out = root / "journeys" / "journey-fuzzed.yaml"
        before = tree_bytes(root)
        code, output = journey(
            "import", "sheet", str(sheet), "--journey", "fuzzed", "--segment", "big",
            "--project", str(root), "-o", str(out),
        )  # fmt: skip
        assert code in (0, 1, 2), output
        assert "Traceback" not in output and "internal error" not in output
        after = tree_bytes(root)
        if code == 0:
            assert set(after) - set(before) == {"journeys/journey-fuzzed.yaml"}
            assert b"\x00" not in after["journeys/journey-fuzzed.yaml"]
            assert compile_project(root, shown_as="").ok
        else:
            assert after == before


# --- the loader ------------------------------------------------------------------------------


@settings(FAST, max_examples=200)
@given(YAML_BYTES)
def test_parse_bytes_never_raises(raw: bytes) -> None:
    docs, diags = parse_bytes(raw, "f.yaml")
    well_formed(diags)
    if any(d.severity == "error" for d in diags):
        assert docs == [] or all(doc is not None for doc in docs)


@FAST
@given(CSV_BYTES)
def test_proposals_are_writable_only_without_errors(raw: bytes) -> None:
    with project() as root:
        path = root.parent / "s.csv"
        path.write_bytes(raw)
        try:
            sheet = inv.read_sheet(path, "s.csv")
        except inv.SheetError:
            return
        proposal = imp.propose(root, _COMPILED.project, sheet)
        well_formed(proposal.diagnostics)
        assert proposal.writable == (proposal.errors == 0 and not proposal.unsafe)
