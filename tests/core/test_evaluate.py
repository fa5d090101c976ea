"""Backtest metrics on hand-computed cases, cutoff placement, the context hit rate, and a
small end-to-end run."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from musicrec_tui.core.analysis import Analysis
from musicrec_tui.core.engines.base import EngineResult, Item
from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.evaluate import Fold, cutoffs, evaluate, score
from musicrec_tui.core.metrics import decayed_counts, ndcg_at_k, ordered, overlap_at_k
from musicrec_tui.core.settings import load_settings
from tests.helpers_library import make_history, yearly_history


def test_ndcg_by_hand():
    gains = {"A": 3, "C": 1, "D": 2}
    # DCG = 3/log2(2) + 0/log2(3) + 1/log2(4) = 3.5; IDCG = 3 + 2/log2(3) + 1/2.
    expected = 3.5 / (3 + 2 / math.log2(3) + 0.5)
    assert ndcg_at_k(["A", "B", "C"], gains, 3) == pytest.approx(expected)
    assert ndcg_at_k(["A", "D", "C"], gains, 3) == pytest.approx(1.0)
    assert ndcg_at_k(["X"], gains, 3) == 0.0
    assert ndcg_at_k(["A"], {}, 3) == 0.0
    # Only the first k count.
    assert ndcg_at_k(["B", "A"], {"A": 1}, 1) == 0.0


def test_overlap_by_hand():
    assert overlap_at_k(["A", "B", "C"], ["A", "D", "C"], 3) == pytest.approx(2 / 3)
    # Fewer true artists than k: judged against what there is.
    assert overlap_at_k(["A", "B", "C"], ["A"], 3) == 1.0
    assert overlap_at_k(["A"], [], 3) == 0.0


def test_decayed_counts_and_order():
    history = make_history([("2024-01-01", "Old"), ("2024-01-31", "New"),
                            ("2024-01-31", "New")])
    counts = decayed_counts(history.plays, pd.Timestamp("2024-01-31", tz="UTC"), 30)
    assert counts["New"] == pytest.approx(2.0)
    assert counts["Old"] == pytest.approx(0.5)
    assert ordered(pd.Series({"b": 1.0, "a": 1.0, "c": 2.0, "z": 0.0})) == ["c", "a", "b"]


def test_cutoffs_are_spaced_and_need_training_history():
    history = yearly_history(days=400)
    settings = load_settings()
    points = cutoffs(history, settings)
    last = history.plays["ts"].iloc[-1]
    assert points == [last - pd.Timedelta(days=d) for d in (270, 180, 90)]
    short = make_history([("2024-01-01", "A"), ("2024-02-01", "A")])
    with pytest.raises(MusicrecError, match="too short for a backtest: it spans 31 days"):
        cutoffs(short, settings)


def _analysis(history, results) -> Analysis:
    return Analysis(history=history, settings=load_settings(), as_of=history.plays["ts"].iloc[-1],
                    ranking=None, trends=None, contexts=None, results=results, ensemble=[],
                    similarity=None)


def test_hit_rate_judges_each_play_against_its_own_slot():
    history = make_history([("2024-01-01T08:00", "Jazz"), ("2024-01-01T22:00", "Techno")])
    items = lambda *names: EngineResult("x", [Item(n, 1.0 / (i + 1), n)  # noqa: E731
                                              for i, n in enumerate(names)])
    fold = Fold(
        cutoff=history.plays["ts"].iloc[-1],
        analysis=_analysis(history, {"recency": items("Techno", "Pop"),
                                     "context": items("Techno")}),
        truth=pd.Series({"Jazz": 3, "Techno": 1}),
        clusters=np.array([0, 0, 0, 1]),  # three morning plays, one night play
        played=np.array(["Jazz", "Jazz", "Pop", "Techno"]),
        cluster_results={0: items("Jazz"), 1: items("Techno")},
        baselines={"decayed counts": ["Techno", "Pop"]},
    )
    settings = load_settings({"evaluate": {"context_top_k": 1, "top_k": 2},
                              "ensemble": {"diversity": 0.0}})
    table = score([fold], settings, weights={"recency": 0.5, "context": 0.5})
    # Global list ["Techno"] at k=1: only the night play hits → 1/4.
    assert table.row("decayed counts").hit == pytest.approx(0.25)
    # Context picks: morning → Jazz (2 of 3 morning plays), night → Techno: 3/4.
    assert table.row("context").hit == pytest.approx(0.75)
    # NDCG@2 of ["Techno", "Pop"] with gains Jazz 3, Techno 1: 1 / (3 + 1/log2(3)).
    assert table.row("decayed counts").ndcg == pytest.approx(1 / (3 + 1 / math.log2(3)))
    assert table.row("ensemble").kind == "ensemble"
    data = table.to_dict()
    assert data["protocol"]["weights"] == {"recency": 0.5, "context": 0.5}
    assert {r["name"] for r in data["rows"]} >= {"decayed counts", "context", "ensemble"}


def test_end_to_end_small_history_is_deterministic():
    history = yearly_history(days=300)
    settings = load_settings({"evaluate": {"step_days": 60, "span_days": 200,
                                           "horizon_days": 30, "context_horizon_days": 14}})
    calls = []
    first = evaluate(history, settings, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (len(first.cutoffs), len(first.cutoffs))
    names = [r.name for r in first.rows]
    assert names[:3] == ["all-time counts", "recent counts", "decayed counts"]
    assert "ensemble" in names and "recency" in names
    for row in first.rows:
        for value in (row.ndcg, row.overlap, row.hit):
            assert 0.0 <= value <= 1.0 and not math.isnan(value)
    again = evaluate(history, settings)
    assert again.to_dict() == first.to_dict()
