"""ListenBrainz provider against local MusicBrainz and Labs fakes: the mapping, the lists,
etiquette (≤ 1 MusicBrainz request a second, ≤ 4 in flight), caching and failure modes."""

from __future__ import annotations

import asyncio
import itertools
import threading

import pytest

from musicrec_tui.core.errors import Cancelled
from musicrec_tui.core.similarity.base import Neighbour, SimilarityResult
from musicrec_tui.core.similarity.listenbrainz_client import parse_similar
from musicrec_tui.core.similarity.musicbrainz import best_match, phrase
from musicrec_tui.core.similarity.names import normalise_name
from musicrec_tui.core.similarity.select import WithFallback
from musicrec_tui.core.similarity.service import USER_AGENT
from tests.fake_service import (
    HANG,
    NORMAL,
    LoopTime,
    MaxRng,
    Reply,
    VirtualTime,
    run_virtual,
    serving,
)
from tests.listenbrainz_fake import ListenBrainzWorld, labs_items, make_lb_provider, mbid_of

ARTISTS = [f"Band {i:02d}" for i in range(20)]


@pytest.fixture
async def world(aiohttp_server):
    vt = VirtualTime()
    world = ListenBrainzWorld(ARTISTS, clock=vt.clock)
    server = await aiohttp_server(world.app(), host="127.0.0.1")
    return world, str(server.make_url("/")), vt


class Offline:
    name = "offline"

    def similar(self, artists, *, limit, progress=None, cancel=None):
        return SimilarityResult("offline", {a: [Neighbour(f"{a} pal", 0.5)] for a in artists},
                                dict.fromkeys(artists, "offline"))


def test_labs_lists_are_sorted_normalised_and_cleaned():
    seed = mbid_of("Seed")
    got = parse_similar(labs_items("Seed", seed, n=4), seed)
    assert [n.name for n in got] == ["Seed LB 3", "Seed LB 2", "Seed LB 1", "Seed LB 0"]
    assert [n.score for n in got] == [1.0, 0.75, 0.5, 0.25]  # score / the seed's best
    assert all(n.mbid == mbid_of(n.name) for n in got)  # seed itself and null names dropped
    assert parse_similar([], seed) == []
    other = [{"artist_mbid": mbid_of("X"), "name": "X", "score": 9, "reference_mbid": "other"}]
    assert parse_similar(other, seed) == []  # listed for another seed
    with pytest.raises(ValueError):
        parse_similar({}, seed)  # Labs' internal error body


def test_only_a_confident_search_hit_is_a_match():
    hit = {"id": mbid_of("Sigur Rós"), "score": 100, "name": "Sigur Rós",
           "aliases": [{"name": "Sigur Ros"}]}
    weak = {**hit, "score": 80}
    assert best_match({"artists": [hit]}, "sigur  rós", 90) == [
        Neighbour("Sigur Rós", 1.0, mbid_of("Sigur Rós"))]
    assert best_match({"artists": [hit]}, "Sigur Ros", 90)[0].mbid == mbid_of("Sigur Rós")
    assert best_match({"artists": [weak]}, "Sigur Rós", 90) == []  # score too low
    assert best_match({"artists": [hit]}, "Sigur", 90) == []  # another name
    assert best_match({"artists": [{**hit, "id": "not-a-uuid"}]}, "Sigur Rós", 90) == []
    assert phrase('AC/DC "live" \\o/') == '"AC/DC \\"live\\" \\\\o/"'


async def test_names_to_mbids_to_similar_artists(world, tmp_path):
    world, root, vt = world
    provider = make_lb_provider(tmp_path, root, vt=vt)
    seen: list[tuple[int, int]] = []
    result = await provider.fetch_similar(ARTISTS[:3], limit=5,
                                          progress=lambda d, t: seen.append((d, t)))
    assert result.provider == "listenbrainz" and result.counts() == {"network": 3}
    assert result.neighbours["Band 01"] == [
        Neighbour(f"Band 01 LB {i}", (i + 1) / 12, mbid_of(f"Band 01 LB {i}"))
        for i in range(11, 6, -1)]
    searched = [world.mb.query(r) for r in world.mb.requests]
    assert searched == ARTISTS[:3]
    assert {r["artist_mbids"] for r in world.labs.requests} == {mbid_of(a) for a in ARTISTS[:3]}
    assert {r["algorithm"] for r in world.labs.requests} == {
        provider.settings.listenbrainz.algorithm}
    assert world.mb.user_agents == world.labs.user_agents == {USER_AGENT}
    assert USER_AGENT.startswith("musicrec_tui/") and "( http" in USER_AGENT
    assert seen[0] == (0, 6) and seen[-1] == (6, 6)


async def test_musicbrainz_sees_at_most_one_request_a_second_and_4_in_flight(world, tmp_path):
    world, root, vt = world
    world.labs.round_size = 4  # Labs answers only when 4 requests wait together
    provider = make_lb_provider(tmp_path, root, vt=vt)
    result = await provider.fetch_similar(ARTISTS, limit=5)
    assert result.counts() == {"network": 20}
    times = world.mb.times  # arrival times on the virtual clock the client paces itself by
    assert len(times) == 20
    assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(times))
    assert world.mb.max_in_flight == 1
    assert world.labs.max_in_flight == 4 and world.labs.rounds == 5
    assert world.gauge.peak <= 4


