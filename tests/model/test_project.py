"""Project assembly: kinds, ids and references, on one fixture project per failure mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from projects import FIXTURE_ERRORS as EXPECTED
from projects import FIXTURES, places, write_project

from toolkit.common.diagnostics import Diagnostic, sort_diagnostics
from toolkit.model.project import load_project


def load(case: str) -> list[Diagnostic]:
    return sort_diagnostics(load_project(FIXTURES / case, shown_as="").diagnostics)


def text_at(root: Path, d: Diagnostic) -> str:
    """The source text from a diagnostic's line and column to the end of that line."""
    line = (root / d.file).read_text(encoding="utf-8").splitlines()[d.line - 1]
    return line[d.column - 1 :]


def one(case: str) -> Diagnostic:
    diags = load(case)
    assert len(diags) == 1, diags
    return diags[0]


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_failure_mode_fixture(case: str) -> None:
    diags = load(case)
    assert places(diags) == sorted(EXPECTED[case])
    assert places(diags, "warning") == []


@pytest.mark.parametrize("case", ["empty-file", "graph-small", "warnings", "yaml11-traps"])
def test_valid_fixtures_load_without_errors(case: str) -> None:
    assert places(load(case)) == []


# --- messages and hints that matter ------------------------------------------------------


def test_unknown_kind_did_you_mean() -> None:
    d = one("unknown-kind")
    assert (d.message, d.hint) == ("unknown kind 'jorney'", "did you mean 'journey'?")


def test_unknown_kind_without_a_close_match(tmp_path: Path) -> None:
    write_project(tmp_path, {"journeys/x.yaml": "kind: [a]\n---\nkind: zebra\n"})
    diags = load_project(tmp_path, shown_as="").diagnostics
    hint = "one of: project, stages, funnel, segments, persona, journey, content, qualification"
    assert [(d.code, d.line, d.column, d.message, d.hint) for d in diags] == [
        ("wrong-type", 1, 7, "'kind:' must be plain text, not a list", hint),
        ("unknown-kind", 3, 7, "unknown kind 'zebra'", hint),
    ]


def test_a_kind_in_a_list_is_wrong_type_not_a_near_miss(tmp_path: Path) -> None:
    # It used to say "unknown kind ['persona'] (did you mean 'persona'?)".
    write_project(tmp_path, {"personas/zed.yaml": "kind: [persona]\nid: zed\nname: Zed\n"})
    diags = load_project(tmp_path, shown_as="").diagnostics
    assert [(d.code, d.file, d.line, d.column, d.message) for d in diags] == [
        ("wrong-type", "personas/zed.yaml", 1, 7, "'kind:' must be plain text, not a list")
    ]
    write_project(tmp_path, {"personas/zed.yaml": "kind: {a: persona}\nid: zed\n"})
    diags = load_project(tmp_path, shown_as="").diagnostics
    assert [d.message for d in diags] == ["'kind:' must be plain text, not a mapping"]


@pytest.mark.parametrize(
    ("second", "extra"),
    [
        ("kind: persona\nid: ann\nname: Ann 2\nnmae: typo\n", [("unknown-key", 4, 1)]),
        ("kind: persona\nid: ann\nname: Ann 2\n", []),
    ],
    ids=["with-an-unknown-key", "valid"],
)
def test_a_duplicate_id_is_reported_beside_an_unknown_key(
    tmp_path: Path, second: str, extra: list[tuple[str, int, int]]
) -> None:
    write_project(tmp_path, {"personas/zed.yaml": second})
    diags = load_project(tmp_path, shown_as="").diagnostics
    assert sorted((d.code, d.line, d.column) for d in diags if d.file == "personas/zed.yaml") == [
        ("duplicate-id", 2, 5),
        *extra,
    ]
    dup = next(d for d in diags if d.code == "duplicate-id")
    assert dup.message == "duplicate persona id 'ann' (also defined at personas/ann.yaml:2:5)"


def test_a_duplicate_item_id_in_a_document_with_an_unknown_key(tmp_path: Path) -> None:
    content = (
        "kind: content\nitems:\n  - {id: guide, stages: [aware], status: published}\n"
        "  - {id: guide, stages: [aware], status: published, colour: red}\n"
    )
    write_project(tmp_path, {"journeys/content.yaml": content})
    diags = load_project(tmp_path, shown_as="").diagnostics
    assert sorted((d.code, d.line, d.column) for d in diags if d.severity == "error") == [
        ("duplicate-id", 4, 10),
        ("unknown-key", 4, 53),
    ]


def test_unknown_key_did_you_mean() -> None:
    d = one("unknown-key")
    assert (d.message, d.hint) == ("unknown key 'emotoin'", "did you mean 'emotion'?")


def test_duplicate_key_names_the_first() -> None:
    assert one("duplicate-key").message == "duplicate key 'name' (first at line 3)"


