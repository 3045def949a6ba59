"""The toolkit's own words as gettext catalogs: complete, compiled, and in the pages."""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx
import pytest
from babel.messages import frontend
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from toolkit.analyses.diff import DiffResult, diff_graphs
from toolkit.common.i18n import DOMAIN, LOCALE_DIR, translations, ui_code
from toolkit.pipeline import compile_project
from toolkit.render.common import RenderOptions
from toolkit.render.coverage_html import render_coverage_html
from toolkit.render.diagrams import word
from toolkit.render.diff_html import render_diff_html
from toolkit.render.environment import make_environment
from toolkit.render.html import render_html

REPO = Path(__file__).resolve().parents[2]
BASIC = Path(__file__).resolve().parents[1] / "fixtures" / "diff-basic"
CATALOGS = sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
Key = tuple[str | None, str]  # (msgctxt, msgid)
# parse_mapping_cfg since Babel 2.15; parse_mapping before (the lower bound is 2.14)
parse_mapping_cfg = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping


def diff_dirs(old: Path, new: Path) -> DiffResult:
    a, b = compile_project(old, shown_as=""), compile_project(new, shown_as="")
    return diff_graphs(a.graph, b.graph, a.diagnostics, b.diagnostics, ("old", "new"))


def used_messages() -> set[Key]:
    """Every message the code and templates ask for, as `pybabel extract -F babel.cfg` finds."""
    with open(REPO / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = set()
    for _, _, message, _, context in extract_from_dir(REPO, method_map, options_map):
        found.add((context, message[0] if isinstance(message, tuple) else message))
    return found


def catalog_messages(path: Path) -> dict[Key, object]:
    with open(path, "rb") as f:
        catalog = read_po(f)
    return {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id): m for m in catalog if m.id}


def test_the_catalogs_exist() -> None:
    assert [p.parent.parent.name for p in CATALOGS] == ["ja"]


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_every_message_in_code_and_templates_is_translated(po: Path) -> None:
    used = used_messages()
    assert len(used) > 150  # the extraction found the renderers and templates
    messages = catalog_messages(po)
    missing = sorted(used - messages.keys(), key=str)
    assert not missing, f"not in {po}: run pybabel extract and update (docs/TRANSLATING.md)"
    untranslated = [
        key
        for key in used
        if m_fuzzy(messages[key]) or not all(m_strings(messages[key]))  # type: ignore[arg-type]
    ]
    assert not untranslated, f"untranslated or fuzzy in {po}: {sorted(untranslated, key=str)}"


def m_fuzzy(message: object) -> bool:
    return bool(message.fuzzy)  # type: ignore[attr-defined]


def m_strings(message: object) -> tuple[str, ...]:
    string = message.string  # type: ignore[attr-defined]
    return tuple(string) if isinstance(string, (tuple, list)) else (string,)


def test_the_template_lists_every_message() -> None:
    pot = catalog_messages(LOCALE_DIR / f"{DOMAIN}.pot")
    missing = sorted(used_messages() - pot.keys(), key=str)
    assert not missing, "messages.pot is stale: run pybabel extract (docs/TRANSLATING.md)"


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_the_committed_mo_is_the_po_compiled(po: Path) -> None:
    with open(po, "rb") as f:
        catalog = read_po(f, locale=po.parent.parent.name)
    fresh = io.BytesIO()
    write_mo(fresh, catalog)
    assert po.with_suffix(".mo").read_bytes() == fresh.getvalue(), (
        f"{po.with_suffix('.mo')} is not {po} compiled: run pybabel compile (docs/TRANSLATING.md)"
    )


@pytest.mark.parametrize(
    ("tag", "code"),
    [("ja", "ja"), ("ja-JP", "ja"), ("ja_JP", "ja"), ("JA", "ja"), ("en", "en")]
    + [("en-GB", "en"), ("fr", "en"), ("", "en")],
)
def test_a_tag_selects_its_ui_language(tag: str, code: str) -> None:
    assert ui_code(tag) == code
    assert translations(tag) is translations(code)  # loaded once per language
    expected = {"ja": "コンテンツのカバー状況", "en": "Content coverage"}[code]
    assert translations(tag).gettext("Content coverage") == expected


