"""Context engine: planted time-of-week artists, labels, slots, lookup and small histories."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import silhouette_score

from musicrec_tui.core.engines.context import ALL_SLOTS, fit_contexts, weighted_silhouette
from musicrec_tui.core.engines.context_picks import lift, predict_scores
from musicrec_tui.core.engines.labels import band, context_label, dominant_band, unique_labels
from musicrec_tui.core.engines.recency import recency_result
from musicrec_tui.core.errors import Cancelled
from musicrec_tui.core.settings import load_settings
from tests.helpers_engines import demo_history, make_history, planted_history


def _lead(contexts, artist):
    return [c for c in contexts.clusters if c.picks and c.picks[0].artist == artist]


def test_planted_context_artists_lead_contexts_with_fitting_labels():
    ctx = fit_contexts(planted_history(), load_settings())
    mornings = _lead(ctx, "Morning Coffee")
    nights = _lead(ctx, "Night Owl")
    assert mornings and nights
    for c in mornings:
        assert c.label.startswith("Weekday") and "morning" in c.label
    for c in nights:
        assert c.label.startswith("Weekend late nights")
    monday_8 = ctx.at(pd.Timestamp("2024-01-08 08:00"))  # a Monday
    assert monday_8.picks[0].artist == "Morning Coffee"
    assert ctx.at("2024-01-07 01:00").picks[0].artist == "Night Owl"  # a Sunday
    assert "weekday" in monday_8.picks[0].why and "plays" in monday_8.picks[0].why


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
        assert c.picks[0].artist == "Regular"
        assert all(np.isfinite(i.score) for i in c.picks)


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
    assert len(ctx.clusters) == 1 and ctx.clusters[0].label == "Weekday evenings"
    assert "one hour of the week" in " ".join(ctx.notes)
    assert len(ctx.clusters[0].slots) == 168 and ctx.clusters[0].picks[0].artist == "A"


def test_fewer_sessions_than_k():
    plays = [("2024-01-01 08:00", "A"), ("2024-01-06 23:00", "B")]
    ctx = fit_contexts(make_history(plays), load_settings(), k=5)
    assert len(ctx.clusters) == 2 and "2 contexts instead of 5" in ctx.notes[0]
    auto = fit_contexts(make_history(plays), load_settings())
    assert len(auto.clusters) == 2 and auto.notes
    labels = sorted(c.label for c in auto.clusters)
    assert labels == ["Weekday mornings", "Weekend late nights"]


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
    assert context_label("mornings", 0.0) == "Weekday mornings"
    assert context_label("late nights", 0.9) == "Weekend late nights"
    assert context_label("afternoons", 0.3) == "Afternoons"
    # 18 h–04 h with most sessions after 22 h: late nights, though the mean hour is ~21.5.
    per_hour = [3, 3, 1, 1, 1] + [0] * 13 + [2, 2, 2, 2, 3, 3]
    assert dominant_band(per_hour) == "late nights"
    assert unique_labels(["Evenings", "Evenings", "Mornings"], [18.2, 21.0, 9], ["Mon"] * 3) == \
        ["Evenings (around 18 h)", "Evenings (around 21 h)", "Mornings"]
    assert unique_labels(["Evenings", "Evenings"], [18, 18], ["Mon", "Fri"]) == \
        ["Evenings (around 18 h, Mon)", "Evenings (around 18 h, Fri)"]


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
        band_word = "morning" if "morning" in planted["label"] else "late night"
        for dow in planted["dows"]:
            for hour in planted["hours"]:
                c = ctx.at(monday + pd.Timedelta(days=dow, hours=hour))
                assert c.picks[0].artist in planted["artists"], (planted["label"], dow, hour)
                assert sum(i.artist in planted["artists"] for i in c.picks[:5]) >= 3
                assert c.label.startswith("Weekend" if weekend else "Weekday"), c.label
                assert band_word in c.label, c.label


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


def test_tilt_strength_is_chosen_on_the_holdout():
    # Strong time-of-week habits: a tilt beats plain recency on the last 30 days.
    strong = fit_contexts(_habits(), load_settings())
    assert strong.meta["lift_power"] > 0
    rates = strong.meta["holdout_hit"]
    assert rates[strong.meta["lift_power"]] >= rates[0.0] * 1.1
    # Artists at random times: no tilt earns its keep, the list is global recency.
    rng = np.random.default_rng(5)
    start = pd.Timestamp("2024-01-01")
    plays = [(start + pd.Timedelta(minutes=int(m)), f"Band {int(a)}")
             for m, a in zip(np.sort(rng.integers(0, 200 * 24 * 60, 3000)),
                             rng.zipf(1.5, 3000) % 40, strict=True)]
    flat = fit_contexts(make_history(plays), load_settings())
    assert flat.meta["lift_power"] == 0.0
    recent = recency_result(make_history(plays), load_settings(), top=10)
    for c in flat.clusters:
        assert [i.artist for i in c.ranked[:10]] == [i.artist for i in recent.items]


def test_predict_scores_without_tilt_are_the_global_recent_shares():
    raw = np.array([[4.0, 0.0, 1.0], [0.0, 6.0, 1.0]])
    dec = np.array([[2.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    flat = predict_scores(raw, dec, 0.0, 5.0)
    assert np.allclose(flat, [[0.5, 0.25, 0.25]] * 2)
    tilted = predict_scores(raw, dec, 1.0, 5.0)
    assert tilted[0, 0] > flat[0, 0] and tilted[1, 0] < flat[1, 0]
    assert np.allclose(lift(raw, 0.0)[0, 0], 4 / (5 * 4 / 12))


def test_result_is_the_what_to_play_list_and_picks_what_a_context_is_about():
    ctx = fit_contexts(planted_history(), load_settings())
    morning = ctx.at("2024-01-08 08:00")
    res = ctx.result(at="2024-01-08 08:00")
    assert [i.artist for i in res.items] == [i.artist for i in morning.ranked[:10]]
    assert [i.score for i in res.items] == sorted((i.score for i in res.items), reverse=True)
    assert [i.score for i in morning.picks] == sorted((i.score for i in morning.picks),
                                                      reverse=True)


def test_reason_says_when_a_low_support_pick_leans_on_overall_recency():
    from musicrec_tui.core.engines.context import _why

    assert _why("weekday mornings", 1, 1.0, 5) == (
        "weekday mornings: 1 play, mostly a recent favourite overall")
    assert _why("weekday mornings", 41, 1.1, 5) == "weekday mornings: 41 plays"
    assert _why("weekday mornings", 3, 2.0, 5) == "weekday mornings: 3 plays, 2.0× your usual share"
