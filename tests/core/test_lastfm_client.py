"""Last.fm provider against a local fake server: shapes, failures, retries, backoff."""

from __future__ import annotations

import itertools
import random
import threading

import pytest

from musicrec_tui.core.similarity.service import USER_AGENT, RateLimiter, redact
from tests.fake_service import LoopTime, run_virtual, serving
from tests.lastfm_fake import (
    API_KEY,
    DROP,
    HANG,
    FakeLastfm,
    MaxRng,
    Reply,
    VirtualTime,
    error,
    expected_neighbours,
    make_provider,
    serve,
)


@pytest.fixture
async def fake_url(aiohttp_server):
    return await serve(aiohttp_server)


def no_key_leak(result) -> None:
    assert all(API_KEY not in m for m in result.messages)


async def test_normal_list_parsed_with_explicit_params(fake_url, tmp_path):
    fake, url = fake_url
    provider = make_provider(tmp_path, url, limit=10)
    result = await provider.fetch_similar(["Northbound Lights"], limit=5)

    assert result.provider == "lastfm"
    assert result.origin == {"Northbound Lights": "network"}
    got = result.neighbours["Northbound Lights"]
    assert got == expected_neighbours("Northbound Lights", 10)[:5]
    assert all(isinstance(n.score, float) and 0 <= n.score <= 1 for n in got)
    assert "Northbound Lights" not in [n.name for n in got]  # the query artist is filtered
    (params,) = fake.requests
    assert params == {"method": "artist.getsimilar", "artist": "Northbound Lights",
                      "autocorrect": "1", "limit": "10", "api_key": API_KEY, "format": "json"}
    assert fake.user_agents == {USER_AGENT} and "musicrec" in USER_AGENT


async def test_error_6_with_http_200_is_cached_empty_not_retried(fake_url, tmp_path):
    fake, url = fake_url
    fake.queue("Nobody", error(6))
    provider = make_provider(tmp_path, url)
    result = await provider.fetch_similar(["Nobody"], limit=5)
    assert result.origin == {"Nobody": "network"} and result.neighbours == {"Nobody": []}
    assert fake.count("Nobody") == 1
    again = await provider.fetch_similar(["nobody"], limit=5)  # normalised key hits the cache
    assert again.origin == {"nobody": "cache"} and fake.count("Nobody") == 1


async def test_429_retry_after_is_honoured(fake_url, tmp_path):
    fake, url = fake_url
    fake.queue("A", error(29, status=429, **{"Retry-After": "3"}))
    vt = VirtualTime()
    provider = make_provider(tmp_path, url, vt=vt, rng=MaxRng())
    result = await provider.fetch_similar(["A"], limit=5)
    assert result.origin == {"A": "network"} and fake.count("A") == 2
    assert 3.0 in vt.sleeps and max(vt.sleeps) == 3.0


async def test_error_29_with_http_200_backs_off_within_bounds(fake_url, tmp_path):
    fake, url = fake_url
    fake.queue("A", error(29), error(29))
    vt = VirtualTime()
    provider = make_provider(tmp_path, url, vt=vt, rng=MaxRng(), backoff_base_seconds=0.5)
    result = await provider.fetch_similar(["A"], limit=5)
    assert result.origin == {"A": "network"} and fake.count("A") == 3
    assert [s for s in vt.sleeps if s > 0.01] == [0.5, 1.0]  # base·2^0, base·2^1


async def test_http_500_then_success_with_jitter_inside_bounds(fake_url, tmp_path):
    fake, url = fake_url
    fake.queue("A", Reply(500, "oops"), Reply(502, {"no": "json shape"}), Reply(503, "x"))
    vt = VirtualTime()
    provider = make_provider(tmp_path, url, vt=vt, rng=random.Random(7),
                             backoff_base_seconds=0.5, backoff_max_seconds=1.5, max_retries=4)
    result = await provider.fetch_similar(["A"], limit=5)
    assert result.origin == {"A": "network"} and fake.count("A") == 4
    backoffs = [s for s in vt.sleeps if s > 0.01]
    assert len(backoffs) == 3
    for retry, delay in enumerate(backoffs):
        assert 0 <= delay <= min(1.5, 0.5 * 2**retry)


async def test_retries_bounded_by_count(fake_url, tmp_path):
    fake, url = fake_url
    fake.default = Reply(500, "down")
    provider = make_provider(tmp_path, url, max_retries=2)
    result = await provider.fetch_similar(["A"], limit=5)
    assert result.origin == {"A": "failed"} and fake.count("A") == 3
    assert any("HTTP 500" in m and "3 attempts" in m for m in result.messages)
    no_key_leak(result)


