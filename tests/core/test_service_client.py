"""The client discipline every provider shares, shown on the Last.fm fake: the circuit
breaker, a hung server, redirects, the concurrency cap across retries, wait headers."""

from __future__ import annotations

import re

import pytest

from musicrec_tui.core.similarity.base import Neighbour, SimilarityResult
from musicrec_tui.core.similarity.select import WithFallback
from musicrec_tui.core.similarity.service import MAX_BODY, header_wait
from tests.fake_service import LoopTime, run_virtual, serving
from tests.lastfm_fake import (
    API_KEY,
    HANG,
    FakeLastfm,
    MaxRng,
    Reply,
    VirtualTime,
    error,
    make_provider,
    serve,
)

ARTISTS = [f"Artist {i:02d}" for i in range(50)]


class Offline:
    name = "offline"

    def similar(self, artists, *, limit, progress=None, cancel=None):
        return SimilarityResult("offline", {a: [Neighbour(f"{a} pal", 0.5)] for a in artists},
                                dict.fromkeys(artists, "offline"))


@pytest.fixture
async def fake_url(aiohttp_server):
    return await serve(aiohttp_server)


PERSISTENT = {  # reply → what the note calls it
    "http-500": (Reply(500, "down"), "HTTP 500"),
    "http-429": (error(29, status=429, **{"Retry-After": "1"}),
                 "Last.fm error 29 (rate limit exceeded)"),
    "error-29": (error(29), "Last.fm error 29 (rate limit exceeded)"),
    "bad-json": (Reply(200, '{"similarartists": [trunc'), "malformed JSON in the reply"),
    "html": (Reply(200, "<html><body><h1>Maintenance</h1></body></html>"),
             "an HTML page instead of JSON"),
}


@pytest.mark.parametrize(("reply", "reason"), PERSISTENT.values(), ids=list(PERSISTENT))
async def test_a_failing_service_is_left_after_a_few_failures_in_a_row(fake_url, tmp_path,
                                                                        reply, reason):
    fake, url = fake_url
    fake.default = reply
    vt = VirtualTime()
    lastfm = make_provider(tmp_path, url, vt=vt, rng=MaxRng())  # 4 in flight, breaker at 4
    result = await WithFallback(lastfm, Offline).fetch_similar(ARTISTS, limit=5)

    # The breaker opens at the 4th failure; at most the 3 others in flight still land.
    assert 4 <= len(fake.requests) <= 7
    assert vt.now - 1000.0 < 5.0  # seconds of backoff, not minutes
    stopped = [m for m in result.messages if "kept failing" in m]
    assert len(stopped) == 1
    assert stopped[0].startswith(f"Last.fm kept failing ({reason}; 4 failures in a row)")
    assert result.counts() == {"failed": 50}
    assert result.provider == "offline" and result.requested == "lastfm"
    assert result.fallback_reason == stopped[0]
    assert result.neighbours["Artist 07"] == [Neighbour("Artist 07 pal", 0.5)]
    assert all(API_KEY not in m for m in result.messages)


def test_a_hung_service_costs_one_read_timeout_and_says_so(tmp_path):
    """A server that accepts and never answers: the 4 requests in flight time out together
    (10 s, virtual), the breaker opens, the other 46 artists are never asked."""

    async def scenario():
        fake = FakeLastfm()
        fake.default = HANG
        async with serving(fake.app()) as root:
            lastfm = make_provider(tmp_path, root + "2.0/", vt=LoopTime(), rng=MaxRng(),
                                   read_timeout_seconds=10.0)
            result = await WithFallback(lastfm, Offline).fetch_similar(ARTISTS, limit=5)
            return fake, result

    (fake, result), virtual, _real = run_virtual(scenario)
    # Deadlines are rounded up to whole seconds, so one of the 4 may time out a second
    # before the others and retry once in between.
    assert 4 <= len(fake.requests) <= 7
    assert 10.0 <= virtual <= 12.5
    assert result.provider == "offline" and result.counts() == {"failed": 50}
    assert re.fullmatch(
        r"Last\.fm kept failing \(no answer within 10 s; 4 failures in a row\): stopped"
        r" asking after [4-7] requests in 1[0-2]\.\d s", result.fallback_reason)


