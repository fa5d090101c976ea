"""Ranking engine: the scaled preference formula, ranks, drill-downs and degenerate windows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from musicrec_tui.core.engines.ranking import TABLE_COLUMNS, fit_ranking
from musicrec_tui.core.settings import load_settings
from tests.helpers_engines import make_history, planted_history


def _plays(artist, n, start="2024-01-01 10:00", ms=200_000, track=None):
    t0 = pd.Timestamp(start)
    return [(t0 + pd.Timedelta(hours=i), artist, ms, track or f"{artist} song") for i in range(n)]


def test_formula_matches_the_documented_scaled_terms():
    s = load_settings()
    # C: one full play and five skips of the same track (its length is known from the full one).
    h = make_history(_plays("A", 10) + _plays("B", 4, "2024-02-01") +
                     _plays("C", 1, "2024-03-01") + _plays("C", 5, "2024-03-02", ms=20_000))
    t = fit_ranking(h, s).table
    assert list(t.columns) == list(TABLE_COLUMNS)
    assert list(t["rank"]) == [1, 2, 3]

    def scaled(col):
        col = col.astype(float)
        return (col - col.min()) / (col.max() - col.min()) if col.max() > col.min() else 1.0

    w = s.ranking.weights
    expected = (w["e_total"] * scaled(t["e_total"]) + w["e_avg"] * scaled(t["e_avg"])
                + w["plays"] * scaled(np.log1p(t["counted_plays"]))
                + w["hours"] * scaled(np.log1p(t["hours"])))
    assert np.allclose(t["score"], expected)
    assert t.index[0] == "A" and t.loc["A", "score"] == pytest.approx(1.0)
    assert t.loc["C", "plays"] == 6 and t.loc["C", "counted_plays"] == 1


def test_skips_count_for_engagement_but_not_for_plays():
    h = make_history(_plays("Skipper", 6, ms=10_000) + _plays("Skipper", 2, "2024-02-01")
                     + _plays("Keeper", 3, "2024-03-01"))
    t = fit_ranking(h, load_settings()).table
    assert t.loc["Skipper", "plays"] == 8
    assert t.loc["Skipper", "counted_plays"] == 2
    assert t.loc["Skipper", "e_avg"] < t.loc["Keeper", "e_avg"]
    assert math.isclose(t.loc["Keeper", "hours"], 3 * 200_000 / 3_600_000, rel_tol=1e-6)


def test_weights_come_from_settings():
    s = load_settings({"ranking": {"weights": {"e_total": 0, "e_avg": 1, "plays": 0,
                                               "hours": 0}}})
    h = make_history(_plays("Loud", 1) + _plays("Loud", 19, "2024-01-02", ms=50_000)
                     + _plays("Quiet", 2, "2024-02-01"))
    assert fit_ranking(h, s).table.index[0] == "Quiet"
    assert fit_ranking(h, load_settings()).table.index[0] == "Loud"


def test_first_last_top_tracks_and_monthly():
    h = make_history(_plays("A", 3, "2024-01-05 10:00", track="Hit") + _plays("A", 1, "2024-03-02 10:00",
                                                                       track="Deep cut")
                     + _plays("B", 1, "2024-04-01"))
    r = fit_ranking(h, load_settings())
    assert r.table.loc["A", "first"] == pd.Timestamp("2024-01-05 10:00", tz="UTC")
    assert r.table.loc["A", "last"] == pd.Timestamp("2024-03-02 10:00", tz="UTC")
    assert r.top_tracks("A") == [("Hit", 3), ("Deep cut", 1)]
    assert r.top_tracks("A", 1) == [("Hit", 3)]
    assert r.top_tracks("Nobody") == []
    monthly = r.monthly("A")
    assert [str(p) for p in monthly.index] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert list(monthly) == [3, 0, 1, 0]
    assert r.monthly("Nobody").empty


def test_result_items_explain_themselves():
    res = fit_ranking(planted_history(), load_settings()).result(top=3)
    assert res.engine == "ranking" and len(res.items) == 3
    top = res.items[0]
    assert top.extra["rank"] == 1
    assert top.why.startswith(f"{top.extra['plays']} plays, ")
    assert " h, engagement " in top.why
    assert [i.score for i in res.items] == sorted((i.score for i in res.items), reverse=True)


def test_empty_window_gives_a_note_not_an_error():
    h = planted_history().as_of("2000-01-01")
    r = fit_ranking(h, load_settings())
    assert r.table.empty and list(r.table.columns) == list(TABLE_COLUMNS)
    res = r.result(10)
    assert res.items == [] and "No plays" in res.notes[0]
    assert r.top_tracks("Steady") == [] and r.monthly("Steady").empty


def test_one_artist_has_a_finite_full_score():
    r = fit_ranking(make_history(_plays("Solo", 5)), load_settings())
    assert r.table["score"].tolist() == [pytest.approx(1.0)]
    assert np.isfinite(r.table.select_dtypes("number").to_numpy(float)).all()


def test_deterministic_and_respects_as_of():
    h = planted_history()
    a = fit_ranking(h, load_settings()).table
    b = fit_ranking(h, load_settings()).table
    pd.testing.assert_frame_equal(a, b)
    early = fit_ranking(h.as_of("2022-06-01"), load_settings()).table
    assert "Rising Star" not in early.index
    assert early["last"].max() <= pd.Timestamp("2022-06-01", tz="UTC")


def test_scrobbles_without_a_measured_length_count_typical_hours():
    history = make_history([("2024-01-01 10:00", "Spotified", 180_000)]
                           + [(f"2024-01-0{d} 10:00", "Scrobbled") for d in range(2, 6)])
    plays = history.plays.copy()
    scrobbled = plays["artist"] == "Scrobbled"
    plays.loc[scrobbled, "ms_played"] = pd.NA  # what a Last.fm import gives
    plays.loc[scrobbled, "duration_ms"] = np.nan
    history.plays = plays
    settings = load_settings()
    table = fit_ranking(history, settings).table
    typical_hours = settings.ranking.typical_track_seconds / 3600
    assert table.loc["Scrobbled", "hours"] == pytest.approx(4 * typical_hours)
    assert table.loc["Spotified", "hours"] == pytest.approx(180 / 3600)


def test_a_few_plays_cannot_outrank_hundreds_on_their_average_alone():
    """#12: "Meet Bros." (3 full plays) ranked #25, above artists with 126 plays, because an
    average over 3 plays counted as much as one over 900."""
    plays = (_plays("Few", 3, ms=200_000)
             + [(pd.Timestamp("2024-02-01") + pd.Timedelta(hours=i), "Many",
                 200_000 if i % 3 else 60_000, "Many song") for i in range(126)])
    for i in range(20):
        plays += _plays(f"Filler {i:02d}", 20 + i, f"2024-03-{i + 1:02d} 10:00", ms=120_000)
    t = fit_ranking(make_history(plays), load_settings()).table
    assert t.loc["Few", "e_avg"] < t.loc["Many", "e_avg"] + 0.2
    assert t.loc["Many", "rank"] < t.loc["Few", "rank"]
    # The shrinkage is ranking.prior_plays extra plays at the overall mean engagement.
    prior = load_settings().ranking.prior_plays
    h = make_history(plays)
    mean = float(h.plays["engagement"].mean())
    assert t.loc["Few", "e_avg"] == pytest.approx((t.loc["Few", "e_total"] + prior * mean)
                                                  / (3 + prior))
    raw = fit_ranking(h, load_settings({"ranking": {"prior_plays": 0}})).table
    assert raw.loc["Few", "e_avg"] == pytest.approx(1.0)


def test_hours_and_engagement_without_listening_times_are_marked_estimated():
    h = make_history(_plays("Measured", 5) + _plays("Scrobbled", 5, "2024-02-01"))
    plays = h.plays.copy()
    plays.loc[plays["artist"] == "Scrobbled", "ms_played"] = pd.NA
    ranking = fit_ranking(type(h)(plays, h.report, h.tz), load_settings())
    t = ranking.table
    assert t.loc["Scrobbled", "estimated"] == 1.0 and t.loc["Measured", "estimated"] == 0.0
    why = {i.artist: i.why for i in ranking.result().items}
    assert "(estimated: no listening times)" in why["Scrobbled"]
    assert "engagement" in why["Measured"] and "estimated" not in why["Measured"]
