"""The package as a user gets it: the sdist and wheel that `python -m build` makes from a copy
of this checkout pass `twine check`, carry every template, compiled catalog and asset, and the
wheel installed in a fresh venv runs `journey init` and `journey build`.

The fresh venv gets the wheel alone (`--no-deps`, no index) and borrows the dependencies from
this interpreter's site-packages through a .pth file, whose paths come after the venv's own:
the toolkit is the wheel's, everything else is what the tests run with. Nothing is read
outside the repository, tmp and this interpreter's installation; no network.
"""

from __future__ import annotations

import gettext
import html
import importlib.util
import json
import os
import shutil
import site
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from projects import run_cli

import toolkit

REPO = Path(__file__).resolve().parents[2]
DIST = "journey-toolkit"
VERSION = toolkit.__version__
STEM = f"journey_toolkit-{VERSION}"
# Not copied into the build's source tree: caches, build leftovers (a stale build/lib would
# leak into the wheel), other checkouts' outputs, the node modules link.
TOP_IGNORED = {".git", ".venv", "venv", "build", "dist", "output", ".journey-cache"}
IGNORED = {
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".mypy_cache",
    "node_modules",
}
# Files that must be in the installed package, whatever else package-data adds.
REQUIRED_DATA = (
    "py.typed",
    "locale/messages.pot",
    "locale/ja/LC_MESSAGES/messages.po",
    "locale/ja/LC_MESSAGES/messages.mo",
    "render/templates/base.html.j2",
    "render/templates/style.css",
    "render/templates/report.css",
    "render/templates/report/_warnings.html.j2",
    "scaffold/templates/b2b/journeys/project.yaml",
    "scaffold/templates/minimal/journeys/project.yaml",
    "scaffold/templates/story/journeys/project.yaml",
    "serve/static/livereload.js",
)

needs_build = pytest.mark.skipif(
    importlib.util.find_spec("build") is None,
    reason="the 'build' package is not installed (pip install -e '.[test]')",
)
needs_twine = pytest.mark.skipif(
    importlib.util.find_spec("twine") is None,
    reason="the 'twine' package is not installed (pip install -e '.[test]')",
)


@dataclass(frozen=True)
class Dist:
    source: Path  # the copy of the checkout that was built
    sdist: Path
    wheel: Path
    log: str  # what `python -m build` printed


@dataclass(frozen=True)
class Installed:
    venv: Path
    journey: Path  # the venv's console script
    env: dict[str, str]


