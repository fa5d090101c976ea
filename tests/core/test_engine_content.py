"""Content / discovery: tier parsing, scoring formula, exclusions, reasons, rotation damping."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from musicrec_tui.core.engines.content import discover, parse_tier
from musicrec_tui.core.engines.ranking import fit_ranking
from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.settings import load_settings
from musicrec_tui.core.similarity.base import Neighbour, SimilarityResult
from musicrec_tui.core.similarity.colisten import CoListenProvider
from tests.helpers_library import sessions_history

NOW = pd.Timestamp("2024-06-01", tz="UTC")


@dataclass
class FakeRanking:
    table: pd.DataFrame


def ranking(rows: list[tuple[str, float, int, str]]) -> FakeRanking:
    """(artist, score, plays, last play) rows, already in rank order."""
    table = pd.DataFrame(rows, columns=["artist", "score", "plays", "last"]).set_index("artist")
    table["rank"] = range(1, len(table) + 1)
    table["last"] = pd.to_datetime(table["last"], utc=True)
    return FakeRanking(table)


class FakeProvider:
    def __init__(self, name: str, table: dict[str, list[tuple[str, float]]]) -> None:
        self.name = name
        self.table = table
        self.asked: list[str] = []

    def similar(self, artists, *, limit, progress=None, cancel=None):
        self.asked = list(artists)
        return SimilarityResult(self.name, {
            a: [Neighbour(n, s) for n, s in self.table.get(a, [])][:limit] for a in artists
        }, {a: "cache" for a in artists})


@pytest.mark.parametrize("text,expected", [("1-50", (1, 50)), (" 200 - 300 ", (200, 300)),
                                           ("7-7", (7, 7)), ("1–5", (1, 5))])
def test_parse_tier(text, expected):
    assert parse_tier(text) == expected


@pytest.mark.parametrize("text", ["", "50", "0-10", "10-5", "a-b", "1-50-60"])
def test_bad_tier_is_a_settings_error(text):
    with pytest.raises(SettingsError, match="tier"):
        parse_tier(text)


def test_score_is_similarity_times_normalised_preference():
    rank = ranking([("Portishead", 2.0, 100, "2024-05-31"), ("Massive Attack", 1.0, 80, "2024-05-31"),
                    ("Tricky", 0.5, 5, "2023-01-01")])
    provider = FakeProvider("lastfm", {
        "Portishead": [("Beth Gibbons", 0.82), ("Massive Attack", 0.9)],
        "Massive Attack": [("Beth Gibbons", 0.74), ("Unkle", 0.5)],
    })
    result = discover(rank, provider, load_settings(), tier="1-2")
    assert provider.asked == ["Portishead", "Massive Attack"]
    scores = {it.artist: it.score for it in result.items}
    # Tier artists are never suggested; pref normalised by the tier's best (2.0), the view
    # scaled by its best candidate (Beth Gibbons, 0.82 + 0.74·0.5), times its weight.
    assert "Massive Attack" not in scores
    weight = result.meta["weights"]["content"]
    assert scores["Beth Gibbons"] == pytest.approx(weight)
    assert scores["Unkle"] == pytest.approx(weight * 0.5 * 0.5 / (0.82 + 0.74 * 0.5))
    first = result.items[0]
    # Without trends or contexts the other views have no seeds.
    assert first.extra["engines"] == {"content": weight, "temporal": 0.0, "context": 0.0}
    assert first.artist == "Beth Gibbons"
    assert first.why == "similar to Portishead (0.82) and Massive Attack (0.74)"
    assert first.extra["in_library"] is False
    assert result.meta["similarity"].provider == "lastfm"


def test_exclude_library_drops_known_artists():
    rank = ranking([("A", 1.0, 10, "2024-05-01"), ("B", 0.5, 3, "2024-01-01")])
    provider = FakeProvider("lastfm", {"A": [("B", 0.9), ("New", 0.3)]})
    kept = discover(rank, provider, load_settings(), tier="1-1", exclude_library=True)
    assert [it.artist for it in kept.items] == ["New"]
    both = discover(rank, provider, load_settings(), tier="1-1", exclude_library=False)
    assert [it.artist for it in both.items] == ["B", "New"]
    assert both.items[0].extra["in_library"] is True


def test_library_exclusion_is_decided_by_who_answered():
    rank = ranking([("A", 1.0, 10, "2024-05-01"), ("The B‐52’s", 0.5, 3, "2024-01-01")])
    # Last.fm spells the library artist differently; it is still recognised and dropped.
    lastfm = FakeProvider("lastfm", {"A": [("the b-52's", 0.9), ("New", 0.3)]})
    assert [it.artist for it in discover(rank, lastfm, load_settings(), tier="1-1").items] == [
        "New"]
    # Last.fm unreachable: the fallback answered offline, so library artists stay.
    fallback = FakeProvider("offline", {"A": [("The B‐52’s", 0.9)]})
    kept = discover(rank, fallback, load_settings(), tier="1-1")
    assert [it.artist for it in kept.items] == ["The B‐52’s"]


def test_offline_damps_heavy_recent_rotation():
    rank = ranking([("Seed", 1.0, 500, "2024-06-01"), ("Hot", 0.9, 400, "2024-06-01"),
                    ("Forgotten", 0.8, 400, "2022-01-01")])
    provider = FakeProvider("offline", {"Seed": [("Hot", 0.8), ("Forgotten", 0.8)]})
    result = discover(rank, provider, load_settings(), tier="1-1")
    assert [it.artist for it in result.items] == ["Forgotten", "Hot"]
    assert result.items[1].score < 0.8 * 0.5


def test_empty_or_short_tier_is_a_note():
    rank = ranking([("A", 1.0, 10, "2024-05-01")])
    provider = FakeProvider("offline", {})
    empty = discover(rank, provider, load_settings(), tier="5-10")
    assert empty.items == [] and "empty" in empty.notes[0]
    short = discover(rank, provider, load_settings(), tier="1-10")
    assert any("only 1" in n for n in short.notes)


def test_with_real_ranking_and_offline_provider():
    history = sessions_history([["A", "B", "C"], ["D", "E"]], sessions_per_group=10)
    settings = load_settings()
    result = discover(fit_ranking(history, settings), CoListenProvider(history, settings),
                      settings, tier="1-1")
    assert result.items, result.notes
    assert all(it.extra["in_library"] for it in result.items)
    assert result.items[0].why.startswith("similar to ")