def test_duplicate_ids_name_the_other_place() -> None:
    assert [d.message for d in load("duplicate-id")] == [
        "duplicate customer stage id 'aware' (also defined at journeys/stages.yaml:3:9)",
        "duplicate persona id 'ann' (also defined at personas/ann-again.yaml:2:5)",
    ]


def test_duplicate_kind_names_the_first() -> None:
    d = one("duplicate-kind")
    assert (
        d.message
        == "a second 'kind: stages' document (the first is at journeys/more-stages.yaml:1:7)"
    )
    assert d.hint == "a project holds at most one 'stages' document"


def test_unknown_refs_did_you_mean() -> None:
    diags = load("unknown-ref")
    assert [(d.message, d.hint) for d in diags] == [
        ("unknown persona 'anne'", "did you mean 'ann'?"),
        ("unknown customer stage 'awre'", "did you mean 'aware'?"),
        ("unknown funnel stage 'clse'", "did you mean 'close'?"),
        ("unknown role 'sale'", "did you mean 'sales'?"),
        ("unknown content item 'gide'", "did you mean 'guide'?"),
        ("unknown customer stage 'bye'", "did you mean 'buy'?"),
    ]
    # each is located at the reference itself
    assert [text_at(FIXTURES / "unknown-ref", d)[:4] for d in diags] == [
        "anne",
        "awre",
        "clse",
        "sale",
        "gide",
        "bye]",
    ]


def test_missing_stages_and_funnel_name_the_project(tmp_path: Path) -> None:
    stages = one("missing-stages")
    assert (stages.file, stages.message) == (".", "the project has no 'kind: stages' document")
    assert one("missing-funnel").message == "the project has no 'kind: funnel' document"
    write_project(tmp_path, {"journeys/funnel.yaml": None, "journeys/stages.yaml": None})
    diags = load_project(tmp_path, shown_as="proj").diagnostics
    assert [(d.code, d.file, d.line) for d in diags if d.code.startswith("missing-")] == [
        ("missing-stages", "proj", 0),
        ("missing-funnel", "proj", 0),
    ]


def test_missing_segment_lists_the_segments() -> None:
    d = one("missing-segment")
    assert d.message == "persona 'ann' names no segment, but the project has segments"
    assert d.hint == "add 'segment:' with one of: enterprise, smb"


def test_bad_transition_message() -> None:
    d = one("bad-transition")
    assert d.message == "transition to 'retain', which is not a step of journey 'ann-journey'"


def test_not_a_project(tmp_path: Path) -> None:
    result = load_project(tmp_path, shown_as="here")
    assert [(d.code, d.file, d.line) for d in result.diagnostics] == [("not-a-project", "here", 0)]
    assert not result.ok


# --- references ------------------------------------------------------------------------


def test_every_kind_of_reference_is_checked(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "journeys/stages.yaml": """\
                kind: stages
                stages:
                  - id: aware
                  - id: buy
                axes:
                  - id: seller
                    values: {aware: Lead generation, biy: Won}
                """,
            "journeys/funnel.yaml": """\
                kind: funnel
                roles: [{id: marketing}, {id: sales}]
                lead_classes: [{id: lead}]
                stages:
                  - {id: attract, owners: [marketing, markting], serves: [aware], lead_class: leed}
                  - {id: close, owners: sales, serves: buy}
                """,
            "journeys/segments.yaml": "kind: segments\nsegments: [{id: smb}]\n",
            "personas/ann.yaml": "kind: persona\nid: ann\nname: Ann\nsegment: sbm\n",
            "journeys/content.yaml": """\
                kind: content
                items:
                  - {id: guide, stages: [aware], segments: [smb, enterprise], owner: marketng}
                """,
            "journeys/segment-journey.yaml": "kind: journey\nid: whole\nsegment: smbb\n",
        },
    )
    diags = sort_diagnostics(load_project(tmp_path, shown_as="").diagnostics)
    assert [(d.file, d.line, d.column, d.message, d.hint) for d in diags] == [
        (
            "journeys/content.yaml",
            3,
            50,
            "unknown segment 'enterprise'",
            "define segment 'enterprise'",
        ),
        ("journeys/content.yaml", 3, 70, "unknown role 'marketng'", "did you mean 'marketing'?"),
        ("journeys/funnel.yaml", 5, 39, "unknown role 'markting'", "did you mean 'marketing'?"),
        ("journeys/funnel.yaml", 5, 79, "unknown lead class 'leed'", "did you mean 'lead'?"),
        ("journeys/segment-journey.yaml", 3, 10, "unknown segment 'smbb'", "did you mean 'smb'?"),
        ("journeys/stages.yaml", 7, 38, "unknown customer stage 'biy'", "did you mean 'buy'?"),
        ("personas/ann.yaml", 4, 10, "unknown segment 'sbm'", "did you mean 'smb'?"),
    ]
    assert {d.code for d in diags} == {"unknown-ref"}
    assert [text_at(tmp_path, d)[:4] for d in diags] == [
        "ente",
        "mark",
        "mark",
        "leed",
        "smbb",
        "biy:",
        "sbm",
    ]


