"""Backtest metrics on hand-computed cases, cutoff placement, the bootstrap, each list's
question (Rediscover only on dormant artists, context picks per slot), and a small
end-to-end run."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.evaluate import Fold, cutoffs, evaluate, score
from musicrec_tui.core.metrics import (
    block_bootstrap,
    decayed_counts,
    ndcg_at_k,
    ndcg_codes,
    ordered,
    top_codes,
)
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


def test_ndcg_on_codes_matches_and_top_codes_break_ties_by_name():
    names = np.array(["A", "B", "C", "D"], dtype=object)
    scores = np.array([2.0, 5.0, 2.0, 0.0])
    assert top_codes(scores, names, 3).tolist() == [1, 0, 2]
    assert top_codes(scores, names, 2, mask=np.array([True, False, True, True])).tolist() == [0, 2]
    gains = np.array([3.0, 0.0, 1.0, 2.0])
    ranked = top_codes(scores, names, 3)
    assert ndcg_codes(ranked, gains, 3) == pytest.approx(
        ndcg_at_k(["B", "A", "C"], {"A": 3, "C": 1, "D": 2}, 3))
    assert math.isnan(ndcg_codes(ranked, np.zeros(4), 3))


def test_decayed_counts_and_order():
    history = make_history([("2024-01-01", "Old"), ("2024-01-31", "New"),
                            ("2024-01-31", "New")])
    counts = decayed_counts(history.plays, pd.Timestamp("2024-01-31", tz="UTC"), 30)
    assert counts["New"] == pytest.approx(2.0)
    assert counts["Old"] == pytest.approx(0.5)
    assert ordered(pd.Series({"b": 1.0, "a": 1.0, "c": 2.0, "z": 0.0})) == ["c", "a", "b"]


def test_block_bootstrap_is_reproducible_and_honest():
    steady = block_bootstrap(np.full(12, 0.02), 3, 500, 0.95, seed=1)
    assert steady == pytest.approx((0.02, 0.02))
    rng = np.random.default_rng(0)
    noisy = rng.normal(0.01, 0.05, 24)
    lo, hi = block_bootstrap(noisy, 3, 2000, 0.95, seed=1)
    assert lo < noisy.mean() < hi and hi - lo > 0.02
    assert block_bootstrap(noisy, 3, 2000, 0.95, seed=1) == (lo, hi)
    # Overlapping windows: blocks keep neighbours together, so a trend across cutoffs gives
    # a wider interval than resampling each cutoff alone.
    trend = np.linspace(-0.05, 0.07, 24)
    one = block_bootstrap(trend, 1, 2000, 0.95, seed=1)
    six = block_bootstrap(trend, 6, 2000, 0.95, seed=1)
    assert six[1] - six[0] > one[1] - one[0]
    assert all(math.isnan(v) for v in block_bootstrap(np.array([]), 3, 100, 0.95, seed=1))
    # Fewer than two blocks of cutoffs: no interval rather than a falsely exact one.
    assert all(math.isnan(v) for v in block_bootstrap(np.array([0.1, 0.2]), 3, 100, 0.95, 1))


def test_cutoffs_are_spaced_and_need_training_history():
    history = yearly_history(days=400)
    settings = load_settings({"evaluate": {"step_days": 90}})
    points = cutoffs(history, settings)
    last = history.plays["ts"].iloc[-1]
    assert points == [last - pd.Timedelta(days=d) for d in (270, 180, 90)]
    monthly = cutoffs(history, load_settings())  # every 30 days by default
    assert len(monthly) == 9 and monthly[-1] == last - pd.Timedelta(days=90)
    short = make_history([("2024-01-01", "A"), ("2024-02-01", "A")])
    with pytest.raises(MusicrecError, match="too short for a backtest: it spans 31 days"):
        cutoffs(short, settings)


def _fold(**lists) -> Fold:
    history = make_history([("2024-01-01T08:00", "Jazz"), ("2024-01-01T22:00", "Techno")])
    base = {"play-next": ["Techno", "Pop"], "rediscover": ["Old", "Older"], "mix": ["Techno"],
            "decayed counts": ["Techno", "Pop"], "recent counts": ["Pop"],
            "all-time counts": ["Jazz"], "dormant all-time counts": ["Older", "Old"],
            "dormant all-time × recency": ["Old", "Older"]}
    return Fold(
        cutoff=history.plays["ts"].iloc[-1],
        analysis=SimpleNamespace(notes=[]),  # type: ignore[arg-type]
        truth=pd.Series({"Jazz": 3, "Techno": 1, "Old": 2}),
        dormant={"Old", "Older"}, lists={**base, **lists},
        clusters=np.array([0, 0, 0, 1]),  # three morning plays, one night play
        played=np.array(["Jazz", "Jazz", "Pop", "Techno"]),
        picks={0: ["Jazz"], 1: ["Techno"]})


def test_each_list_is_judged_on_its_own_question():
    settings = load_settings({"evaluate": {"context_top_k": 1, "top_k": 2}})
    table = score([_fold()], settings)
    picks = table.row("context picks")
    # Context picks: morning → Jazz (2 of 3 morning plays), night → Techno: 3/4.
    assert picks.score == pytest.approx(0.75) and picks.metric == "hit@1"
    # The global list ["Techno"] at k=1: only the night play hits → 1/4.
    assert picks.against("global play next").score == pytest.approx(0.25)
    assert picks.against("global play next").difference == pytest.approx(0.5)
    # NDCG@2 of ["Techno", "Pop"] with gains Jazz 3, Old 2, Techno 1.
    assert table.row("play-next").score == pytest.approx(1 / (3 + 2 / math.log2(3)))
    # Rediscover: only the dormant artists' plays count (Old 2): ["Old", …] is perfect, the
    # all-time baseline ["Older", "Old"] is not.
    redis = table.row("rediscover")
    assert redis.score == pytest.approx(1.0)
    assert redis.against("all-time counts").score == pytest.approx(1 / math.log2(3))
    assert redis.against("all-time × recency").won == 0.0
    data = table.to_dict()
    assert [r["list"] for r in data["lists"]] == ["play-next", "rediscover", "context picks",
                                                 "mix"]
    assert data["protocol"]["bootstrap_block"] == 3


def test_a_cutoff_where_no_dormant_artist_returned_is_left_out():
    quiet = _fold()
    quiet.truth = pd.Series({"Jazz": 3})
    quiet.cutoff += pd.Timedelta(days=30)
    table = score([_fold(), quiet], load_settings())
    assert table.row("rediscover").cutoffs == 1
    assert table.row("play-next").cutoffs == 2


def test_end_to_end_small_history_is_deterministic():
    history = yearly_history(days=300)
    settings = load_settings({"evaluate": {"step_days": 60, "span_days": 200,
                                           "horizon_days": 30, "context_horizon_days": 14}})
    calls = []
    first = evaluate(history, settings, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (len(first.cutoffs), len(first.cutoffs))
    assert [s.name for s in first.scores] == ["play-next", "rediscover", "context picks", "mix"]
    play = first.row("play-next")
    assert [c.baseline for c in play.baselines] == ["decayed counts", "recent counts",
                                                   "all-time counts"]
    assert 0.0 <= play.score <= 1.0 and play.cutoffs == len(first.cutoffs)
    assert len(first.cutoffs) == 3 and first.settings["bootstrap_block"] == 1
    for c in play.baselines:
        assert c.interval[0] <= c.difference <= c.interval[1]
    again = evaluate(history, settings)
    assert again.to_dict() == first.to_dict()
