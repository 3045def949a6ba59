"""Importer: turn inventory changes into edited `kind: content` YAML, show them, write them.

Each changed file is edited surgically (toolkit.sheets.yamledit): untouched lines, comments, byte
order mark and line ends stay exactly as they were. The result is checked on a copy of the
project before anything is written (it must load without errors and hold exactly the
intended values), and once more after writing; a failed check restores the originals.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.common.diagnostics import Diagnostic, Location, error
from toolkit.load.sources import SOURCE_DIRS, display_root
from toolkit.model import models as m
from toolkit.model.project import Entry, Project, load_project
from toolkit.sheets.inventory import (
    FIELDS,
    LIST_FIELDS,
    ItemChange,
    Known,
    Sheet,
    compute_changes,
    missing_warnings,
    old_values,
    parse_rows,
    rejected_ids,
)
from toolkit.sheets.yamledit import (
    Edit,
    EditError,
    Node,
    apply_edits,
    delete_entry,
    insert_entries,
    parse_tree,
    render_item,
    replace_value,
    sequence_edits,
)

BOM = "\ufeff"
Pairs = list[tuple[str, Any]]
NEW_FILE = "journeys/content.yaml"


@dataclass(frozen=True)
class FilePlan:
    rel: str  # path inside the project, POSIX separators
    old: str | None  # None: a new file
    new: str


@dataclass
class _Text:
    """A source file's text prepared for editing (LF line ends, no BOM) and how to restore."""

    rel: str
    original: str
    text: str
    bom: bool
    crlf: bool
    docs: list[Node]

    def render(self, text: str) -> str:
        out = text.replace("\n", "\r\n") if self.crlf else text
        return (BOM if self.bom else "") + out


def relative(project: Project, display: str) -> str:
    """A document's file as a path inside the project (the loader may prefix the root)."""
    prefix = project.shown_as
    return display[len(prefix) + 1 :] if prefix and display.startswith(prefix + "/") else display


def _read(root: Path, rel: str) -> _Text:
    original = (root / rel).read_bytes().decode("utf-8")
    raw = original
    bom = raw.startswith(BOM)
    raw = raw[1:] if bom else raw
    crlf = "\r\n" in raw
    if crlf and raw.count("\r\n") != raw.count("\n"):
        raise EditError(f"{rel} mixes CRLF and LF line ends; make them one kind first")
    text = raw.replace("\r\n", "\n")
    return _Text(rel, original, text, bom, crlf, parse_tree(text))


def _item_node(src: _Text, entry: Entry[m.ContentItem]) -> tuple[Node, Node, int]:
    """(items sequence, item mapping, index) of an entry, checked against the loader's places."""
    doc = entry.doc
    root = src.docs[doc.index] if doc.index < len(src.docs) else None
    if root is None or (root.line, root.column) != doc.placed(()):
        raise EditError(f"{src.rel}: document {doc.index + 1} is not where it was loaded from")
    found = root.get("items") if root.kind == "map" else None
    index = int(entry.path[-1])
    if found is None or found[1].kind != "seq" or index >= len(found[1].items):
        raise EditError(f"{src.rel}: cannot find the items of document {doc.index + 1}")
    item = found[1].items[index]
    if item.kind != "map" or (item.line, item.column) != doc.placed(entry.path):
        raise EditError(f"{src.rel}:{item.line}: item '{entry.model.id}' is not a plain mapping")
    return found[1], item, index


def _field_edits(src: _Text, item: Node, change: ItemChange, seq: int) -> list[Edit]:
    edits: list[Edit] = []
    added: list[tuple[str, Any]] = []
    removed: set[int] = set()
    names = [k.value for k, _ in item.entries]
    for fc in change.fields:
        new = None if fc.new in ([], {}) else fc.new
        if fc.field not in names:
            if new is not None:
                added.append((fc.field, new))
            continue
        index = names.index(fc.field)
        value = item.entries[index][1]
        if new is None:
            edits.append(delete_entry(src.text, item, index, seq))
            removed.add(index)
        elif fc.field == "title" and _same_languages(fc.old, new, value):
            edits.extend(_title_edits(src.text, value, fc.old, new, seq))
        else:
            edits.append(replace_value(src.text, value, new, seq))
    if added:
        keep = [i for i in range(len(item.entries)) if i not in removed]
        for anchor, pairs in _anchors(names, keep, added).items():
            edits.append(insert_entries(src.text, item, pairs, after=anchor, seq=seq))
    return edits


