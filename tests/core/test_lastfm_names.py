"""The shared artist-name normal form used for cache keys (and by search)."""

from __future__ import annotations

import pytest

from musicrec_tui.core.similarity.lastfm_client import parse_similar
from musicrec_tui.core.similarity.names import normalise_name


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("  The  Beatles ", "the beatles"),
        ("Guns N\u2019 Roses", "guns n' roses"),
        ("Guns N\u00b4 Roses", "guns n' roses"),
        ("Jay\u2010Z", "jay-z"),
        ("Jay\u2013Z", "jay-z"),
        ("\uff21\uff22\uff22\uff21", "abba"),  # full-width letters (NFKC)
        ("Stra\u00dfe\tBand", "strasse band"),  # casefold, tab collapsed
        ("Sigur R\u00f3s", "sigur r\u00f3s"),  # accents kept: distinct artists may differ by one
    ],
)
def test_normalise_name(raw, key):
    assert normalise_name(raw) == key


def test_parse_similar_handles_real_shapes():
    payload = {"similarartists": {
        "artist": [
            {"name": "Query Band", "match": "1"},
            {"name": "Other", "match": "0.437112", "mbid": ""},
            {"name": "other", "match": "0.2"},  # duplicate spelling: first kept
            {"name": "", "match": "0.3"},
            {"name": "No Score"},
            {"name": "Autocorrected", "match": "0.9"},
            {"name": "Too High", "match": "1.5"},
        ],
        "@attr": {"artist": "Autocorrected"},
    }}
    got = parse_similar(payload, "query  band")
    assert [(n.name, n.score) for n in got] == [("Other", 0.437112), ("Too High", 1.0)]
    one = {"similarartists": {"artist": {"name": "Solo", "match": "0.5"}}}
    assert [n.name for n in parse_similar(one, "x")] == ["Solo"]
    assert parse_similar({"similarartists": {"artist": []}}, "x") == []
    with pytest.raises(ValueError):
        parse_similar({"unexpected": 1}, "x")
