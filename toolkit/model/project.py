"""Project: validated documents assembled into one model, with every reference resolved."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from toolkit.common.diagnostics import Diagnostic, Location, did_you_mean, error, warning
from toolkit.common.languages import language_note, ui_language
from toolkit.load.sources import (
    MAX_FILE_BYTES,
    Cache,
    Document,
    display_root,
    iter_project_files,
)
from toolkit.model import kinds
from toolkit.model import models as m
from toolkit.model.entry import Entry
from toolkit.model.qualification import QualificationDoc, check_qualification
from toolkit.model.references import raw_references
from toolkit.model.validation import convert


@dataclass
class Project:
    root: Path
    shown_as: str
    meta: m.ProjectDoc | None = None
    stages: list[Entry[m.Stage]] = field(default_factory=list)
    axes: list[Entry[m.Axis]] = field(default_factory=list)
    roles: list[Entry[m.Role]] = field(default_factory=list)
    lead_classes: list[Entry[m.LeadClass]] = field(default_factory=list)
    funnel_stages: list[Entry[m.FunnelStage]] = field(default_factory=list)
    segments: list[Entry[m.Segment]] = field(default_factory=list)
    personas: list[Entry[m.PersonaDoc]] = field(default_factory=list)
    journeys: list[Entry[m.JourneyDoc]] = field(default_factory=list)
    content: list[Entry[m.ContentItem]] = field(default_factory=list)
    qualification: Entry[QualificationDoc] | None = None

    @property
    def language(self) -> str:
        return self.meta.language if self.meta else "en"


@dataclass
class LoadResult:
    project: Project
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


ENTITY_NAMES = {
    "stage": "customer stage",
    "axis": "axis",
    "role": "role",
    "lead_class": "lead class",
    "funnel_stage": "funnel stage",
    "segment": "segment",
    "persona": "persona",
    "journey": "journey",
    "content": "content item",
}


# id(document) -> (the document, its model or the validation error): see load_project.
Validated = dict[int, tuple[Document, Any]]


def load_project(
    root: Path,
    shown_as: str | None = None,
    cache: Cache | None = None,
    validated: Validated | None = None,
) -> LoadResult:
    """Load, validate and cross-check a project folder.

    With `validated` (kept between builds by `journey serve`, whose memory cache hands back
    the same Document objects for unchanged files), a document validated before is not
    validated again; on return it holds this load's documents only.
    """
    shown = display_root(str(root)) if shown_as is None else shown_as
    project = Project(root, shown)
    if not any((root / d).is_dir() for d in ("personas", "journeys")):
        where = Location(shown or ".")
        msg = "no 'personas/' or 'journeys/' folder here"
        return LoadResult(project, [error("not-a-project", msg, where, "run 'journey init DIR'")])
    docs: list[Document] = []
    diags: list[Diagnostic] = []
    admitted: list[Diagnostic] = []
    invalid_ids: dict[str, set[str]] = {}
    invalid_docs: list[Document] = []
    first_single: dict[str, Document] = {}
    seen: Validated = {}
    # Each file's documents are validated as soon as it is loaded (while parallel workers
    # may still be parsing the next files).
    for file_docs, file_diags in iter_project_files(root, shown, cache):
        docs.extend(file_docs)
        diags.extend(file_diags)
        for doc in file_docs:
            admitted.extend(
                _admit(doc, project, first_single, invalid_ids, invalid_docs, validated, seen)
            )
    for kind, ids in _salvage_unloadable(root, shown, docs, diags).items():
        invalid_ids.setdefault(kind, set()).update(ids)
    diags.extend(admitted)
    if validated is not None:
        validated.clear()
        validated.update(seen)
    for kind in kinds.REQUIRED_KINDS:
        if kind not in first_single and kind not in invalid_ids:
            diags.append(
                error(
                    f"missing-{kind}",
                    f"the project has no 'kind: {kind}' document",
                    Location(shown or "."),
                    f"add one under journeys/ (see docs/FORMAT.md, kind: {kind})",
                )
            )
    diags.extend(_check_language(first_single.get("project"), project))
    diags.extend(_check_ids(project, invalid_docs))
    diags.extend(_check_refs(project, invalid_ids, invalid_docs))
    if project.qualification is not None:
        diags.extend(check_qualification(project.qualification, project, invalid_ids))
    return LoadResult(project, diags)


SALVAGE_KIND = re.compile(r"(?m)^[ \t]*kind:[ \t]*[\"']?([A-Za-z_]+)")
SALVAGE_ID = re.compile(r"(?m)^[ \t-]*\{?[ \t]*id:[ \t]*[\"']?([a-z0-9][a-z0-9_-]*)")


def _salvage_unloadable(
    root: Path, shown: str, docs: list[Document], diags: list[Diagnostic]
) -> dict[str, set[str]]:
    """Kinds and ids that files which failed to load *may* define, read off their raw text.

    A syntax error in one file must not flood the report with `missing-stages` and
    `unknown-ref` errors for everything that file defines: its ids count as possibly defined
    (for every entity kind) until the file loads again.
    """
    loaded = {d.file for d in docs}
    refused = {d.file for d in diags if d.code == "symlink-outside"}  # never read
    failed = sorted({d.file for d in diags if d.severity == "error"} - loaded - refused)
    out: dict[str, set[str]] = {}
    for display in failed:
        rel = display[len(shown) + 1 :] if shown else display
        try:
            lines = list(_salvage_lines(root / rel))
        except OSError:
            continue
        ids = {found for line in lines for found in SALVAGE_ID.findall(line)}
        for line in lines:
            for kind in SALVAGE_KIND.findall(line):
                out.setdefault(kind, set())
        for entity in ENTITY_NAMES:
            out.setdefault(entity, set()).update(ids)
    return out


SALVAGE_READ_LIMIT = 32 * MAX_FILE_BYTES  # of a file over the size limit, read line by line
SALVAGE_LINE_LIMIT = 4096  # the start of a line is enough for 'kind:' and 'id:'


def _salvage_lines(path: Path) -> Iterator[str]:
    """The starts of a file's lines (as text), reading at most SALVAGE_READ_LIMIT bytes.

    A file over the size limit is read here too, piece by piece, so that its kinds and
    ids still count as possibly defined (its only error is then `file-too-large`).
    """
    read = 0
    with path.open("rb") as fh:
        while read < SALVAGE_READ_LIMIT:
            line = fh.readline(SALVAGE_LINE_LIMIT)
            if not line:
                return
            read += len(line)
            piece = line
            while not piece.endswith(b"\n") and piece and read < SALVAGE_READ_LIMIT:
                piece = fh.readline(SALVAGE_LINE_LIMIT)  # the rest of a long line, skipped
                read += len(piece)
            yield line.decode("utf-8", "replace")


def _admit(
    doc: Document,
    project: Project,
    first_single: dict[str, Document],
    invalid_ids: dict[str, set[str]],
    invalid_docs: list[Document],
    validated: Validated | None = None,
    seen: Validated | None = None,
) -> list[Diagnostic]:
    data = doc.data
    if not isinstance(data, dict):
        return [error("wrong-type", "a document must be a mapping with a 'kind:' key", doc.loc())]
    kind = data.get("kind")
    if kind is None:
        return [error("missing-kind", "document has no 'kind:'", doc.loc(), _kinds_hint())]
    if not isinstance(kind, str):
        shown = "a list" if isinstance(kind, list) else "a mapping"
        return [
            error(
                "wrong-type",
                f"'kind:' must be plain text, not {shown}",
                doc.loc(("kind",)),
                _kinds_hint(),
            )
        ]
    model = kinds.KINDS.get(kind)
    if model is None:
        hint = did_you_mean(str(kind), kinds.KINDS) or _kinds_hint()
        return [error("unknown-kind", f"unknown kind {kind!r}", doc.loc(("kind",)), hint)]
    if kind in kinds.SINGLE_KINDS:
        if kind in first_single:
            first = first_single[kind].loc(("kind",))
            _remember_raw_ids(kind, data, invalid_ids)  # its ids exist: no unknown-ref cascade
            return [
                error(
                    "duplicate-kind",
                    f"a second 'kind: {kind}' document (the first is at {first})",
                    doc.loc(("kind",)),
                    f"a project holds at most one '{kind}' document",
                )
            ]
        first_single[kind] = doc
    parsed = _validate(model, doc, validated)
    if seen is not None:
        seen[id(doc)] = (doc, parsed)
    if isinstance(parsed, ValidationError):
        _remember_raw_ids(kind, data, invalid_ids)
        invalid_docs.append(doc)
        return convert(parsed, doc, model)
    _add(project, parsed, doc)
    return []


def _validate(model: type[m.Model], doc: Document, validated: Validated | None) -> Any:
    """The document's model, or the ValidationError; remembered ones are reused."""
    known = validated.get(id(doc)) if validated is not None else None
    if known is not None and known[0] is doc:
        return known[1]
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        return exc