def test_contexts_and_plurals_keep_each_place_its_words() -> None:
    ja, en = translations("ja"), translations("en")
    assert (ja.gettext("Pains"), ja.pgettext("persona", "Pains")) == ("ペイン", "悩み")
    assert (ja.gettext("published"), ja.pgettext("coverage report", "published")) == (
        "公開中",
        "公開済み",
    )
    assert ja.ngettext("%(n)s lead", "%(n)s leads", 3) % {"n": "3"} == "3件"
    assert en.ngettext("%(n)s lead", "%(n)s leads", 1) % {"n": "1"} == "1 lead"
    assert en.ngettext("%(n)s lead", "%(n)s leads", 2) % {"n": "2"} == "2 leads"
    assert (word("buyer", "ja"), word("buyer", "ja-JP"), word("buyer", "fr")) == (
        "買い手（顧客）",
        "買い手（顧客）",
        "Buyer",
    )
    assert (word("more", "ja", n=4), word("more", "en", n=4)) == (
        "ほか 4 件は省略",
        "4 more not shown",
    )


def test_pages_show_the_words_of_their_language(example_graph: nx.MultiDiGraph) -> None:
    env = make_environment()  # one environment for both languages, as `journey serve` keeps
    pages = {
        lang: render_html(example_graph, RenderOptions(lang), env=env)
        for lang in ("ja", "en", "ja", "fr")
    }
    ja = pages["ja"]["journeys/no-ma-manager.html"].decode()
    en = pages["en"]["journeys/no-ma-manager.html"].decode()
    fr = pages["fr"]["journeys/no-ma-manager.html"].decode()
    assert '<p class="eyebrow">ジャーニーマップ' in ja and '<p class="eyebrow">Journey map' in en
    assert '<th scope="row" class="lane-name"><span class="lane-label">感情曲線</span>' in ja
    assert '<th scope="row" class="lane-name"><span class="lane-label">Emotion</span>' in en
    assert '<th scope="row" class="lane-name">売り手</th>' in ja
    assert '<th scope="col" class="corner">顧客ステージ</th>' in ja
    assert '<th scope="col" class="corner">Customer stage</th>' in en
    assert "<h2>凡例</h2>" in ja and "<h2>Legend</h2>" in en
    assert fr.replace('lang="fr"', 'lang="en"') == en
    index = pages["ja"]["index.html"].decode()
    assert '<a href="compare.html">ジャーニー比較</a>' in index
    assert "<h2>ジャーニー一覧</h2>" in index and "<h2>コンテンツのカバー状況</h2>" in index


def test_coverage_page_in_both_languages(example_graph: nx.MultiDiGraph) -> None:
    ja_pages = render_coverage_html(example_graph, RenderOptions("ja"))
    en_pages = render_coverage_html(example_graph, RenderOptions("en"))
    ja, en = ja_pages["coverage.html"].decode(), en_pages["coverage.html"].decode()
    ja_items = ja_pages["coverage-inventory.html"].decode()
    en_items = en_pages["coverage-inventory.html"].decode()
    assert '<p class="eyebrow">コンテンツのカバー状況</p>' in ja
    assert '<p class="eyebrow">Content coverage</p>' in en
    assert "<h2>凡例</h2>" in ja and "<h2>ギャップ (" in ja and "<h2>Gaps (" in en
    assert '<th scope="col">ステータス</th>' in ja_items
    assert '<th scope="col">Status</th>' in en_items
    assert '<body class="page-coverage">' in ja  # base.html.j2's body, class from the page
    assert '<a href="coverage.html" aria-current="page">コンテンツのカバー状況</a>' in ja


def test_diff_page_in_both_languages() -> None:
    result = diff_dirs(BASIC / "old", BASIC / "new")
    ja, en = render_diff_html(result, "ja"), render_diff_html(result, "en")
    assert "<title>old 以降のジャーニーマップの変更点</title>" in ja
    assert "<title>What changed in your journey map since old</title>" in en
    assert "<h2>カスタマーステージ</h2>" in ja and "<h2>Customer stages</h2>" in en
    assert "<footer>journey diff で作成。</footer>" in ja
    # base.html.j2 without the navigation bar: the skip link, then the main content
    skip = '<a class="skip-link" href="#main">Skip to content</a>'
    assert f'<body>\n{skip}\n<main id="main">\n<header>' in en
    assert '<meta name="referrer" content="no-referrer">' in en and "topbar" not in en