def _anchors(
    names: list[str | None], keep: list[int], added: list[tuple[str, Any]]
) -> dict[int, list[tuple[str, Any]]]:
    """New keys grouped by the kept entry they follow: the last one earlier in format order."""
    order = {f: n for n, f in enumerate(FIELDS)}
    out: dict[int, list[tuple[str, Any]]] = {}
    for name, value in sorted(added, key=lambda p: order[p[0]]):
        before = [i for i in keep if order.get(str(names[i]), len(FIELDS)) < order[name]]
        out.setdefault(before[-1] if before else keep[-1], []).append((name, value))
    return out


def _same_languages(old: Any, new: Any, value: Node) -> bool:
    return (
        isinstance(old, dict)
        and isinstance(new, dict)
        and value.kind == "map"
        and list(old) == list(new)
        and [k.value for k, _ in value.entries] == list(old)
    )


def _title_edits(
    text: str, value: Node, old: dict[str, str], new: dict[str, str], seq: int
) -> list[Edit]:
    return [
        replace_value(text, node, new[str(key.value)], seq)
        for key, node in value.entries
        if old.get(str(key.value)) != new.get(str(key.value))
    ]


class _Planner:
    """Collects the edits of every file the changes touch."""

    def __init__(self, root: Path, project: Project) -> None:
        self.root = root
        self.project = project
        self.texts: dict[str, _Text] = {}
        self.edits: dict[str, list[Edit]] = {}
        self.seqs: dict[tuple[str, int], Node] = {}
        self.deleted: dict[tuple[str, int], set[int]] = {}

    def locate(self, entry: Entry[m.ContentItem]) -> tuple[tuple[str, int], Node, int]:
        rel = relative(self.project, entry.doc.file)
        if rel not in self.texts:
            self.texts[rel] = _read(self.root, rel)
        seq_node, item, index = _item_node(self.texts[rel], entry)
        key = (rel, entry.doc.index)
        self.seqs[key] = seq_node
        return key, item, index

    def change(self, entry: Entry[m.ContentItem], change: ItemChange, seq: int) -> None:
        key, item, index = self.locate(entry)
        if change.kind == "deleted":
            self.deleted.setdefault(key, set()).add(index)
        else:
            edits = _field_edits(self.texts[key[0]], item, change, seq)
            self.edits.setdefault(key[0], []).extend(edits)

    def sequences(self, target: tuple[str, int] | None, new_items: list[Pairs], seq: int) -> None:
        for key in sorted(set(self.deleted) | ({target} if target else set())):
            more = new_items if key == target else []
            edits = sequence_edits(
                self.texts[key[0]].text, self.seqs[key], self.deleted.get(key, set()), more, seq
            )
            self.edits.setdefault(key[0], []).extend(edits)

    def plans(self) -> list[FilePlan]:
        out = []
        for rel, edits in sorted(self.edits.items()):
            src = self.texts[rel]
            out.append(FilePlan(rel, src.original, src.render(apply_edits(src.text, edits))))
        return out


def plan_import(root: Path, project: Project, changes: list[ItemChange]) -> list[FilePlan]:
    """The new text of every file the changes touch (raises EditError when one cannot be made).

    New items go at the end of the items of the document holding the last item; a project
    without items gets a new `kind: content` document.
    """
    entries = {e.model.id: e for e in project.content}
    planner = _Planner(root, project)
    for n, change in enumerate(changes):
        if change.kind in ("changed", "deleted"):
            planner.change(entries[change.id], change, n)
    new_items = [list(c.values) for c in changes if c.kind == "added"]
    target = planner.locate(project.content[-1])[0] if new_items and project.content else None
    planner.sequences(target, new_items, len(changes))
    plans = planner.plans()
    if new_items and target is None:
        plans.append(_new_document(root, new_items))
    return [p for p in plans if p.old != p.new]


def _new_document(root: Path, new_items: list[list[tuple[str, Any]]]) -> FilePlan:
    """A `kind: content` document for a project without items: appended or a new file."""
    body = "kind: content\nitems:\n" + "".join(
        "  " + render_item(p, "    ", False) + "\n" for p in new_items
    )
    path = root / NEW_FILE
    if path.exists():
        old = path.read_bytes().decode("utf-8")
        sep = "" if old.endswith("\n") or not old else "\n"
        return FilePlan(NEW_FILE, old, old + sep + "---\n" + body)
    return FilePlan(NEW_FILE, None, body)


