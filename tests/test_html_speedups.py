"""The shortcuts behind fast HTML rendering give exactly what the plain versions give."""

from __future__ import annotations

import re
import sys
from urllib.parse import urlsplit

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import StrictUndefined
from jinja2.exceptions import UndefinedError

from toolkit import coverage as cov
from toolkit.analyses import content_items, item_matches
from toolkit.renderers.common import (
    SPACE,
    RenderOptions,
    actions_at,
    journey_steps,
    safe_url,
    step_flags,
)
from toolkit.renderers.environment import make_environment
from toolkit.renderers.facts import Lazy, listed_content
from toolkit.renderers.html import render_html
from toolkit.renderers.html_context import make_facts

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_safe_url(url: str | None) -> str | None:
    """safe_url as it was written first: urlsplit for every URL."""
    if not url:
        return None
    cleaned = CONTROL.sub("", url).strip()
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return None
    return cleaned if scheme in {"http", "https", "mailto"} and not any(
        c.isspace() for c in cleaned
    ) else None


URLS = [
    "https://example.com/a?b=c#d",
    "HTTP://EXAMPLE.COM",
    "mailto:someone@example.com",
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>",
    "https://[::1]/x",
    "https://[::1/x",
    "https://]x[/",
    "https://[1.2.3.4]/",
    "https://exa\u2100mple.com/",
    "https://例え.jp/パス",
    "https://example.com/a b",
    "https://example.com/\u3000",
    "\x00https://example.com\x7f",
    "//example.com/no-scheme",
    "1http://x",
    "h_ttp://x",
    "http:",
    ":",
    "",
    "   ",
    "mailto:",
    "https:/x",
    "ftp://example.com",
]


@pytest.mark.parametrize("url", URLS)
def test_safe_url_matches_urlsplit(url: str) -> None:
    assert safe_url(url) == plain_safe_url(url)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.builds(
            lambda scheme, rest: scheme + rest,
            st.sampled_from(["http:", "https://", "mailto:", "HtTpS://", "javascript:", "x:"]),
            st.text(),
        ),
    )
)
def test_safe_url_matches_urlsplit_on_any_text(url: str) -> None:
    assert safe_url(url) == plain_safe_url(url)


def test_space_pattern_is_isspace() -> None:
    assert all(
        bool(SPACE.search(chr(c))) == chr(c).isspace() for c in range(sys.maxunicode + 1)
    )


def test_environment_reads_dict_keys_first_and_stays_strict() -> None:
    env = make_environment()
    page = env.from_string("{{ d.title }} {{ d.items }} {{ o.real }}")
    out = page.render(d={"title": "<b>", "items": "x"}, o=1)
    assert out == "&lt;b&gt; x 1"  # escaped; a key shadows the dict method of the same name
    with pytest.raises(UndefinedError):
        env.from_string("{{ d.missing }}").render(d={})
    assert env.undefined is StrictUndefined


def test_facts_match_graph_walks(example_graph: nx.MultiDiGraph) -> None:
    f = make_facts(example_graph, RenderOptions("ja"))
    for step, codes in step_flags(example_graph).items():
        assert f.flags[step] == codes
        assert f.actions[step] == actions_at(example_graph, step)
    for ref, steps in f.steps.items():
        assert steps == journey_steps(example_graph, ref)
    order = [d["ref"] for _, d in example_graph.nodes(data=True) if d["type"] == "content"]
    for c in f.coverage.values():
        both = [(i, False) for i in sorted(c.items, key=order.index)] + [
            (i, True) for i in sorted(c.pipeline, key=order.index)
        ]
        shown, rest = listed_content(c, f.content_order, f.content_ids)
        assert shown == both[:12] and rest == max(0, len(both) - 12)


def test_lazy_works_a_key_out_once() -> None:
    calls: list[str] = []
    lazy: Lazy[str, int] = Lazy(lambda key: calls.append(key) or len(key))
    assert [lazy["ab"], lazy["ab"], lazy["abc"]] == [2, 2, 3]
    assert calls == ["ab", "abc"]


def test_segment_cells_match_item_matches(example_graph: nx.MultiDiGraph) -> None:
    items = content_items(example_graph)
    for cell in cov.segment_cells(example_graph):
        matching = [i for i in items if item_matches(i, cell.stage, cell.segment)]
        assert cell.items == tuple(sorted(i.id for i in matching if i.status == "published"))
        assert cell.pipeline == tuple(
            sorted(i.id for i in matching if i.status in ("draft", "planned"))
        )


def test_render_twice_same_bytes(example_graph: nx.MultiDiGraph) -> None:
    options = RenderOptions("en", frozenset({"svg", "mermaid", "json", "csv"}))
    assert render_html(example_graph, options) == render_html(example_graph, options)