def clean_env() -> dict[str, str]:
    """This environment without what would point a child interpreter at other code."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV"}
    }
    env.update(PYTHONNOUSERSITE="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return env


def run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{output[-4000:]}"
    return output


def ignored(folder: str, names: list[str]) -> set[str]:
    top = Path(folder).resolve() == REPO
    return {
        n
        for n in names
        if n in IGNORED or n.endswith((".pyc", ".egg-info")) or (top and n in TOP_IGNORED)
    }


def data_files(package: Path) -> dict[str, bytes]:
    """Every file of a `toolkit` folder that is not Python code, by posix path inside it."""
    return {
        path.relative_to(package).as_posix(): path.read_bytes()
        for path in sorted(package.rglob("*"))
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    if importlib.util.find_spec("build") is None:
        pytest.skip("the 'build' package is not installed (pip install -e '.[test]')")
    work = tmp_path_factory.mktemp("dist")
    source = work / "src"
    shutil.copytree(REPO, source, ignore=ignored)
    out = work / "dist"
    # Without isolation: setuptools comes from this venv (the test extra), not the network.
    # No flags: the sdist first, then the wheel built from the unpacked sdist.
    log = run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", out, source],
        work,
        clean_env(),
    )
    return Dist(source, out / f"{STEM}.tar.gz", out / f"{STEM}-py3-none-any.whl", log)


@pytest.fixture(scope="module")
def installed(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    env = clean_env()
    venv = tmp_path_factory.mktemp("venv") / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], venv.parent, env)
    python = venv / "bin" / "python"
    purelib = run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], venv, env
    )
    run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index"]
        + ["--ignore-installed", dist.wheel],
        venv.parent,
        env,
    )
    # Appended after the venv's own site-packages: dependencies from here, toolkit from there.
    # Written after the install, so that pip never sees this environment's journey-toolkit
    # (installed as a wheel, it would take it for the one asked for and install nothing).
    borrowed = [p for p in site.getsitepackages() if Path(p).is_dir()]
    Path(purelib.strip(), "zz-test-dependencies.pth").write_text("\n".join(borrowed) + "\n")
    return Installed(venv, venv / "bin" / "journey", env)


# --- the version, the licence, the changelog (no build) -------------------------------------


def test_journey_version_prints_the_installed_distributions_version(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "--version")
    assert (code, out) == (0, f"journey, version {metadata.version(DIST)}\n")
    assert metadata.version(DIST) == VERSION


def test_the_version_has_one_place() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in config["project"]
    assert config["project"]["dynamic"] == ["version"]
    dynamic = config["tool"]["setuptools"]["dynamic"]
    assert dynamic["version"] == {"attr": "toolkit.__version__"}


def test_license_and_changelog() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert (config["license"], config["license-files"]) == ("MIT", ["LICENSE"])
    licence = (REPO / "LICENSE").read_text(encoding="utf-8").splitlines()
    assert licence[:3] == ["MIT License", "", "Copyright (c) 2026 The journey-toolkit authors"]
    headings = [
        line
        for line in (REPO / "CHANGELOG.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    ]
    assert headings[0] == "## [Unreleased]"
    assert any(h.startswith(f"## [{VERSION}] - ") for h in headings), headings


# --- the sdist and the wheel -----------------------------------------------------------------


@needs_build
def test_build_warns_of_nothing_deprecated(dist: Dist) -> None:
    assert dist.sdist.is_file() and dist.wheel.is_file(), dist.log[-2000:]
    deprecated = [line for line in dist.log.splitlines() if "deprecat" in line.lower()]
    assert deprecated == []


@needs_build
@needs_twine
def test_twine_check_passes(dist: Dist) -> None:
    out = run(
        [sys.executable, "-m", "twine", "check", "--strict", dist.sdist, dist.wheel],
        dist.source.parent,
        clean_env(),
    )
    assert out.count("PASSED") == 2, out


@needs_build
def test_the_wheel_holds_the_package_and_its_metadata(dist: Dist) -> None:
    with zipfile.ZipFile(dist.wheel) as wheel:
        names = wheel.namelist()
        meta = Parser().parsestr(wheel.read(f"{STEM}.dist-info/METADATA").decode())
        licence = wheel.read(f"{STEM}.dist-info/licenses/LICENSE")
        entry_points = wheel.read(f"{STEM}.dist-info/entry_points.txt").decode()
    assert {name.split("/")[0] for name in names} == {"toolkit", f"{STEM}.dist-info"}
    assert licence == (REPO / "LICENSE").read_bytes()
    assert "journey = toolkit.cli.main:main" in entry_points
    assert (meta["Name"], meta["Version"]) == (DIST, VERSION)
    assert (meta["License-Expression"], meta["License-File"]) == ("MIT", "LICENSE")
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["Author"] == "The journey-toolkit authors"
    assert meta["Description-Content-Type"] == "text/markdown"
    assert meta.get_payload().startswith("# journey — customer journeys as code")
    classifiers = meta.get_all("Classifier")
    for wanted in (
        "Environment :: Console",
        "Natural Language :: Japanese",
        "Natural Language :: English",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
    ):
        assert wanted in classifiers
    assert [c for c in classifiers if c.startswith("License ::")] == []  # the SPDX field says it
    urls = [u.split(",")[0] for u in meta.get_all("Project-URL")]
    assert sorted(urls) == ["Changelog", "Documentation", "Homepage", "Issues"]


@needs_build
def test_the_wheel_carries_every_template_catalog_and_asset(dist: Dist) -> None:
    with zipfile.ZipFile(dist.wheel) as wheel:
        shipped = {
            name.removeprefix("toolkit/"): wheel.read(name)
            for name in wheel.namelist()
            if name.startswith("toolkit/") and not name.endswith(".py")
        }
    source = data_files(dist.source / "toolkit")
    assert set(source) - set(shipped) == set()
    assert shipped == source
    assert set(REQUIRED_DATA) <= set(shipped)


@needs_build
def test_the_sdist_carries_the_package_and_the_project_files(dist: Dist) -> None:
    with tarfile.open(dist.sdist) as sdist:
        names = {name.removeprefix(f"{STEM}/") for name in sdist.getnames()}
    for name in ("PKG-INFO", "pyproject.toml", "MANIFEST.in", "babel.cfg"):
        assert name in names
    for name in ("README.md", "LICENSE", "CHANGELOG.md", "CONTRIBUTING.md"):
        assert name in names
    assert {f"toolkit/{name}" for name in data_files(dist.source / "toolkit")} <= names
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)


# --- the wheel installed in a fresh venv ---------------------------------------------------


@needs_build
def test_the_installed_toolkit_is_the_wheels(installed: Installed, dist: Dist) -> None:
    python = installed.venv / "bin" / "python"
    probe = (
        "import json, toolkit; from importlib import metadata; "
        "print(json.dumps([toolkit.__file__, toolkit.__version__, "
        f"metadata.version({DIST!r})]))"
    )
    probed = run([python, "-c", probe], installed.venv, installed.env)
    path, version, meta_version = json.loads(probed)
    assert Path(path).is_relative_to(installed.venv)
    assert version == meta_version == VERSION
    package = Path(path).parent
    assert data_files(package) == data_files(dist.source / "toolkit")
    out = run([installed.journey, "--version"], installed.venv, installed.env)
    assert out == f"journey, version {VERSION}\n"


@needs_build
def test_the_installed_journey_inits_and_builds_a_project(installed: Installed) -> None:
    work = installed.venv.parent
    project = work / "project"
    run([installed.journey, "init", project], work, installed.env)
    run([installed.journey, "build", project], work, installed.env)
    config = yaml.safe_load((project / "journeys" / "project.yaml").read_text(encoding="utf-8"))
    title = config["title"][config["language"]]
    page = (project / "output" / "index.html").read_text(encoding="utf-8")
    assert f"<title>{html.escape(title)}</title>" in page
    # The page's words come from the wheel's compiled Japanese catalog.
    package = next((installed.venv / "lib").glob("python3*/site-packages/toolkit"))
    with (package / "locale/ja/LC_MESSAGES/messages.mo").open("rb") as mo:
        stage_model = gettext.GNUTranslations(mo).gettext("Stage model")
    assert config["language"] == "ja" and stage_model == "ステージモデル"
    assert f'<h2 id="stage-model">{stage_model}</h2>' in page
