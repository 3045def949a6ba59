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
