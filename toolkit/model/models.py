"""Models: the typed documents of format v1 (see docs/FORMAT.md), validated with pydantic.

The loader hands every scalar over as the text the author typed; fields that are numbers or
dates are converted here, text fields keep the text as written.
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"

LABEL_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string"},
        {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1},
    ],
    "description": "Text, or a mapping of language code to text: {ja: ..., en: ...}",
}
TEXT_LIST_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
    "description": "A string or a list of strings",
}


def _scalar_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):  # values built by code, not by the loader
        return str(value).lower() if isinstance(value, bool) else str(value)
    raise PydanticCustomError("wrong_type", "expected text")


def _label(value: Any) -> str | dict[str, str]:
    if isinstance(value, dict):
        if not value:
            raise PydanticCustomError("wrong_type", "a language map needs at least one entry")
        out: dict[str, str] = {}
        for lang, text in value.items():
            if isinstance(text, dict | list) or text is None:
                raise PydanticCustomError(
                    "wrong_type", "language '{lang}' must map to text", {"lang": str(lang)}
                )
            out[str(lang)] = _scalar_text(text)
        return out
    if isinstance(value, list):
        raise PydanticCustomError(
            "wrong_type", "expected text or a language map like {ja: ..., en: ...}, not a list"
        )
    return _scalar_text(value)


def _text_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict | list) or item is None:
                raise PydanticCustomError("wrong_type", "expected a list of strings")
            out.append(_scalar_text(item))
        return out
    if isinstance(value, dict):
        raise PydanticCustomError("wrong_type", "expected a string or a list of strings")
    return [_scalar_text(value)]


PAIN_SEVERITIES = ("trivial", "workaround", "abandon")
PainSeverity = Literal["trivial", "workaround", "abandon"]
PAIN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "text": {"type": "string"},
        "severity": {"enum": list(PAIN_SEVERITIES)},
    },
    "required": ["text"],
    "additionalProperties": False,
    "description": "A pain and how much it hurts: trivial (an annoyance), workaround (the "
    "buyer needs one), abandon (the buyer gives up)",
}
PAIN_LIST_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string"},
        PAIN_SCHEMA,
        {"type": "array", "items": {"anyOf": [{"type": "string"}, PAIN_SCHEMA]}},
    ],
    "description": "A pain or a list of pains: each a string or a mapping {text, severity}",
}


def _pain_list(value: Any) -> list[Any]:
    """A step's pains: each a text or a mapping {text, severity} (validated as a Pain)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [
        item if isinstance(item, dict | list) or item is None else _text_pain(item)
        for item in items
    ]


def _text_pain(item: Any) -> dict[str, str]:
    return {"text": _scalar_text(item)}


def _text(value: Any) -> Any:
    if isinstance(value, dict | list):
        raise PydanticCustomError("wrong_type", "expected text")
    return value


def _id_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Label = Annotated[str | dict[str, str], BeforeValidator(_label), WithJsonSchema(LABEL_SCHEMA)]
TextList = Annotated[list[str], BeforeValidator(_text_list), WithJsonSchema(TEXT_LIST_SCHEMA)]
Text = Annotated[str, BeforeValidator(_text)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Ref = Annotated[str, BeforeValidator(_text)]
RefList = Annotated[
    list[Ref],
    BeforeValidator(_id_list),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}),
]
StoryState = Annotated[int, Field(ge=1, le=9)]
STORY_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": 9}
StoryList = Annotated[
    list[StoryState],
    BeforeValidator(_id_list),
    WithJsonSchema({"anyOf": [STORY_SCHEMA, {"type": "array", "items": STORY_SCHEMA}]}),
]
Emotion = Annotated[int, Field(ge=-2, le=2)]

ProblemState = Literal["none", "latent", "explicit", "solving", "solved"]
BuyingRole = Literal["decision-maker", "proposer", "influencer", "user", "gatekeeper"]
ContentStatus = Literal["planned", "draft", "published", "retired"]
# The six processes of B2B marketing (docs/FORMAT.md, extension 5), in their order.
Process = Literal["acquire", "retain-data", "nurture", "detect", "convert", "expand"]
PROCESSES: tuple[str, ...] = typing.get_args(Process)
ProcessList = Annotated[
    list[Process],
    BeforeValidator(_id_list),
    WithJsonSchema(
        {
            "anyOf": [
                {"enum": list(PROCESSES)},
                {"type": "array", "items": {"enum": list(PROCESSES)}},
            ],
            "description": "Marketing processes the funnel stage serves: " + ", ".join(PROCESSES),
        }
    ),
]

