"""Discover's three views on planted structure: the neighbour of a rising artist outranks the
neighbour of a fading one, a context artist's neighbour ranks higher in its own context, every
view's seeds are asked in one call, and each item says which views made it."""

from __future__ import annotations

import pandas as pd
import pytest

from musicrec_tui.core.analysis import analyse
from musicrec_tui.core.engines.labels import in_sentence
from musicrec_tui.core.engines.views import Candidate, Seeds, blend, candidates, explain
from musicrec_tui.core.settings import load_settings
from musicrec_tui.core.similarity.base import Neighbour
from tests.core.test_context_labels import holds
from tests.core.test_lists import FakeProvider
from tests.helpers_engines import make_history

WEEKDAY_EVENING = "2024-12-18 20:00"  # a Wednesday, after the history's last play
WEEKEND_MORNING = "2024-12-21 09:30"  # a Saturday


@pytest.fixture(scope="module")
def history():
    """Two years: "Steady" every day; "Evening Artist" on weekday evenings and "Morning
    Artist" on weekend mornings, as many plays a week each; over the last year "Rising" goes
    from 0 to 6 plays a day while "Fading" goes from 6 to 0 (as many plays in all)."""
    start, days = pd.Timestamp("2023-01-02"), 720  # a Monday
    plays = []

    def session(day, hour, artists):
        plays.extend((day + pd.Timedelta(hours=hour, minutes=4 * i), a)
                     for i, a in enumerate(artists))

    for d in range(days):
        day = start + pd.Timedelta(days=d)
        if day.day_of_week >= 5:
            session(day, 9, ["Morning Artist"] * 5 + ["Steady"])
        else:
            session(day, 19, ["Evening Artist"] * 2 + ["Steady"])
        ramp = (d - (days - 360)) / 360
        rising, fading = (round(6 * ramp), round(6 * (1 - ramp))) if ramp >= 0 else (0, 0)
        session(day, 13, ["Rising"] * rising + ["Fading"] * fading + ["Steady"])
    return make_history(plays)


# Nova is like the rising artist, Alba like the fading one, with the same similarity; Alba
# would come first on a tie (by name), so only the views can put Nova above it.
TABLE = {"Rising": [("Nova", 0.9)], "Fading": [("Alba", 0.9)],
         "Morning Artist": [("Dawn", 0.9)], "Evening Artist": [("Dusk", 0.9)],
         "Steady": [("Plain", 0.5)]}


def run(history, at: str = WEEKDAY_EVENING, **weights: float):
    settings = load_settings({"discover": {"weights": weights}} if weights else None)
    provider = FakeProvider(TABLE)
    found = analyse(history, settings, provider=provider, at=at,
                    engines=["temporal", "context", "content"])
    return found, provider


def order(found) -> list[str]:
    return [r.artist for r in found.lists["discover"].items]


def test_the_neighbour_of_a_rising_artist_outranks_that_of_a_fading_one(history):
    found, _ = run(history)
    rising = [it.artist for it in found.trends.rising]
    assert rising[0] == "Rising" and "Fading" not in rising
    items = {r.artist: r for r in found.lists["discover"].items}
    nova, alba = items["Nova"], items["Alba"]
    assert order(found).index("Nova") < order(found).index("Alba")
    assert nova.engines["temporal"] > 0 and alba.engines["temporal"] == 0
    # The same preference for both seeds (as many plays): content alone barely tells them
    # apart, and the plays' rounding puts Alba a hair ahead.
    assert nova.engines["content"] == pytest.approx(alba.engines["content"], rel=0.05)
    assert "you've been playing Rising more lately" in nova.why
    assert "more lately" not in alba.why
    # With the content view alone the planted trend is lost.
    alone, _ = run(history, content=1)
    assert order(alone).index("Alba") < order(alone).index("Nova")


def test_a_context_artists_neighbour_ranks_higher_in_its_own_context(history):
    evening, _ = run(history, WEEKDAY_EVENING)
    morning, _ = run(history, WEEKEND_MORNING)
    assert holds(evening.results["content"].meta["context"], WEEKDAY_EVENING)
    assert holds(morning.results["content"].meta["context"], WEEKEND_MORNING)
    assert order(evening).index("Dusk") < order(morning).index("Dusk")
    assert order(morning).index("Dawn") < order(evening).index("Dawn")
    assert order(evening).index("Dusk") < order(evening).index("Dawn")
    assert order(morning).index("Dawn") < order(morning).index("Dusk")
    dawn = next(r for r in morning.lists["discover"].items if r.artist == "Dawn")
    assert dawn.engines["context"] > 0 and "fits your " + in_sentence(morning.results["content"].meta["context"]) in dawn.why
    # Without the context view the moment changes nothing.
    flat = [order(run(history, at, content=0.5, temporal=0.5)[0])
            for at in (WEEKDAY_EVENING, WEEKEND_MORNING)]
    assert flat[0] == flat[1]


