"""Validation: the models' rules, and pydantic errors turned into located diagnostics."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import BaseModel, ValidationError

from toolkit.common.diagnostics import Diagnostic
from toolkit.load.sources import parse_documents
from toolkit.model import kinds
from toolkit.model import models as m
from toolkit.model.validation import convert, field_names, model_at

ALLOWED_PERSONA = "kind, id, name, title, segment, buying_role, goals, pains, info_sources, quote"


def validate(model: type[BaseModel], text: str) -> tuple[BaseModel | None, list[Diagnostic]]:
    docs, diags = parse_documents(text, "f.yaml")
    assert diags == [] and len(docs) == 1
    try:
        return model.model_validate(docs[0].data), []
    except ValidationError as exc:
        return None, sorted(convert(exc, docs[0], model), key=Diagnostic.sort_key)


def found(model: type[BaseModel], text: str) -> list[tuple[str, int, int, str, str]]:
    parsed, diags = validate(model, text)
    assert parsed is None
    assert all(d.severity == "error" and d.file == "f.yaml" for d in diags)
    return [(d.code, d.line, d.column, d.message, d.hint) for d in diags]


# --- what validates, and into what -------------------------------------------------------


def test_typed_fields_are_converted_text_fields_are_not() -> None:
    step_text = (
        "kind: journey\nid: j\npersona: ann\nsteps:\n"
        "  aware:\n    story: 2\n    emotion: -2\n    thinking: 12:30\n    doing: 1.10\n"
        "  buy:\n"
        "transitions:\n  - {from: buy, to: aware, label: {ja: on, en: 'no'}}\n"
    )
    journey, diags = validate(m.JourneyDoc, step_text)
    assert diags == []
    assert isinstance(journey, m.JourneyDoc)
    aware = journey.steps["aware"]
    assert (aware.story, aware.emotion, aware.thinking, aware.doing) == (2, -2, "12:30", ["1.10"])
    assert journey.steps["buy"] == m.Step()  # an empty step is a step
    assert journey.transitions == [
        m.Transition(**{"from": "buy", "to": "aware"}, label={"ja": "on", "en": "no"})
    ]
    content, diags = validate(
        m.ContentDoc,
        "kind: content\nitems:\n  - id: c\n    stages: aware\n    updated: 2026-10-01\n",
    )
    assert diags == []
    assert isinstance(content, m.ContentDoc)
    assert (content.items[0].stages, content.items[0].updated) == (["aware"], dt.date(2026, 10, 1))
    assert content.items[0].segments is None  # omitted = all segments


@pytest.mark.parametrize("emotion", ["-2", "-1", "0", "1", "2"])
def test_emotion_range_accepts(emotion: str) -> None:
    text = f"kind: journey\nid: j\npersona: p\nsteps:\n  a:\n    emotion: {emotion}\n"
    journey, diags = validate(m.JourneyDoc, text)
    assert diags == [] and isinstance(journey, m.JourneyDoc)
    assert journey.steps["a"].emotion == int(emotion)


# --- unknown keys ------------------------------------------------------------------------


def test_unknown_key_did_you_mean() -> None:
    assert found(m.PersonaDoc, "kind: persona\nid: ann\nname: Ann\nqoute: hi\nzzzzzz: 1\n") == [
        ("unknown-key", 4, 1, "unknown key 'qoute'", "did you mean 'quote'?"),
        ("unknown-key", 5, 1, "unknown key 'zzzzzz'", f"allowed: {ALLOWED_PERSONA}"),
    ]


def test_unknown_key_in_a_step_suggests_a_step_field() -> None:
    text = "kind: journey\nid: j\npersona: p\nsteps:\n  aware:\n    emotion: 1\n    emotoin: 1\n"
    assert found(m.JourneyDoc, text) == [
        ("unknown-key", 7, 5, "unknown key 'emotoin'", "did you mean 'emotion'?")
    ]


def test_unknown_key_in_nested_lists_and_aliases() -> None:
    text = (
        "kind: journey\nid: j\npersona: ann\n"
        "steps:\n  a:\n    actions:\n      - {role: r, actoin: x}\n"
        "transitions:\n  - {form: a, to: b}\n"
    )
    assert found(m.JourneyDoc, text) == [
        ("missing-key", 7, 9, "missing required key 'action'", ""),
        ("unknown-key", 7, 19, "unknown key 'actoin'", "did you mean 'action'?"),
        ("missing-key", 9, 5, "missing required key 'from'", ""),
        ("unknown-key", 9, 6, "unknown key 'form'", "did you mean 'from'?"),
    ]


def test_model_at_follows_lists_dicts_and_aliases() -> None:
    assert model_at(m.JourneyDoc, ("steps", "aware", "actions", 0, "x")) is m.Action
    assert model_at(m.JourneyDoc, ("steps", "aware", "x")) is m.Step
    assert model_at(m.JourneyDoc, ("transitions", 0, "x")) is m.Transition
    assert model_at(m.FunnelDoc, ("stages", 2, "x")) is m.FunnelStage
    assert model_at(m.JourneyDoc, ("x",)) is m.JourneyDoc
    assert model_at(m.JourneyDoc, ("nothing", "x")) is None
    assert field_names(m.Transition) == ["from", "to", "label"]


# --- wrong types, missing keys, bad values -----------------------------------------------


def test_wrong_types() -> None:
    text = (
        "kind: journey\nid: j\npersona: ann\nsteps:\n  a:\n"
        "    emotion: '1.5'\n    story: x\n    doing: {a: b}\n    questions: [a, [b]]\n"
        "    thinking: [x]\n"
    )
    assert found(m.JourneyDoc, text) == [
        ("wrong-type", 6, 14, "'emotion' must be an integer, not '1.5'", ""),
        ("wrong-type", 7, 12, "'story' must be an integer, not 'x'", ""),
        ("wrong-type", 8, 12, "'doing': expected a string or a list of strings", ""),
        ("wrong-type", 9, 16, "'questions': expected a list of strings", ""),
        ("wrong-type", 10, 15, "'thinking': expected text", ""),
    ]


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("[a]", "'title': expected text or a language map like {ja: ..., en: ...}, not a list"),
        ("{}", "'title': a language map needs at least one entry"),
        ("{ja: [a]}", "'title': language 'ja' must map to text"),
        ("{ja: ~}", "'title': language 'ja' must map to text"),
    ],
)
def test_label_shapes(title: str, message: str) -> None:
    text = f"kind: persona\nid: ann\nname: Ann\ntitle: {title}\n"
    assert found(m.PersonaDoc, text) == [("wrong-type", 4, 8, message, "")]


def test_wrong_container_types() -> None:
    assert found(m.StagesDoc, "kind: stages\nstages: {a: 1}\n") == [
        ("wrong-type", 2, 9, "'stages' must be a list, not a mapping", "")
    ]
    assert found(m.JourneyDoc, "kind: journey\nid: j\nsegment: s\nsteps:\n  a: [x]\n") == [
        ("wrong-type", 5, 6, "'a' must be a mapping, not a list", "")
    ]
    assert found(
        m.SegmentsDoc, "kind: segments\nsegments:\n  - id: s\n    criteria: {a: [1]}\n"
    ) == [("wrong-type", 4, 19, "'a': expected text", "")]


def test_missing_keys_are_located_at_their_mapping() -> None:
    assert found(m.PersonaDoc, "kind: persona\nid: ann\n") == [
        ("missing-key", 1, 1, "missing required key 'name'", "")
    ]
    assert found(m.StagesDoc, "# stages\nkind: stages\n") == [
        ("missing-key", 2, 1, "missing required key 'stages'", "")
    ]
    assert found(m.FunnelDoc, "kind: funnel\nroles: [{id: r}]\nstages:\n  - id: f\n") == [
        ("missing-key", 4, 5, "missing required key 'owners'", "")
    ]


def test_lists_that_need_entries() -> None:
    assert found(m.StagesDoc, "kind: stages\nstages: []\n") == [
        ("missing-value", 2, 9, "'stages' needs at least one entry", "")
    ]
    text = "kind: funnel\nroles: [{id: r}]\nstages:\n  - id: f\n    owners: []\n"
    assert found(m.FunnelDoc, text) == [
        ("missing-value", 5, 13, "'owners' needs at least one entry", "")
    ]


@pytest.mark.parametrize(
    ("ident", "shown"),
    [
        ("Ann", "'Ann'"),
        ("ann smith", "'ann smith'"),
        ("_ann", "'_ann'"),
        ("-a", "'-a'"),
        ("佐藤", "'佐藤'"),
    ],
)
def test_bad_id(ident: str, shown: str) -> None:
    assert found(m.PersonaDoc, f"kind: persona\nid: {ident}\nname: Ann\n") == [
        (
            "bad-id",
            2,
            5,
            f"{shown} is not a valid id",
            "use lowercase ASCII letters, digits, '-' and '_', starting with a letter or digit",
        )
    ]


def test_invalid_choices() -> None:
    assert found(m.StagesDoc, "kind: stages\nstages:\n  - id: a\n    problem: latnet\n") == [
        ("invalid-value", 4, 14, "'problem' cannot be 'latnet'", "did you mean 'latent'?")
    ]
    assert found(m.PersonaDoc, "kind: persona\nid: a\nname: A\nbuying_role: decider\n") == [
        (
            "invalid-value",
            4,
            14,
            "'buying_role' cannot be 'decider'",
            "one of: decision-maker, proposer, influencer, user, gatekeeper",
        )
    ]
    text = "kind: content\nitems:\n  - id: c\n    updated: yesterday\n    status: publshed\n"
    assert found(m.ContentDoc, text) == [
        ("wrong-type", 4, 14, "'updated' must be a date like 2026-10-01, not 'yesterday'", ""),
        ("invalid-value", 5, 13, "'status' cannot be 'publshed'", "did you mean 'published'?"),
    ]


def test_out_of_range() -> None:
    text = (
        "kind: journey\nid: j\npersona: p\nsteps:\n"
        "  a:\n    emotion: 3\n    story: 0\n"
        "  b:\n    emotion: -3\n    story: 10\n"
    )
    emotion_hint, story_hint = "use a whole number in -2..2", "use a whole number in 1..9"
    assert found(m.JourneyDoc, text) == [
        ("out-of-range", 6, 14, "'emotion' is '3', outside -2..2", emotion_hint),
        ("out-of-range", 7, 12, "'story' is '0', outside 1..9", story_hint),
        ("out-of-range", 9, 14, "'emotion' is '-3', outside -2..2", emotion_hint),
        ("out-of-range", 10, 12, "'story' is '10', outside 1..9", story_hint),
    ]
    stages = "kind: stages\nstages:\n  - id: a\n    story: [0, 9, 10]\n  - id: b\n    story: 12\n"
    assert found(m.StagesDoc, stages) == [
        ("out-of-range", 4, 13, "'story' is '0', outside 1..9", story_hint),
        ("out-of-range", 4, 19, "'story' is '10', outside 1..9", story_hint),
        ("out-of-range", 6, 12, "'story' is '12', outside 1..9", story_hint),
    ]


@pytest.mark.parametrize("owner", ["", "persona: ann\nsegment: smb\n"], ids=["neither", "both"])
def test_persona_or_segment(owner: str) -> None:
    assert found(m.JourneyDoc, f"kind: journey\nid: j\n{owner}steps: {{}}\n") == [
        (
            "persona-or-segment",
            1,
            1,
            "a journey names exactly one of 'persona' or 'segment'",
            "name the persona whose journey it is, or the segment for a whole-segment journey",
        )
    ]


def test_kinds_table() -> None:
    v1 = {"project", "stages", "funnel", "segments", "persona", "journey", "content"}
    assert v1 <= set(kinds.KINDS)
    assert {"project", "stages", "funnel", "segments"} <= kinds.SINGLE_KINDS
    assert not {"persona", "journey", "content"} & kinds.SINGLE_KINDS
    assert kinds.REQUIRED_KINDS == ("stages", "funnel")
