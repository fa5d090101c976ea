"""Offline co-listening similarity: planted groups, shrinkage, caps, progress, cancel."""

from __future__ import annotations

import threading

import pytest

from musicrec_tui.core.errors import Cancelled
from musicrec_tui.core.settings import load_settings
from musicrec_tui.core.similarity.colisten import CoListenProvider
from tests.helpers_library import make_history, sessions_history

GROUPS = [["Portishead", "Massive Attack", "Tricky"],
          ["Sigur Rós", "Múm", "Jónsi", "Amiina"],
          ["Burial", "Four Tet", "Jamie xx"]]


def test_planted_groups_are_each_others_nearest_neighbours():
    history = sessions_history(GROUPS, noise=["Noise A", "Noise B"], sessions_per_group=15)
    provider = CoListenProvider(history, load_settings())
    everyone = [a for g in GROUPS for a in g]
    result = provider.similar(everyone, limit=10)
    assert result.provider == "offline"
    assert set(result.origin.values()) == {"offline"}
    for group in GROUPS:
        for artist in group:
            nearest = [n.name for n in result.neighbours[artist][: len(group) - 1]]
            assert set(nearest) == set(group) - {artist}, (artist, nearest)
            assert artist not in [n.name for n in result.neighbours[artist]]
            assert all(0 < n.score <= 1 for n in result.neighbours[artist])


def test_shrinkage_keeps_one_shared_session_below_one():
    history = make_history([("2024-01-01T10:00", "A"), ("2024-01-01T10:04", "B")])
    sim = CoListenProvider(history, load_settings()).similar(["A"], limit=5)
    (nb,) = sim.neighbours["A"]
    assert nb.name == "B"
    assert nb.score == pytest.approx(1 / 3)  # cosine 1 × 1/(1 + shrinkage 2)


def test_unknown_artist_and_limit_and_order():
    history = sessions_history(GROUPS, sessions_per_group=10)
    result = CoListenProvider(history, load_settings()).similar(
        ["Nobody", "Portishead", "Portishead"], limit=1)
    assert list(result.neighbours) == ["Nobody", "Portishead"]
    assert result.neighbours["Nobody"] == []
    assert len(result.neighbours["Portishead"]) == 1
    assert result.counts() == {"offline": 2}
    assert any("not in the history" in m for m in result.messages)


def test_candidate_cap_limits_neighbours_to_most_played():
    plays = [(f"2024-01-0{d}T10:0{i}", a) for d in range(1, 6)
             for i, a in enumerate(["Big", "Mid"])]
    plays.append(("2024-01-01T10:05", "Rare"))
    history = make_history(plays)
    settings = load_settings({"content": {"colisten_max_artists": 2}})
    result = CoListenProvider(history, settings).similar(["Big", "Rare"], limit=5)
    assert [n.name for n in result.neighbours["Big"]] == ["Mid"]
    # A queried artist outside the cap still gets neighbours among the capped candidates.
    assert {n.name for n in result.neighbours["Rare"]} == {"Big", "Mid"}


def test_progress_and_cancel():
    history = sessions_history(GROUPS, sessions_per_group=5)
    provider = CoListenProvider(history, load_settings())
    calls = []
    provider.similar(["Burial", "Múm"], limit=3, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (2, 2)
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        provider.similar(["Burial"], limit=3, cancel=stop)


def test_empty_history_gives_no_neighbours():
    history = make_history([("2024-01-01T10:00", "Solo")])
    result = CoListenProvider(history, load_settings()).similar(["Solo"], limit=5)
    assert result.neighbours == {"Solo": []}


def test_demo_planted_groups_are_nearest_neighbours(tmp_path):
    import json

    from musicrec_tui.core.demo import HISTORY_DIRNAME, generate_demo
    from musicrec_tui.core.history.importer import load_history

    generate_demo(tmp_path, streams=20_000, seed=7)
    truth = json.loads((tmp_path / "ground_truth.json").read_text(encoding="utf-8"))
    settings = load_settings()
    history = load_history([tmp_path / HISTORY_DIRNAME], settings=settings, tz="UTC",
                           use_cache=False)
    provider = CoListenProvider(history, settings)
    assert truth["colisten_groups"]
    for group in truth["colisten_groups"]:
        result = provider.similar(group, limit=len(group))
        for artist in group:
            nearest = {n.name for n in result.neighbours[artist][: len(group) - 1]}
            assert nearest == set(group) - {artist}, (artist, nearest)