def test_every_views_seeds_are_asked_in_one_call(history):
    found, provider = run(history, WEEKEND_MORNING)
    meta = found.results["content"].meta
    assert len(provider.asked) == 1
    assert meta["seeds"]["asked"] == len(provider.asked[0]) == len(set(provider.asked[0]))
    assert meta["seeds"]["content"] == 5  # the whole tier
    assert meta["seeds"]["temporal"] >= 1 and meta["seeds"]["context"] >= 1
    assert meta["weights"] == {"content": 0.5, "temporal": 0.3, "context": 0.2}
    # Every item carries the three parts, summing to its score.
    for rec in found.lists["discover"].items:
        assert set(rec.engines) == {"content", "temporal", "context"}
        assert sum(rec.engines.values()) == pytest.approx(rec.score)


def test_a_view_weighing_0_sends_no_name(history):
    _, provider = run(history, content=1)
    assert set(provider.asked[0]) == set(TABLE)  # the tier: all five artists
    found, provider = run(history, temporal=1)
    # Only the rising artists are asked; the tier's other artists are not.
    assert "Fading" not in provider.asked[0] and "Rising" in provider.asked[0]
    assert found.results["content"].meta["seeds"]["content"] == 0


def test_weights_are_relative_and_say_when_rescaled(history):
    found, _ = run(history, content=5, temporal=3, context=2)
    assert found.results["content"].meta["weights"] == pytest.approx(
        {"content": 0.5, "temporal": 0.3, "context": 0.2})
    assert "content: discover.weights summed to 10; rescaled to sum to 1" in found.notes


def test_each_view_is_scaled_to_its_best_candidate():
    seeds = Seeds({"content": {"A": 1.0, "B": 0.5}, "temporal": {"B": 1.0}})
    found = candidates(seeds, {"A": [Neighbour("X", 0.8), Neighbour("B", 0.9)],
                               "B": [Neighbour("X", 0.4), Neighbour("Y", 0.6)]})
    assert set(found) == {"X", "Y"}  # a seed is never a candidate
    parts = blend(found, {"content": 0.5, "temporal": 0.5, "context": 0.0})
    # content: X = 0.8 + 0.4·0.5 = 1.0 (the best), Y = 0.3; temporal: X 0.4, Y 0.6 (the best).
    assert parts["X"] == pytest.approx({"content": 0.5, "temporal": 0.5 * 0.4 / 0.6,
                                        "context": 0.0})
    assert parts["Y"] == pytest.approx({"content": 0.5 * 0.3, "temporal": 0.5, "context": 0.0})


@pytest.mark.parametrize("parts,expected", [
    ({"content": 0.5, "temporal": 0.3, "context": 0.2},
     "similar to K (0.90) and A (0.80) · you've been playing T more lately"),
    ({"content": 0.3, "temporal": 0.45, "context": 0.25},
     "similar to T, which you've been playing more lately · also similar to K (0.90) and "
     "A (0.80) · fits your weekday evenings"),
    ({"content": 0.1, "temporal": 0.0, "context": 0.9},
     "similar to C, which fits your weekday evenings"),
    # A view under a quarter of the score is left unsaid.
    ({"content": 0.2, "temporal": 0.5, "context": 0.3},
     "similar to T, which you've been playing more lately · fits your weekday evenings"),
])
def test_the_reason_names_the_strongest_views_first(parts, expected):
    cand = Candidate(because={"content": [(0.9, "K", 0.9), (0.4, "A", 0.8), (0.1, "Z", 0.2)],
                              "temporal": [(0.9, "T", 0.9)],
                              "context": [(0.5, "C", 0.5)]})
    assert explain(parts, cand, "Weekday evenings") == expected


def test_a_seed_already_named_is_not_named_again():
    cand = Candidate(because={"temporal": [(0.9, "K", 0.9)], "content": [(0.9, "K", 0.9)]})
    assert explain({"content": 0.4, "temporal": 0.6}, cand, "") == (
        "similar to K, which you've been playing more lately")
