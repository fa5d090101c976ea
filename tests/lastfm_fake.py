"""A local imitation of Last.fm's ``artist.getSimilar`` for tests and the benchmark.

Replies are scripted per artist (consumed in order, then the normal list), with the shapes
and failures the real service shows: error bodies with HTTP 200, 429 + Retry-After, 5xx,
hung responses, malformed JSON and dropped connections. It also measures concurrency:
``max_in_flight`` and, with ``round_size``, the number of "rounds" (batches of requests
held until ``round_size`` are in flight together) — a time-free measure of parallelism.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from musicrec_tui.core.similarity.base import Neighbour
from musicrec_tui.core.similarity.lastfm_client import parse_similar

HANG = "hang"  # never answer (the client must time out)
DROP = "drop"  # close the connection without an answer
NORMAL = "normal"  # the normal similar list (to script it before other replies)


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict → JSON, str → raw text
    headers: dict[str, str] = field(default_factory=dict)


def error(code: int, status: int = 200, **headers: str) -> Reply:
    return Reply(status, {"error": code, "message": f"fake error {code}", "links": []}, headers)


def similar_payload(artist: str, limit: int) -> dict[str, Any]:
    """Deterministic neighbours; lists the artist itself first, as the real API may."""
    items: list[dict[str, Any]] = [{"name": artist, "match": "1", "mbid": ""}]
    for i in range(limit):
        item: dict[str, Any] = {"name": f"{artist} Friend {i}", "match": f"{1 - i / (limit + 1):.6f}",
                                "url": "", "image": [], "streamable": "0"}
        if i % 2:
            item["mbid"] = ""  # blank and missing MBIDs are both normal
        items.append(item)
    return {"similarartists": {"artist": items[:limit], "@attr": {"artist": artist}}}


def expected_neighbours(artist: str, limit: int) -> list[Neighbour]:
    return parse_similar(similar_payload(artist, limit), artist)


class FakeLastfm:
    def __init__(self, *, latency: float = 0.0, round_size: int = 0) -> None:
        self.script: dict[str, list[Reply | str]] = {}
        self.default: Reply | str | None = None  # None → the normal list
        self.latency = latency  # benchmark only: an injected service time
        self.round_size = round_size
        self.requests: list[dict[str, str]] = []
        self.user_agents: set[str] = set()
        self.in_flight = 0
        self.max_in_flight = 0
        self.rounds = 0
        self._waiting: list[asyncio.Future[None]] = []
        self._never = asyncio.Event()
        self.arrived = asyncio.Event()  # set by every request: lets tests wait without sleeping

    def queue(self, artist: str, *replies: Reply | str) -> None:
        self.script.setdefault(artist, []).extend(replies)

    def count(self, artist: str) -> int:
        return sum(1 for r in self.requests if r.get("artist") == artist)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/2.0/", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        params = dict(request.query)
        self.requests.append(params)
        self.user_agents.add(request.headers.get("User-Agent", ""))
        self.arrived.set()
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await self._hold_for_round()
            if self.latency:
                await asyncio.sleep(self.latency)
            artist = params.get("artist", "")
            script = self.script.get(artist)
            reply = script.pop(0) if script else self.default
            if reply == HANG:
                await self._never.wait()
            if reply == DROP:
                assert request.transport is not None
                request.transport.close()
                return web.Response()
            if reply is None or reply == NORMAL:
                reply = Reply(body=similar_payload(artist, int(params.get("limit", "30"))))
            assert isinstance(reply, Reply)
            text = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
            return web.Response(status=reply.status, text=text, headers=reply.headers,
                                content_type="application/json")
        finally:
            self.in_flight -= 1

    async def _hold_for_round(self) -> None:
        if self.round_size <= 0:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(fut)
        if len(self._waiting) >= self.round_size:
            self.rounds += 1
            for waiter in self._waiting:
                if not waiter.done():
                    waiter.set_result(None)
            self._waiting = []
        await fut


class VirtualTime:
    """Injected clock + sleep: sleeping advances the clock instantly and records the delay."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)  # still yield, like a real sleep


class WallClock:
    """Injected wall clock for cache TTLs and HTTP-date ``Retry-After`` values."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


API_KEY = "k3y-0123456789abcdef"  # fake; asserted never to leak into messages or the cache


def make_provider(tmp_path, base_url: str, *, vt: VirtualTime | None = None,
                  wall: WallClock | None = None, rng=None, ttl_hours: float = 24.0,
                  **lastfm: Any):
    """A LastfmProvider on the fake server, virtual time, and a cache under ``tmp_path``."""
    from musicrec_tui.core.settings import load_settings
    from musicrec_tui.core.similarity.cache import SimilarCache
    from musicrec_tui.core.similarity.lastfm import LastfmProvider

    vt = vt or VirtualTime()
    wall = wall or WallClock()
    section = {"base_url": base_url, "rate_per_second": 1000.0, "timeout_seconds": 5.0, **lastfm}
    settings = load_settings({"lastfm": section, "cache": {"similar_ttl_hours": ttl_hours}})
    cache = SimilarCache(tmp_path / "lastfm.sqlite3", ttl_hours=ttl_hours,
                         busy_timeout_seconds=0.2, now=wall)
    return LastfmProvider(settings, API_KEY, cache, clock=vt.clock, sleep=vt.sleep, rng=rng,
                          wall_clock=wall)


class MaxRng(random.Random):
    """Full jitter at its upper bound, so the backoff bounds themselves are asserted."""

    def uniform(self, a: float, b: float) -> float:
        return b


async def serve(aiohttp_server) -> tuple[FakeLastfm, str]:
    """A fresh fake on 127.0.0.1 and its API root URL (for a test module's fixture)."""
    fake = FakeLastfm()
    server = await aiohttp_server(fake.app(), host="127.0.0.1")
    return fake, str(server.make_url("/2.0/"))
