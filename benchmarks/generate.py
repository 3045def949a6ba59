"""Generate valid synthetic journey projects (format v1) of a given size, deterministically.

    python benchmarks/generate.py L /tmp/proj

Sizes (see ``SIZES``): S is a workshop (9 stages, 2 segments, 2 personas, 2 journeys, 30
content items), M a team's model (20 journeys, 500 items), L a large agency model (100
journeys x 12 stages x 4 actions, 5,000 items in 10 files, 40 personas, 10 segments).

Projects look like real ones: Japanese text, labels as ``{ja: ..., en: ...}`` maps, text
fields of realistic length, one file per persona and per journey, content spread over several
files. Every reference resolves, so the project compiles without errors; it has warnings on
purpose: every fifth journey starts with a step without seller actions (``seller-absent``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Spec:
    stages: int  # 9 or 12 customer stages
    journeys: int
    actions_per_step: int
    content: int
    content_files: int
    personas: int
    segments: int


SIZES: dict[str, Spec] = {
    "S": Spec(
        stages=9,
        journeys=2,
        actions_per_step=2,
        content=30,
        content_files=1,
        personas=2,
        segments=2,
    ),
    "M": Spec(
        stages=12,
        journeys=20,
        actions_per_step=3,
        content=500,
        content_files=2,
        personas=10,
        segments=4,
    ),
    "L": Spec(
        stages=12,
        journeys=100,
        actions_per_step=4,
        content=5000,
        content_files=10,
        personas=40,
        segments=10,
    ),
}
BARE_EVERY = 5  # journeys 0, 5, 10, ... start with a step that has no seller action
SEED = 20260101
EDIT_FIELD = "    thinking: "  # the line benchmarks/run.py rewrites for the one-file edit

# --- vocabulary ----------------------------------------------------------------------------------

# id, ja, en, problem, story states, description
STAGES: list[tuple[str, str, str, str, list[int], str]] = [
    (
        "problem-unknown",
        "課題の未知",
        "Problem unknown",
        "none",
        [1],
        "売り手が扱う領域では何も困っていないと感じている段階。既存のやり方で回っている。",
    ),
    (
        "problem-aware",
        "課題の認知",
        "Problem aware",
        "latent",
        [2],
        "担当者の退職や取引先のトラブルをきっかけに、目標とのずれを不安に感じ始める段階。",
    ),
    (
        "interest",
        "興味・関心",
        "Interest",
        "explicit",
        [3],
        "課題を放置できないと感じ、解決の手がかりになりそうなテーマに目を向け始める段階。",
    ),
    (
        "information-gathering",
        "情報収集",
        "Information gathering",
        "explicit",
        [3, 4],
        "事例・同業者・Webなどから複数の解決策を調べ、選択肢を広げる段階。",
    ),
    (
        "comparison",
        "比較",
        "Comparison",
        "explicit",
        [4],
        "候補となる製品やベンダーを三社程度に絞り、機能と費用を並べて比べる段階。",
    ),
    (
        "consideration",
        "検討",
        "Consideration",
        "solving",
        [5],
        "解決の方法を一つに定め、具体的な製品を選び、社内の合意を取りにいく段階。",
    ),
    (
        "approval",
        "社内稟議",
        "Internal approval",
        "solving",
        [5],
        "決裁者と情報システム部門の承認を得るために、費用対効果とリスクを説明する段階。",
    ),
    (
        "purchase",
        "購買・発注",
        "Purchase / order",
        "solving",
        [6],
        "解決策の採用を決め、契約・発注する段階。売り手にとっての受注。",
    ),
    (
        "onboarding",
        "導入・立ち上げ",
        "Onboarding",
        "solving",
        [7],
        "初期設定とデータ移行を終え、最初の施策を動かすまでの段階。",
    ),
    (
        "use",
        "利用",
        "Use",
        "solving",
        [7],
        "採用した解決策を実際に動かし、社内に根付かせようとする段階。",
    ),
    (
        "repeat",
        "継続・リピート",
        "Repeat / renewal",
        "solved",
        [8],
        "課題が解消して運用が定着し、更新や追加購入を判断する段階。",
    ),
    (
        "loyal",
        "ロイヤルカスタマー化",
        "Loyal customer",
        "solved",
        [9],
        "あるべき姿に向かって前進し、売り手をパートナーとして推薦・協力する段階。",
    ),
]
NINE_STAGES = ("comparison", "approval", "onboarding")  # left out of the 9-stage model

ROLES = [
    ("marketing", "マーケティング", "Marketing"),
    ("inside-sales", "インサイドセールス", "Inside sales"),
    ("field-sales", "フィールドセールス", "Field sales"),
    ("support", "サポート", "Support"),
    ("customer-success", "カスタマーサクセス", "Customer success"),
]
LEAD_CLASSES = [
    ("lead", "リード", "Lead"),
    ("prospect", "プロスペクト", "Prospect"),
    ("mql", "MQL", "MQL"),
    ("sal", "SAL", "SAL"),
    ("sql", "SQL", "SQL"),
    ("opportunity", "商談", "Opportunity"),
]
# id, ja, en, owners, serves, lead class
FUNNEL: list[tuple[str, str, str, list[str], list[str], str | None]] = [
    (
        "lead-generation",
        "リードジェネレーション",
        "Lead generation",
        ["marketing"],
        ["problem-unknown", "problem-aware", "interest"],
        "lead",
    ),
    (
        "lead-nurturing",
        "リードナーチャリング",
        "Lead nurturing",
        ["marketing"],
        ["interest", "information-gathering"],
        "prospect",
    ),
    (
        "qualification",
        "クオリフィケーション",
        "Qualification",
        ["marketing", "inside-sales"],
        ["information-gathering", "comparison"],
        "mql",
    ),
    (
        "opportunity",
        "商談化",
        "Opportunity",
        ["inside-sales", "field-sales"],
        ["comparison", "consideration"],
        "sql",
    ),
    ("proposal", "提案", "Proposal", ["field-sales"], ["consideration", "approval"], "opportunity"),
    ("won", "受注", "Won", ["field-sales"], ["purchase"], None),
    (
        "onboarding-support",
        "導入支援",
        "Onboarding support",
        ["support", "customer-success"],
        ["onboarding", "use"],
        None,
    ),
    ("continuation", "継続", "Continuation", ["customer-success"], ["repeat"], None),
    (
        "loyal-customer",
        "ロイヤルカスタマー",
        "Loyal customer",
        ["customer-success", "marketing"],
        ["repeat", "loyal"],
        None,
    ),
]
SEGMENTS = [
    ("ma-adopted", "MA導入済み企業", "Runs marketing automation", "他社製MAを導入済み", "300-1000"),
    ("no-ma", "MA未導入企業", "No marketing automation yet", "none", "50-300"),
    ("manufacturing", "製造業 中堅企業", "Mid-size manufacturers", "none", "300-1000"),
    ("it-services", "ITサービス企業", "IT service companies", "自社開発ツール", "100-500"),
    ("retail-chain", "小売チェーン", "Retail chains", "none", "1000-5000"),
    ("professional", "士業・コンサルティング", "Professional services", "none", "10-100"),
    ("saas-startup", "SaaSスタートアップ", "SaaS start-ups", "海外製MAを試用中", "20-200"),
    ("logistics", "物流・倉庫", "Logistics and warehousing", "none", "300-3000"),
    ("healthcare", "医療・介護法人", "Healthcare providers", "none", "100-1000"),
    ("public-sector", "自治体・公共団体", "Public sector", "none", "500-5000"),
]
TOPICS = [
    ("リード管理", "lead management"),
    ("名刺情報の整理", "business-card data"),
    ("商談化率", "opportunity rate"),
    ("営業との連携", "sales alignment"),
    ("メール配信", "email campaigns"),
    ("展示会のフォロー", "trade-show follow-up"),
    ("ウェビナー運営", "webinar operations"),
    ("顧客データの統合", "customer data integration"),
    ("施策の効果測定", "campaign measurement"),
    ("インサイドセールスの立ち上げ", "inside sales"),
    ("スコアリング", "lead scoring"),
    ("ナーチャリング", "nurturing"),
    ("解約率", "churn"),
    ("オンボーディング", "onboarding"),
    ("アップセル", "upselling"),
    ("問い合わせ対応", "inquiry handling"),
    ("コンテンツ制作", "content production"),
    ("予算の説明", "budget justification"),
    ("営業日報", "sales reporting"),
    ("見積もり作成", "quotations"),
    ("契約更新", "renewals"),
    ("事例取材", "case studies"),
    ("ユーザー会", "user community"),
    ("データ移行", "data migration"),
]
PROBLEMS = [
    "思ったほど進んでいない",
    "担当者によってやり方がばらばらだ",
    "数字で説明できていない",
    "属人化していて引き継げない",
    "手作業が多く毎月まる二日かかっている",
    "誰が責任を持つのか決まっていない",
    "成果が見えず予算を増やしてもらえない",
]
NEXT_THOUGHTS = [
    "他社はどうしているのか知りたい。",
    "まずは現状を棚卸ししてみよう。",
    "来期の目標に間に合うか不安だ。",
    "上司に相談する前に材料を揃えたい。",
    "小さく試して効果を確かめたい。",
    "専任者がいなくても回る仕組みが欲しい。",
]
FEELINGS = [
    "忙しいが、今のやり方に大きな不満はない。",
    "このままでは来期の商談が足りなくなるという不安。",
    "解決の糸口が見えて前向き。ただ、使いこなせるかは半信半疑。",
    "比べるほど違いが分からなくなり、少し疲れている。",
    "社内を説得できるか緊張している。",
    "導入が決まってほっとしている。",
    "成果が出始めて手応えを感じている。",
]
DOING_VERBS = [
    "について同業者に相談する",
    "の現状を棚卸しする",
    "に関する資料をダウンロードする",
    "のセミナーに参加する",
    "について検索エンジンで調べる",
    "の担当者と打ち合わせをする",
    "の改善案を上司に説明する",
]
QUESTION_ENDS = [
    "で何ができるのか？",
    "は専任者なしで回せるのか？",
    "の費用対効果はどれくらいか？",
    "を他社はどう進めているのか？",
    "にどれくらいの期間がかかるのか？",
]
TOUCHPOINTS = [
    "検索エンジン",
    "業界ニュースサイト",
    "ウェビナー",
    "ホワイトペーパー",
    "展示会ブース",
    "営業担当者との面談",
    "比較サイト",
    "ユーザー会",
    "サポート窓口",
    "メールマガジン",
    "SNSで流れてくるWebコラム",
    "同業他社の知人",
]
PAIN_ENDS = [
    "に時間がかかりすぎる",
    "の担当者が決まっていない",
    "の効果を誰も把握していない",
    "について社内の理解が得られない",
    "の手順が文書になっていない",
]
OPPORTUNITY_ENDS = [
    "の具体的な手順を示す",
    "の成功事例を届ける",
    "のチェックリストで課題を言葉にしてもらう",
    "の費用対効果を試算して見せる",
    "の運用イメージを具体的に示す",
]
CHANNELS = ["ウェビナー", "メールマガジン", "個別面談", "電話", "検索広告", "展示会", "ユーザー会"]
ACTION_ENDS = [
    "の基礎知識を届け、閲覧と参加の行動をスコアリングする",
    "の事例を紹介し、次回の打ち合わせを設定する",
    "の課題をヒアリングし、優先度をつけて営業へ引き継ぐ",
    "の試算表を一緒に作り、稟議資料に使えるようにする",
    "の進捗を確認し、つまずいている点を解消する",
]
KPIS = ["回答数 月{n}件", "参加率 {p}%", "商談化率 {p}%", "継続率 {p}%", "面談設定数 月{n}件"]
FORMATS = [
    ("whitepaper", "ホワイトペーパー", "Whitepaper"),
    ("seminar", "セミナー", "Seminar"),
    ("case-study", "導入事例", "Case study"),
    ("newsletter", "メールマガジン", "Newsletter"),
    ("web-column", "Webコラム", "Web column"),
    ("checklist", "チェックリスト", "Checklist"),
    ("demo", "デモ動画", "Demo video"),
    ("faq", "よくある質問", "FAQ"),
]
TITLE_ENDS = [
    ("入門ガイド", "a beginner's guide"),
    ("5つのポイント", "five key points"),
    ("よくある失敗と対策", "common mistakes, and fixes"),
    ("はじめての進め方", "first steps"),
    ("費用対効果の考え方", "thinking about ROI"),
]
SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
GIVEN = ["健一", "美咲", "大輔", "陽子", "翔太", "恵", "誠", "真由美", "拓也", "彩"]
ROMAJI = [
    "sato",
    "suzuki",
    "takahashi",
    "tanaka",
    "ito",
    "watanabe",
    "yamamoto",
    "nakamura",
    "kobayashi",
    "kato",
]
JOB_TITLES = [
    ("マーケティング課長", "Marketing manager"),
    ("営業部長", "Head of sales"),
    ("インサイドセールス担当", "Inside sales rep"),
    ("情報システム部長", "Head of IT"),
    ("経営企画室長", "Head of corporate planning"),
    ("代表取締役", "CEO"),
]
QUOTE = "のたびに資料は増えるのに、誰が商談になったのか誰も答えられないんです。"
BUYING_ROLES = ["proposer", "decision-maker", "influencer", "user", "gatekeeper"]
STATUSES = ["published"] * 14 + ["draft"] * 3 + ["planned"] * 2 + ["retired"]

# --- YAML text -----------------------------------------------------------------------------------

PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:#,\[\]{}\"]*")


def q(text: str) -> str:
    """The text as a YAML scalar: plain when safe anywhere (also in flow), else double-quoted."""
    if PLAIN.fullmatch(text) and text == text.strip():
        return text
    return json.dumps(text, ensure_ascii=False)


def label(ja: str, en: str) -> str:
    return f"{{ja: {q(ja)}, en: {q(en)}}}"


def flow(ids: Iterable[str]) -> str:
    return "[" + ", ".join(q(i) for i in ids) + "]"


def block_list(key: str, items: list[str], indent: int) -> list[str]:
    pad = " " * indent
    return [f"{pad}{key}:", *(f"{pad}  - {q(item)}" for item in items)]


# --- the model -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    """The fixed parts of a generated project that journeys and content refer to."""

    stages: list[str]
    segments: list[str]
    personas: list[tuple[str, str]]  # (persona id, segment id)
    serving_roles: dict[str, list[str]]  # customer stage id -> roles of funnel stages serving it


def stage_rows(spec: Spec) -> list[tuple[str, str, str, str, list[int], str]]:
    if spec.stages == 12:
        return STAGES
    return [s for s in STAGES if s[0] not in NINE_STAGES]


def funnel_rows(stages: list[str]) -> list[tuple[str, str, str, list[str], list[str], str | None]]:
    present = set(stages)
    rows = []
    for fid, ja, en, owners, serves, lead_class in FUNNEL:
        kept = [s for s in serves if s in present]
        if kept:
            rows.append((fid, ja, en, owners, kept, lead_class))
    return rows


def project_yaml() -> str:
    return (
        "kind: project\n"
        f"title: {label('株式会社サンプル 検証用ジャーニー', 'Sample Co. benchmark journeys')}\n"
        "language: ja\n"
        "client: 株式会社サンプル\n"
    )


def stages_yaml(rows: list[tuple[str, str, str, str, list[int], str]]) -> str:
    lines = ["kind: stages", "stages:"]
    for sid, ja, en, problem, story, desc in rows:
        lines += [
            f"  - id: {sid}",
            f"    label: {label(ja, en)}",
            f"    problem: {problem}",
            f"    story: {flow(str(s) for s in story)}",
            f"    description: {q(desc)}",
        ]
    lines += ["axes:"]
    for axis, ja, en, value in (
        ("purchase-process", "購買プロセス", "Purchase process", "顕在課題"),
        ("customer-classification", "顧客分類", "Customer classification", "見込み顧客"),
        ("sales-activity", "営業活動", "Sales activity", "情報提供"),
    ):
        lines += [f"  - id: {axis}", f"    label: {label(ja, en)}", "    values:"]
        lines += [
            f"      {r[0]}: {label(f'{value} {i + 1}', f'{r[2]} ({i + 1})')}"
            for i, r in enumerate(rows)
        ]
    return "\n".join(lines) + "\n"


def funnel_yaml(stages: list[str]) -> str:
    lines = ["kind: funnel", "roles:"]
    lines += [f"  - {{id: {rid}, label: {label(ja, en)}}}" for rid, ja, en in ROLES]
    lines += ["lead_classes:"]
    lines += [f"  - {{id: {cid}, label: {label(ja, en)}}}" for cid, ja, en in LEAD_CLASSES]
    lines += ["stages:"]
    for fid, ja, en, owners, serves, lead_class in funnel_rows(stages):
        lines += [
            f"  - id: {fid}",
            f"    label: {label(ja, en)}",
            f"    owners: {flow(owners)}",
            f"    serves: {flow(serves)}",
        ]
        if lead_class:
            lines.append(f"    lead_class: {lead_class}")
    return "\n".join(lines) + "\n"


def segments_yaml(count: int) -> str:
    lines = ["kind: segments", "segments:"]
    for sid, ja, en, ma_tool, employees in SEGMENTS[:count]:
        lines += [
            f"  - id: {sid}",
            f"    label: {label(ja, en)}",
            "    criteria:",
            f"      ma_tool: {q(ma_tool)}",
            f"      employees: {q(employees)}",
            "      crm: SFA/CRM導入済み",
        ]
    return "\n".join(lines) + "\n"


def persona_yaml(rng: random.Random, index: int, pid: str, segment: str) -> str:
    name = f"{SURNAMES[index % 10]} {GIVEN[(index // 10 + index) % 10]}"
    ja, en = JOB_TITLES[index % len(JOB_TITLES)]
    topics = rng.sample(TOPICS, 3)
    lines = [
        "kind: persona",
        f"id: {pid}",
        f"name: {name}",
        f"title: {label(ja, en)}",
        f"segment: {segment}",
        f"buying_role: {BUYING_ROLES[index % len(BUYING_ROLES)]}",
        *block_list("goals", [f"{t[0]}を仕組み化し、少人数でも回るようにする" for t in topics], 0),
        *block_list("pains", [f"{t[0]}{rng.choice(PAIN_ENDS)}" for t in topics], 0),
        *block_list("info_sources", rng.sample(TOUCHPOINTS, 4), 0),
        f"quote: {q(topics[0][0] + QUOTE)}",
    ]
    return "\n".join(lines) + "\n"


# --- journeys ------------------------------------------------------------------------------------


@dataclass
class Tally:
    steps: int = 0
    actions: int = 0
    bare_steps: int = 0
    transitions: int = 0


def kpi(rng: random.Random) -> str:
    return rng.choice(KPIS).format(n=rng.randrange(10, 200), p=rng.randrange(5, 60))


def action_lines(rng: random.Random, roles: list[str], content: list[str], topic: str) -> list[str]:
    lines = [
        f"      - role: {rng.choice(roles)}",
        f"        action: {q(f'{rng.choice(CHANNELS)}で{topic}{rng.choice(ACTION_ENDS)}')}",
        f"        content: {flow(rng.sample(content, rng.randint(1, 2)))}",
    ]
    if rng.random() < 0.6:
        lines.append(f"        kpi: {q(kpi(rng))}")
    return lines


def step_lines(
    rng: random.Random, model: Model, stage: str, n_actions: int, by_stage: dict[str, list[str]]
) -> list[str]:
    t1, t2 = rng.sample(TOPICS, 2)
    story = next(r[4][-1] for r in STAGES if r[0] == stage)
    lines = [
        f"  {stage}:",
        f"    story: {story}",
        f"{EDIT_FIELD}{q(f'{t1[0]}が{rng.choice(PROBLEMS)}。{rng.choice(NEXT_THOUGHTS)}')}",
        f"    feeling: {q(rng.choice(FEELINGS))}",
        f"    emotion: {rng.randint(-2, 2)}",
        *block_list("doing", [f"{t[0]}{rng.choice(DOING_VERBS)}" for t in (t1, t2)], 4),
        *block_list("questions", [f"{t1[0]}{rng.choice(QUESTION_ENDS)}"], 4),
        *block_list("touchpoints", rng.sample(TOUCHPOINTS, 2), 4),
        *block_list("pains", [f"{t2[0]}{rng.choice(PAIN_ENDS)}"], 4),
        *block_list("opportunities", [f"{t1[0]}{rng.choice(OPPORTUNITY_ENDS)}"], 4),
    ]
    if n_actions:
        lines.append("    actions:")
        roles = model.serving_roles[stage]
        for _ in range(n_actions):
            lines += action_lines(rng, roles, by_stage[stage], rng.choice((t1, t2))[0])
    return lines


def journey_yaml(
    rng: random.Random,
    model: Model,
    spec: Spec,
    index: int,
    by_stage: dict[str, list[str]],
    tally: Tally,
) -> tuple[str, str]:
    jid = f"journey-{index:03d}"
    pid, segment = model.personas[index % len(model.personas)]
    seg_row = next(s for s in SEGMENTS if s[0] == segment)
    owner = f"segment: {segment}" if index % 10 == 9 else f"persona: {pid}"
    lines = [
        "kind: journey",
        f"id: {jid}",
        f"title: {label(f'{seg_row[1]} ジャーニー {index + 1}', f'{seg_row[2]}: #{index + 1}')}",
        owner,
        "steps:",
    ]
    for pos, stage in enumerate(model.stages):
        bare = pos == 0 and index % BARE_EVERY == 0
        n_actions = 0 if bare else spec.actions_per_step
        lines += step_lines(rng, model, stage, n_actions, by_stage)
        tally.steps += 1
        tally.actions += n_actions
        tally.bare_steps += int(bare)
    lines += transition_lines(model.stages, index, tally)
    return jid, "\n".join(lines) + "\n"


def transition(src: str, dst: str, ja: str, en: str) -> str:
    return f"  - {{from: {src}, to: {dst}, label: {label(ja, en)}}}"


def transition_lines(stages: list[str], index: int, tally: Tally) -> list[str]:
    out = []
    if index % 3 == 0:
        out.append(transition(stages[-1], stages[1], "新たな課題", "New problem"))
    if index % 4 == 1:
        out.append(transition(stages[1], stages[4], "紹介で直行", "Referral"))
    tally.transitions += len(out)
    return ["transitions:", *out] if out else []


# --- content -------------------------------------------------------------------------------------


def title(fmt_ja: str, fmt_en: str, topic_ja: str, topic_en: str, end_ja: str, end_en: str) -> str:
    return label(f"{fmt_ja}「{topic_ja} {end_ja}」", f"{fmt_en}: {topic_en}, {end_en}")


def content_item(
    rng: random.Random, index: int, model: Model, roles: list[str]
) -> tuple[str, str, list[str]]:
    """One content item: its id, the first stage it targets, its YAML lines."""
    fmt, fmt_ja, fmt_en = FORMATS[index % len(FORMATS)]
    topic_ja, topic_en = TOPICS[(index * 7) % len(TOPICS)]
    end_ja, end_en = TITLE_ENDS[index % len(TITLE_ENDS)]
    first = rng.randrange(len(model.stages))
    stages = model.stages[first : first + rng.randint(1, 2)]
    status = rng.choice(STATUSES)
    cid = f"c{index:05d}-{fmt}"
    lines = [
        f"  - id: {cid}",
        f"    title: {title(fmt_ja, fmt_en, topic_ja, topic_en, end_ja, end_en)}",
        f"    format: {fmt}",
        f"    stages: {flow(stages)}",
    ]
    if rng.random() < 0.5:
        segments = rng.sample(model.segments, min(2, len(model.segments)))
        lines.append(f"    segments: {flow(segments)}")
    lines += [
        f"    owner: {rng.choice(roles)}",
        f"    status: {status}",
        f"    url: https://example.com/{fmt}/{index:05d}",
    ]
    if status != "planned":
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(600))
        lines.append(f"    updated: {day.isoformat()}")
    return cid, stages[0], lines


def content_files(
    rng: random.Random, model: Model, spec: Spec
) -> tuple[list[str], dict[str, list[str]]]:
    """The text of each content file, and the content ids by the stage they target first."""
    roles = [r[0] for r in ROLES]
    per_file = math.ceil(spec.content / spec.content_files)
    texts: list[str] = []
    by_stage: dict[str, list[str]] = {s: [] for s in model.stages}
    every: list[str] = []
    for start in range(0, spec.content, per_file):
        lines = ["kind: content", "items:"]
        for index in range(start, min(start + per_file, spec.content)):
            cid, stage, item = content_item(rng, index, model, roles)
            lines += item
            if "    status: retired" not in item:
                by_stage[stage].append(cid)
            every.append(cid)
        texts.append("\n".join(lines) + "\n")
    for stage, ids in by_stage.items():  # actions name live items of their stage if any
        if len(ids) < 2:
            by_stage[stage] = every
    return texts, by_stage


# --- the project ---------------------------------------------------------------------------------


def build_model(spec: Spec) -> Model:
    stages = [r[0] for r in stage_rows(spec)]
    segments = [s[0] for s in SEGMENTS[: spec.segments]]
    personas = [
        (f"p{i + 1:02d}-{ROMAJI[i % 10]}", segments[i % len(segments)])
        for i in range(spec.personas)
    ]
    serving: dict[str, list[str]] = {s: [] for s in stages}
    for _fid, _ja, _en, owners, serves, _lc in funnel_rows(stages):
        for stage in serves:
            serving[stage] += [o for o in owners if o not in serving[stage]]
    return Model(stages, segments, personas, serving)


def generate(dest: Path, size: str, seed: int = SEED) -> dict[str, int]:
    """Write a valid project of the given size (S, M or L) into dest; return its counts.

    dest must be absent or empty. The same size and seed always give the same files.
    """
    spec = SIZES[size.upper()]
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty")
    rng = random.Random(f"{seed}-{size.upper()}")
    model = build_model(spec)
    files: dict[str, str] = {
        "journeys/project.yaml": project_yaml(),
        "journeys/stages.yaml": stages_yaml(stage_rows(spec)),
        "journeys/funnel.yaml": funnel_yaml(model.stages),
        "journeys/segments.yaml": segments_yaml(spec.segments),
    }
    for i, (pid, segment) in enumerate(model.personas):
        files[f"personas/{pid}.yaml"] = persona_yaml(rng, i, pid, segment)
    texts, by_stage = content_files(rng, model, spec)
    for i, text in enumerate(texts, start=1):
        files[f"journeys/content/content-{i:02d}.yaml"] = text
    tally = Tally()
    for i in range(spec.journeys):
        jid, text = journey_yaml(rng, model, spec, i, by_stage, tally)
        files[f"journeys/journeys/{jid}.yaml"] = text
    size_bytes = write_files(dest, files)
    return {
        "files": len(files),
        "bytes": size_bytes,
        "stages": len(model.stages),
        "roles": len(ROLES),
        "funnel_stages": len(funnel_rows(model.stages)),
        "segments": spec.segments,
        "personas": spec.personas,
        "journeys": spec.journeys,
        "steps": tally.steps,
        "actions": tally.actions,
        "bare_steps": tally.bare_steps,
        "transitions": tally.transitions,
        "content": spec.content,
        "content_files": len(texts),
    }


def write_files(dest: Path, files: dict[str, str]) -> int:
    total = 0
    for rel, text in files.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return total


def expected_counts(size: str) -> dict[str, int]:
    """The counts a project of this size promises (what `generate` returns, less file sizes)."""
    spec = SIZES[size.upper()]
    steps = spec.journeys * spec.stages
    bare = math.ceil(spec.journeys / BARE_EVERY)
    return {
        "journeys": spec.journeys,
        "content": spec.content,
        "personas": spec.personas,
        "segments": spec.segments,
        "stages": spec.stages,
        "steps": steps,
        "bare_steps": bare,
        "actions": (steps - bare) * spec.actions_per_step,
        "content_files": spec.content_files,
    }


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=sorted(SIZES), type=str.upper)
    parser.add_argument("dest", type=Path, help="an absent or empty folder")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    try:
        counts = generate(args.dest, args.size, args.seed)
    except FileExistsError as exc:
        parser.error(str(exc))
    out(json.dumps(counts, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
