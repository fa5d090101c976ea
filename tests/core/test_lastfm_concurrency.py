"""Concurrency cap, parallel speed-up in server "rounds", progress and clean cancellation."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading

import pytest

from musicrec_tui.core.errors import Cancelled
from tests.lastfm_fake import HANG, NORMAL, FakeLastfm, make_provider


async def start(aiohttp_server, fake: FakeLastfm) -> str:
    server = await aiohttp_server(fake.app(), host="127.0.0.1")
    return str(server.make_url("/2.0/"))


def rows(path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return conn.execute("SELECT artist, neighbours FROM similar").fetchall()


async def test_cap_of_four_takes_a_quarter_of_the_sequential_rounds(aiohttp_server, tmp_path):
    artists = [f"Band {i:03d}" for i in range(200)]

    parallel = FakeLastfm(round_size=4)  # releases requests only in batches of 4
    provider = make_provider(tmp_path / "p", await start(aiohttp_server, parallel), concurrency=4)
    seen: list[tuple[int, int]] = []
    result = await provider.fetch_similar(artists, limit=5, progress=lambda d, t: seen.append((d, t)))
    assert result.counts() == {"network": 200}
    assert parallel.max_in_flight == 4
    assert seen[0] == (0, 200) and seen[-1] == (200, 200)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)

    sequential = FakeLastfm(round_size=1)
    provider = make_provider(tmp_path / "s", await start(aiohttp_server, sequential), concurrency=1)
    result = await provider.fetch_similar(artists, limit=5)
    assert result.counts() == {"network": 200}
    assert sequential.max_in_flight == 1

    assert (parallel.rounds, sequential.rounds) == (50, 200)
    assert parallel.rounds / sequential.rounds == pytest.approx(0.25)


async def test_cap_holds_with_a_larger_setting(aiohttp_server, tmp_path):
    fake = FakeLastfm(round_size=3)
    provider = make_provider(tmp_path, await start(aiohttp_server, fake), concurrency=3)
    await provider.fetch_similar([f"X{i}" for i in range(30)], limit=5)
    assert fake.max_in_flight == 3 and fake.rounds == 10


async def test_cancel_token_stops_and_leaves_whole_rows(aiohttp_server, tmp_path):
    fake = FakeLastfm()
    provider = make_provider(tmp_path, await start(aiohttp_server, fake), concurrency=4)
    cancel = threading.Event()
    done_seen: list[int] = []

    def progress(done: int, total: int) -> None:
        done_seen.append(done)
        if done >= 5:
            cancel.set()

    with pytest.raises(Cancelled):
        await provider.fetch_similar([f"C{i}" for i in range(40)], limit=5,
                                     progress=progress, cancel=cancel)
    assert len(fake.requests) < 40
    stored = rows(tmp_path / "lastfm.sqlite3")
    assert len(stored) == done_seen[-1] >= 5  # a row for every artist reported, no more
    for _artist, payload in stored:
        # whole lists: the configured limit (50) minus the query artist the fake lists first
        assert len(json.loads(payload)) == 49


async def test_asyncio_cancel_stops_hung_requests_promptly(aiohttp_server, tmp_path):
    fake = FakeLastfm()
    fake.default = HANG
    fake.queue("First", NORMAL)
    provider = make_provider(tmp_path, await start(aiohttp_server, fake), concurrency=2)
    task = asyncio.create_task(provider.fetch_similar(["First", "B", "C", "D"], limit=5))
    while fake.in_flight < 2 or provider.cache.count() < 1:
        fake.arrived.clear()
        await asyncio.wait_for(fake.arrived.wait(), 10)  # a bound, not a timing assumption
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [a for a, _ in rows(tmp_path / "lastfm.sqlite3")] == ["first"]


async def test_sync_similar_cancelled_from_another_thread(aiohttp_server, tmp_path):
    fake = FakeLastfm()
    fake.default = HANG
    provider = make_provider(tmp_path, await start(aiohttp_server, fake))
    cancel = threading.Event()
    call = asyncio.create_task(asyncio.to_thread(provider.similar, ["A", "B"], limit=5,
                                                 cancel=cancel))
    await asyncio.wait_for(fake.arrived.wait(), 10)
    cancel.set()
    with pytest.raises(Cancelled):
        await call
    assert rows(tmp_path / "lastfm.sqlite3") == []
