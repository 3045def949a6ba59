"""Kinds: the document kinds of format v1 and the model that validates each.

`kind: qualification` (docs/QUALIFICATION.md) lives in toolkit/model/qualification.py and builds
on the types of toolkit/model/models.py, so the registry of all kinds is assembled here, after both.
"""

from __future__ import annotations

from toolkit.model.models import (
    ContentDoc,
    FunnelDoc,
    JourneyDoc,
    Model,
    PersonaDoc,
    ProjectDoc,
    SegmentsDoc,
    StagesDoc,
)
from toolkit.model.qualification import QualificationDoc

KINDS: dict[str, type[Model]] = {
    "project": ProjectDoc,
    "stages": StagesDoc,
    "funnel": FunnelDoc,
    "segments": SegmentsDoc,
    "persona": PersonaDoc,
    "journey": JourneyDoc,
    "content": ContentDoc,
    "qualification": QualificationDoc,
}
SINGLE_KINDS = frozenset({"project", "stages", "funnel", "segments", "qualification"})
REQUIRED_KINDS = ("stages", "funnel")
