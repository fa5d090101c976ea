"""Temporal engine: NMF trends find planted rising/fading artists; small histories degrade."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from musicrec_tui.core.engines.temporal import fit_trends
from musicrec_tui.core.errors import Cancelled, SettingsError
from musicrec_tui.core.settings import load_settings
from tests.helpers_engines import demo_history, make_history, planted_history


def _daily(artist, start, days, per_day=1, hour=12):
    t0 = pd.Timestamp(start) + pd.Timedelta(hours=hour)
    return [(t0 + pd.Timedelta(days=d, minutes=4 * i), artist)
            for d in range(days) for i in range(per_day)]


def _finite(trends):
    items = trends.rising + trends.fading + trends.next_favourites
    return all(np.isfinite(i.score) for i in items)


def test_planted_rising_and_fading_artists_lead_their_lists():
    t = fit_trends(planted_history(), load_settings())
    assert t.rising[0].artist == "Rising Star"
    assert t.fading[0].artist == "Old Flame"
    assert t.next_favourites[0].artist == "Rising Star"
    assert t.rising[0].why.startswith("rising: +") and "a month over the last 6 months" in \
        t.rising[0].why
    assert t.fading[0].why.startswith("fading: −")
    assert t.meta["k"] == 10 and t.meta["periods"] == 24 and t.notes == []
    assert _finite(t)
    res = t.result(top=3)
    assert res.engine == "temporal" and len(res.items) == 3
    series = t.series("Rising Star")
    assert list(series.columns) == ["actual", "fitted"] and series["actual"].iloc[0] == 0
    assert t.series("Nobody").empty


def test_deterministic_for_a_fixed_seed():
    a = fit_trends(planted_history(), load_settings())
    b = fit_trends(planted_history(), load_settings())
    assert a.next_favourites == b.next_favourites and a.rising == b.rising


def test_partial_last_month_does_not_look_like_fading():
    # Same plays every day, history ending on the 20th: the stub month is scaled up.
    t = fit_trends(make_history(_daily("Even", "2024-01-01", 171)), load_settings())
    item = t.next_favourites[0]
    assert abs(item.extra["relative"]) < 0.05
    assert item.extra["forecast"] == pytest.approx(30.4, abs=2.0)


def test_short_history_uses_fewer_components_and_says_so():
    plays = _daily("A", "2024-01-01", 120) + _daily("B", "2024-03-01", 60, per_day=2, hour=18)
    t = fit_trends(make_history(plays), load_settings())
    assert t.meta["k"] == 2  # 4 months → at most 3, and only 2 artists
    assert any("4 months of history" in n for n in t.notes)
    assert t.rising[0].artist == "B" and _finite(t)


def test_one_month_and_one_artist_work_without_nan():
    t = fit_trends(make_history(_daily("Solo", "2024-05-01", 25)), load_settings())
    assert t.meta["k"] == 0 and "Only one month" in t.notes[0]
    assert t.rising == [] and t.fading == []
    assert [i.artist for i in t.next_favourites] == ["Solo"] and _finite(t)
    one_artist = fit_trends(make_history(_daily("Solo", "2024-01-01", 100)), load_settings())
    assert one_artist.meta["k"] == 1 and _finite(one_artist)


def test_all_plays_in_one_hour():
    t = fit_trends(make_history([("2024-05-01 10:00", "A"), ("2024-05-01 10:05", "B")]),
                   load_settings())
    assert t.meta["k"] == 0 and _finite(t) and len(t.next_favourites) == 2


def test_empty_window():
    t = fit_trends(planted_history().as_of("2001-01-01"), load_settings())
    assert t.next_favourites == [] and "No counted plays" in t.notes[0]
    assert t.result(5).items == []


def test_weekly_period_and_artist_cap():
    s = load_settings({"temporal": {"period": "week", "max_artists": 5}})
    t = fit_trends(planted_history(), s)
    assert t.meta["period"] == "week" and t.meta["artists"] == 5
    assert any("5 most active" in n for n in t.notes)
    assert "a week over the last 6 weeks" in t.rising[0].why
    assert str(t.actual.columns[0]).startswith("2022-01-03")  # weeks start on Monday
    with pytest.raises(SettingsError):
        fit_trends(planted_history(), load_settings({"temporal": {"period": "decade"}}))


def test_progress_and_cancel():
    seen = []
    fit_trends(planted_history(), load_settings(), progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        fit_trends(planted_history(), load_settings(), cancel=stop)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_history(tmp_path_factory.mktemp("demo"))


def test_demo_planted_rising_and_fading_artists_are_in_the_top_10(demo):
    history, truth = demo
    t = fit_trends(history, load_settings())
    rising = [i.artist for i in t.rising[:10]]
    fading = [i.artist for i in t.fading[:10]]
    assert set(truth["rising"]) <= set(rising), (truth["rising"], rising)
    assert set(truth["fading"]) <= set(fading), (truth["fading"], fading)
    assert _finite(t)


def test_the_fit_follows_the_plays_on_a_small_matrix():
    """The nndsvda start with any L2 stopped sklearn's NMF after two iterations on small
    matrices: every artist got the same shape (an artist unplayed in 2022 "played" 107 times
    a month then). The fitted series must follow the plays."""
    plays = (_daily("Jazz A", "2022-01-01", 181, 3) + _daily("Jazz B", "2022-01-01", 181, 3)
             + _daily("Rock", "2022-07-01", 184, 3) + _daily("Pop", "2023-01-01", 365, 3))
    t = fit_trends(make_history(plays), load_settings())
    error = np.abs(t.fitted.to_numpy() - t.actual.to_numpy()).sum() / t.actual.to_numpy().sum()
    assert error < 0.1
    assert t.fitted.loc["Pop", pd.Period("2022-02", "M")] < 5
    assert t.fitted.loc["Rock", pd.Period("2023-06", "M")] < 5


def test_an_artist_with_no_plays_in_the_window_is_neither_rising_nor_fading():
    """The NMF tilts an artist along the shapes it shares: with one component, an artist
    played only early takes the rising shape of another. Rising and fading follow the plays."""
    plays = []
    for month in range(12):
        start = pd.Timestamp(2024, month + 1, 1)
        plays += _daily("Climber", start, 1, per_day=10 + max(0, month - 5) * 4)
        if month < 6:
            plays += _daily("Gone Quiet", start, 1, per_day=10, hour=18)
    plays += _daily("Climber", "2024-12-20", 1, per_day=30)  # December complete enough
    settings = load_settings(cli={"temporal": {"components": 1}})
    t = fit_trends(make_history(plays), settings)
    fitted = t.series("Gone Quiet")["fitted"].to_numpy()[-6:]
    assert fitted[-1] > fitted[0] > 0  # the NMF does tilt it up...
    assert [i.artist for i in t.rising] == ["Climber"]  # ...but its plays do not rise
    assert t.fading == []  # no plays in the window at all: nothing to fade


def test_a_spike_back_to_nothing_or_a_flat_line_is_not_rising():
    """Seen on the Account export: a one-month spike three months back, then nothing, tilts a
    least-squares line up (+45% a month), and a steady artist at +1% a month made the rising
    list too. Neither is rising; the artist climbing month after month is."""
    plays = []
    for month in range(12):
        start = pd.Timestamp(2024, month + 1, 1)
        plays += _daily("Climber", start, 1, per_day=10 + month * 3)
        plays += _daily("Steady", start, 1, per_day=40 + (month % 2), hour=15)
        if month == 9:
            plays += _daily("Spike", start, 1, per_day=20, hour=18)
    plays += _daily("Climber", "2024-12-31", 1)  # December complete
    t = fit_trends(make_history(plays), load_settings())
    assert [i.artist for i in t.rising] == ["Climber"]