async def test_a_second_run_makes_no_request(world, tmp_path):
    world, root, vt = world
    provider = make_lb_provider(tmp_path, root, vt=vt)
    first = await provider.fetch_similar([*ARTISTS[:5], "Nobody Knows"], limit=5)
    assert first.origin["Nobody Knows"] == "network" and first.neighbours["Nobody Knows"] == []
    assert any("1 artist without a confident MusicBrainz match" in m
               for m in first.messages)
    sent = len(world.mb.requests) + len(world.labs.requests)
    again = make_lb_provider(tmp_path, root, vt=vt)  # a new run, same cache files
    second = await again.fetch_similar([*ARTISTS[:5], "Nobody Knows"], limit=5)
    assert len(world.mb.requests) + len(world.labs.requests) == sent
    assert second.counts() == {"cache": 6}
    assert second.neighbours == first.neighbours


async def test_mbids_from_the_export_skip_musicbrainz(world, tmp_path):
    world, root, vt = world
    provider = make_lb_provider(tmp_path, root, vt=vt,
                                mbids={normalise_name("Band 00"): mbid_of("Band 00")})
    result = await provider.fetch_similar(["Band 00", "Band 01"], limit=5)
    assert result.counts() == {"network": 2}
    assert [world.mb.query(r) for r in world.mb.requests] == ["Band 01"]


async def test_rate_limit_headers_are_honoured(world, tmp_path):
    world, root, vt = world
    world.mb.queue('Band 00', Reply(503, "slow down", {"Retry-After": "2"}))
    world.labs.queue(mbid_of("Band 00"), Reply(429, "{}", {"X-RateLimit-Reset-In": "7"}))
    provider = make_lb_provider(tmp_path, root, vt=vt, rng=MaxRng())
    result = await provider.fetch_similar(["Band 00"], limit=5)
    assert result.counts() == {"network": 1}
    assert world.mb.count("Band 00") == 2 and world.labs.count(mbid_of("Band 00")) == 2
    assert 2.0 in vt.sleeps and 7.0 in vt.sleeps


async def test_unknown_mbids_and_empty_lists_are_answers(world, tmp_path):
    world, root, vt = world
    seed = mbid_of("Band 00")
    nulls = [{"artist_mbid": mbid_of(f"gone {i}"), "name": None, "type": None, "score": 9,
              "reference_mbid": seed} for i in range(3)]
    world.labs.queue(seed, Reply(body=nulls))
    world.labs.queue(mbid_of("Band 01"), Reply(body=[]))
    provider = make_lb_provider(tmp_path, root, vt=vt)
    result = await provider.fetch_similar(["Band 00", "Band 01"], limit=5)
    assert result.origin == {"Band 00": "network", "Band 01": "network"}
    assert result.neighbours == {"Band 00": [], "Band 01": []}
    assert result.fallback_reason == ""


async def test_a_failing_labs_host_is_left_and_the_run_falls_back(world, tmp_path):
    world, root, vt = world
    world.labs.default = Reply(503, "<html>Service Unavailable</html>")
    provider = make_lb_provider(tmp_path, root, vt=vt, rng=MaxRng())
    result = await WithFallback(provider, Offline).fetch_similar(ARTISTS, limit=5)
    assert len(world.labs.requests) <= 7
    assert result.provider == "offline" and result.requested == "listenbrainz"
    assert result.fallback_reason.startswith(
        "ListenBrainz kept failing (HTTP 503; 4 failures in a row): stopped asking")
    assert result.neighbours["Band 03"] == [Neighbour("Band 03 pal", 0.5)]
    # the names found on MusicBrainz stay cached for the next run
    assert provider.names_cache.count() == 20


async def test_an_algorithm_the_host_does_not_serve_stops_the_run(world, tmp_path):
    world, root, vt = world
    provider = make_lb_provider(tmp_path, root, vt=vt, concurrency=1)
    provider.settings = provider.settings.replace(
        listenbrainz=provider.settings.listenbrainz.__class__(
            labs_url=root, algorithm="no_such_dataset", rate_per_second=1000.0))
    result = await provider.fetch_similar(ARTISTS[:6], limit=5)
    assert len(world.labs.requests) == 1
    assert result.counts() == {"failed": 6}
    assert "listenbrainz.algorithm = 'no_such_dataset'" in result.fallback_reason


def test_a_hung_labs_host_costs_seconds_not_minutes(tmp_path):
    async def scenario():
        world = ListenBrainzWorld(ARTISTS)
        world.labs.default = HANG
        async with serving(world.app()) as root:
            provider = make_lb_provider(tmp_path, root, vt=LoopTime(), rng=MaxRng())
            result = await WithFallback(provider, Offline).fetch_similar(ARTISTS, limit=5)
            return world, result

    (world, result), virtual, _real = run_virtual(scenario)
    # 20 MusicBrainz lookups at 1/s (19 s), then one read timeout (10 s) for Labs
    assert 29.0 <= virtual <= 32.0
    assert 4 <= len(world.labs.requests) <= 7
    assert result.provider == "offline"
    assert "ListenBrainz kept failing (no answer within 10 s; 4 failures in a row)" in (
        result.fallback_reason)


async def test_cancel_stops_a_run_waiting_on_musicbrainz(world, tmp_path):
    world, root, vt = world
    world.mb.default = HANG
    world.mb.queue("Band 00", NORMAL)
    provider = make_lb_provider(tmp_path, root, vt=vt)
    cancel = threading.Event()
    call = asyncio.create_task(asyncio.to_thread(provider.similar, ARTISTS[:3], limit=5,
                                                 cancel=cancel))
    while len(world.mb.requests) < 2:  # "Band 00" answered, "Band 01" hangs
        world.mb.arrived.clear()
        await asyncio.wait_for(world.mb.arrived.wait(), 10)  # a bound, not a timing assumption
    cancel.set()
    with pytest.raises(Cancelled):
        await call
    assert world.labs.requests == []
    assert provider.names_cache.count() == 1  # the answer it had is kept, whole
