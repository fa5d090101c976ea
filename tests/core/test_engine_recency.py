"""Recency engine: half-life decay as of the last play or a given instant."""

from __future__ import annotations

import pandas as pd
import pytest

from musicrec_tui.core.engines.recency import recency_result
from musicrec_tui.core.settings import load_settings
from tests.helpers_engines import make_history, planted_history


def _history():
    return make_history([
        ("2024-03-31 12:00", "Now"),
        ("2024-03-01 12:00", "Month ago"),   # 30 days before the last play: weight 1/2
        ("2024-01-31 12:00", "Month ago"),   # 60 days: 1/4
        ("2024-03-31 11:00", "Skipped", 5_000),
    ])


def test_half_life_decay_from_the_last_play():
    res = recency_result(_history(), load_settings())
    scores = {i.artist: i.score for i in res.items}
    assert scores["Now"] == pytest.approx(1.0)
    assert scores["Month ago"] == pytest.approx(0.5 + 0.25)
    assert "Skipped" not in scores  # only counted plays
    assert [i.artist for i in res.items] == ["Now", "Month ago"]
    assert res.items[1].why == "1 play in the last 30 days, decayed 0.8"
    assert res.meta["half_life_days"] == 30


def test_half_life_comes_from_settings():
    s = load_settings({"ensemble": {"recency_half_life_days": 60}})
    scores = {i.artist: i.score for i in recency_result(_history(), s).items}
    assert scores["Month ago"] == pytest.approx(2 ** -0.5 + 0.5)


def test_as_of_ignores_later_plays_and_top_limits():
    res = recency_result(_history(), load_settings(), as_of=pd.Timestamp("2024-03-02", tz="UTC"))
    assert [i.artist for i in res.items] == ["Month ago"]
    assert res.items[0].score == pytest.approx(2 ** (-0.5 / 30) + 2 ** (-30.5 / 30))
    planted = recency_result(planted_history(), load_settings(), top=3)
    assert len(planted.items) == 3 and planted.items[0].artist == "Rising Star"


def test_empty_window_is_a_note():
    res = recency_result(_history(), load_settings(), as_of="2020-01-01")
    assert res.items == [] and "No counted plays" in res.notes[0]
    assert recency_result(planted_history().as_of("2000-01-01"), load_settings()).items == []
