"""Diff page: "what changed in your journey map since version X", one self-contained HTML file.

All decisions are made in the context builders below (tested on their own); the template
toolkit/render/templates/diff.html only displays the context. Jinja escapes every value
(autoescape=True) and fails on any undefined name (StrictUndefined); the page has inline CSS
only, no script and no external URL.
"""

from __future__ import annotations

import json
from typing import Any

from toolkit.analyses.diff import (
    KINDS,
    CoverageChange,
    DiffResult,
    EntityChange,
    FieldChange,
    WarningChange,
)
from toolkit.render.common import pick, strip_controls
from toolkit.render.environment import make_environment

TEMPLATE = "diff.html"
NONE = "—"

UI: dict[str, dict[str, str]] = {
    "en": {
        "heading": "What changed in your journey map since {old}",
        "compared": "Compared: {old} → {new}",
        "added": "Added",
        "removed": "Removed",
        "changed": "Changed",
        "no_changes": "Nothing changed.",
        "field": "Field",
        "before": "Before",
        "after": "After",
        "coverage_segments": "Published content per segment and stage",
        "coverage_steps": "Published content per journey step",
        "segment": "Segment",
        "stage": "Stage",
        "journey": "Journey",
        "items_before": "Items before",
        "items_after": "Items after",
        "items_added": "New items",
        "items_removed": "Items gone",
        "warnings": "Weak spots",
        "new_warnings": "New",
        "resolved_warnings": "Resolved",
        "all_segments": "All segments",
        "footer": "Made with journey diff.",
    },
    "ja": {
        "heading": "{old} 以降のジャーニーマップの変更点",
        "compared": "比較: {old} → {new}",
        "added": "追加",
        "removed": "削除",
        "changed": "変更",
        "no_changes": "変更はありません。",
        "field": "項目",
        "before": "変更前",
        "after": "変更後",
        "coverage_segments": "セグメント×ステージごとの公開コンテンツ",
        "coverage_steps": "ジャーニーのステップごとの公開コンテンツ",
        "segment": "セグメント",
        "stage": "ステージ",
        "journey": "ジャーニー",
        "items_before": "変更前の件数",
        "items_after": "変更後の件数",
        "items_added": "増えたコンテンツ",
        "items_removed": "減ったコンテンツ",
        "warnings": "要対応の箇所",
        "new_warnings": "新たに発生",
        "resolved_warnings": "解消",
        "all_segments": "全セグメント",
        "footer": "journey diff で作成。",
    },
}
KIND_NAMES: dict[str, tuple[str, str]] = {
    "project": ("Project", "プロジェクト"),
    "stage": ("Customer stages", "カスタマーステージ"),
    "axis": ("Axes", "軸"),
    "funnel_stage": ("Funnel stages", "ファネルステージ"),
    "role": ("Roles", "役割"),
    "lead_class": ("Lead classes", "リード分類"),
    "segment": ("Segments", "セグメント"),
    "persona": ("Personas", "ペルソナ"),
    "journey": ("Journeys", "ジャーニー"),
    "step": ("Journey steps", "ジャーニーのステップ"),
    "action": ("Seller actions", "売り手のアクション"),
    "content": ("Content", "コンテンツ"),
}
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "label": ("Label", "ラベル"),
    "title": ("Title", "タイトル"),
    "name": ("Name", "名前"),
    "description": ("Description", "説明"),
    "problem": ("Problem", "課題の状態"),
    "story": ("Resolution story", "解決ストーリー"),
    "owners": ("Owners", "担当"),
    "serves": ("Serves", "対応するステージ"),
    "lead_class": ("Lead class", "リード分類"),
    "criteria": ("Criteria", "条件"),
    "segment": ("Segment", "セグメント"),
    "persona": ("Persona", "ペルソナ"),
    "buying_role": ("Buying role", "購買での役割"),
    "goals": ("Goals", "目標"),
    "pains": ("Pains", "ペイン"),
    "info_sources": ("Information sources", "情報源"),
    "quote": ("Quote", "ひとこと"),
    "transitions": ("Transitions", "遷移"),
    "thinking": ("Thinking", "考えていること"),
    "feeling": ("Feeling", "感じていること"),
    "emotion": ("Emotion", "感情"),
    "doing": ("Doing", "行動"),
    "questions": ("Questions", "疑問"),
    "touchpoints": ("Touchpoints", "タッチポイント"),
    "opportunities": ("Opportunities", "機会"),
    "funnel": ("Funnel stage", "ファネルステージ"),
    "action": ("Action", "アクション"),
    "content": ("Content", "コンテンツ"),
    "kpi": ("KPI", "KPI"),
    "format": ("Format", "形式"),
    "stages": ("Stages", "ステージ"),
    "segments": ("Segments", "セグメント"),
    "owner": ("Owner", "担当"),
    "status": ("Status", "状態"),
    "url": ("URL", "URL"),
    "updated": ("Updated", "更新日"),
    "values": ("Values", "値"),
    "language": ("Language", "言語"),
    "client": ("Client", "クライアント"),
    "position": ("Position", "順番"),
}


