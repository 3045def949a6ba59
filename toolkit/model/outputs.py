"""JSON Schemas (draft 2020-12) of the commands' JSON outputs, for tools that read them.

Each schema is a file in toolkit/model/schemas/ (package data), written by hand from the code
that makes the output; tests validate real outputs against them (tests/model/test_outputs.py).
Light: no pydantic, so `journey --help` can name the kinds.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

# kind -> the command whose JSON output the schema describes
OUTPUT_KINDS: dict[str, str] = {
    "check": "journey check --format json",
    "coverage": "journey coverage --format json",
    "graph": "journey graph",
    "leads": "journey leads --format json",
    "plan": "journey plan --format json",
}
SCHEMA_BASE = "https://journey-toolkit.invalid/schema/"


def output_schema(kind: str) -> dict[str, Any]:
    """The schema of one output kind (a key of OUTPUT_KINDS)."""
    if kind not in OUTPUT_KINDS:
        raise ValueError(f"unknown output {kind!r}; choose from {', '.join(OUTPUT_KINDS)}")
    text = resources.files("toolkit.model").joinpath("schemas", f"{kind}.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def schema_text(schema: dict[str, Any]) -> str:
    """A schema as `journey schema` prints it (and `journey init` writes it): indented JSON."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
