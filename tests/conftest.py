"""Shared fixtures: the repository root, the bundled example compiled once per session."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import networkx as nx
import pytest

from toolkit.pipeline import Compiled, compile_project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    """Keep the parse cache of the whole test run in a throwaway folder."""
    if "JOURNEY_CACHE_DIR" not in os.environ:
        os.environ["JOURNEY_CACHE_DIR"] = tempfile.mkdtemp(prefix="journey-test-cache-")


# The slowest test files (seconds of their tests under xdist on the 2-core machine), first:
# xdist (--dist loadfile) hands files to its workers in collection order, so the long ones
# start at once and the many short ones fill the gaps at the end, instead of one long file
# running alone last.
SLOW_FIRST = (
    "render/test_pages_browser.py",  # 85 s
    "render/test_map_page_browser.py",  # 50 s
    "render/test_report.py",  # 44 s
    "serve/test_serve.py",  # 36 s
    "cli/test_build.py",  # 32 s
    "leads/test_leads.py",  # 26 s: judges a 300 000-row file
    "render/test_mermaid.py",  # 23 s
    "benchmarks/test_benchmarks.py",  # 20 s
    "render/test_browser.py",  # 20 s
    "render/test_accessibility.py",  # 17 s
    "packaging/test_dist.py",  # 12 s: builds the sdist and wheel, installs it in a fresh venv
    "cli/test_precommit.py",  # 10 s: pre-commit makes a venv and pip-installs the hooks
    "cli/test_cli_report.py",  # 13 s
    "cli/test_cli_pptx.py",  # 11 s
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {f"tests/{name}": i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def example() -> Compiled:
    compiled = compile_project(REPO, shown_as="")
    assert compiled.ok, [d.render() for d in compiled.diagnostics]
    return compiled


@pytest.fixture(scope="session")
def example_graph(example: Compiled) -> nx.MultiDiGraph:
    assert example.graph is not None
    return example.graph


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled example project (personas/ and journeys/ only)."""
    dest = tmp_path / "project"
    for sub in ("personas", "journeys"):
        shutil.copytree(REPO / sub, dest / sub)
    return dest


def chromium_path() -> str | None:
    from tools import chromium_path as found

    return found()