def _kinds_hint() -> str:
    return "one of: " + ", ".join(kinds.KINDS)


def _add(project: Project, parsed: Any, doc: Document) -> None:
    if isinstance(parsed, m.ProjectDoc):
        project.meta = parsed
    elif isinstance(parsed, m.StagesDoc):
        project.stages = [Entry(s, doc, ("stages", i)) for i, s in enumerate(parsed.stages)]
        project.axes = [Entry(a, doc, ("axes", i)) for i, a in enumerate(parsed.axes)]
    elif isinstance(parsed, m.FunnelDoc):
        project.roles = [Entry(r, doc, ("roles", i)) for i, r in enumerate(parsed.roles)]
        project.lead_classes = [
            Entry(c, doc, ("lead_classes", i)) for i, c in enumerate(parsed.lead_classes)
        ]
        project.funnel_stages = [Entry(s, doc, ("stages", i)) for i, s in enumerate(parsed.stages)]
    elif isinstance(parsed, m.SegmentsDoc):
        project.segments = [Entry(s, doc, ("segments", i)) for i, s in enumerate(parsed.segments)]
    elif isinstance(parsed, m.PersonaDoc):
        project.personas.append(Entry(parsed, doc, ()))
    elif isinstance(parsed, m.JourneyDoc):
        project.journeys.append(Entry(parsed, doc, ()))
    elif isinstance(parsed, m.ContentDoc):
        project.content.extend(Entry(c, doc, ("items", i)) for i, c in enumerate(parsed.items))
    elif isinstance(parsed, QualificationDoc):
        project.qualification = Entry(parsed, doc, ())