async def test_a_success_between_failures_keeps_the_breaker_closed(fake_url, tmp_path):
    fake, url = fake_url
    for i in range(0, 12, 2):  # every other artist fails once, then answers
        fake.queue(f"B{i}", Reply(500, "x"))
    provider = make_provider(tmp_path, url, concurrency=1, breaker_failures=2)
    result = await provider.fetch_similar([f"B{i}" for i in range(12)], limit=5)
    assert result.counts() == {"network": 12} and result.fallback_reason == ""


async def test_no_redirect_off_the_configured_origin(aiohttp_server, fake_url, tmp_path):
    fake, url = fake_url
    elsewhere = FakeLastfm()
    other = await aiohttp_server(elsewhere.app(), host="127.0.0.1")
    stolen = f"{other.make_url('/2.0/')}?method=artist.getsimilar&artist=A&api_key={API_KEY}"
    fake.queue("A", Reply(302, "", {"Location": stolen}))
    provider = make_provider(tmp_path, url)
    result = await provider.fetch_similar(["A", "B"], limit=5)

    assert elsewhere.requests == []  # the key never reached the other origin
    assert result.origin == {"A": "failed", "B": "network"}
    origin = str(other.make_url("/").origin())
    assert any(f"redirected to another origin ({origin}); not followed" in m
               for m in result.messages)
    assert all(API_KEY not in m for m in result.messages)


async def test_a_redirect_within_the_origin_is_followed(fake_url, tmp_path):
    fake, url = fake_url
    moved = f"/2.0/?method=artist.getsimilar&artist=A&limit=50&api_key={API_KEY}&format=json"
    fake.queue("A", Reply(301, "", {"Location": moved}))
    provider = make_provider(tmp_path, url)
    result = await provider.fetch_similar(["A"], limit=5)
    assert result.origin == {"A": "network"} and fake.count("A") == 2


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_huge_reply_is_not_read(fake_url, tmp_path, chunked):
    fake, url = fake_url
    body = '{"similarartists": {"artist": [' + " " * MAX_BODY + "]}}"
    fake.queue("A", Reply(200, body, {"Transfer-Encoding": "chunked"} if chunked else {}))
    provider = make_provider(tmp_path, url)
    result = await provider.fetch_similar(["A", "B"], limit=5)
    assert result.origin == {"A": "failed", "B": "network"} and fake.count("A") == 1
    assert any("a reply larger than 4 MiB; not read" in m for m in result.messages)


async def test_the_cap_holds_while_queries_back_off(fake_url, tmp_path):
    """The semaphore, not the connection pool, bounds the queries in progress: a query
    keeps its slot while it backs off, so a struggling server sees at most `concurrency`
    artists at once (a doubled cap lets others in while the first ones wait)."""
    fake, url = fake_url
    artists = [f"C{i}" for i in range(12)]
    for artist in artists:
        fake.queue(artist, Reply(503, "busy"), Reply(503, "busy"))
    provider = make_provider(tmp_path, url, concurrency=2, breaker_failures=50)
    result = await provider.fetch_similar(artists, limit=5)
    assert result.counts() == {"network": 12}
    order = [r["artist"] for r in fake.requests]
    spans = [(order.index(a), len(order) - 1 - order[::-1].index(a)) for a in artists]
    in_progress = max(sum(first <= i <= last for first, last in spans)
                      for i in range(len(order)))
    assert in_progress == 2


@pytest.mark.parametrize(("headers", "wait"), [
    ({"Retry-After": "3", "X-RateLimit-Reset-In": "9"}, 3.0),  # Retry-After first
    ({"X-RateLimit-Reset-In": "7"}, 7.0),
    ({"X-RateLimit-Reset-In": "7.5"}, 7.5),
    ({"X-RateLimit-Reset-In": "900"}, 60.0),  # clamped
    ({"X-RateLimit-Reset-In": "-1"}, None),
    ({"X-RateLimit-Reset-In": "soon"}, None),
    ({}, None),
])
def test_header_wait(headers, wait):
    assert header_wait(headers, now=0.0, max_seconds=60.0) == wait
