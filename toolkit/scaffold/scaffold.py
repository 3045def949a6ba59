"""Scaffold: `journey init`, a ready project from a template shipped inside the package.

Templates live in toolkit/scaffold/templates/<name>/ as plain project files (personas/ and
journeys/). Labels in them are given in both ja and en; the chosen language is written into
the `language:` line of the `kind: project` document. `b2b` is a copy of the repository's
bundled example (a test keeps the two identical).

Writing is all or nothing: a folder that is not empty is refused unless `force`, and even
then no existing file is ever overwritten: when any file of the template already exists, the
whole init is refused and the conflicting files are listed. The exceptions are the
conveniences `.gitignore` and `journey.schema.json`: an existing one is kept and reported,
never a conflict.

Every YAML file written starts with a yaml-language-server modeline that points at
`journey.schema.json` (the format schema, as `journey schema` prints it) at the project root,
so editors with the YAML language server complete and check the files; it is a comment, so
the files load as the template's do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("ja", "en")
IGNORED_ENTRIES = frozenset({".git"})
GITIGNORE = b"# build output of 'journey build'\noutput/\n"
SCHEMA_FILE = "journey.schema.json"
OPTIONAL = frozenset({".gitignore", SCHEMA_FILE})  # kept when they exist, never a conflict
YAML_SUFFIXES = (".yaml", ".yml")
BOM = b"\xef\xbb\xbf"
DESCRIPTIONS: dict[str, str] = {
    "b2b": "the bundled B2B example: nine customer stages with the resolution story and "
    "other axes, a five-role funnel, lead classes, two segments, three personas, "
    "four journeys and a future state of one, and a content inventory",
    "minimal": "one stage model, one funnel (one role, one funnel stage), one persona, one journey",
    "story": "one stage per state of the buyer's nine-state resolution story, a funnel, "
    "one persona, one journey and content for every state",
}
LANGUAGE_LINE = re.compile(r"^language:[ \t]*\S+[ \t]*$", re.MULTILINE)
PROJECT_KIND = re.compile(r"^kind:[ \t]*project[ \t]*$", re.MULTILINE)


class InitError(Exception):
    """The project cannot be created; the message says why."""


@dataclass(frozen=True)
class InitResult:
    written: list[str]  # posix paths inside the new project
    kept: list[str]  # optional files that existed already and were left alone


@dataclass(frozen=True)
class Template:
    name: str
    description: str
    language: str  # the language the template ships with (the default of --lang)


def template_names() -> list[str]:
    """Names of the templates shipped in the package, sorted."""
    if not TEMPLATES_DIR.is_dir():
        return []
    return sorted(p.name for p in TEMPLATES_DIR.iterdir() if p.is_dir() and _visible(p.name))


def _visible(name: str) -> bool:
    return not name.startswith((".", "_"))


def template_files(name: str) -> dict[str, bytes]:
    """The template's files keyed by their posix path inside the new project."""
    if name not in template_names():
        raise InitError(f"unknown template {name!r}; choose one of: {', '.join(template_names())}")
    root = TEMPLATES_DIR / name
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and all(_visible(part) for part in rel.parts):
            files[rel.as_posix()] = path.read_bytes()
    return files


def shipped_language(files: dict[str, bytes]) -> str:
    """The `language:` of the template's `kind: project` document."""
    for text in _project_docs(files).values():
        match = LANGUAGE_LINE.search(text)
        if match:
            return match.group(0).split(":", 1)[1].strip()
    raise InitError("template has no 'kind: project' document with a 'language:' line")


def _project_docs(files: dict[str, bytes]) -> dict[str, str]:
    out = {}
    for rel, raw in files.items():
        text = raw.decode("utf-8")
        if PROJECT_KIND.search(text):
            out[rel] = text
    return out


def describe(name: str) -> Template:
    return Template(name, DESCRIPTIONS.get(name, ""), shipped_language(template_files(name)))


def set_language(files: dict[str, bytes], lang: str) -> dict[str, bytes]:
    """The files with `language: <lang>` in the project document (only that line changes)."""
    if lang not in LANGUAGES:
        raise InitError(f"unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}")
    out = dict(files)
    docs = _project_docs(files)
    if not docs:
        raise InitError("template has no 'kind: project' document")
    for rel, text in docs.items():
        new, count = LANGUAGE_LINE.subn(f"language: {lang}", text, count=1)
        if count != 1:
            raise InitError(f"template file {rel} has no 'language:' line")
        out[rel] = new.encode("utf-8")
    return out


def modeline(rel: str) -> bytes:
    """The yaml-language-server line for the file at posix path rel (inside the project)
    that points at the project's schema file, relative to the file's folder."""
    depth = rel.count("/")
    prefix = "../" * depth if depth else "./"
    return f"# yaml-language-server: $schema={prefix}{SCHEMA_FILE}\n".encode()


def with_modelines(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files with the modeline as the first line of every YAML file (after a BOM)."""
    out = {}
    for rel, data in files.items():
        if rel.lower().endswith(YAML_SUFFIXES):
            bom = BOM if data.startswith(BOM) else b""
            data = bom + modeline(rel) + data[len(bom) :]
        out[rel] = data
    return out


def plan_init(name: str, lang: str | None = None) -> dict[str, bytes]:
    """Every file `journey init` writes for a template, keyed by posix path."""
    from toolkit.model.schema import format_schema_text

    files = template_files(name)
    if lang is not None:
        files = set_language(files, lang)
    schema = format_schema_text().encode("utf-8")
    return {**with_modelines(files), ".gitignore": GITIGNORE, SCHEMA_FILE: schema}


def is_empty(dest: Path) -> bool:
    """Whether dest is absent or holds nothing but a `.git` folder."""
    if not dest.exists():
        return True
    return not [p for p in dest.iterdir() if p.name not in IGNORED_ENTRIES]


def conflicts(dest: Path, files: dict[str, bytes]) -> list[str]:
    """Files of the plan that already exist in dest (or are blocked by a non-folder)."""
    out = []
    for rel in sorted(files):
        target = dest.joinpath(*PurePosixPath(rel).parts)
        blocked = any(p.exists() and not p.is_dir() for p in _parents_within(dest, target))
        if target.exists() or target.is_symlink() or blocked:
            out.append(rel)
    return out


def _parents_within(dest: Path, target: Path) -> list[Path]:
    rel = target.relative_to(dest)
    return [dest.joinpath(*rel.parts[:i]) for i in range(1, len(rel.parts))]


def init_project(dest: Path, name: str, lang: str | None = None, force: bool = False) -> InitResult:
    """Write the template into dest. Refuses (writing nothing) rather than overwrite."""
    if dest.exists() and not dest.is_dir():
        raise InitError(f"{dest} is a file, not a folder")
    files = plan_init(name, lang)
    if not force and not is_empty(dest):
        raise InitError(
            f"{dest} is not empty; use --force to add the template's files next to what is "
            "there (existing files are never overwritten)"
        )
    existing = conflicts(dest, files)
    kept = [rel for rel in existing if rel in OPTIONAL]
    clash = [rel for rel in existing if rel not in OPTIONAL]
    if clash:
        listed = "\n".join(f"  {rel}" for rel in clash)
        raise InitError(
            f"{dest} already has {len(clash)} of the template's files; nothing was written "
            f"(move them away or choose another folder):\n{listed}"
        )
    written = sorted(rel for rel in files if rel not in kept)
    for rel in written:
        target = dest.joinpath(*PurePosixPath(rel).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as fh:  # "x": never replace a file that appeared meanwhile
            fh.write(files[rel])
    return InitResult(written, kept)
