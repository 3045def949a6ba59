"""Current/future pairs and their per-stage delta (toolkit.analyses.future)."""

from __future__ import annotations

from pathlib import Path

import pytest
from projects import FIXTURES, write_project

from toolkit.analyses.future import ActionChange, FuturePair, future_pairs, stage_deltas
from toolkit.pipeline import compile_project


@pytest.fixture(scope="module")
def graph():  # type: ignore[no-untyped-def]
    compiled = compile_project(FIXTURES / "future-basic", shown_as="")
    assert compiled.graph is not None
    return compiled.graph


def test_pairs(graph) -> None:  # type: ignore[no-untyped-def]
    assert future_pairs(graph) == [FuturePair("ann-today", "ann-future")]


def test_delta_per_stage(graph) -> None:  # type: ignore[no-untyped-def]
    deltas = stage_deltas(graph, FuturePair("ann-today", "ann-future"))
    assert [d.stage for d in deltas] == ["aware", "consider", "buy"]
    aware, consider, buy = deltas
    assert aware.unchanged and aware.emotion_change == 0
    assert (consider.emotion_before, consider.emotion_after, consider.emotion_change) == (-1, 1, 2)
    assert consider.actions_added == (ActionChange("marketing", "Send the case study"),)
    assert consider.content_added == ("case-study", "price-sheet")
    assert consider.gaps_closed == ("seller-absent",) and consider.gaps_opened == ()
    assert buy.emotion_change == 3
    assert buy.actions_added == (ActionChange("sales", "Book a demo"),)
    assert buy.actions_removed == ()
    assert buy.content_added == ("case-study",)
    assert buy.gaps_closed == ("content-gap",)


def test_gaps_opened_actions_removed_and_skipped_stages(tmp_path: Path) -> None:
    later = """\
        kind: journey
        id: later
        persona: ann
        state: future
        future_of: ann-journey
        steps:
          buy:
            emotion: -1
        """
    g = compile_project(write_project(tmp_path, {"journeys/later.yaml": later}), "").graph
    assert g is not None
    deltas = {d.stage: d for d in stage_deltas(g, FuturePair("ann-journey", "later"))}
    assert set(deltas) == {"aware", "buy"}
    aware, buy = deltas["aware"], deltas["buy"]
    assert aware.future is None and aware.current == "step:ann-journey/aware"
    assert not aware.unchanged
    assert buy.actions_removed == (ActionChange("sales", "Send a quote"),)
    assert buy.gaps_opened == ("seller-absent",)
    assert (buy.emotion_before, buy.emotion_after, buy.emotion_change) == (1, -1, -2)


def test_a_future_without_future_of_pairs_with_nothing(tmp_path: Path) -> None:
    later = "kind: journey\nid: later\npersona: ann\nstate: future\n"
    g = compile_project(write_project(tmp_path, {"journeys/later.yaml": later}), "").graph
    assert g is not None
    assert future_pairs(g) == []
