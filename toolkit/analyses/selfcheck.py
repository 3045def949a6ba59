"""The ten-question lead-management self-check (DOMAIN.md section 9), its verdict, and the
features of this toolkit that address each "yes".

Two or more "yes" answers signal a problem in how leads are managed. Answers come from a
terminal (the CLI asks) or from a YAML file:

    answers:
      scattered-lead-data: no
      no-target-profile: yes
      3: no            # a question's number works too
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from toolkit.common.diagnostics import Diagnostic, Location, did_you_mean, error
from toolkit.graph.build import nodes_of
from toolkit.load.sources import Document, parse_documents

PROBLEM_AT = 2
YES = frozenset({"yes", "y", "true", "on", "1", "はい", "有", "あり"})
NO = frozenset({"no", "n", "false", "off", "0", "いいえ", "無", "なし"})


@dataclass(frozen=True)
class Question:
    id: str
    en: str
    ja: str
    features: tuple[str, ...]

    def text(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


QUESTIONS: tuple[Question, ...] = (
    Question(
        "scattered-lead-data",
        "Does each department keep its own lead list, with no single shared record?",
        "リード情報が部署ごとに別々に保管され、全社で一つにまとまっていませんか？",
        ("lead-export", "qualification", "lead-classes"),
    ),
    Question(
        "no-target-profile",
        "Has the team never written down who it sells to (target company and contact)?",
        "誰に売るのか（狙う企業像・担当者像）を、チームで言葉にしたことがないですか？",
        ("personas", "segments", "qualification"),
    ),
    Question(
        "no-marketing-kpi",
        "Is marketing judged by no agreed measure (no KPI for leads or opportunities)?",
        "マーケティングの成果を測る決まった指標（リード数・商談化率など）がないですか？",
        ("kpis", "lead-classes", "handoffs"),
    ),
    Question(
        "promotion-silos",
        "Do advertising, PR and sales promotion work apart, without shared meetings?",
        "広告・広報・販促の担当が別々に動き、一緒に話し合う場がないですか？",
        ("handoffs", "compare", "content-inventory"),
    ),
    Question(
        "ritual-exhibitions",
        "Is the yearly trade show a habit, with exhibiting itself as the goal?",
        "毎年の展示会出展が恒例行事になり、出展そのものが目的になっていませんか？",
        ("signals", "content-inventory", "stage-placement"),
    ),
    Question(
        "yearly-data-calls",
        "Do you phone your whole list every year mainly to collect customer data?",
        "顧客データを集めるために、毎年まとめて電話をかけていませんか？",
        ("signals", "qualification", "buy-now-someday"),
    ),
    Question(
        "unmerged-newsletter-list",
        "Has the newsletter list run for years without merging duplicate people?",
        "メルマガの配信リストを何年も使い続け、名寄せ（重複の整理）をしていないですか？",
        ("lead-export", "segments"),
    ),
    Question(
        "stale-outsourced-content",
        "Is all content made by outside agencies and refreshed about once a year?",
        "コンテンツ制作をすべて外部に任せ、更新は年に一度ほどですか？",
        ("content-inventory", "coverage"),
    ),
    Question(
        "requests-dumped-on-sales",
        "Are document requests handed to sales and then never followed up?",
        "資料請求があると営業に渡し、それきりになっていませんか？",
        ("buy-now-someday", "stage-placement", "lead-classes"),
    ),
    Question(
        "few-web-leads",
        "Does the website bring in fewer than ten leads a month?",
        "Webサイトからのリード（引き合い）が月10件に届きませんか？",
        ("coverage", "stage-placement", "kpis"),
    ),
)
QUESTION_IDS = tuple(q.id for q in QUESTIONS)

FEATURES: dict[str, tuple[str, str]] = {
    "lead-export": (
        "`journey leads`: one judged list from your MA/CRM exports; repeated lead ids and bad "
        "rows are reported, never hidden",
        "`journey leads`：MA・CRMの出力から一つの判定済みリストを作る。重複IDや不正な行は必ず報告",
    ),
    "qualification": (
        "`kind: qualification`: prospect rules designed up front (BANT-C, target contact, lead "
        "time, behaviour depth)",
        "`kind: qualification`：見込み判定の軸（BANT+C、担当者、リードタイム、行動の深さ）"
        "を事前に設計",
    ),
    "lead-classes": (
        "funnel lead classes (lead, prospect, MQL, SAL, SQL) and the conversion between them",
        "ファネルのリード分類（リード・プロスペクト・MQL・SAL・SQL）と分類間の転換率",
    ),
    "personas": (
        "`kind: persona` with buying_role: who you sell to, by name",
        "`kind: persona`（buying_role付き）：誰に売るのかを具体的な人物で定義",
    ),
    "segments": (
        "`kind: segments`: the kinds of company you serve, one journey each",
        "`kind: segments`：対象企業の区分。区分ごとにジャーニーを描く",
    ),
    "kpis": (
        "`kpi:` on every seller action of a journey step",
        "ジャーニーの各ステップの売り手アクションに `kpi:` を設定",
    ),
    "handoffs": (
        "funnel stage owners and the handoffs between roles (marketing, inside sales, sales)",
        "ファネル各段階の担当部門と部門間の引き継ぎ（ハンドオフ）",
    ),
    "compare": (
        "`compare.html`: all journeys side by side, so teams argue over one picture",
        "`compare.html`：全ジャーニーを並べて比較し、部門間で同じ絵を見る",
    ),
    "content-inventory": (
        "content inventory with stage, segment, owner, status and last update",
        "コンテンツ一覧（ステージ・セグメント・担当・状態・更新日）",
    ),
    "coverage": (
        "coverage report and content-gap / orphan-content warnings (`journey check`)",
        "カバレッジとコンテンツ不足・宙に浮いたコンテンツの警告（`journey check`）",
    ),
    "signals": (
        "marketing signals with depth: an exhibition visit or seminar counts as a real contact",
        "行動シグナルと深さ：展示会来場やセミナー参加をリアル接点として評価",
    ),
    "stage-placement": (
        "leads placed on customer stages; prospects who get no content at their stage listed",
        "リードを顧客ステージに配置し、そのステージで届くコンテンツがない見込み客を一覧化",
    ),
    "buy-now-someday": (
        "buy-now / someday split (今すぐ客 / そのうち客) so someday prospects are nurtured",
        "今すぐ客／そのうち客の判定。そのうち客はナーチャリングの対象に",
    ),
}


@dataclass(frozen=True)
class Result:
    answers: dict[str, bool | None]

    @property
    def yes(self) -> list[str]:
        return [q for q in QUESTION_IDS if self.answers.get(q) is True]

    @property
    def unanswered(self) -> list[str]:
        return [q for q in QUESTION_IDS if self.answers.get(q) is None]

    @property
    def verdict(self) -> str:
        """problem (2+ yes), incomplete (unanswered could still make 2), or ok."""
        if len(self.yes) >= PROBLEM_AT:
            return "problem"
        if len(self.yes) + len(self.unanswered) >= PROBLEM_AT and self.unanswered:
            return "incomplete"
        return "ok"


def parse_answer(value: Any) -> bool | None:
    """yes / no in English or Japanese (はい / いいえ), or None when not understood."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if value is not None else ""
    return True if text in YES else False if text in NO else None


