"""Recency engine (Play next): multi-timescale decayed shares, and self-tuning on the
person's own earlier months."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from musicrec_tui.core.engines.recency import play_next_result
from musicrec_tui.core.settings import load_settings
from tests.helpers_engines import make_history, planted_history


def _history():
    return make_history([
        ("2024-03-31 12:00", "Now"),
        ("2024-03-01 12:00", "Month ago"),   # 30 days before the last play
        ("2024-01-31 12:00", "Month ago"),   # 60 days
        ("2024-03-31 11:00", "Skipped", 5_000),
    ])


def _settings(half_lives, **play_next):
    return load_settings({"play_next": {"half_lives": half_lives, "tune_cutoffs": 0,
                                        **play_next}})


def test_one_half_life_is_the_decayed_share():
    res = play_next_result(_history(), _settings([30]))
    scores = {i.artist: i.score for i in res.items}
    month_ago = 0.5 + 0.25  # one and two half-lives
    assert scores["Now"] == pytest.approx(1 / (1 + month_ago))
    assert scores["Month ago"] == pytest.approx(month_ago / (1 + month_ago))
    assert "Skipped" not in scores  # only counted plays
    assert [i.artist for i in res.items] == ["Now", "Month ago"]
    assert res.meta["half_lives"] == [30.0]


def test_several_half_lives_average_the_shares():
    res = play_next_result(_history(), _settings([10, 1000]))
    short = 2 ** -3 + 2 ** -6
    long = 2 ** -0.03 + 2 ** -0.06
    expected = (short / (1 + short) + long / (1 + long)) / 2
    assert {i.artist: i.score for i in res.items}["Month ago"] == pytest.approx(expected)
    assert sum(i.score for i in res.items) == pytest.approx(1.0)
    # The reason counts plays in windows as long as the half-lives; empty leading windows go.
    assert res.items[1].why == "2 plays in the last 1000 days"
    assert res.items[0].why == "1 play in the last 10 days, 1 in 1000 days"


def test_as_of_ignores_later_plays_and_top_limits():
    res = play_next_result(_history(), _settings([30]),
                           as_of=pd.Timestamp("2024-03-02", tz="UTC"))
    assert [i.artist for i in res.items] == ["Month ago"]
    planted = play_next_result(planted_history(), load_settings(), top=3)
    assert len(planted.items) == 3 and planted.items[0].artist == "Rising Star"


def test_empty_window_is_a_note():
    res = play_next_result(_history(), load_settings(), as_of="2020-01-01")
    assert res.items == [] and "No counted plays" in res.notes[0]


def _monthly_crushes(months: int = 14, seed: int = 1) -> list[tuple]:
    """A listener with a new obsession every month and little else: last month's favourite
    is forgotten fast, so short half-lives predict the next weeks best."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-01")
    plays = []
    for day in range(months * 30):
        crush = f"Crush {day // 30:02d}"
        for i in range(8):
            artist = crush if rng.random() < 0.85 else f"Steady {int(rng.integers(3))}"
            plays.append((start + pd.Timedelta(days=day, hours=18, minutes=4 * i), artist))
    return plays


def test_self_tuning_switches_only_when_earlier_months_say_so():
    history = make_history(_monthly_crushes())
    tuned = play_next_result(history, load_settings())
    tuning = tuned.meta["tuning"]
    assert tuned.meta["half_lives"] != [14.0, 60.0, 365.0]
    assert tuning["cutoffs"] >= 10
    assert tuning["ndcg"][tuning["chosen"]] > tuning["ndcg"]["14/60/365 d"] * 1.02
    assert tuned.notes and tuned.notes[0].startswith("self-tuned: half-lives")
    # A steady listener (the same tastes all year): the default is kept, nothing is said.
    rng = np.random.default_rng(3)
    start = pd.Timestamp("2023-01-01")
    steady = play_next_result(make_history(
        [(start + pd.Timedelta(minutes=int(m)), f"Band {int(a)}")
         for m, a in zip(np.sort(rng.integers(0, 400 * 24 * 60, 6000)),
                         rng.zipf(1.3, 6000) % 30, strict=True)]), load_settings())
    assert steady.meta["half_lives"] == [14.0, 60.0, 365.0]
    assert not steady.notes
    # Switched off: no tuning at all.
    off = play_next_result(history, load_settings({"play_next": {"tune_cutoffs": 0}}))
    assert off.meta["half_lives"] == [14.0, 60.0, 365.0] and "tuning" in off.meta
    assert off.meta["tuning"]["cutoffs"] == 0


def test_self_tuning_uses_only_the_past():
    """Plays after the cutoff must not change what tuning chose at it."""
    plays = _monthly_crushes()
    cutoff = pd.Timestamp("2023-10-01", tz="UTC")
    whole = play_next_result(make_history(plays), load_settings(), as_of=cutoff)
    before = play_next_result(make_history([p for p in plays
                                            if pd.Timestamp(p[0], tz="UTC") <= cutoff]),
                              load_settings(), as_of=cutoff)
    assert whole.meta["tuning"] == before.meta["tuning"]
    assert [i.artist for i in whole.items] == [i.artist for i in before.items]