JourneyState = Literal["current", "future"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


# --- kind: project ---------------------------------------------------------------------------


class ProjectDoc(Model):
    kind: Literal["project"]
    title: Label | None = None
    language: Text = "en"
    client: Text | None = None


# --- kind: stages ----------------------------------------------------------------------------


class Stage(Model):
    id: Slug
    label: Label | None = None
    problem: ProblemState | None = None
    story: StoryList = []
    description: Text | None = None


class Axis(Model):
    id: Slug
    label: Label | None = None
    values: dict[str, Label] = {}


class StagesDoc(Model):
    kind: Literal["stages"]
    stages: list[Stage] = Field(min_length=1)
    axes: list[Axis] = []


# --- kind: funnel ----------------------------------------------------------------------------


class Role(Model):
    id: Slug
    label: Label | None = None
    description: Text | None = None


class LeadClass(Model):
    id: Slug
    label: Label | None = None
    description: Text | None = None


class FunnelStage(Model):
    id: Slug
    label: Label | None = None
    owners: RefList = Field(min_length=1)
    serves: RefList = []
    lead_class: Ref | None = None
    processes: ProcessList = []
    description: Text | None = None


class FunnelDoc(Model):
    kind: Literal["funnel"]
    roles: list[Role] = Field(min_length=1)
    lead_classes: list[LeadClass] = []
    stages: list[FunnelStage] = Field(min_length=1)


# --- kind: segments / persona ----------------------------------------------------------------


class Segment(Model):
    id: Slug
    label: Label | None = None
    criteria: dict[str, Annotated[str | None, BeforeValidator(_text)]] = {}
    description: Text | None = None


class SegmentsDoc(Model):
    kind: Literal["segments"]
    segments: list[Segment] = []


class PersonaDoc(Model):
    kind: Literal["persona"]
    id: Slug
    name: Text
    title: Label | None = None
    segment: Ref | None = None
    buying_role: BuyingRole | None = None
    goals: TextList = []
    pains: TextList = []
    info_sources: TextList = []
    quote: Text | None = None


# --- kind: journey ---------------------------------------------------------------------------


class Action(Model):
    role: Ref
    action: Text
    content: RefList = []
    kpi: Text | None = None


class Pain(Model):
    """A pain of a journey step; severity: how much it hurts (not given: unknown)."""

    text: Text
    severity: PainSeverity | None = None

    @model_validator(mode="before")
    @classmethod
    def text_or_mapping(cls, value: Any) -> Any:
        if not isinstance(value, dict):  # a list or nothing in the list of pains
            raise PydanticCustomError("wrong_type", "expected text or a mapping {text, severity}")
        return value


PainList = Annotated[list[Pain], BeforeValidator(_pain_list), WithJsonSchema(PAIN_LIST_SCHEMA)]


class Step(Model):
    story: StoryState | None = None
    thinking: Text | None = None
    feeling: Text | None = None
    emotion: Emotion | None = None
    doing: TextList = []
    questions: TextList = []
    touchpoints: TextList = []
    pains: PainList = []
    opportunities: TextList = []
    funnel: RefList = []
    actions: list[Action] = []


class Transition(Model):
    from_: Ref = Field(alias="from")
    to: Ref
    label: Label | None = None


class JourneyDoc(Model):
    kind: Literal["journey"]
    id: Slug
    title: Label | None = None
    persona: Ref | None = None
    segment: Ref | None = None
    # Extension 4: a journey as it is today (current) or as it is planned (future).
    state: JourneyState = "current"
    future_of: Ref | None = None
    # A step written with no value (`interest:`) is an empty step; never None after validation.
    steps: dict[str, Annotated[Step | None, BeforeValidator(lambda v: {} if v is None else v)]] = {}
    transitions: list[Transition] = []

    @model_validator(mode="after")
    def one_owner(self) -> JourneyDoc:
        if (self.persona is None) == (self.segment is None):
            raise PydanticCustomError(
                "persona_or_segment", "a journey names exactly one of 'persona' or 'segment'"
            )
        return self


# --- kind: content ---------------------------------------------------------------------------


class ContentItem(Model):
    id: Slug
    title: Label | None = None
    format: Text | None = None
    stages: RefList = []
    segments: RefList | None = None
    owner: Ref | None = None
    status: ContentStatus | None = None
    url: Text | None = None
    updated: dt.date | None = None


class ContentDoc(Model):
    kind: Literal["content"]
    items: list[ContentItem] = []