async def test_retries_bounded_by_time_budget(fake_url, tmp_path):
    fake, url = fake_url
    fake.default = Reply(503, "down")
    vt = VirtualTime()
    provider = make_provider(tmp_path, url, vt=vt, rng=MaxRng(), max_retries=10,
                             backoff_base_seconds=1.0, backoff_max_seconds=100.0,
                             retry_budget_seconds=5.0)
    result = await provider.fetch_similar(["A"], limit=5)
    # delays 1, 2 fit in 5 s; the next (4) would pass the budget: 3 attempts.
    assert result.origin == {"A": "failed"} and fake.count("A") == 3
    assert sum(s for s in vt.sleeps if s > 0.01) <= 5.0
    assert any("budget" in m for m in result.messages)


def test_hung_response_times_out_and_is_retried_in_virtual_time(tmp_path):
    """A server that accepts and never answers costs the read timeout per attempt, on a
    virtual clock (no real waiting), and the message says what happened."""

    async def scenario():
        fake = FakeLastfm()
        fake.queue("Slow", HANG, HANG)
        async with serving(fake.app()) as root:
            provider = make_provider(tmp_path, root + "2.0/", vt=LoopTime(), rng=MaxRng(),
                                     read_timeout_seconds=10.0, max_retries=1)
            return fake, await provider.fetch_similar(["Slow"], limit=5)

    (fake, result), virtual, _real = run_virtual(scenario)
    assert result.origin == {"Slow": "failed"} and fake.count("Slow") == 2
    assert any("no answer within 10 s (gave up after 2 attempts)" in m for m in result.messages)
    # two attempts of 10 s (aiohttp rounds a deadline up to the next second) + 0.5 s backoff
    assert 20.5 <= virtual <= 23.0


async def test_malformed_json_is_retried_like_a_server_error(fake_url, tmp_path):
    fake, url = fake_url
    fake.queue("A", Reply(200, '{"similarartists": [trunc'))
    provider = make_provider(tmp_path, url)
    result = await provider.fetch_similar(["A"], limit=5)
    assert result.origin == {"A": "network"} and fake.count("A") == 2
    assert result.neighbours["A"] == expected_neighbours("A", 50)[:5]


async def test_dropped_connection_is_retried(fake_url, tmp_path):
    fake, url = fake_url
    fake.queue("A", DROP)
    provider = make_provider(tmp_path, url)
    result = await provider.fetch_similar(["A"], limit=5)
    assert result.origin == {"A": "network"} and fake.count("A") == 2


async def test_error_10_stops_every_further_call(fake_url, tmp_path):
    fake, url = fake_url
    fake.default = error(10, status=403)
    artists = [f"Artist {i}" for i in range(6)]
    provider = make_provider(tmp_path, url, concurrency=1)
    provider.cache.put("artist 5", provider.request_limit(5), expected_neighbours("Artist 5", 5))
    result = await provider.fetch_similar(artists, limit=5)

    assert len(fake.requests) == 1  # nothing after the rejection
    assert result.origin["Artist 5"] == "cache"
    assert [result.origin[a] for a in artists[:5]] == ["failed"] * 5
    key_msgs = [m for m in result.messages if "API key" in m]
    assert key_msgs == ["Last.fm rejected the API key (error 10: Invalid API key) — set a valid"
                        " key with `musicrec config set-key`"]
    no_key_leak(result)


async def test_error_26_with_concurrency_stops_quickly(fake_url, tmp_path):
    fake, url = fake_url
    fake.default = error(26)
    provider = make_provider(tmp_path, url, concurrency=4)
    # with a cancel token (never set) the run also has its cancel watcher task
    result = await provider.fetch_similar([f"A{i}" for i in range(40)], limit=5,
                                          cancel=threading.Event())
    assert len(fake.requests) <= 4  # only calls already in flight when it arrived
    assert result.counts() == {"failed": 40}
    assert any("error 26: Suspended API key" in m for m in result.messages)


async def test_other_errors_fail_without_retry(fake_url, tmp_path):
    fake, url = fake_url
    fake.queue("A", error(3))
    provider = make_provider(tmp_path, url)
    result = await provider.fetch_similar(["A", "B"], limit=5)
    assert result.origin == {"A": "failed", "B": "network"} and fake.count("A") == 1


async def test_redact_strips_key_from_urls():
    text = f"GET http://127.0.0.1/2.0/?artist=x&api_key={API_KEY}&format=json failed"
    assert API_KEY not in redact(text, None) and API_KEY not in redact(f"key {API_KEY}", API_KEY)


async def test_rate_limiter_spaces_start_times():
    vt = VirtualTime()
    limiter = RateLimiter(5.0, clock=vt.clock, sleep=vt.sleep)
    starts = []
    for _ in range(11):
        await limiter.wait()
        starts.append(vt.now)
    assert starts[-1] - starts[0] == pytest.approx(2.0)  # 10 intervals of 0.2 s
    assert all(b - a >= 0.2 - 1e-9 for a, b in itertools.pairwise(starts))
    limiter.defer(3.0)
    before = vt.now
    await limiter.wait()
    assert vt.now - before == pytest.approx(3.0)
