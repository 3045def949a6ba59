"""Content inventory round trip: export rows, read sheets, reject bad rows with their row and
column, compute changes, and edit the YAML surgically (comments, layout, BOM and line ends
kept; nothing lost silently; results that would not validate refused)."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from toolkit.load.sources import parse_documents
from toolkit.model.project import Project, load_project
from toolkit.pipeline import compile_project
from toolkit.sheets import importer as imp
from toolkit.sheets import inventory as inv
from toolkit.sheets.files import neutralise_csv, unneutralise_csv
from toolkit.sheets.yamledit import Edit, EditError, apply_edits, parse_tree, scalar

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HEADER = [
    "id", "title", "title:en", "title:ja", "format", "stages", "segments", "owner", "status",
    "url", "updated",
]  # fmt: skip


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(FIXTURES / "coverage-basic", dest)
    return dest


def loaded(root: Path) -> Project:
    result = load_project(root, shown_as="")
    assert result.ok, [d.render() for d in result.diagnostics]
    return result.project


def exported(root: Path) -> list[list[str]]:
    compiled = compile_project(root, shown_as="")
    assert compiled.graph is not None
    return inv.export_rows(compiled.graph)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def set_cell(rows: list[list[str]], ident: str, column: str, value: str) -> None:
    row = next(r for r in rows if r[0] == ident)
    row[rows[0].index(column)] = value


def import_rows(root: Path, rows: list[list[str]], delete_missing: bool = False):
    sheet = inv.read_sheet(write_csv(root / "sheet.csv", rows), "sheet.csv")
    project = loaded(root)
    items, diags = inv.parse_rows(sheet, inv.Known.of(project))
    changes = inv.compute_changes(project, items, delete_missing)
    return project, changes, diags, imp.plan_import(root, project, changes)


# --- export ----------------------------------------------------------------------------------


def test_export_rows_in_source_order(project_dir: Path) -> None:
    rows = exported(project_dir)
    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == [
        "guide-all", "case-big", "case-small", "old-deck", "quote-big", "onboarding",
        "faq-nostatus",
    ]  # fmt: skip
    assert rows[1] == [
        "guide-all", "", "Guide for everyone", "全セグメント向けガイド", "guide", "s1", "",
        "marketing", "published", "https://example.com/guide", "2026-01-10",
    ]  # fmt: skip
    assert rows[2][:3] == ["case-big", "Big case study", ""]
    assert rows[6][HEADER.index("segments")] == "big"


def test_unchanged_export_imports_as_no_change(project_dir: Path) -> None:
    project, changes, diags, plans = import_rows(project_dir, exported(project_dir))
    assert diags == [] and changes == [] and plans == []


# --- reading and validating rows -------------------------------------------------------------


def test_bad_rows_are_rejected_with_row_and_column(project_dir: Path) -> None:
    rows = exported(project_dir)
    rows.append(["new-ok", "New", "", "", "", "s1", "", "", "planned", "", ""])  # row 9
    rows.append(["Bad Id", "", "", "", "", "s1", "", "", "", "", ""])  # row 10
    rows.append(["x2", "", "", "", "", "s1 s9", "bigg", "sale", "live", "", "2026-13-01"])
    rows.append(["new-ok", "again", "", "", "", "", "", "", "", "", ""])  # duplicate
    rows.append(["", "no id", "", "", "", "", "", "", "", "", ""])
    rows.append(["", "", "", "", "", "", "", "", "", "", ""])  # blank: skipped
    rows.append(["both", "Plain", "English", "", "", "", "", "", "", "", ""])
    sheet = inv.read_sheet(write_csv(project_dir / "sheet.csv", rows), "sheet.csv")
    items, diags = inv.parse_rows(sheet, inv.Known.of(loaded(project_dir)))
    assert [d.render() for d in diags] == [
        "sheet.csv:10:1: error bad-row: id 'Bad Id' is not a lowercase slug "
        "(use a-z, 0-9, '-' and '_')",
        "sheet.csv:11:6: error bad-row: unknown customer stage 's9' (one of: s1, s2, s3, s4)",
        "sheet.csv:11:7: error bad-row: unknown segment 'bigg' (did you mean 'big'?)",
        "sheet.csv:11:8: error bad-row: unknown role 'sale' (did you mean 'sales'?)",
        "sheet.csv:11:9: error bad-row: unknown status 'live' "
        "(one of: planned, draft, published, retired)",
        "sheet.csv:11:11: error bad-row: '2026-13-01' is not a date (write YYYY-MM-DD)",
        "sheet.csv:12:1: error bad-row: id 'new-ok' is also in row 9 (each item once)",
        "sheet.csv:13:1: error bad-row: the row has no id",
        "sheet.csv:15:2: error bad-row: a title in 'title' and in title:en (use one or the other)",
    ]
    assert [i.id for i in items][-1] == "new-ok"
    assert len(items) == 8  # the 7 exported rows and new-ok


def test_header_problems_stop_the_import(tmp_path: Path, project_dir: Path) -> None:
    known = inv.Known.of(loaded(project_dir))
    path = write_csv(tmp_path / "h.csv", [["id", "stage", "title:", "status", "status"], ["a"]])
    _, diags = inv.parse_rows(inv.read_sheet(path, "h.csv"), known)
    assert [d.render() for d in diags] == [
        "h.csv:1:2: error bad-header: unknown column 'stage' (did you mean 'stages'?)",
        "h.csv:1:3: error bad-header: 'title:' names no language (e.g. title:ja)",
        "h.csv:1:5: error bad-header: column 'status' appears twice",
    ]
    path = write_csv(tmp_path / "n.csv", [["title"], ["x"]])
    _, diags = inv.parse_rows(inv.read_sheet(path, "n.csv"), known)
    assert [d.render() for d in diags] == [
        "n.csv:1:1: error bad-header: the sheet has no 'id' column"
    ]


def test_unreadable_sheets(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_bytes(b"id\n\xff\xfe\n")
    with pytest.raises(inv.SheetError, match="not UTF-8"):
        inv.read_sheet(tmp_path / "bad.csv", "bad.csv")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(inv.SheetError, match="not an XLSX workbook"):
        inv.read_sheet(tmp_path / "bad.xlsx", "bad.xlsx")
    with pytest.raises(inv.SheetError, match="unknown sheet type"):
        inv.read_sheet(tmp_path / "x.ods", "x.ods")


def test_a_zip_feature_python_cannot_read_is_a_sheet_error(tmp_path: Path) -> None:
    # found by test_fuzz_import: a central directory entry asking for zip version 6.4
    Workbook().save(tmp_path / "w.xlsx")
    raw = bytearray((tmp_path / "w.xlsx").read_bytes())
    entry = raw.index(b"PK\x01\x02")
    raw[entry + 6 : entry + 8] = (64).to_bytes(2, "little")  # version needed to extract
    (tmp_path / "v64.xlsx").write_bytes(bytes(raw))
    with pytest.raises(inv.SheetError, match="not an XLSX workbook .NotImplementedError"):
        inv.read_sheet(tmp_path / "v64.xlsx", "v64.xlsx")


def test_xlsx_formula_cells_are_rejected_and_dates_read(tmp_path: Path, project_dir: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "inventory"
    ws.append(["id", "stages", "status", "updated", "title"])
    ws.append(["a1", "s1", "draft", dt.datetime(2026, 3, 4), "ok"])
    ws.append(["a2", "s1", "draft", None, "=1+2"])
    wb.save(tmp_path / "s.xlsx")
    sheet = inv.read_sheet(tmp_path / "s.xlsx", "s.xlsx")
    items, diags = inv.parse_rows(sheet, inv.Known.of(loaded(project_dir)))
    assert [d.render() for d in diags] == [
        "s.xlsx:3:5: error bad-row: cell holds a formula (column 'title') (type the value itself)"
    ]
    assert items[0].values["updated"] == dt.date(2026, 3, 4)


def test_csv_apostrophe_before_formula_is_undone() -> None:
    # the export writes a leading apostrophe before a formula-like cell and before one
    # that starts with an apostrophe, so the import removes exactly one
    assert unneutralise_csv(neutralise_csv("=1+2")) == "=1+2"
    assert neutralise_csv("=1+2") == "'=1+2"
    assert neutralise_csv("'=1+2") == "''=1+2"
    assert unneutralise_csv("''=1+2") == "'=1+2"
    assert neutralise_csv("'quoted'") == "''quoted'"
    assert unneutralise_csv(neutralise_csv("'")) == "'"
    assert neutralise_csv("12") == "12"


# --- changes ---------------------------------------------------------------------------------


def test_changes_per_item_and_field(project_dir: Path) -> None:
    rows = exported(project_dir)
    set_cell(rows, "case-small", "status", "published")
    set_cell(rows, "case-big", "segments", "")  # empty = all segments
    set_cell(rows, "guide-all", "title:ja", "ガイド")
    set_cell(rows, "faq-nostatus", "stages", "s4, s3")
    rows.append(["brand-new", "", "New", "", "", "s2", "small", "marketing", "planned", "", ""])
    rows = [r for r in rows if r[0] != "old-deck"]
    project, changes, diags, _ = import_rows(project_dir, rows)
    assert [inv.describe(c) for c in changes] == [
        "~ guide-all (row 2): title: ja: 全セグメント向けガイド, en: Guide for everyone -> "
        "ja: ガイド, en: Guide for everyone",
        "~ case-big (row 3): segments: big -> (none)",
        "~ case-small (row 4): status: draft -> published",
        "~ faq-nostatus (row 7): stages: s4 -> s4, s3",
        "+ brand-new (row 8): new item",
        "? old-deck: not in the sheet, kept",
    ]
    assert changes[0].fields[0].new == {"ja": "ガイド", "en": "Guide for everyone"}
    assert changes[4].values == (
        ("id", "brand-new"), ("title", {"en": "New"}), ("stages", ["s2"]),
        ("segments", ["small"]), ("owner", "marketing"), ("status", "planned"),
    )  # fmt: skip
    warns = inv.missing_warnings(project, changes)
    assert [d.render() for d in warns] == [
        "journeys/content.yaml:32:9: warning missing-item: content item 'old-deck' is not in "
        "the sheet; it is kept (add its row back, or pass --delete-missing to remove it)"
    ]


def test_title_columns_merge_with_the_old_languages() -> None:
    item = inv.RowItem(2, "a", {}, {"ja": "新"})
    assert inv.new_title({"en": "Old", "ja": "旧", "fr": "Vieux"}, item) == {
        "en": "Old", "ja": "新", "fr": "Vieux",
    }  # fmt: skip
    assert inv.new_title("Plain", inv.RowItem(2, "a", {}, {})) == "Plain"
    assert (
        inv.new_title({"ja": "x"}, inv.RowItem(2, "a", {"title": "Plain"}, {"ja": None})) == "Plain"
    )
    assert inv.new_title({"ja": "x"}, inv.RowItem(2, "a", {"title": None}, {"ja": None})) is None


# --- editing the YAML ------------------------------------------------------------------------


def test_import_edits_only_the_changed_lines(project_dir: Path) -> None:
    before = (project_dir / "journeys/content.yaml").read_text(encoding="utf-8")
    rows = exported(project_dir)
    set_cell(rows, "guide-all", "owner", "sales")  # keeps the comment after the value
    set_cell(rows, "case-big", "stages", "s2, s3")  # a block list stays a block list
    set_cell(rows, "case-small", "title:ja", "中小の事例")  # one language of a block map
    set_cell(rows, "case-small", "status", "published")
    set_cell(rows, "quote-big", "format", "template")  # a new key, in format order
    set_cell(rows, "guide-all", "url", "")  # removed field
    rows.append(["brand-new", "", "New, improved", "", "", "s2", "small", "", "planned", "", ""])
    project, changes, _, plans = import_rows(project_dir, rows)
    assert [p.rel for p in plans] == ["journeys/content.yaml"]
    expected = (
        before.replace("owner: marketing   # the team lead", "owner: sales   # the team lead")
        .replace("    url: https://example.com/guide\n", "")
        .replace("    stages:\n      - s2\n", "    stages:\n      - s2\n      - s3\n")
        .replace("      ja: 中小企業の事例", "      ja: 中小の事例")
        .replace("    status: draft\n", "    status: published\n")
        .replace(
            "    title: {en: Quote template}\n    stages: [s3]",
            "    title: {en: Quote template}\n    format: template\n    stages: [s3]",
        )
        .replace(
            "    stages: [s4]\n# end",
            "    stages: [s4]\n  - id: brand-new\n    title: {en: 'New, improved'}\n"
            "    stages: [s2]\n    segments: [small]\n    status: planned\n# end",
        )
    )
    assert plans[0].old == before
    assert plans[0].new == expected
    diff = imp.unified_diff(plans)
    assert diff.startswith("--- a/journeys/content.yaml\n+++ b/journeys/content.yaml\n")
    assert "-    url: https://example.com/guide\n" in diff
    problems = imp.write_plans(project_dir, plans, imp.expected_state(project, changes))
    assert problems == []
    assert (project_dir / "journeys/content.yaml").read_text(encoding="utf-8") == expected
    after = {e.model.id: e.model for e in loaded(project_dir).content}
    assert after["brand-new"].title == {"en": "New, improved"}
    assert after["case-big"].stages == ["s2", "s3"]


def test_dry_run_writes_nothing_and_check_on_copy_validates(project_dir: Path) -> None:
    before = (project_dir / "journeys/content.yaml").read_bytes()
    rows = exported(project_dir)
    set_cell(rows, "case-small", "status", "published")
    project, changes, _, plans = import_rows(project_dir, rows)
    assert imp.check_on_copy(project_dir, plans, imp.expected_state(project, changes)) == []
    assert (project_dir / "journeys/content.yaml").read_bytes() == before


def test_missing_items_are_kept_unless_deleted_explicitly(project_dir: Path) -> None:
    rows = [r for r in exported(project_dir) if r[0] not in ("old-deck", "faq-nostatus")]
    _, changes, _, plans = import_rows(project_dir, rows)
    assert [c.kind for c in changes] == ["missing", "missing"] and plans == []
    project, changes, _, plans = import_rows(project_dir, rows, delete_missing=True)
    assert [(c.id, c.kind) for c in changes] == [
        ("old-deck", "deleted"),
        ("faq-nostatus", "deleted"),
    ]
    new = plans[0].new
    assert "old-deck" not in new and "faq-nostatus" not in new
    assert "  # retired items never count\n  - id: quote-big" in new  # comments stay
    assert new.endswith("    status: published\n# end of the inventory\n")
    assert imp.write_plans(project_dir, plans, imp.expected_state(project, changes)) == []
    assert [e.model.id for e in loaded(project_dir).content] == [
        "guide-all", "case-big", "case-small", "quote-big", "onboarding",
    ]  # fmt: skip


def test_result_that_would_not_validate_is_refused_and_restored(project_dir: Path) -> None:
    path = project_dir / "journeys/content.yaml"
    before = path.read_bytes()
    rows = [r for r in exported(project_dir) if r[0] != "onboarding"]  # an action names it
    project, changes, _, plans = import_rows(project_dir, rows, delete_missing=True)
    expected = imp.expected_state(project, changes)
    problems = imp.check_on_copy(project_dir, plans, expected)
    assert [(d.code, d.file, d.line) for d in problems] == [
        ("unknown-ref", f"{project_dir}/journeys/bob.yaml", 15)
    ]
    assert imp.write_plans(project_dir, plans, expected)[0].code == "unknown-ref"
    assert path.read_bytes() == before


def test_crlf_bom_and_flow_items_are_kept(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "coverage-nosegments", root)
    path = root / "journeys/model.yaml"
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    rows = exported(root)
    assert rows[0] == ["id", "title", *HEADER[4:]]
    set_cell(rows, "x", "status", "draft")
    set_cell(rows, "y", "owner", "marketing")
    set_cell(rows, "y", "title", "Why: a title")
    rows.append(["z", "Zed", "", "s1", "", "", "planned", "", "2026-02-03"])
    project, changes, _, plans = import_rows(root, rows)
    new = plans[0].new
    assert new.startswith("\ufeffkind: stages\r\n") and "\n" not in new.replace("\r\n", "")
    assert new.endswith(
        "items:\r\n"
        "  - {id: x, stages: [s1], owner: marketing, status: draft}\r\n"
        "  - {id: y, title: 'Why: a title', stages: [s2], owner: marketing, status: draft}\r\n"
        "  - {id: z, title: Zed, stages: [s1], status: planned, updated: 2026-02-03}\r\n"
    )
    assert imp.write_plans(root, plans, imp.expected_state(project, changes)) == []
    items = {e.model.id: e.model for e in loaded(root).content}
    assert items["y"].title == "Why: a title" and items["y"].owner == "marketing"
    assert items["z"].updated == dt.date(2026, 2, 3)


def test_project_without_content_gets_a_new_document(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "coverage-basic", root)
    (root / "journeys/content.yaml").unlink()
    (root / "journeys/bob.yaml").write_text(
        (root / "journeys/bob.yaml")
        .read_text(encoding="utf-8")
        .replace(", content: [onboarding]", ""),
        encoding="utf-8",
    )
    rows = [HEADER, ["solo", "Solo", "", "", "", "s1", "", "", "published", "", ""]]
    project, changes, _, plans = import_rows(root, rows)
    assert [(p.rel, p.old) for p in plans] == [("journeys/content.yaml", None)]
    assert plans[0].new == (
        "kind: content\nitems:\n  - id: solo\n    title: Solo\n    stages: [s1]\n"
        "    status: published\n"
    )
    assert imp.write_plans(root, plans, imp.expected_state(project, changes)) == []


# --- yamledit --------------------------------------------------------------------------------

YAML_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30) | st.sampled_from(
    ["", "~", "null", "No", "1.10", "- x", "a: b", "#c", "x #y", "'q'", '"d"', "[a]", "{a: 1}",
     "&a", "*a", "!t", "%x", "@x", "`x", "|", ">", "? x", " lead", "trail ", "\xa0", "a\nb",
     "\x85", "\u2028", "\ufeffx", "=1+2", "日本語, カンマ", "tab\tin"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(YAML_TEXT)
def test_scalar_reads_back_as_the_same_text(value: str) -> None:
    for in_flow, template in ((False, "k: {}\n"), (True, "k: [{}]\n")):
        docs, diags = parse_documents(template.format(scalar(value, in_flow)), "t.yaml")
        assert diags == []
        got = docs[0].data["k"]
        assert (got[0] if in_flow else got) == value


def test_parse_tree_spans_agree_with_the_loader() -> None:
    text = (
        "kind: content\nitems:\n  - id: a\n    title: {ja: 日本語, en: x}\n"
        "    stages:\n      - s1\n"
    )
    tree = parse_tree(text)
    doc = parse_documents(text, "t")[0][0]
    item = tree[0].get("items")[1].items[0]  # type: ignore[index]
    assert (item.line, item.column) == doc.placed(("items", 0))
    title = item.get("title")[1]  # type: ignore[index]
    assert (title.entries[1][1].line, title.entries[1][1].column) == doc.placed(
        ("items", 0, "title", "en")
    )
    stages = item.get("stages")[1]  # type: ignore[index]
    assert text[stages.start : stages.end] == "- s1"


def test_overlapping_edits_are_refused() -> None:
    with pytest.raises(EditError):
        apply_edits("abcdef", [Edit(0, 3, "x"), Edit(2, 4, "y")])
    assert apply_edits("abc", [Edit(1, 1, "2", seq=2), Edit(1, 1, "1", seq=1)]) == "a12bc"
    assert apply_edits("a, b", [Edit(1, 4, ""), Edit(1, 1, "+")]) == "a+"


def test_anchored_values_are_not_edited(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "coverage-nosegments", root)
    model = root / "journeys/model.yaml"
    model.write_text(
        model.read_text(encoding="utf-8").replace(
            "  - {id: x, stages: [s1], owner: marketing, status: published}",
            "  - {id: x, stages: &st [s1], owner: marketing, status: published}\n"
            "  - {id: w, stages: *st, status: draft}",
        ),
        encoding="utf-8",
    )
    rows = exported(root)
    set_cell(rows, "x", "stages", "s2")
    with pytest.raises(EditError, match="anchor"):
        import_rows(root, rows)
    assert yaml.safe_load_all(model.read_text(encoding="utf-8"))