def _question_id(key: str) -> str | None:
    if key.isdigit() and 1 <= int(key) <= len(QUESTIONS):
        return QUESTIONS[int(key) - 1].id
    return key if key in QUESTION_IDS else None


def answers_from_yaml(text: str, display: str) -> tuple[Result | None, list[Diagnostic]]:
    """Answers from a YAML document: `answers:` mapping question id (or 1..10) to yes/no."""
    docs, diags = parse_documents(text, display)
    if any(d.severity == "error" for d in diags):
        return None, diags
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        return None, [
            *diags,
            error("wrong-type", "expected one mapping with 'answers:'", Location(display, 1, 1)),
        ]
    doc = docs[0]
    extra = [k for k in doc.data if k not in ("answers", "kind")]
    diags.extend(
        error(
            "unknown-key",
            f"unknown key '{k}'",
            doc.loc((k,), key=True),
            did_you_mean(k, ["answers", "kind"]) or "allowed: kind, answers",
        )
        for k in extra
    )
    raw = doc.data.get("answers")
    if not isinstance(raw, dict):
        return None, [*diags, error("missing-key", "missing mapping 'answers:'", doc.loc())]
    answers: dict[str, bool | None] = dict.fromkeys(QUESTION_IDS)
    for key, value in raw.items():
        diags.extend(_one_answer(doc, key, value, answers))
    if any(d.severity == "error" for d in diags):
        return None, diags
    return Result(answers), diags


def _one_answer(
    doc: Document, key: str, value: Any, answers: dict[str, bool | None]
) -> list[Diagnostic]:
    qid = _question_id(key)
    if qid is None:
        hint = did_you_mean(key, QUESTION_IDS) or "use a question id or its number 1..10"
        return [
            error(
                "unknown-key",
                f"unknown question '{key}'",
                doc.loc(("answers", key), key=True),
                hint,
            )
        ]
    answer = parse_answer(value)
    if answer is None and value is not None:
        return [
            error(
                "invalid-value",
                f"answer to '{key}' cannot be {str(value)!r}",
                doc.loc(("answers", key)),
                "answer yes or no (はい / いいえ)",
            )
        ]
    answers[qid] = answer
    return []