RAW_LISTS = {
    "stages": {"stages": "stage", "axes": "axis"},
    "funnel": {"roles": "role", "lead_classes": "lead_class", "stages": "funnel_stage"},
    "segments": {"segments": "segment"},
    "content": {"items": "content"},
}


def _remember_raw_ids(kind: str, data: dict[str, Any], out: dict[str, set[str]]) -> None:
    """Ids of a document that failed validation, so references to them do not cascade."""
    out.setdefault(kind, set())
    if kind in ("persona", "journey") and isinstance(data.get("id"), str):
        out.setdefault(kind, set()).add(data["id"])
    for key, entity in RAW_LISTS.get(kind, {}).items():
        items = data.get(key)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                out.setdefault(entity, set()).add(item["id"])


def entities(project: Project) -> dict[str, list[Entry[Any]]]:
    return {
        "stage": project.stages,
        "axis": project.axes,
        "role": project.roles,
        "lead_class": project.lead_classes,
        "funnel_stage": project.funnel_stages,
        "segment": project.segments,
        "persona": project.personas,
        "journey": project.journeys,
        "content": project.content,
    }


def _check_language(doc: Document | None, project: Project) -> list[Diagnostic]:
    """`unknown-language` for a project language the toolkit's words are not written in."""
    if doc is None or project.meta is None or ui_language(project.meta.language):
        return []
    where = doc.loc(("language",))
    hint = "use ja or en (a region is fine: ja-JP)"
    return [warning("unknown-language", language_note(project.meta.language), where, hint)]


