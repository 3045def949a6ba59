"""Entry: a validated entity and where it was written (below the project and every kind)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from toolkit.common.diagnostics import Location
from toolkit.load.sources import Document, Path_

T = TypeVar("T")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """A validated entity and where it was written."""

    model: T
    doc: Document
    path: Path_

    def loc(self, *sub: str | int, key: bool = False) -> Location:
        return self.doc.loc((*self.path, *sub), key=key)
