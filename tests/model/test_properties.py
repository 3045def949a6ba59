"""Property tests: any text survives the loader exactly; no bytes make the loader raise."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from projects import write_project

from toolkit.common.diagnostics import Diagnostic
from toolkit.load.sources import SourceFile, read_source
from toolkit.model.project import load_project
from toolkit.pipeline import compile_project

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project folder per test, rewritten by every example (cheaper than a new one)."""
    return tmp_path_factory.mktemp("property-project")


@SETTINGS
@given(
    name=st.text(),
    quote=st.text(),
    label=st.text(),
    thinking=st.text(),
    allow_unicode=st.booleans(),
)
def test_any_text_round_trips_into_the_graph(
    workdir: Path, name: str, quote: str, label: str, thinking: str, allow_unicode: bool
) -> None:
    # PyYAML's emitter folds a raw NEL (U+0085) in single quotes into a space when it writes
    # unescaped Unicode: its own safe_load reads back ' '. Escaped (the default) it is exact.
    assume(not (allow_unicode and any("\x85" in t for t in (name, quote, label, thinking))))

    def dump(doc: dict[str, object]) -> str:
        return yaml.safe_dump(doc, allow_unicode=allow_unicode, sort_keys=False)

    persona = {"kind": "persona", "id": "ann", "name": name, "quote": quote}
    stages = {"kind": "stages", "stages": [{"id": "aware", "label": label}, {"id": "buy"}]}
    journey = {
        "kind": "journey",
        "id": "ann-journey",
        "persona": "ann",
        "steps": {"aware": {"thinking": thinking}},
    }
    root = write_project(
        workdir,
        {
            "personas/ann.yaml": dump(persona),
            "journeys/stages.yaml": dump(stages),
            "journeys/ann.yaml": dump(journey),
        },
    )
    compiled = compile_project(root, shown_as="")
    assert compiled.graph is not None, [d.render() for d in compiled.diagnostics]
    assert [d for d in compiled.diagnostics if d.severity == "error"] == []
    g = compiled.graph
    assert g.nodes["persona:ann"]["name"] == name
    assert g.nodes["persona:ann"]["quote"] == quote
    assert g.nodes["stage:aware"]["label"] == label
    assert g.nodes["step:ann-journey/aware"]["thinking"] == thinking


YAMLISH = st.sampled_from(
    [
        b"kind: ",
        b"persona",
        b"journey",
        b"stages",
        b"funnel",
        b"content",
        b"id: ",
        b"ann",
        b"name: ",
        b"steps:",
        b"stages:",
        b"items:",
        b"\n",
        b"  ",
        b"- ",
        b"[",
        b"]",
        b"{",
        b"}",
        b", ",
        b": ",
        b"? ",
        b"&a ",
        b"*a",
        b"<<: ",
        b"!!str ",
        b"!!python/object:x ",
        b"!t ",
        b"'",
        b'"',
        b"#",
        b"---\n",
        b"...\n",
        b"%YAML 1.1\n",
        b"\t",
        b"|\n",
        b">-\n",
        b"\\",
        b"\xef\xbb\xbf",
        b"\xff",
        b"\xc3",
        b"\xe4\xbd\x90",
        b"\x00",
        b"\x07",
        b"\r",
        b"~",
        b"emotion: ",
        b"-3",
        b"1.10",
        b"2024-01-01",
    ]
)
BYTES = st.one_of(st.binary(max_size=300), st.lists(YAMLISH, max_size=60).map(b"".join))


def assert_diagnostics(diags: list[Diagnostic]) -> None:
    for d in diags:
        assert isinstance(d, Diagnostic)
        assert d.severity in ("error", "warning")
        assert d.code and "\n" not in d.render()
        assert d.line >= 0 and d.column >= 0


@SETTINGS
@given(raw=BYTES)
def test_arbitrary_bytes_never_raise(workdir: Path, raw: bytes) -> None:
    root = write_project(workdir, {"personas/fuzz.yaml": raw})
    docs, diags = read_source(SourceFile(root / "personas" / "fuzz.yaml", "personas/fuzz.yaml"))
    assert_diagnostics(diags)
    assert all(d.file == "personas/fuzz.yaml" for d in diags)
    result = load_project(root, shown_as="")
    assert_diagnostics(result.diagnostics)
    if result.ok:
        compiled = compile_project(root, shown_as="")
        assert compiled.graph is not None