def _check_ids(project: Project, invalid_docs: list[Document]) -> list[Diagnostic]:
    """`duplicate-id` for every id defined twice, counting the raw ids of documents that
    failed validation too (a duplicate is reported in the same run as an unknown key).

    Locations are worked out for duplicates only (a large project has thousands of ids)."""
    raw: dict[str, list[tuple[str, Location]]] = {}
    for kind, ident, loc in _raw_ids(invalid_docs):
        raw.setdefault(kind, []).append((ident, loc))
    out = []
    for kind, entries in entities(project).items():
        places: list[tuple[str, Entry[Any] | Location]] = [(e.model.id, e) for e in entries]
        if kind in raw:
            # files load in name order and each document's entries in line order: sorting
            # by location keeps "the first" as a reader of the files sees it
            places = sorted([*places, *raw[kind]], key=lambda p: _sort_key(_where(p[1])))
        seen: dict[str, Entry[Any] | Location] = {}
        for ident, place in places:
            if ident not in seen:
                seen[ident] = place
                continue
            out.append(
                error(
                    "duplicate-id",
                    f"duplicate {ENTITY_NAMES[kind]} id '{ident}' "
                    f"(also defined at {_where(seen[ident])})",
                    _where(place),
                    "ids must be unique within their kind",
                )
            )
    return out


def _where(place: Entry[Any] | Location) -> Location:
    return place if isinstance(place, Location) else place.loc("id")


def _sort_key(loc: Location) -> tuple[str, int, int]:
    return (loc.file, loc.line, loc.column)


def _raw_ids(docs: list[Document]) -> Iterator[tuple[str, str, Location]]:
    """(entity kind, id, where) of each id written in documents that failed validation."""
    for doc in docs:
        data = doc.data
        kind = data.get("kind")
        if kind in ("persona", "journey") and isinstance(data.get("id"), str):
            yield kind, data["id"], doc.loc(("id",))
        for key, entity in RAW_LISTS.get(kind, {}).items():
            items = data.get(key)
            for i, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    yield entity, item["id"], doc.loc((key, i, "id"))


class _Refs:
    """Resolves references of one kind, collecting an `unknown-ref` per miss."""

    def __init__(self, project: Project, invalid: dict[str, set[str]]) -> None:
        self.known = {
            kind: {e.model.id for e in entries} | invalid.get(kind, set())
            for kind, entries in entities(project).items()
        }
        self.diags: list[Diagnostic] = []

    def check(self, kind: str, value: str, loc: Location) -> bool:
        if value in self.known[kind]:
            return True
        name = ENTITY_NAMES[kind]
        hint = did_you_mean(value, self.known[kind])
        if not hint:
            hint = f"no {name} is defined" if not self.known[kind] else f"define {name} '{value}'"
        self.diags.append(error("unknown-ref", f"unknown {name} '{value}'", loc, hint))
        return False

    def check_at(
        self, kind: str, value: str, entry: Entry[Any], *path: Any, key: bool = False
    ) -> None:
        """check(), working out the location only for a miss (most references resolve)."""
        if value not in self.known[kind]:
            self.check(kind, value, entry.loc(*path, key=key))

    def check_all(self, kind: str, values: Iterable[str], entry: Entry[Any], *path: Any) -> None:
        known = self.known[kind]
        for i, value in enumerate(values):
            if value not in known:
                self.check(kind, value, entry.loc(*path, i))


def _check_refs(
    project: Project, invalid: dict[str, set[str]], invalid_docs: list[Document]
) -> list[Diagnostic]:
    refs = _Refs(project, invalid)
    for doc in invalid_docs:  # still report their unknown references in this same run
        for kind, value, loc in raw_references(doc):
            refs.check(kind, value, loc)
    for axis in project.axes:
        for stage_id in axis.model.values:
            refs.check_at("stage", stage_id, axis, "values", stage_id, key=True)
    for fs in project.funnel_stages:
        refs.check_all("role", fs.model.owners, fs, "owners")
        refs.check_all("stage", fs.model.serves, fs, "serves")
        if fs.model.lead_class is not None:
            refs.check_at("lead_class", fs.model.lead_class, fs, "lead_class")
    _check_persona_segments(project, refs, "segments" in invalid)
    for journey in project.journeys:
        _check_journey(journey, refs)
    refs.diags.extend(check_future_of(project.journeys, refs.known["journey"]))
    for item in project.content:
        refs.check_all("stage", item.model.stages, item, "stages")
        refs.check_all("segment", item.model.segments or [], item, "segments")
        if item.model.owner is not None:
            refs.check_at("role", item.model.owner, item, "owner")
    return refs.diags


