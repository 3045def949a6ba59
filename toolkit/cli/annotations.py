"""Diagnostics for CI: GitHub Actions workflow commands and SARIF 2.1.0 (`journey check --format`).

Pure functions from diagnostics to text or data; toolkit.cli.options prints them. Loaded only
when one of these formats is asked for, so a plain `journey check` never imports it.

Paths: a file below the current directory is shown relative to it (GitHub resolves annotation
paths and SARIF `%SRCROOT%` URIs against the repository root, where CI runs the check); any
other file as the text output prints it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import PurePosixPath
from urllib.parse import quote

from toolkit.common.codes import code_help
from toolkit.common.diagnostics import Diagnostic, printable, split

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://example.invalid/journey-toolkit"
SRCROOT = "%SRCROOT%"


def shown_path(file: str, cwd: str) -> str:
    """`file` relative to `cwd` (POSIX separators) when it lies below it, else unchanged."""
    if not file:
        return file
    full = os.path.abspath(os.path.join(cwd, file))
    base = os.path.abspath(cwd)
    if os.path.commonpath([full, base]) != base:
        return file
    rel = os.path.relpath(full, base)
    return PurePosixPath(*rel.split(os.sep)).as_posix() if rel != "." else "."


def _text(d: Diagnostic) -> str:
    return f"{d.message} ({d.hint})" if d.hint else d.message


def _ordered(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    errors, warnings = split(diags)
    return [*errors, *warnings]


# --- GitHub Actions workflow commands -------------------------------------------------------


def escape_data(text: str) -> str:
    """A workflow command's message: '%', CR and LF escaped, other controls as backslashes."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(text)


def escape_property(text: str) -> str:
    """A workflow command's property value: as a message, and ':' and ',' escaped too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(d: Diagnostic, cwd: str) -> str:
    """`::error file=PATH,line=L,col=C,title=CODE::message (hint)` (line/col only when known)."""
    props = [f"file={escape_property(shown_path(d.file, cwd))}"]
    if d.line:
        props.append(f"line={d.line}")
        if d.column:
            props.append(f"col={d.column}")
    props.append(f"title={escape_property(d.code)}")
    return f"::{d.severity} {','.join(props)}::{escape_data(_text(d))}"


def github_commands(diags: Iterable[Diagnostic], cwd: str) -> list[str]:
    """One workflow command per diagnostic, errors first, each group in the text order."""
    return [github_command(d, cwd) for d in _ordered(diags)]


# --- SARIF 2.1.0 ------------------------------------------------------------------------------


def artifact_location(file: str, cwd: str) -> dict[str, str]:
    """A relative URI against `%SRCROOT%` (the current directory), or a file: URI."""
    path = shown_path(file, cwd)
    if os.path.isabs(path):
        return {"uri": "file://" + quote(os.fsencode(PurePosixPath(path).as_posix()))}
    # Bytes keep a file name that was not UTF-8 as its own percent-encoded bytes.
    return {"uri": quote(os.fsencode(path.replace(os.sep, "/"))), "uriBaseId": SRCROOT}


def _rule(code: str, level: str) -> dict[str, object]:
    help_ = code_help(code)
    return {
        "id": code,
        "shortDescription": {"text": help_.summary},
        "fullDescription": {"text": f"{help_.summary} {help_.fix}"},
        "help": {"text": help_.fix},
        "defaultConfiguration": {"level": level},
    }


def _result(d: Diagnostic, index: int, cwd: str) -> dict[str, object]:
    physical: dict[str, object] = {"artifactLocation": artifact_location(d.file, cwd)}
    if d.line:
        region = {"startLine": d.line}
        if d.column:
            region["startColumn"] = d.column
        physical["region"] = region
    return {
        "ruleId": d.code,
        "ruleIndex": index,
        "level": d.severity,
        "message": {"text": printable(_text(d))},
        "locations": [{"physicalLocation": physical}],
    }


def sarif_log(
    diags: Iterable[Diagnostic], cwd: str, version: str, warning_codes: frozenset[str]
) -> dict[str, object]:
    """A SARIF 2.1.0 log of one run: a rule per code that occurs (sorted), then the results.

    A rule's default level is its code's own severity (`warning_codes`), so a warning made an
    error by --strict keeps its rule's level `warning` and has level `error` as a result.
    """
    ordered = _ordered(diags)
    codes = sorted({d.code for d in ordered})
    index = {code: i for i, code in enumerate(codes)}
    rules = [_rule(c, "warning" if c in warning_codes else "error") for c in codes]
    driver = {
        "name": "journey",
        "version": version,
        "informationUri": INFORMATION_URI,
        "rules": rules,
    }
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, index[d.code], cwd) for d in ordered],
            }
        ],
    }