def ui(lang: str) -> dict[str, str]:
    return UI.get(lang, UI["en"])


def localised(names: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    pair = names.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "ja" else pair[0]


def field_name(change: FieldChange, lang: str) -> str:
    """'Label (ja)', '条件 (employees)': the field's name and the mapping entry, if any."""
    name = localised(FIELD_NAMES, change.field, lang)
    return name if change.key is None else f"{name} ({clean(change.key)})"


def clean(text: Any) -> str:
    return strip_controls(str(text))


def value_lines(value: Any) -> list[str]:
    """A field value as lines of text: one per list item or language, '—' when absent."""
    if value is None or value == [] or value == {}:
        return [NONE]
    if isinstance(value, list):
        return [v if isinstance(v, str) else _compact(v) for v in map(_plain, value)]
    if isinstance(value, dict):
        return [
            f"{k}: {_plain(v) if isinstance(v, str) else _compact(v)}" for k, v in value.items()
        ]
    if isinstance(value, bool):
        return [str(value).lower()]
    return [clean(value)]


def _plain(value: Any) -> Any:
    return clean(value) if isinstance(value, str) else value


def _compact(value: Any) -> str:
    return clean(json.dumps(value, ensure_ascii=False, sort_keys=True))


def entity_name(result: DiffResult, kind: str, ident: str, lang: str) -> str:
    return clean(pick(result.labels.get(f"{kind}:{ident}"), lang, ident))


def change_entry(result: DiffResult, change: EntityChange, lang: str) -> dict[str, Any]:
    label = clean(pick(change.label, lang, "")) if change.label is not None else ""
    if change.kind == "step":
        journey, stage = change.id.split("/", 1)
        j_name = entity_name(result, "journey", journey, lang)
        label = f"{j_name} / {entity_name(result, 'stage', stage, lang)}"
    return {
        "id": clean(change.id),
        "label": label,
        "change": change.change,
        "change_text": ui(lang)[change.change],
        "fields": [
            {
                "name": field_name(f, lang),
                "old": value_lines(f.old),
                "new": value_lines(f.new),
            }
            for f in change.fields
        ],
    }


def sections(result: DiffResult, lang: str) -> list[dict[str, Any]]:
    out = []
    for kind in KINDS:
        group = [c for c in result.changes if c.kind == kind]
        if group:
            out.append(
                {
                    "kind": kind,
                    "title": localised(KIND_NAMES, kind, lang),
                    "entries": [change_entry(result, c, lang) for c in group],
                }
            )
    return out


def _count(items: tuple[str, ...] | None) -> str:
    return NONE if items is None else str(len(items))


def coverage_row(
    result: DiffResult, cov: CoverageChange, kinds: tuple[str, str], lang: str
) -> dict[str, Any]:
    first, second = cov.key
    if first is None:
        first_name = ui(lang)["all_segments"]
    else:
        first_name = entity_name(result, kinds[0], first, lang)
    return {
        "first": first_name,
        "second": entity_name(result, kinds[1], str(second), lang),
        "old": _count(cov.old),
        "new": _count(cov.new),
        "added": [entity_name(result, "content", i, lang) for i in cov.added],
        "removed": [entity_name(result, "content", i, lang) for i in cov.removed],
    }


def warning_entry(w: WarningChange) -> dict[str, str]:
    return {"code": clean(w.code), "entity": clean(w.entity), "message": clean(w.message)}


def diff_context(result: DiffResult, lang: str | None = None) -> dict[str, Any]:
    """Everything the page shows, as plain strings and lists."""
    lang = lang or result.language
    t = ui(lang)
    return {
        "lang": lang if lang in UI else "en",
        "t": t,
        "heading": t["heading"].format(old=clean(result.old_name)),
        "compared": t["compared"].format(old=clean(result.old_name), new=clean(result.new_name)),
        "title": clean(pick(result.title, lang, "")),
        "client": clean(result.client or ""),
        "empty": result.empty,
        "summary": [
            {"change": c, "text": t[c], "count": result.count(c)}
            for c in ("added", "removed", "changed")
        ],
        "sections": sections(result, lang),
        "segment_stage": [
            coverage_row(result, c, ("segment", "stage"), lang) for c in result.segment_stage
        ],
        "steps": [coverage_row(result, c, ("journey", "stage"), lang) for c in result.steps],
        "new_warnings": [warning_entry(w) for w in result.new_warnings],
        "resolved_warnings": [warning_entry(w) for w in result.resolved_warnings],
    }


def render_diff_html(result: DiffResult, lang: str | None = None) -> str:
    return make_environment().get_template(TEMPLATE).render(**diff_context(result, lang))
