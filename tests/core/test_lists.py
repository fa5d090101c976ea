"""Planted structure for each list: Rediscover finds the seasonal artist and the taste that
is coming back, Discover follows the tier and keeps the library out, the Mix carries all."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from musicrec_tui.core.analysis import analyse, reblend
from musicrec_tui.core.engines.rediscover import alive_share, rediscover_result
from musicrec_tui.core.settings import load_settings
from musicrec_tui.core.similarity.base import Neighbour, SimilarityResult
from tests.helpers_engines import make_history


def _daily(artist: str, start: str, end: str, per_day: int, hour: int = 18) -> list[tuple]:
    days = pd.date_range(start, end, freq="D")
    return [(day + pd.Timedelta(hours=hour, minutes=4 * i), artist)
            for day in days for i in range(per_day)]


@pytest.fixture(scope="module")
def seasonal():
    plays = [p for year in (2021, 2022, 2023)
             for p in _daily("Christmas Band", f"{year}-12-01", f"{year}-12-24", 10)]
    plays += _daily("Summer Fling", "2024-06-01", "2024-07-31", 15, hour=12)
    plays += _daily("Daily Driver", "2021-01-01", "2024-11-25", 3, hour=8)
    return make_history(plays)


def test_rediscover_finds_the_seasonal_artist_before_its_season(seasonal):
    as_of = pd.Timestamp("2024-11-25T23:00", tz="UTC")
    found = rediscover_result(seasonal, load_settings(), as_of=as_of)
    names = [i.artist for i in found.items]
    assert names == ["Christmas Band", "Summer Fling"]  # Daily Driver is not dormant
    christmas = found.items[0]
    assert christmas.extra["engines"]["temporal"] > christmas.extra["engines"]["recency"] / 2
    assert "at this time of year before" in christmas.why
    # Without the seasonal part the more recent fling comes first, as the baselines have it.
    plain = rediscover_result(seasonal, load_settings({"rediscover": {"season": 0}}),
                              as_of=as_of)
    assert [i.artist for i in plain.items] == ["Summer Fling", "Christmas Band"]
    # In summer the Christmas artist's season is far away: no seasonal lift.
    june = rediscover_result(seasonal, load_settings(), as_of="2024-05-15")
    assert june.items[0].extra["engines"]["temporal"] == pytest.approx(0.0, abs=1e-9)


def test_rediscover_takes_the_temporal_engines_view_of_a_taste_coming_back(seasonal):
    """The NMF part: how much of an artist's peak its trend components carry now."""
    periods = pd.period_range("2024-01", "2024-11", freq="M")
    fitted = pd.DataFrame([[10.0] * 3 + [0.0] * 5 + [4.0, 5.0, 6.0],   # a third of its peak
                           [12.0] * 3 + [0.0] * 8],                     # gone
                          index=["Summer Fling", "Christmas Band"], columns=periods)
    trends = SimpleNamespace(fitted=fitted)
    names = np.array(["Christmas Band", "Daily Driver", "Summer Fling"], dtype=object)
    assert alive_share(trends, names).tolist() == pytest.approx([0.0, 0.0, 0.5])
    settings = load_settings({"rediscover": {"season": 0, "trend": 1}})
    found = rediscover_result(seasonal, settings, as_of="2024-11-25T23:00", trends=trends)
    fling = found.items[0]
    assert fling.artist == "Summer Fling"
    assert fling.extra["engines"]["temporal"] == pytest.approx(
        0.5 * fling.extra["engines"]["recency"])
    assert "the taste it belongs to is back (50% of its peak)" in fling.why
    off = rediscover_result(seasonal, load_settings({"rediscover": {"season": 0, "trend": 0}}),
                            as_of="2024-11-25T23:00", trends=trends)
    assert off.items[0].extra["engines"]["temporal"] == 0.0


def test_rediscover_on_a_short_history_says_why_it_is_empty():
    short = make_history(_daily("Only", "2024-01-01", "2024-02-15", 3))
    found = rediscover_result(short, load_settings())
    assert found.items == [] and "spans 45 days" in found.notes[0]


