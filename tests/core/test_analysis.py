"""The façade: cutting, per-engine notes, timings, reblend without refitting."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from musicrec_tui.core import analysis as analysis_mod
from musicrec_tui.core.analysis import analyse, reblend
from musicrec_tui.core.engines import temporal
from musicrec_tui.core.errors import Cancelled, MusicrecError, SettingsError
from musicrec_tui.core.settings import load_settings
from musicrec_tui.core.similarity.base import SimilarityResult
from musicrec_tui.core.similarity.lastfm_client import parse_similar
from tests.helpers_library import make_history, yearly_history
from tests.lastfm_fake import ring_payload


@pytest.fixture(scope="module")
def history():
    return yearly_history(days=200)


@pytest.fixture(scope="module")
def analysis(history):
    return analyse(history, load_settings())


def test_analyse_runs_every_engine_and_builds_every_list(analysis, history):
    assert set(analysis.results) == {"ranking", "recency", "temporal", "context", "content"}
    assert list(analysis.lists) == ["mix", "play-next", "rediscover", "discover"]
    assert analysis.as_of == history.plays["ts"].iloc[-1]
    assert analysis.provider == "offline"
    assert analysis.similarity is not None and analysis.similarity.provider == "offline"
    assert set(analysis.timings) >= {"ranking", "recency", "temporal", "context", "content",
                                     "lists"}
    for name, found in analysis.lists.items():
        for rec in found.items:
            assert rec.list == name or (name == "mix" and rec.list != "mix")
            assert 0 < rec.score <= 1 and rec.why
            assert sum(rec.engines.values()) == pytest.approx(rec.score)
    # Offline: no new artists, and the list says how to get some.
    assert analysis.lists["discover"].items == []
    assert "need a similarity provider" in analysis.lists["discover"].notes[0]
    assert analysis.mix == analysis.lists["mix"].items
    dormant = analysis.lists["rediscover"]
    assert {r.list for r in analysis.mix} == {"play-next"} | ({"rediscover"} if dormant.items
                                                             else set())
    assert dormant.items or "no dormant favourites" in dormant.notes[0]
    assert analysis.shares == dict(load_settings().ensemble.shares)


def test_as_of_cuts_the_history(history):
    cutoff = pd.Timestamp("2023-03-01", tz="UTC")
    early = analyse(history, load_settings(), as_of=cutoff, engines=["ranking", "recency"])
    assert early.history.plays["ts"].max() <= cutoff
    assert early.as_of == cutoff
    assert early.at == cutoff  # the context engine answers for the as-of instant by default
    assert "Rising Star" not in {r.artist for r in early.lists["play-next"].items[:3]}
    # A naive date is read in the history's zone.
    assert analyse(history, load_settings(), as_of="2023-03-01",
                   engines=["recency"]).as_of == cutoff


def test_empty_window_is_a_clear_message(history):
    with pytest.raises(MusicrecError,
                       match="no plays on or before 2019-01-01; the history starts 2023-01-01"):
        analyse(history, load_settings(), as_of="2019-01-01")


def test_engine_failure_becomes_a_note(history, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(temporal, "fit_trends", broken)
    result = analyse(history, load_settings(), engines=["recency", "temporal"])
    assert "temporal" not in result.results
    assert any("temporal failed: RuntimeError: boom" in n for n in result.notes)
    # Rediscover still runs, without the temporal engine's part.
    assert all(r.engines.get("temporal", 0) == 0 for r in result.lists["rediscover"].items)
    assert result.mix


def test_one_artist_history_has_no_nan():
    one = make_history([(f"2024-01-{d:02d}T10:00", "Solo") for d in range(1, 20)])
    result = analyse(one, load_settings())
    assert [r.artist for r in result.mix] == ["Solo"]
    assert all(r.score == r.score for r in result.mix)


def test_reblend_changes_shares_and_tier_without_refit(analysis):
    only_play = reblend(analysis, shares={"play_next": 1.0})
    assert {r.list for r in only_play.mix} == {"play-next"}
    assert only_play.trends is analysis.trends  # nothing refitted
    assert only_play.results["temporal"] is analysis.results["temporal"]
    assert only_play.lists["rediscover"] is analysis.lists["rediscover"]
    moved = reblend(analysis, tier="2-3")
    assert moved.tier == "2-3"
    assert moved.results["content"] is not analysis.results["content"]
    tier = set(analysis.ranking.table.index[1:3])
    assert tier <= set(moved.similarity.neighbours)
    assert moved.results["content"].meta["seeds"]["content"] == 2
    shorter = reblend(analysis, top=3)
    assert len(shorter.mix) == 3
    # Shares chosen before are kept when only the tier moves.
    assert reblend(only_play, tier="1-2").shares == {"play_next": 1.0}
    # The one weights rule: relative shares are rescaled, and the notes say so.
    doubled = reblend(analysis, shares={"play_next": 1, "rediscover": 1})
    assert "mix: ensemble.shares summed to 2; rescaled to sum to 1" in doubled.notes
    with pytest.raises(SettingsError, match="unknown name"):
        reblend(analysis, shares={"recency": 0.5})
    with pytest.raises(SettingsError):
        reblend(analysis, tier="9-1")


def test_bad_engine_and_cancel(history):
    with pytest.raises(MusicrecError, match="unknown engine"):
        analyse(history, load_settings(), engines=["vibes"])
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        analyse(history, load_settings(), cancel=stop)


def test_progress_reaches_total(history):
    calls = []
    analyse(history, load_settings(), engines=["ranking", "recency"],
            progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1][0] == calls[-1][1]


def test_diversity_groups_from_listening_times_and_neighbourhoods():
    from musicrec_tui.core.similarity.base import Neighbour, SimilarityResult

    # 2024-01-01 was a Monday: Jazz mostly on weekday mornings, Techno on Saturday nights.
    plays = [("2024-01-01T08:00", "Jazz"), ("2024-01-01T08:10", "Jazz"),
             ("2024-01-06T22:00", "Jazz"), ("2024-01-06T22:10", "Techno")]
    history = make_history(plays)
    sim = SimilarityResult("offline", {"Jazz": [Neighbour("Techno", 0.4), Neighbour("X", 0.9)],
                                       "Techno": [Neighbour("X", 0.5)]})
    groups = analysis_mod.diversity_groups(history, sim)
    assert groups["Jazz"] == {("when", 1), ("near", "Jazz")}  # weekday morning
    assert groups["Techno"] == {("when", 7), ("near", "Techno")}  # weekend evening
    assert groups["X"] == {("near", "Jazz")}


@pytest.mark.parametrize("plays", [
    # one month
    [(f"2024-05-{d:02d}T{h:02d}:00", a) for d in range(1, 29) for h, a in
     ((9, "Morning"), (21, "Night"), (22, "Night"))],
    # every play in the same hour of the day
    [(f"2024-0{m}-{d:02d}T20:{i * 4:02d}", a) for m in (3, 4, 5) for d in range(1, 28)
     for i, a in enumerate(("A", "B", "C"))],
])
def test_degenerate_histories_give_results_and_notes_not_crashes(plays):
    result = analyse(make_history(plays), load_settings())
    assert result.mix
    assert all(r.score == r.score and r.why for r in result.mix)
    failures = [n for n in result.notes if "failed" in n]
    assert not failures, failures


def test_progress_is_monotonic_across_engines(history):
    calls = []
    analyse(history, load_settings(), progress=lambda d, t: calls.append((d, t)))
    done = [d for d, _ in calls]
    assert done == sorted(done)
    assert len({t for _, t in calls}) == 1
    assert calls[-1][0] == calls[-1][1]


class RingProvider:
    """A network provider's stand-in: every artist's neighbours from the fake's ring."""

    name = "lastfm"

    def similar(self, artists, *, limit, progress=None, cancel=None) -> SimilarityResult:
        return SimilarityResult("lastfm", {a: parse_similar(ring_payload(a, limit), a)
                                           for a in artists}, {a: "network" for a in artists})


