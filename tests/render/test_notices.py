"""Which page shows each warning of `journey check`, in which words (toolkit/render/notices)."""

from __future__ import annotations

from warned import WARNING_CODES

from toolkit.common.diagnostics import WARNING_CODES as ALL_CODES
from toolkit.common.diagnostics import Location, error, warning
from toolkit.common.i18n import translations
from toolkit.render.notices import (
    PROJECT_CODES,
    in_project,
    page_warnings,
    project_notes,
    warning_labels,
)


def test_every_check_warning_has_its_words_in_both_languages() -> None:
    # missing-item comes from `journey sheets import` (about a sheet), never from a check
    assert set(WARNING_CODES) == ALL_CODES - {"missing-item"}
    en, ja = warning_labels(translations("en")), warning_labels(translations("ja"))
    assert set(en) == set(ja) == set(WARNING_CODES)
    assert en["orphan-content"] == "Serves no journey step"
    assert ja["orphan-content"] == "どのステップにも使われていない"
    assert ja["unserved-stage"] == "対応するファネル段階なし"
    assert all(ja[code] != en[code] for code in en)


def test_page_warnings_keep_what_the_graph_cannot_tell() -> None:
    at = Location("/home/me/p/journeys/a.yaml", 3, 1)
    diags = [
        warning("seller-absent", "step 'x' ...", at),
        warning("unpersonified-role", "target role 'proposer' has no persona", at),
        warning("empty-file", "file holds no YAML document", Location("/home/me/p/e.yaml", 1)),
        error("empty-file", "not a warning", at),
    ]
    kept = page_warnings(diags)
    assert [d.code for d in kept] == ["empty-file", "unpersonified-role"]
    assert set(PROJECT_CODES) == {
        "empty-file",
        "handoff-blind",
        "unknown-language",
        "unpersonified-role",
    }
    notes = project_notes(translations("en"), kept, "/home/me/p", ["unpersonified-role"])
    assert notes == [
        {
            "code": "unpersonified-role",
            "label": "No persona has this buying role",
            "subject": "proposer",
            "where": "journeys/a.yaml:3",
        }
    ]
    files = project_notes(translations("ja"), kept, "/home/me/p", ["empty-file"])
    assert [(n["label"], n["subject"]) for n in files] == [
        ("YAML ドキュメントのないファイル", "e.yaml")
    ]


def test_outputs_never_name_a_path_of_the_machine() -> None:
    assert in_project("/home/me/p/journeys/a.yaml", "/home/me/p") == "journeys/a.yaml"
    assert in_project("journeys/a.yaml", "") == "journeys/a.yaml"
    assert in_project("/elsewhere/b.yaml", "/home/me/p") == "b.yaml"
    assert in_project("C:\\Users\\me\\p\\c.yaml", "") == "c.yaml"
    assert in_project("journeys/\x1bbad.yaml", "") == "journeys/bad.yaml"