def project_facts(graph: nx.MultiDiGraph | None, has_rules: bool) -> dict[str, int]:
    """How much of each feature a compiled project already uses (counts)."""
    if graph is None:
        return {}
    count = {
        kind: len(nodes_of(graph, kind))
        for kind in ("persona", "segment", "journey", "content", "lead_class", "role")
    }
    edges = [d["type"] for _, _, d in graph.edges(data=True)]
    actions = nodes_of(graph, "action")
    return {
        "personas": count["persona"],
        "segments": count["segment"],
        "compare": count["journey"],
        "content-inventory": count["content"],
        "lead-classes": count["lead_class"],
        "handoffs": edges.count("handoff"),
        "kpis": sum(1 for _, a in actions if a.get("kpi")),
        "coverage": count["journey"],
        "qualification": int(has_rules),
        "lead-export": int(has_rules),
        "signals": int(has_rules),
        "stage-placement": int(has_rules),
        "buy-now-someday": int(has_rules),
    }


FACT_WORDS = {
    "personas": ("personas", "ペルソナ"),
    "segments": ("segments", "セグメント"),
    "compare": ("journeys", "ジャーニー"),
    "content-inventory": ("content items", "コンテンツ"),
    "lead-classes": ("lead classes", "リード分類"),
    "handoffs": ("handoffs", "引き継ぎ"),
    "kpis": ("actions with a KPI", "KPI付きアクション"),
    "coverage": ("journeys checked", "チェック対象ジャーニー"),
}
FACT_PHRASES = {
    "en": (
        "this project: {n} {what}",
        "not used yet in this project",
        "this project has qualification rules",
    ),
    "ja": (
        "このプロジェクト：{what} {n}件",
        "このプロジェクトではまだ使っていません",
        "このプロジェクトには判定ルールがあります",
    ),
}


def fact_text(feature: str, facts: dict[str, int], lang: str = "en") -> str:
    """'this project: 3 personas' / 'not used yet in this project', or '' without a project."""
    if feature not in facts:
        return ""
    n = facts[feature]
    some, none, rules = FACT_PHRASES["ja" if lang == "ja" else "en"]
    if feature in FACT_WORDS:
        what = FACT_WORDS[feature][1 if lang == "ja" else 0]
        return some.format(n=n, what=what) if n else none
    return rules if n else none


def report_data(result: Result, lang: str, facts: dict[str, int]) -> dict[str, Any]:
    """The self-check as plain data: each question, its answer, and the features for a yes."""
    items = []
    for n, q in enumerate(QUESTIONS, start=1):
        answer = result.answers.get(q.id)
        feats = (
            [
                {
                    "id": f,
                    "text": FEATURES[f][1 if lang == "ja" else 0],
                    "status": fact_text(f, facts, lang),
                }
                for f in q.features
            ]
            if answer
            else []
        )
        items.append(
            {"number": n, "id": q.id, "question": q.text(lang), "answer": answer, "features": feats}
        )
    return {
        "verdict": result.verdict,
        "yes": len(result.yes),
        "unanswered": len(result.unanswered),
        "threshold": PROBLEM_AT,
        "questions": items,
    }


VERDICTS = {
    "problem": (
        "{n} yes: lead management has a problem (2 or more yes); start with the features "
        "listed under each yes",
        "「はい」が{n}個：リード管理に課題があります（2個以上）。各項目の機能から着手してください",
    ),
    "incomplete": (
        "{n} yes and {u} unanswered: answer every question for a verdict",
        "「はい」{n}個・未回答{u}個：すべてに答えると判定できます",
    ),
    "ok": (
        "{n} yes: no sign of weak lead management (fewer than 2 yes)",
        "「はい」が{n}個：リード管理に大きな問題は見られません（2個未満）",
    ),
}


def report_lines(data: dict[str, Any], lang: str) -> list[str]:
    mark = {
        True: "yes" if lang != "ja" else "はい",
        False: "no" if lang != "ja" else "いいえ",
        None: "-",
    }
    lines = []
    for item in data["questions"]:
        lines.append(f"{item['number']:>2}. [{mark[item['answer']]}] {item['question']}")
        for feat in item["features"]:
            status = f" ({feat['status']})" if feat["status"] else ""
            lines.append(f"      -> {feat['text']}{status}")
    template = VERDICTS[data["verdict"]][1 if lang == "ja" else 0]
    lines.append(template.format(n=data["yes"], u=data["unanswered"]))
    return lines
