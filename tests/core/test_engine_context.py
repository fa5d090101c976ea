"""Context engine: planted time-of-week artists, labels, slots, lookup and small histories."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import silhouette_score

from musicrec_tui.core.engines.context import ALL_SLOTS, fit_contexts, weighted_silhouette
from musicrec_tui.core.engines.context_picks import backoff_scores, lift
from musicrec_tui.core.engines.labels import band, hour_span, unique_labels
from musicrec_tui.core.engines.recency import play_next_result
from musicrec_tui.core.errors import Cancelled
from musicrec_tui.core.settings import load_settings
from tests.core.test_context_labels import claimed
from tests.helpers_engines import demo_history, make_history, planted_history


def _lead(contexts, artist):
    return [c for c in contexts.clusters if c.typical and c.typical[0].artist == artist]


def test_planted_context_artists_lead_contexts_with_fitting_labels():
    ctx = fit_contexts(planted_history(), load_settings())
    mornings = _lead(ctx, "Morning Coffee")
    nights = _lead(ctx, "Night Owl")
    assert mornings and nights
    # Morning Coffee: Mon–Fri 07–09 h; Night Owl: Sat/Sun 00–03 h. A label names the days
    # and hours its context's sessions were at: no weekend day in a weekday context.
    for c in mornings:
        days, hours = claimed(c.label)
        assert days <= set(range(5)) and hours >= {7, 8}, c.label
    for c in nights:
        days, hours = claimed(c.label)
        assert days <= {5, 6} and hours >= {0, 1, 2}, c.label
    monday_8 = ctx.at(pd.Timestamp("2024-01-08 08:00"))  # a Monday
    assert monday_8.typical[0].artist == "Morning Coffee"
    assert ctx.at("2024-01-07 01:00").typical[0].artist == "Night Owl"  # a Sunday
    why = monday_8.typical[0].why
    assert monday_8.label.lower() in why.lower() and "plays" in why
    # The planted artists are among each context's picks, which the global list backs.
    assert "Morning Coffee" in [i.artist for i in monday_8.picks]


def test_slots_cover_the_week_once_and_labels_are_unique():
    ctx = fit_contexts(planted_history(), load_settings())
    slots = [s for c in ctx.clusters for s in c.slots]
    assert sorted(slots) == ALL_SLOTS
    labels = [c.label for c in ctx.clusters]
    assert len(set(labels)) == len(labels)
    assert [c.id for c in ctx.clusters] == list(range(len(ctx.clusters)))
    assert ctx.meta["k"] == len(ctx.clusters) and 3 <= ctx.meta["k"] <= 8
    for c in ctx.clusters:
        for dow, hour in c.slots[:5]:
            # 2024-01-01 was a Monday
            when = pd.Timestamp("2024-01-01") + pd.Timedelta(days=dow, hours=hour)
            assert ctx.at(when).id == c.id
    plays = planted_history().counted_plays
    assert sum(c.plays for c in ctx.clusters) == len(plays)
    ids = ctx.ids_for(plays["local_ts"])
    assert np.bincount(ids).tolist() == [c.plays for c in ctx.clusters]


def test_one_play_artist_never_tops_a_context():
    plays = [(pd.Timestamp("2024-01-01 09:00") + pd.Timedelta(days=d, minutes=3 * i), "Regular")
             for d in range(60) for i in range(4)]
    plays.append(("2024-02-01 03:00", "One hit"))  # alone in its own corner of the week
    ctx = fit_contexts(make_history(plays), load_settings())
    for c in ctx.clusters:
        assert c.picks[0].artist == "Regular" and c.typical[0].artist == "Regular"
        assert all(np.isfinite(i.score) for i in c.picks + c.typical)


def test_deterministic_and_k_override():
    a = fit_contexts(planted_history(), load_settings())
    b = fit_contexts(planted_history(), load_settings())
    assert [(c.label, c.slots, c.picks) for c in a.clusters] == \
        [(c.label, c.slots, c.picks) for c in b.clusters]
    three = fit_contexts(planted_history(), load_settings(), k=3)
    assert len(three.clusters) == 3 and three.meta["silhouette"] is None
    res = three.result(at="2024-01-08 08:00", top=2)
    assert res.engine == "context" and len(res.items) == 2
    assert res.meta["context"] == three.at("2024-01-08 08:00").label
    assert len(three.result(at="2024-01-08 08:00", top=30).items) == 30


def test_empty_window_gives_one_any_time_context():
    ctx = fit_contexts(planted_history().as_of("2000-01-01"), load_settings())
    assert [c.label for c in ctx.clusters] == ["Any time"]
    assert ctx.at("2024-01-01 12:00").picks == [] and "No counted plays" in ctx.notes[0]
    assert ctx.result().items == []


def test_all_plays_in_one_hour():
    plays = [(f"2024-01-{d:02d} 21:{m:02d}", "A") for d in (1, 8, 15) for m in (0, 10, 20)]
    ctx = fit_contexts(make_history(plays), load_settings())
    assert len(ctx.clusters) == 1 and ctx.clusters[0].label == "Monday evenings"
    assert "one hour of the week" in " ".join(ctx.notes)
    assert len(ctx.clusters[0].slots) == 168 and ctx.clusters[0].picks[0].artist == "A"


def test_fewer_sessions_than_k():
    plays = [("2024-01-01 08:00", "A"), ("2024-01-06 23:00", "B")]
    ctx = fit_contexts(make_history(plays), load_settings(), k=5)
    assert len(ctx.clusters) == 2 and "2 contexts instead of 5" in ctx.notes[0]
    auto = fit_contexts(make_history(plays), load_settings())
    assert len(auto.clusters) == 2 and auto.notes
    labels = sorted(c.label for c in auto.clusters)
    assert labels == ["Monday mornings", "Saturday late nights"]
    # Every moment has a context, but only the slots with sessions are "listened" (and named
    # by the label): a Wednesday afternoon goes to the nearest one.
    monday = auto.at("2024-01-08 08:30")
    assert monday.label == "Monday mornings" and monday.listened == {(0, 8)}
    assert monday.listened_at(pd.Timestamp("2024-01-08 08:30"))
    assert not auto.at("2024-01-10 15:00").listened_at(pd.Timestamp("2024-01-10 15:00"))


def test_weighted_silhouette_equals_sklearn_on_expanded_points():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(12, 2))
    w = rng.integers(1, 4, size=12).astype(float)
    labels = np.array([0, 1, 2] * 4)
    expanded = np.repeat(X, w.astype(int), axis=0)
    assert weighted_silhouette(X, w, labels) == pytest.approx(
        silhouette_score(expanded, np.repeat(labels, w.astype(int))))


def test_labels():
    assert band(7.5) == "early mornings" and band(23) == "late nights" and band(2) == "late nights"
    # 18 h–04 h: neither "evenings" nor "late nights" alone would cover its hours.
    assert hour_span([0, 1, 2, 3, 4, 18, 19, 20, 21, 22, 23]) == "18–05 h"
    assert hour_span([22, 23]) == "late nights"
    assert unique_labels(["Evenings", "Evenings", "Mornings"], [18.2, 21.0, 9], ["Mon"] * 3) == \
        ["Evenings (around 18 h)", "Evenings (around 21 h)", "Mornings"]
    assert unique_labels(["Evenings", "Evenings"], [18, 18], ["Mon", "Fri"]) == \
        ["Evenings (around 18 h, busiest Mon)", "Evenings (around 18 h, busiest Fri)"]


def test_progress_and_cancel():
    seen = []
    fit_contexts(planted_history(), load_settings(), progress=lambda d, t: seen.append(d))
    assert seen[0] == 0 and seen[-1] == 3
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        fit_contexts(planted_history(), load_settings(), cancel=stop)


def test_season_feature_keeps_slots_covering_the_week():
    s = load_settings({"context": {"include_season": True, "k": 4}})
    ctx = fit_contexts(planted_history(), s)
    assert sorted(s for c in ctx.clusters for s in c.slots) == ALL_SLOTS
    assert ctx.at("2023-07-03 08:00").id in range(4)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_history(tmp_path_factory.mktemp("demo"))


def test_demo_planted_context_artists_lead_and_labels_fit(demo):
    history, truth = demo
    ctx = fit_contexts(history, load_settings())
    monday = pd.Timestamp("2024-01-01")
    for planted in truth["contexts"]:
        weekend = planted["label"].startswith("weekend")
        for dow in planted["dows"]:
            for hour in planted["hours"]:
                c = ctx.at(monday + pd.Timedelta(days=dow, hours=hour))
                assert c.typical[0].artist in planted["artists"], (planted["label"], dow, hour)
                assert sum(i.artist in planted["artists"] for i in c.typical[:5]) >= 3
                days, hours = claimed(c.label)
                assert dow in days and hour in hours, c.label
                assert days <= ({5, 6} if weekend else set(range(5))), c.label


def _habits(days=150, seed=2):
    """Three disjoint 8-artist pools, each played only at its own time of the week."""
    rng = np.random.default_rng(seed)
    plays = []
    for d in range(days):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=d)
        pool, hour = ("Morning", 8) if day.day_of_week < 5 else ("Night", 1)
        for name, at in ((pool, hour), ("Afternoon", 15)):
            for i in range(6):
                plays.append((day + pd.Timedelta(hours=at, minutes=4 * i),
                              f"{name} {int(rng.integers(8))}"))
    return make_history(plays)


def test_tilt_is_chosen_on_the_last_months_and_never_loses_there():
    # Strong time-of-week habits: a tilt beats the global list on the last months.
    strong = fit_contexts(_habits(), load_settings())
    assert strong.meta["slot_tilt"] > 0
    rates = strong.meta["holdout_hit"]
    assert rates[strong.meta["slot_tilt"]] > rates[0.0] * 1.02
    # Artists at random times: no tilt earns its keep, the picks are the global Play next.
    rng = np.random.default_rng(5)
    start = pd.Timestamp("2024-01-01")
    plays = [(start + pd.Timedelta(minutes=int(m)), f"Band {int(a)}")
             for m, a in zip(np.sort(rng.integers(0, 200 * 24 * 60, 3000)),
                             rng.zipf(1.5, 3000) % 40, strict=True)]
    flat = fit_contexts(make_history(plays), load_settings())
    assert flat.meta["slot_tilt"] == 0.0
    assert all(r <= flat.meta["holdout_hit"][0.0] * 1.02 for r in flat.meta["holdout_hit"].values())
    global_list = play_next_result(make_history(plays), load_settings(), top=10)
    for c in flat.clusters:
        assert [i.artist for i in c.picks] == [i.artist for i in global_list.items]


def test_backoff_without_tilt_is_the_global_list_and_small_contexts_tilt_less():
    dec = np.array([[8.0, 0.0, 2.0], [0.0, 1.0, 0.0]])
    overall = np.array([0.5, 0.25, 0.25])
    assert np.allclose(backoff_scores(dec, overall, 0.0), [overall, overall])
    tilted = backoff_scores(dec, overall, 0.5)
    assert np.allclose(tilted.sum(axis=1), 1.0)
    # The big context (10 plays) moves further from the global shares than the small one.
    assert tilted[0, 0] - overall[0] > 0 and tilted[1, 1] - overall[1] > 0
    assert abs(tilted[0, 2] - overall[2]) < abs(tilted[0, 1] - overall[1])
    raw = np.array([[4.0, 0.0, 1.0], [0.0, 6.0, 1.0]])
    assert np.allclose(lift(raw, 0.0)[0, 0], 4 / (5 * 4 / 12))


def test_result_is_the_picks_and_typical_what_a_context_is_about():
    ctx = fit_contexts(planted_history(), load_settings())
    morning = ctx.at("2024-01-08 08:00")
    res = ctx.result(at="2024-01-08 08:00")
    assert [i.artist for i in res.items] == [i.artist for i in morning.ranked[:10]]
    assert morning.picks == morning.ranked[:10]
    assert [i.score for i in res.items] == sorted((i.score for i in res.items), reverse=True)
    assert [i.score for i in morning.typical] == sorted((i.score for i in morning.typical),
                                                        reverse=True)
    assert morning.typical[0].artist == "Morning Coffee"


def test_each_reason_gives_that_contexts_own_play_count():
    """#12: every context's reason quoted the count of one context (the last built)."""
    ctx = fit_contexts(planted_history(), load_settings())
    counted = ctx.clusters[0].picks[0].artist
    plays = planted_history().counted_plays
    ids = ctx.ids_for(plays["local_ts"])
    for c in ctx.clusters:
        own = int(((ids == c.id) & (plays["artist"] == counted).to_numpy()).sum())
        item = next(i for i in c.ranked if i.artist == counted)
        assert item.extra["plays"] == own
        assert (f": {own} play" in item.why) if own else ("no plays in" in item.why)
    assert len({next(i for i in c.ranked if i.artist == counted).extra["plays"]
                for c in ctx.clusters}) > 1


def test_reason_says_when_a_low_support_pick_leans_on_overall_recency():
    from musicrec_tui.core.engines.context import _why

    assert _why("weekday mornings", 1, 1.0, 5) == (
        "weekday mornings: 1 play, mostly a recent favourite overall")
    assert _why("weekday mornings", 41, 1.1, 5) == "weekday mornings: 41 plays"
    assert _why("weekday mornings", 3, 2.0, 5) == "weekday mornings: 3 plays, 2.0× your usual share"
