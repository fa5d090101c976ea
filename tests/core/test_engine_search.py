"""Artist search: accents, case, typos, prefixes, ordering and highlight positions."""

from __future__ import annotations

import pytest

from musicrec_tui.core.engines.ranking import fit_ranking
from musicrec_tui.core.engines.search import ArtistSearch, fold
from musicrec_tui.core.settings import load_settings
from tests.helpers_engines import demo_history

NAMES = ["Radiohead", "Beyoncé", "Sigur Rós", "Massive Attack", "The Beatles", "Beach House",
         "Guns N' Roses", "Jay‐Z", "Björk", "Portishead", "Radio Moscow", "Bea Miller"]
PREFERENCE = [0.9, 0.5, 0.4, 0.8, 0.7, 0.3, 0.2, 0.6, 0.55, 0.65, 0.1, 0.05]


@pytest.fixture(scope="module")
def search() -> ArtistSearch:
    return ArtistSearch(NAMES, PREFERENCE)


def _first(search, query):
    hits = search.search(query)
    assert hits, f"no hit for {query!r}"
    return hits[0]


@pytest.mark.parametrize(("query", "artist"), [
    ("beyonce", "Beyoncé"), ("BEYONCÉ", "Beyoncé"), ("sigur ros", "Sigur Rós"),
    ("radiohed", "Radiohead"), ("massive atack", "Massive Attack"), ("bjork", "Björk"),
    ("guns n’ roses", "Guns N' Roses"), ("jay-z", "Jay‐Z"), ("  sigur   ros ", "Sigur Rós"),
])
def test_accent_case_typo_and_punctuation_tolerant(search, query, artist):
    assert _first(search, query).artist == artist


def test_fold_strips_accents_and_unifies_spacing():
    assert fold("  Sigur  Rós ") == "sigur ros"
    assert fold("Beyoncé") == "beyonce"
    assert fold("Guns N’ Roses") == "guns n' roses"


def test_prefix_then_word_prefix_then_substring_then_preference(search):
    hits = [h.artist for h in search.search("bea")]
    # Prefixes first, by preference (Beach House 0.3 > Bea Miller 0.05), then a word prefix.
    assert hits[:3] == ["Beach House", "Bea Miller", "The Beatles"]
    scores = [h.score for h in search.search("bea")]
    assert scores[0] == scores[1] > scores[2]
    radio = [h.artist for h in search.search("radio")]
    assert radio[:2] == ["Radiohead", "Radio Moscow"]  # both prefixes: preference decides
    assert [h.artist for h in search.search("head")][:2] == ["Radiohead", "Portishead"]


def test_exact_match_beats_a_more_preferred_prefix():
    s = ArtistSearch(["Radio", "Radiohead"], [0.1, 0.9])
    assert [h.artist for h in s.search("radio")] == ["Radio", "Radiohead"]


def test_positions_point_into_the_original_name(search):
    hit = _first(search, "sigur ros")
    assert "".join(hit.artist[i] for i in hit.positions) == "Sigur Rós"
    hit = _first(search, "ros")
    assert hit.artist == "Sigur Rós" and hit.positions == (6, 7, 8)
    hit = _first(search, "radiohed")
    assert "".join(hit.artist[i] for i in hit.positions) == "Radiohed"
    hit = _first(search, "beatles")
    assert hit.positions == tuple(range(4, 11))


def test_positions_survive_decomposed_accents():
    name = "Sigur Ro\u0301s"  # o + combining acute: one more character than the composed form
    hit = ArtistSearch([name]).search("ros")[0]
    assert hit.positions == (6, 7, 9)


def test_empty_query_lists_by_preference_and_limit_applies(search):
    hits = search.search("", limit=3)
    assert [h.artist for h in hits] == ["Radiohead", "Massive Attack", "The Beatles"]
    assert len(search.search("a", limit=4)) == 4


def test_a_slip_in_a_name_still_being_typed_finds_it():
    """A typo against the start of any word, before the name is complete."""
    s = ArtistSearch(["Taylor Swift", "The Beatles", "Massive Attack", "Tyler, the Creator"],
                     [0.9, 0.7, 0.6, 0.5])
    assert _first(s, "taylr").artist == "Taylor Swift"
    assert _first(s, "beatls").artist == "The Beatles"  # the second word
    assert _first(s, "atack").artist == "Massive Attack"
    hit = _first(s, "taylr")
    assert "".join(hit.artist[i] for i in hit.positions) == "Taylr"
    assert hit.score < _first(s, "tayl").score  # below every exact tier
    assert [h.artist for h in s.search("tay")] == ["Taylor Swift"]  # 3 letters: no typo tier


def test_no_match_and_short_queries_do_not_fuzz(search):
    assert search.search("zzzzqqq") == []
    assert all("x" in fold(h.artist) for h in search.search("x"))


def test_preference_as_mapping_and_empty_index():
    s = ArtistSearch(["A band", "B band"], {"B band": 2.0})
    assert [h.artist for h in s.search("band")] == ["B band", "A band"]
    assert ArtistSearch([]).search("anything") == []
    with pytest.raises(ValueError):
        ArtistSearch(["a"], [1.0, 2.0])


def test_demo_search_queries_find_the_planted_names(tmp_path):
    history, truth = demo_history(tmp_path)
    table = fit_ranking(history, load_settings()).table
    search = ArtistSearch(table.index, table["score"].to_numpy())
    for query, name in truth["search_queries"].items():
        assert search.search(query)[0].artist == name, query
