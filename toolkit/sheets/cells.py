"""Sheet cells: how one journey value is written in a spreadsheet cell, and read back.

The rules (docs/SHEETS.md):
- a text lane (thinking, feeling) is the whole cell; list lanes hold one item per line;
  blank lines and the spaces around a line are ignored;
- a pain may start with its severity in brackets: ``[abandon] text``;
- a seller action is one line: ``action text [content: id, id] [kpi: text]``;
- a cell or line that is exactly a JSON string literal ("...") is read as the string it
  denotes. The exporter writes that form only when the plain form would not read back as
  the same value (an item with a line break, surrounding spaces, an empty item, ...), so
  every value survives export -> import unchanged.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from toolkit.common.labels import CONTROL

ACTION_TAIL = re.compile(
    r"(?:\s*\[content:\s*(?P<content>[^\]]*)\])?(?:\s*\[kpi:(?P<kpi>.*)\])?$",
    re.IGNORECASE | re.DOTALL,
)
PLAIN_ACTION = re.compile(r"^(?P<action>.*?)" + ACTION_TAIL.pattern, re.IGNORECASE | re.DOTALL)
LABELLED = re.compile(r"^(?P<label>.*?)\s*[(（](?P<key>[^()（）]+)[)）]\s*$")
CONTROL_HINT = "remove it: a cell may hold tabs and line breaks, no other control character"


def control_char(text: str) -> str | None:
    """The first C0 control character (other than tab, LF, CR) or DEL in text, as U+XXXX.

    Such characters are never imported: YAML cannot hold them as they are, the exports
    remove them, and in a sheet they are mostly debris of a copy and paste.
    """
    found = CONTROL.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def normalise(text: str) -> str:
    """A name as compared with lane, stage and role names: NFKC, case-folded, one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def split_labelled(text: str) -> tuple[str, str | None]:
    """'課題の認知 (problem-aware)' -> ('課題の認知', 'problem-aware'); else (text, None)."""
    match = LABELLED.match(text.strip())
    if not match:
        return text.strip(), None
    return match.group("label"), match.group("key").strip()


def lines_of(cell: str) -> list[str]:
    """The lines of a cell (any line break), each without surrounding spaces."""
    return [ln.strip() for ln in cell.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def _json_string(text: str) -> str | None:
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# --- text lanes --------------------------------------------------------------------------------


def decode_text(cell: str) -> str | None:
    """The value of a text cell; None when the cell is blank."""
    text = "\n".join(lines_of(cell)).strip("\n")
    if not text:
        return None
    decoded = _json_string(text)
    return text if decoded is None else decoded


def encode_text(value: str | None) -> str:
    if value is None:
        return ""
    return value if decode_text(value) == value else _quoted(value)


# --- list lanes --------------------------------------------------------------------------------


def decode_item(line: str) -> str:
    decoded = _json_string(line)
    return line if decoded is None else decoded


def decode_list(cell: str) -> list[str]:
    return [decode_item(line) for line in lines_of(cell) if line]


def encode_item(value: str) -> str:
    plain_ok = value and "\n" not in value and "\r" not in value and value.strip() == value
    return value if plain_ok and decode_item(value) == value else _quoted(value)


def encode_list(values: list[str]) -> str:
    return "\n".join(encode_item(v) for v in values)


# --- pains ------------------------------------------------------------------------------------

PAIN_SEVERITIES = ("trivial", "workaround", "abandon")
# Words a workshop may write in the brackets besides the severity itself (compared normalised).
SEVERITY_WORDS: dict[str, str] = {
    "些細": "trivial",
    "回避策": "workaround",
    "回避策が必要": "workaround",
    "離脱": "abandon",
}
SEVERITY_PREFIX = re.compile(r"^[\[［]\s*(?P<word>[^\]］]*?)\s*[\]］]\s*(?P<rest>.*)$", re.DOTALL)


def severity_of(word: str) -> str | None:
    """The severity a bracketed word names ('abandon', 'Abandon', '離脱'), or None."""
    key = unicodedata.normalize("NFKC", word).casefold().strip()
    return key if key in PAIN_SEVERITIES else SEVERITY_WORDS.get(key)


def decode_pain(line: str) -> tuple[str, str | None]:
    """A pain line: '[abandon] text' -> ('text', 'abandon'); a line without a severity in
    brackets (or a JSON string literal) -> (its text, None)."""
    if _json_string(line) is None:
        match = SEVERITY_PREFIX.match(line)
        severity = severity_of(match.group("word")) if match else None
        if match and severity is not None:
            return decode_item(match.group("rest")), severity
    return decode_item(line), None


def encode_pain(text: str, severity: str | None) -> str:
    """The line of a pain: `[severity] text`, or the text alone; quoted where needed so that
    decode_pain reads back the same text and severity."""
    if severity is not None:
        return f"[{severity}] {encode_item(text)}"
    plain = encode_item(text)
    return plain if decode_pain(plain) == (text, None) else _quoted(text)


def decode_pains(cell: str) -> list[tuple[str, str | None]]:
    return [decode_pain(line) for line in lines_of(cell) if line]


def encode_pains(pains: list[tuple[str, str | None]]) -> str:
    return "\n".join(encode_pain(text, severity) for text, severity in pains)


# --- seller actions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionLine:
    action: str
    content: tuple[str, ...] = ()
    kpi: str | None = None


def _tail(match: re.Match[str]) -> tuple[tuple[str, ...], str | None]:
    raw_content = match.group("content")
    content = tuple(c.strip() for c in (raw_content or "").split(",") if c.strip())
    kpi = match.group("kpi")
    if kpi is not None:
        kpi = kpi.strip()
        decoded = _json_string(kpi)
        kpi = kpi if decoded is None else decoded
    return content, kpi


def parse_action(line: str) -> ActionLine | None:
    """One action line; None when it holds no action text."""
    line = line.strip()
    if line.startswith('"'):
        try:
            action, end = json.JSONDecoder().raw_decode(line)
        except ValueError:
            action, end = None, 0
        tail = ACTION_TAIL.match(line, end) if isinstance(action, str) else None
        if isinstance(action, str) and tail:
            content, kpi = _tail(tail)
            return ActionLine(action, content, kpi)
    match = PLAIN_ACTION.match(line)
    assert match is not None  # the pattern matches every string
    action = match.group("action").strip()
    if not action:
        return None
    content, kpi = _tail(match)
    return ActionLine(action, content, kpi)


def _action_line(action: str, content: tuple[str, ...], kpi: str | None) -> str:
    parts = [action]
    if content:
        parts.append(f"[content: {', '.join(content)}]")
    if kpi is not None:
        parts.append(f"[kpi: {kpi}]")
    return " ".join(parts)


def encode_action(value: ActionLine) -> str:
    """The line of an action: plain when it reads back unchanged, else with JSON quoting."""
    plain = _action_line(value.action, value.content, value.kpi)
    if "\n" not in plain and "\r" not in plain and parse_action(plain) == value:
        return plain
    kpi = None if value.kpi is None else _quoted(value.kpi)
    return _action_line(_quoted(value.action), value.content, kpi)


# --- numbers -----------------------------------------------------------------------------------


def parse_int(cell: str) -> int | None:
    """An integer cell ('-1', '−1', '２', '1.0'); None when it is not an integer."""
    text = unicodedata.normalize("NFKC", cell).strip().replace("\u2212", "-")
    if re.fullmatch(r"[+-]?\d+(?:\.0+)?", text):
        return int(text.split(".")[0])
    return None