class FakeProvider:
    """Similarity scripted per seed: the tier's artists get their own neighbours."""

    name = "lastfm"

    def __init__(self, table: dict[str, list[tuple[str, float]]]) -> None:
        self.table = table
        self.asked: list[list[str]] = []

    def similar(self, artists, *, limit, progress=None, cancel=None) -> SimilarityResult:
        self.asked.append(list(artists))
        return SimilarityResult("lastfm", {a: [Neighbour(n, s) for n, s in self.table.get(a, [])]
                                           for a in artists},
                                {a: "network" for a in artists})


@pytest.fixture(scope="module")
def library():
    # Ranks by plays: Big (1st) … Tiny (4th).
    plays = (_daily("Big", "2024-01-01", "2024-06-30", 6)
             + _daily("Middle", "2024-01-01", "2024-06-30", 3, hour=9)
             + _daily("Small", "2024-03-01", "2024-06-30", 2, hour=10)
             + _daily("Tiny", "2024-05-01", "2024-06-30", 1, hour=11))
    return make_history(plays)


PROVIDER_TABLE = {
    "Big": [("Big's Friend", 0.9), ("middle", 0.8), ("Shared", 0.3)],
    "Middle": [("Middle's Friend", 0.9), ("Shared", 0.4)],
    "Small": [("Small's Friend", 0.9), ("TINY", 0.4)],
    "Tiny": [("Tiny's Friend", 0.7)],
}


CONTENT_ONLY = {"discover": {"weights": {"content": 1}}}


def test_discover_is_similarity_times_preference_outside_the_library(library):
    provider = FakeProvider(PROVIDER_TABLE)
    # The content view alone: the other views weigh 0, so none of their seeds is asked.
    found = analyse(library, load_settings(CONTENT_ONLY), provider=provider, tier="1-2")
    discover = found.lists["discover"]
    names = [r.artist for r in discover.items]
    assert provider.asked == [["Big", "Middle"]]
    # "middle" is the library's Middle (names are normalised): never suggested.
    assert "middle" not in names and all(not r.in_library for r in discover.items)
    assert set(names) == {"Big's Friend", "Middle's Friend", "Shared"}
    ranking = found.ranking.table["score"]
    pref_middle = ranking["Middle"] / ranking["Big"]
    raw = {r.artist: r for r in found.results["content"].items}
    # Scaled by the view's best candidate (Big's Friend, 0.9).
    assert raw["Shared"].score == pytest.approx((0.3 + 0.4 * pref_middle) / 0.9)
    assert names[0] == "Big's Friend" and discover.items[0].score == 1.0
    assert all(r.engines["content"] == r.score for r in discover.items)
    # The Mix carries Discover at its share.
    assert "discover" in {r.list for r in found.mix}
    # Deep cuts instead of favourites: other seeds, another list.
    deep = reblend(found, tier="3-4")
    assert provider.asked[-1] == ["Small", "Tiny"]
    assert {r.artist for r in deep.lists["discover"].items} == {"Small's Friend",
                                                               "Tiny's Friend"}


def test_discover_offline_is_empty_and_says_how_to_turn_a_provider_on(library):
    found = analyse(library, load_settings())
    assert found.lists["discover"].items == []
    note = found.lists["discover"].notes[0]
    assert "need a similarity provider" in note and "musicrec config set-key" in note
    assert "discover" not in {r.list for r in found.mix}
    assert any(n.startswith("mix: no items from") and "discover" in n for n in found.notes)


def test_a_provider_given_later_fills_discover_without_refitting(library):
    offline = analyse(library, load_settings())
    assert offline.lists["discover"].items == []
    provider = FakeProvider(PROVIDER_TABLE)
    online = reblend(offline, provider=provider)
    assert online.trends is offline.trends and online.ranking is offline.ranking
    assert online.provider == "lastfm" and online.source is provider
    assert {r.artist for r in online.lists["discover"].items} >= {"Big's Friend"}
    assert "discover" in {r.list for r in online.mix}
    assert not any("need a similarity provider" in n for n in online.notes)
