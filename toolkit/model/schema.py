"""JSON Schema of format v1, for editors (yaml-language-server) and other tools."""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from toolkit.model.kinds import KINDS
from toolkit.model.outputs import schema_text

SCHEMA_ID = "https://journey-toolkit.invalid/schema/format-v1.json"


def format_schema() -> dict[str, Any]:
    """One schema that accepts any document of format v1, chosen by its `kind`."""
    models = tuple(KINDS.values())
    doc = Annotated[Union[models], Field(discriminator="kind")]  # noqa: UP007
    schema = TypeAdapter(doc).json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Journey project format v1 document"
    return schema


def format_schema_text() -> str:
    """The format schema as `journey schema` prints it and `journey init` writes it."""
    return schema_text(format_schema())