def test_combining_per_engine_runs_equals_one_run(history):
    """The TUI runs each engine in its own worker (content after temporal and context, with
    their fits); merging must give the same lists, Discover's three views included."""
    settings = load_settings()
    at = "2023-07-19 20:00"
    whole = analyse(history, settings, provider=RingProvider(), at=at)
    parts = {name: analyse(history, settings, engines=[name], at=at)
             for name in analysis_mod.ENGINES if name != "content"}
    parts["content"] = analyse(history, settings, engines=["content"], at=at,
                               provider=RingProvider(), trends=parts["temporal"].trends,
                               contexts=parts["context"].contexts)
    merged = analysis_mod.combine(list(parts.values()))
    assert whole.lists["discover"].items and merged.provider == "lastfm"
    assert "temporal" not in parts["content"].results  # used, not fitted again
    for name in whole.lists:
        assert [(r.artist, round(r.score, 9)) for r in merged.lists[name].items] == [
            (r.artist, round(r.score, 9)) for r in whole.lists[name].items], name
    assert [r.engines for r in merged.lists["discover"].items] == [
        r.engines for r in whole.lists["discover"].items]
    assert set(merged.results) == set(whole.results)
    with pytest.raises(MusicrecError, match="nothing to combine"):
        analysis_mod.combine([])