def test_transition_ends(tmp_path: Path) -> None:
    journey = """\
        kind: journey
        id: ann-journey
        persona: ann
        steps:
          aware: {}
        transitions:
          - {from: aware, to: aware}
          - {from: buy, to: awre}
        """
    write_project(tmp_path, {"journeys/ann.yaml": journey})
    diags = load_project(tmp_path, shown_as="").diagnostics
    assert [(d.code, d.line, d.column, d.hint) for d in diags] == [
        ("bad-transition", 8, 12, "add a step for that stage or change the transition"),
        ("unknown-ref", 8, 21, "did you mean 'aware'?"),
    ]


def test_ids_of_invalid_documents_do_not_cascade(tmp_path: Path) -> None:
    """A stage list that fails validation still defines its ids for references."""
    write_project(
        tmp_path,
        {
            "journeys/stages.yaml": (
                "kind: stages\nstages:\n  - id: aware\n  - id: buy\n    story: 0\n"
            ),
            "personas/ann.yaml": "kind: persona\nid: ann\nname: [Ann]\n",
        },
    )
    diags = load_project(tmp_path, shown_as="").diagnostics
    assert places(diags) == [
        ("out-of-range", "journeys/stages.yaml", 5, 12),
        ("wrong-type", "personas/ann.yaml", 3, 7),
    ]


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "journeys/more-content.yaml": (
                "kind: content\nitems:\n  - id: guide\n    stages: [buy]\n"
            ),
            "journeys/copy.yaml": "kind: journey\nid: ann-journey\npersona: ann\n",
        },
    )
    diags = load_project(tmp_path, shown_as="").diagnostics
    assert [(d.code, d.file, d.line, d.column, d.message) for d in diags] == [
        (
            "duplicate-id",
            "journeys/copy.yaml",
            2,
            5,
            "duplicate journey id 'ann-journey' (also defined at journeys/ann.yaml:2:5)",
        ),
        (
            "duplicate-id",
            "journeys/more-content.yaml",
            3,
            9,
            "duplicate content item id 'guide' (also defined at journeys/content.yaml:3:9)",
        ),
    ]


# --- whole files in a project ------------------------------------------------------------


def test_bom_file_in_a_project(tmp_path: Path) -> None:
    write_project(
        tmp_path, {"personas/ann.yaml": b"\xef\xbb\xbfkind: persona\nid: ann\nname: Ann\n"}
    )
    result = load_project(tmp_path, shown_as="")
    assert result.diagnostics == []
    assert [(p.model.name, p.loc("id").line) for p in result.project.personas] == [("Ann", 2)]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"kind: content\nitems:\n  - id: guide\n    title: caf\xe9\n", ("invalid-utf8", 4, 15)),
        (b"[" * 100_000, ("yaml-depth", 1, 65)),
    ],
    ids=["invalid-utf8", "yaml-depth"],
)
def test_file_level_errors_in_a_project(
    tmp_path: Path, content: bytes, expected: tuple[str, int, int]
) -> None:
    write_project(tmp_path, {"journeys/content.yaml": content})
    diags = load_project(tmp_path, shown_as="").diagnostics
    code, line, column = expected
    assert places(diags) == [(code, "journeys/content.yaml", line, column)]


def test_file_too_large_in_a_project(tmp_path: Path) -> None:
    write_project(tmp_path)
    with (tmp_path / "journeys" / "huge.yaml").open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: no 50 MB of disk or memory needed
    diags = load_project(tmp_path, shown_as="").diagnostics
    assert places(diags) == [("file-too-large", "journeys/huge.yaml", 1, 1)]


def test_base_project_is_clean_and_assembled(tmp_path: Path) -> None:
    write_project(tmp_path)
    result = load_project(tmp_path, shown_as="")
    assert result.diagnostics == [] and result.ok
    p = result.project
    assert [s.model.id for s in p.stages] == ["aware", "buy"]
    assert [f.model.id for f in p.funnel_stages] == ["attract", "close"]
    assert [r.model.id for r in p.roles] == ["marketing", "sales"]
    assert [e.model.id for e in p.personas] == ["ann"]
    assert [e.model.id for e in p.journeys] == ["ann-journey"]
    assert [e.model.id for e in p.content] == ["guide", "quote-sheet"]
    assert (p.meta, p.language, p.segments) == (None, "en", [])


def test_several_documents_in_one_file() -> None:
    result = load_project(FIXTURES / "graph-small", shown_as="")
    assert [
        (e.model.id, e.doc.file, e.doc.index, e.loc("id").line) for e in result.project.personas
    ] == [
        ("p1", "personas/p1.yaml", 0, 2),
        ("p2", "personas/p1.yaml", 1, 7),
    ]
