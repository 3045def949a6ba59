"""Validation: turn pydantic errors into diagnostics located in the YAML source."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from toolkit.common.diagnostics import Diagnostic, did_you_mean, error
from toolkit.load.sources import Document, Path_

TYPE_WORDS = {
    "int_parsing": "an integer",
    "int_type": "an integer",
    "int_from_float": "a whole number",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_parsing": "a date like 2026-10-01",
    "date_from_datetime_parsing": "a date like 2026-10-01",
    "date_type": "a date like 2026-10-01",
}


def _unwrap(tp: Any) -> list[Any]:
    """The candidate concrete types inside Annotated / Optional / list / dict wrappers."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(tp) for t in _unwrap(arg)]
    return [tp]


def model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that holds the field at the end of loc, following the loc's steps."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next(
                (f for name, f in current.model_fields.items() if part in (name, f.alias)), None
            )
            if field is None:
                return None
            current = field.annotation
            inner = [t for t in _unwrap(current) if t is not type(None)]
            if len(inner) == 1:  # Optional[Model] (or Annotated) -> Model
                current = inner[0]
            continue
        options = _unwrap(current)
        nxt = None
        for opt in options:
            origin = typing.get_origin(opt)
            if origin is list and isinstance(part, int):
                nxt = typing.get_args(opt)[0]
            elif origin is dict and isinstance(part, str):
                nxt = typing.get_args(opt)[1]
        if nxt is None:
            return None
        current = nxt
        while not (isinstance(current, type) and issubclass(current, BaseModel)):
            inner = [t for t in _unwrap(current) if t is not type(None)]
            if len(inner) == 1 and inner[0] is not current:
                current = inner[0]
            else:
                break
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    # A list field written as one mapping (a single pain `{text, severity}`): its items' model.
    items = [typing.get_args(t)[0] for t in _unwrap(current) if typing.get_origin(t) is list]
    if len(items) == 1 and isinstance(items[0], type) and issubclass(items[0], BaseModel):
        return items[0]
    return None


def field_names(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _clean_loc(loc: tuple[Any, ...], data: Any) -> Path_:
    """Drop the parts of a pydantic loc that are not keys or indexes of the data."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str):
            out.append(part)  # a key that is absent (missing) or unknown (extra)
            node = None
    return tuple(out)


def convert(exc: ValidationError, doc: Document, model: type[BaseModel]) -> list[Diagnostic]:
    """One diagnostic per pydantic error, at the line and column of the offending YAML."""
    out = []
    for err in exc.errors(include_url=False):
        path = _clean_loc(tuple(err["loc"]), doc.data)
        out.append(_one(err, path, doc, model))
    return out


def _one(err: Any, path: Path_, doc: Document, model: type[BaseModel]) -> Diagnostic:
    kind = err["type"]
    name = (f"item {path[-1] + 1}" if isinstance(path[-1], int) else str(path[-1])) if path else ""
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = field_names(model_at(model, tuple(path)))
        return error(
            "unknown-key",
            f"unknown key '{name}'",
            doc.loc(path, key=True),
            did_you_mean(name, allowed) or "allowed: " + ", ".join(allowed),
        )
    if kind == "missing":
        return error("missing-key", f"missing required key '{name}'", doc.loc(path[:-1]))
    if kind == "string_pattern_mismatch":
        return error(
            "bad-id",
            f"{_shown(value)} is not a valid id",
            doc.loc(path),
            "use lowercase ASCII letters, digits, '-' and '_', starting with a letter or digit",
        )
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
        hint = did_you_mean(str(value), options) or f"one of: {', '.join(options)}"
        if len(path) > 1 and isinstance(path[-1], int) and isinstance(path[-2], str):
            name = path[-2]  # an entry of a list of fixed values (`processes`): the list's key
        return error("invalid-value", f"'{name}' cannot be {_shown(value)}", doc.loc(path), hint)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bounds = {"emotion": "-2..2", "story": "1..9"}
        field = next((str(p) for p in reversed(path) if isinstance(p, str)), name)
        rng = bounds.get(field, "")
        return error(
            "out-of-range",
            f"'{field}' is {_shown(value)}, outside {rng or 'its range'}",
            doc.loc(path),
            f"use a whole number in {rng}" if rng else "",
        )
    if kind == "too_short":
        return error("missing-value", f"'{name}' needs at least one entry", doc.loc(path))
    if kind == "persona_or_segment":
        return error(
            "persona-or-segment",
            err["msg"],
            doc.loc(path),
            "name the persona whose journey it is, or the segment for a whole-segment journey",
        )
    if kind == "wrong_type":  # the models' own type errors: "expected text", ...
        return error("wrong-type", f"'{name}': {err['msg']}", doc.loc(path))
    if kind in TYPE_WORDS:
        return error(
            "wrong-type",
            f"'{name}' must be {TYPE_WORDS[kind]}, not {_shown(value)}",
            doc.loc(path),
        )
    message = err["msg"]
    label = f"'{name}' " if name else ""
    return error("wrong-type", f"{label}{message[0].lower()}{message[1:]}", doc.loc(path))
