"""`musicrec recommend` against the local fake Last.fm: Discover brings new artists into the
default Mix, never the library's own, and the tier picks the seeds."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from musicrec_tui.cli import main
from tests.fake_service import serving_in_thread
from tests.helpers_library import write_extended_export, yearly_plays
from tests.lastfm_fake import API_KEY, FakeLastfm, Reply, similar_payload

LIBRARY = {"Portishead", "Massive Attack", "Tricky", "Björk", "Radiohead", "Rising Star",
           "Old Flame", "Morning Jazz"}


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return str(write_extended_export(tmp_path_factory.mktemp("export"), yearly_plays(days=300)))


@pytest.fixture
def lastfm(monkeypatch) -> Iterator[FakeLastfm]:
    """The fake on 127.0.0.1, served from its own thread (the CLI runs its own loop)."""
    fake = FakeLastfm()
    with serving_in_thread(fake.app()) as root:
        monkeypatch.setenv("MUSICREC_LASTFM_BASE_URL", root + "2.0/")
        monkeypatch.setenv("LASTFM_API_KEY", API_KEY)
        yield fake


def recommend(capsys, export: str, *args: str) -> dict:
    code = main(["recommend", export, "--json", "--provider", "lastfm", *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_the_default_mix_carries_new_artists(capsys, export, lastfm):
    data = recommend(capsys, export)
    assert data["list"] == "mix" and data["provider"] == "lastfm"
    lists = [r["list"] for r in data["recommendations"]]
    assert "discover" in lists and "play-next" in lists
    assert data["shares"]["discover"] > 0
    new = [r for r in data["recommendations"] if r["list"] == "discover"]
    assert all(not r["in_library"] and r["artist"] not in LIBRARY for r in new)
    assert all(r["why"].startswith("similar to ")
               and set(r["engines"]) == {"content", "temporal", "context"} for r in new)


def test_discover_returns_only_artists_outside_the_library(capsys, export, lastfm):
    # Last.fm spells a library artist its own way: still the library's (normalised names).
    payload = similar_payload("Portishead", 30)
    payload["similarartists"]["artist"][1]["name"] = "MASSIVE ATTACK"
    lastfm.queue("Portishead", Reply(body=payload))
    data = recommend(capsys, export, "--list", "discover", "--top", "50")
    names = [r["artist"] for r in data["recommendations"]]
    assert names and all(r["list"] == "discover" and not r["in_library"]
                         for r in data["recommendations"])
    assert not {n.casefold() for n in names} & {a.casefold() for a in LIBRARY}


def test_the_tier_changes_the_seeds_and_the_list(capsys, export, lastfm, monkeypatch):
    # The content view alone: its seeds are the tier's, and only they are asked.
    monkeypatch.setenv("MUSICREC_DISCOVER_WEIGHTS", "content=1")
    favourites = recommend(capsys, export, "--list", "discover", "--tier", "1-2")
    asked_first = {r["artist"] for r in lastfm.requests}
    deep = recommend(capsys, export, "--list", "discover", "--tier", "6-8")
    asked_then = {r["artist"] for r in lastfm.requests} - asked_first
    assert len(asked_first) == 2 and len(asked_then) == 3
    seeds = lambda data: {r["why"].removeprefix("similar to ").split(" (")[0]  # noqa: E731
                          for r in data["recommendations"]}
    assert seeds(favourites) <= asked_first and seeds(deep) <= asked_then
    assert not ({r["artist"] for r in favourites["recommendations"]}
                & {r["artist"] for r in deep["recommendations"]})
    assert favourites["tier"] == "1-2" and deep["tier"] == "6-8"
    assert favourites["seeds"] == {"content": 2, "temporal": 0, "context": 0, "asked": 2}
