"""`journey export pptx` and `journey build --format pptx` end to end: the deck is written,
the same both ways; bad projects give their diagnostics (exit 1), usage errors and a
missing python-pptx exit 2 with a message, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pptx import Presentation

from toolkit.cli.main import main
from toolkit.write import MARKER

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def journey(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def slides(path: Path) -> int:
    return len(Presentation(str(path)).slides)


def test_export_pptx_writes_the_deck_and_build_writes_the_same(
    example_copy: Path, tmp_path: Path
) -> None:
    deck = tmp_path / "deck.pptx"
    done = journey("export", "pptx", str(example_copy), "-o", str(deck))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote {deck} ({slides(deck)} slides)\n"
    assert "warning seller-absent" in done.stderr  # the project's warnings, as build prints
    built = journey("build", str(example_copy), "-o", str(tmp_path / "out"), "--format", "pptx")
    assert built.returncode == 0, built.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted([MARKER, "deck.pptx"])
    assert (tmp_path / "out" / "deck.pptx").read_bytes() == deck.read_bytes()

    again = journey("export", "pptx", str(example_copy), "-o", str(deck))
    assert again.returncode == 2 and "exists; use --force to replace it" in again.stderr
    a3 = journey(
        "export", "pptx", str(example_copy), "-o", str(deck), "--force", "--size", "a3",
        "--lang", "en",
    )  # fmt: skip
    assert a3.returncode == 0, a3.stderr
    prs = Presentation(str(deck))
    assert (prs.slide_width, prs.slide_height) == (420 * 36000, 297 * 36000)
    assert prs.slides[1].shapes.title.text_frame.text == "Stage model"


def test_a_plain_build_makes_no_deck() -> None:
    from toolkit.render.formats import plan_formats

    assert "pptx" not in plan_formats(None, True).formats
    assert plan_formats("html,pptx", True).formats == {"html", "pptx"}


@pytest.mark.parametrize(
    ("fixture", "line"),
    [
        ("bad-id", "error"),
        ("unknown-ref", "error"),
    ],
)
def test_a_bad_project_gives_its_diagnostics_and_exit_1(
    fixture: str, line: str, tmp_path: Path
) -> None:
    deck = tmp_path / "deck.pptx"
    done = journey("export", "pptx", str(FIXTURES / fixture), "-o", str(deck))
    assert done.returncode == 1
    assert f" {line} " in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1].endswith("warning(s)")
    assert not deck.exists()


def test_usage_errors_exit_2(example_copy: Path, tmp_path: Path) -> None:
    wrong = journey("export", "pptx", str(example_copy), "-o", str(tmp_path / "deck.ppt"))
    assert wrong.returncode == 2 and "is not a .pptx file name" in wrong.stderr
    out = str(tmp_path / "d.pptx")
    size = journey("export", "pptx", str(example_copy), "-o", out, "--size", "a4")
    assert size.returncode == 2 and "'a4' is not one of '16:9', 'a3'" in size.stderr
    missing = journey("export", "pptx", str(example_copy))
    assert missing.returncode == 2 and "Missing option '-o'" in missing.stderr


def test_a_missing_python_pptx_exits_2_with_the_fix(
    example_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "pptx", None)  # import pptx raises ModuleNotFoundError
    monkeypatch.delitem(sys.modules, "toolkit.render.deck.writer", raising=False)
    deck = tmp_path / "deck.pptx"
    with pytest.raises(SystemExit) as exited:
        main(["export", "pptx", str(example_copy), "-o", str(deck)])
    assert exited.value.code == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert err == (
        "journey: the PowerPoint deck needs python-pptx, which is not installed (pptx is "
        "missing) (pip install 'python-pptx>=1.0.2', or reinstall the toolkit, which depends "
        "on it)"
    )
    assert not deck.exists()


def test_the_command_offers_the_renderers_sizes() -> None:
    from toolkit.cli import deck as command
    from toolkit.render import deck

    assert command.SIZES == deck.SIZES


def test_export_help_lists_pptx() -> None:
    done = journey("export", "--help")
    assert done.returncode == 0
    assert "pptx" in done.stdout and "sheet" in done.stdout