@dataclass(frozen=True)
class Proposal:
    """What a sheet would change: per item, per file, and the problems found on the way."""

    changes: list[ItemChange]
    plans: list[FilePlan]
    diagnostics: list[Diagnostic]  # rejected rows (errors), items missing from the sheet
    expected: dict[str, dict[str, Any]]  # every item's values after the change
    unsafe: str = ""  # why the YAML cannot be edited safely (EditError), if it cannot

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def writable(self) -> bool:
        """A write is all or nothing: only a sheet without any error may be written."""
        return not self.errors and not self.unsafe


def propose(root: Path, project: Project, sheet: Sheet, delete_missing: bool = False) -> Proposal:
    """The changes of a sheet and the files they make.

    The accepted rows' changes are planned even when other rows were rejected, so that a dry
    run shows them; such a proposal is not writable. A header error plans nothing.
    """
    items, diags = parse_rows(sheet, Known.of(project))
    if any(d.code == "bad-header" for d in diags):
        return Proposal([], [], diags, {})
    changes = compute_changes(project, items, delete_missing, rejected_ids(sheet, items))
    diags = diags + missing_warnings(project, changes)
    try:
        plans = plan_import(root, project, changes)
    except EditError as exc:
        return Proposal(changes, [], diags, {}, str(exc))
    return Proposal(changes, plans, diags, expected_state(project, changes))


def unified_diff(plans: list[FilePlan]) -> str:
    out = []
    for plan in plans:
        old = (plan.old or "").splitlines(keepends=True)
        new = plan.new.splitlines(keepends=True)
        before = "/dev/null" if plan.old is None else f"a/{plan.rel}"
        for line in difflib.unified_diff(old, new, before, f"b/{plan.rel}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


# --- checking and writing --------------------------------------------------------------------


def expected_state(project: Project, changes: list[ItemChange]) -> dict[str, dict[str, Any]]:
    """Every item's values once the changes are made."""
    state = {e.model.id: old_values(e.model) for e in project.content}
    for c in changes:
        if c.kind == "deleted":
            state.pop(c.id, None)
        elif c.kind == "changed":
            state[c.id].update({f.field: f.new for f in c.fields})
        elif c.kind == "added":
            values = dict(c.values)
            state[c.id] = {f: values.get(f) for f in FIELDS[1:]}
    return state


def check_result(
    root: Path, expected: dict[str, dict[str, Any]], shown_as: str = ""
) -> list[Diagnostic]:
    """Errors when the project at root does not load or does not hold the expected items."""
    loaded = load_project(root, shown_as=shown_as)
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    if errors:
        return errors
    actual = {e.model.id: old_values(e.model) for e in loaded.project.content}
    out = []
    for ident in sorted(set(actual) | set(expected)):
        want, got = expected.get(ident), actual.get(ident)
        if want is None or got is None or any(not _equal(f, want[f], got[f]) for f in want):
            out.append(
                error(
                    "import-mismatch",
                    f"after the edit, item '{ident}' is {got} instead of {want}",
                    Location(str(root)),
                    "this is a bug in 'journey content import'; please report it",
                )
            )
    return out


def _equal(name: str, a: Any, b: Any) -> bool:
    if name in LIST_FIELDS:
        return list(a or []) == list(b or [])
    return a == b


def check_on_copy(
    root: Path, plans: list[FilePlan], expected: dict[str, dict[str, Any]]
) -> list[Diagnostic]:
    """check_result on a temporary copy of the project's sources with the plans applied."""
    with tempfile.TemporaryDirectory(prefix="journey-import-") as tmp:
        copy = Path(tmp)
        for sub in SOURCE_DIRS:
            if (root / sub).is_dir():
                shutil.copytree(root / sub, copy / sub)
        for plan in plans:
            _write(copy / plan.rel, plan.new)
        return check_result(copy, expected, display_root(str(root)))


def write_plans(
    root: Path, plans: list[FilePlan], expected: dict[str, dict[str, Any]]
) -> list[Diagnostic]:
    """Write the plans; re-load the project and restore the originals if the check fails."""
    done: list[FilePlan] = []
    try:
        for plan in plans:
            _write(root / plan.rel, plan.new)
            done.append(plan)
        problems = check_result(root, expected, display_root(str(root)))
    except BaseException:
        _restore(root, done)
        raise
    if problems:
        _restore(root, done)
    return problems


def _restore(root: Path, plans: list[FilePlan]) -> None:
    for plan in plans:
        if plan.old is None:
            (root / plan.rel).unlink(missing_ok=True)
        else:
            _write(root / plan.rel, plan.old)


def _write(path: Path, text: str) -> None:
    """Replace a file atomically, keeping its permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
