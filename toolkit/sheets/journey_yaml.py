"""Journey YAML: write a journey document as readable YAML that loads back to the same model.

Labels and content lists are written in flow style (`{ja: ..., en: ...}`, `[a, b]`) like the
bundled example; multi-line text as literal blocks; lists indented under their key. Every
text the toolkit's loader could read differently (`No`, `1.10`, `- x`, ...) is quoted.
"""

from __future__ import annotations

from typing import Any

import yaml

from toolkit.load.sources import parse_bytes
from toolkit.model import models as m

# A step's keys are written in the order the model declares them.
STEP_FIELDS = tuple(m.Step.model_fields)


class FlowList(list[Any]):
    """A list written in flow style."""


class FlowMap(dict[str, Any]):
    """A mapping written in flow style."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent lists under their key


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and value == value.strip() and "\r" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(
    FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
_Dumper.add_representer(
    FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True)
)


def _label(label: str | dict[str, str] | None) -> Any:
    return FlowMap(label) if isinstance(label, dict) else label


def journey_data(journey: m.JourneyDoc, stage_order: list[str]) -> dict[str, Any]:
    """The journey as plain data in the order people read it (steps in stage order)."""
    data: dict[str, Any] = {"kind": "journey", "id": journey.id}
    if journey.title is not None:
        data["title"] = _label(journey.title)
    if journey.persona is not None:
        data["persona"] = journey.persona
    if journey.segment is not None:
        data["segment"] = journey.segment
    if journey.state != "current":
        data["state"] = journey.state
    if journey.future_of is not None:
        data["future_of"] = journey.future_of
    order = [s for s in stage_order if s in journey.steps]
    order += [s for s in journey.steps if s not in order]
    data["steps"] = {s: _step(journey.steps[s]) for s in order}
    if journey.transitions:
        data["transitions"] = [_transition(t) for t in journey.transitions]
    return data


def _step(step: m.Step) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for name in STEP_FIELDS:
        value = getattr(step, name)
        if value is None or value == []:
            continue
        if name == "funnel":
            out[name] = value[0] if len(value) == 1 else FlowList(value)
        elif name == "actions":
            out[name] = [_action(a) for a in value]
        elif name == "pains":
            out[name] = [_pain(p) for p in value]
        else:
            out[name] = list(value) if isinstance(value, list) else value
    return out or None


def _pain(pain: m.Pain) -> Any:
    """A pain as text, or as a mapping {text, severity} when it has a severity (flow style
    when the text is one line)."""
    if pain.severity is None:
        return pain.text
    data = {"text": pain.text, "severity": pain.severity}
    return data if "\n" in pain.text else FlowMap(data)


def _action(action: m.Action) -> dict[str, Any]:
    out: dict[str, Any] = {"role": action.role, "action": action.action}
    if action.content:
        out["content"] = FlowList(action.content)
    if action.kpi is not None:
        out["kpi"] = action.kpi
    return out


def _transition(tr: m.Transition) -> dict[str, Any]:
    out: dict[str, Any] = {"from": tr.from_, "to": tr.to}
    if tr.label is not None:
        out["label"] = _label(tr.label)
    return out


def dump_journey(journey: m.JourneyDoc, stage_order: list[str], header: str = "") -> str:
    """YAML text of the journey; raises ValueError if it would not load back identically."""
    body = yaml.dump(
        journey_data(journey, stage_order),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
    )
    text = header + body
    if load_journey(text) != journey:
        raise ValueError(f"journey '{journey.id}' does not survive a YAML round trip")
    return text


def load_journey(text: str, display: str = "<journey>") -> m.JourneyDoc | None:
    """The journey model of YAML text holding one journey document; None if it is not one."""
    docs, diags = parse_bytes(text.encode("utf-8"), display)
    if len(docs) != 1 or any(d.severity == "error" for d in diags):
        return None
    try:
        return m.JourneyDoc.model_validate(docs[0].data)
    except ValueError:
        return None