def _check_persona_segments(project: Project, refs: _Refs, maybe_segments: bool) -> None:
    has_segments = bool(project.segments) or maybe_segments
    for persona in project.personas:
        if persona.model.segment is not None:
            refs.check_at("segment", persona.model.segment, persona, "segment")
        elif has_segments:
            refs.diags.append(
                error(
                    "missing-segment",
                    f"persona '{persona.model.id}' names no segment, but the project has segments",
                    persona.loc("id"),
                    "add 'segment:' with one of: " + ", ".join(sorted(refs.known["segment"])),
                )
            )


def _check_journey(journey: Entry[m.JourneyDoc], refs: _Refs) -> None:
    j = journey.model
    if j.persona is not None:
        refs.check_at("persona", j.persona, journey, "persona")
    if j.segment is not None:
        refs.check_at("segment", j.segment, journey, "segment")
    if j.future_of is not None:
        refs.check_at("journey", j.future_of, journey, "future_of")
    for stage_id, step in j.steps.items():
        refs.check_at("stage", stage_id, journey, "steps", stage_id, key=True)
        refs.check_all("funnel_stage", step.funnel, journey, "steps", stage_id, "funnel")
        for i, action in enumerate(step.actions):
            at = ("steps", stage_id, "actions", i)
            refs.check_at("role", action.role, journey, *at, "role")
            refs.check_all("content", action.content, journey, *at, "content")
    for i, tr in enumerate(j.transitions):
        for end, key in ((tr.from_, "from"), (tr.to, "to")):
            loc = journey.loc("transitions", i, key)
            if end in j.steps:
                continue
            if end not in refs.known["stage"]:
                refs.check("stage", end, loc)
                continue
            refs.diags.append(
                error(
                    "bad-transition",
                    f"transition {key} '{end}', which is not a step of journey '{j.id}'",
                    loc,
                    did_you_mean(end, j.steps)
                    or "add a step for that stage or change the transition",
                )
            )


def _owner(j: m.JourneyDoc) -> str:
    return f"persona '{j.persona}'" if j.persona is not None else f"segment '{j.segment}'"


def check_future_of(journeys: list[Entry[m.JourneyDoc]], known: set[str]) -> list[Diagnostic]:
    """`bad-future-of` for a `future_of` that cannot pair a future journey with its current one.

    A `future_of` naming no journey is `unknown-ref` (found by _check_journey); one naming a
    journey that failed validation (in `known` but not here) is not judged.
    """
    by_id = {j.model.id: j.model for j in journeys}
    out = []
    for entry in journeys:
        j = entry.model
        if j.future_of is None or j.future_of not in known:
            continue
        other = by_id.get(j.future_of)
        problem = ""
        hint = ""
        if j.state != "future":
            problem = f"journey '{j.id}' is a current journey but names 'future_of'"
            hint = "add 'state: future', or remove 'future_of'"
        elif other is None:
            continue
        elif other.id == j.id or other.state != "current":
            problem = f"'future_of' names journey '{other.id}', which is not a current journey"
            hint = "name the current journey this one plans to change"
        elif (other.persona, other.segment) != (j.persona, j.segment):
            problem = (
                f"future journey '{j.id}' is for {_owner(j)}, but its current journey "
                f"'{other.id}' is for {_owner(other)}"
            )
            hint = "a future journey has the same persona, or segment, as its current journey"
        if problem:
            out.append(error("bad-future-of", problem, entry.loc("future_of"), hint))
    return out
