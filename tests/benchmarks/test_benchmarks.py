"""The benchmark suite: generated projects are valid and sized as promised; the runner works."""

from __future__ import annotations

import importlib.util
import json
import shutil
import statistics
from pathlib import Path

import pytest
from tools import needs_dot

from benchmarks import run
from benchmarks.generate import expected_counts, generate
from toolkit.pipeline import compile_project

PROMISED = {
    "S": {
        "journeys": 2,
        "content": 30,
        "personas": 2,
        "segments": 2,
        "stages": 9,
        "steps": 18,
        "actions": 34,
    },
    "M": {
        "journeys": 20,
        "content": 500,
        "personas": 10,
        "segments": 4,
        "stages": 12,
        "steps": 240,
        "actions": 708,
    },
}


def compiled_counts(root: Path) -> dict[str, int]:
    compiled = compile_project(root, "")
    assert compiled.ok, [d.render() for d in compiled.diagnostics if d.severity == "error"]
    p = compiled.project
    steps = [step for j in p.journeys for step in j.model.steps.values()]
    return {
        "journeys": len(p.journeys),
        "content": len(p.content),
        "personas": len(p.personas),
        "segments": len(p.segments),
        "stages": len(p.stages),
        "steps": len(steps),
        "actions": sum(len(step.actions) for step in steps),
    }


@pytest.mark.parametrize("size", ["S", "M"])
def test_generated_project_compiles_with_the_promised_counts(tmp_path: Path, size: str) -> None:
    counts = generate(tmp_path / "p", size)
    assert compiled_counts(tmp_path / "p") == PROMISED[size]
    assert {k: counts[k] for k in PROMISED[size]} == PROMISED[size]
    assert {k: counts[k] for k in expected_counts(size)} == expected_counts(size)


def test_generated_project_warns_only_about_the_bare_steps(tmp_path: Path) -> None:
    generate(tmp_path / "p", "S")
    diags = compile_project(tmp_path / "p", "").diagnostics
    assert [d.code for d in diags] == ["seller-absent"] * expected_counts("S")["bare_steps"]


def test_generator_is_deterministic(tmp_path: Path) -> None:
    generate(tmp_path / "a", "S")
    generate(tmp_path / "b", "S")
    a, b = tmp_path / "a", tmp_path / "b"
    files = sorted(p.relative_to(a) for p in a.rglob("*.yaml"))
    assert files
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)


def test_generator_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        generate(tmp_path, "S")


def renderers_present() -> bool:
    return all(
        importlib.util.find_spec(f"toolkit.render.{name}") is not None
        for name in ("html", "dot", "mermaid")
    )


def positive(data: dict, *path: str) -> bool:
    value = run.dig(data, *path)
    return isinstance(value, float) and value > 0


@needs_dot  # the benchmark builds diagrams
def test_smoke_run_writes_the_expected_json(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    argv = ["--sizes", "S", "--repeat", "1", "--json", str(out), "--quick", "--no-mermaid"]
    assert run.main(argv) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert not data["sizes"]["S"].get("errors"), data["sizes"]["S"].get("errors")
    assert {"created", "machine", "settings", "notes", "sizes", "targets"} <= set(data)
    assert {"cpu", "cores", "python", "pyyaml", "libyaml"} <= set(data["machine"])
    assert [t["target"] for t in data["targets"]] == [t[0] for t in run.TARGETS]
    s = data["sizes"]["S"]
    assert s["counts"]["journeys"] == 2
    for how in ("load_all", "compose_all", "events", "load_all_subprocess"):
        assert positive(s, "bare_parse", how, "median_s"), how
    assert positive(s, "cli", "cold_check", "median_s")
    assert positive(s, "cli", "cold_check", "median_rss_mb")
    assert positive(s, "cli", "warm_check", "median_s")
    assert positive(s, "in_process", "compile_project", "median_s")
    assert positive(s, "ratios", "cold_check_over_parse")
    cold = s["cli"]["cold_check"]  # each cold check ran right after a floor run
    assert len(cold["floor_runs_s"]) == cold["runs"] == len(cold["runs_s"])
    pairs = zip(cold["runs_s"], cold["floor_runs_s"], strict=True)
    want = statistics.median(t / f for t, f in pairs)
    assert s["ratios"]["cold_check_over_parse"] == cold["paired_ratio"]
    assert cold["paired_ratio"] == pytest.approx(want, rel=1e-3)  # times are kept rounded
    if not renderers_present():
        return
    assert not s.get("errors"), s.get("errors")
    for key in ("cold_build", "warm_build", "edit_build"):
        assert positive(s, "cli", key, "median_s"), key
    assert positive(s, "cli", "cold_build", "median_rss_mb")
    assert s["cli"]["edit_build"]["page_updated"] is True
    assert positive(s, "per_journey", "html_svg_s")
    assert positive(s, "in_process", "phases_s", "render_html")
    if shutil.which("dot"):  # Graphviz alone on the S build's 4 diagrams (2 journeys + 2)
        assert s["graphviz"]["files"] == 4
        assert positive(s, "graphviz", "cpu_s")
        assert positive(s, "ratios", "cold_build_bound_over_parse")


@pytest.mark.skipif(
    importlib.util.find_spec("weasyprint") is None, reason="WeasyPrint is not installed"
)
def test_report_benchmark_runs_on_size_s(tmp_path: Path) -> None:
    from benchmarks import report_bench

    out = tmp_path / "report.json"
    args = ["--size", "S", "--paper", "a4", "--jobs", "1", "--json", str(out)]
    assert report_bench.main(args) == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    (only,) = record["runs"]
    assert only["pages"] >= 10 and only["bytes"] > 10_000 and only["max_rss_mb"] > 0
