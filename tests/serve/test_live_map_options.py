"""`journey serve --paper a4 --show-empty-rows`: the live build renders the maps with them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from toolkit.cli.main import cli
from toolkit.pipeline import Pipeline, Settings
from toolkit.serve.live import LiveBuild

HTML = frozenset({"html"})


def live(project: Path, out: Path, paper: str = "a3", show_empty_rows: bool = False) -> LiveBuild:
    pipeline = Pipeline(Settings(project, cache=None, live=True))
    return LiveBuild(pipeline, out, HTML, None, paper=paper, show_empty_rows=show_empty_rows)


def test_live_build_prints_on_the_paper_and_keeps_empty_rows_as_asked(
    example_copy: Path, tmp_path: Path
) -> None:
    page = "journeys/ma-adopted-inside-sales.html"
    default = live(example_copy, tmp_path / "default")
    assert default.rebuild()[0]
    text = (tmp_path / "default" / page).read_text(encoding="utf-8")
    assert "@page { size: A3 landscape; }" in text
    assert text.count('<tr class="lane side-seller lane-role">') == 3  # two roles act nowhere

    asked = live(example_copy, tmp_path / "asked", paper="a4", show_empty_rows=True)
    assert asked.rebuild()[0]
    text = (tmp_path / "asked" / page).read_text(encoding="utf-8")
    assert "@page { size: A4 landscape; }" in text and "paper-a4" in text
    assert text.count('<tr class="lane side-seller lane-role">') == 5


def test_serve_takes_the_map_options() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--paper [a3|a4]" in result.output and "--show-empty-rows" in result.output
