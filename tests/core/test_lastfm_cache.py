"""The SQLite similar-artist cache: TTL, stale-on-error, corrupt/locked files, no secrets."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from musicrec_tui.core.similarity.base import Neighbour
from musicrec_tui.core.similarity.cache import FILENAME, SimilarCache
from musicrec_tui.core.similarity.names import normalise_name
from tests.lastfm_fake import (
    API_KEY,
    Reply,
    WallClock,
    error,
    expected_neighbours,
    make_provider,
    serve,
)

HOUR = 3600.0


@pytest.fixture
async def fake_url(aiohttp_server):
    return await serve(aiohttp_server)


async def test_fresh_hit_makes_no_request_and_expiry_makes_exactly_one(fake_url, tmp_path):
    fake, url = fake_url
    wall = WallClock()
    provider = make_provider(tmp_path, url, wall=wall, ttl_hours=24)
    first = await provider.fetch_similar(["Harbour Static"], limit=5)
    assert first.origin == {"Harbour Static": "network"} and len(fake.requests) == 1

    wall.now += 23 * HOUR
    hit = await provider.fetch_similar(["harbour  static"], limit=5)  # same normalised key
    assert hit.origin == {"harbour  static": "cache"} and len(fake.requests) == 1
    assert hit.neighbours["harbour  static"] == first.neighbours["Harbour Static"]

    wall.now += 2 * HOUR  # now 25 h old
    refreshed = await provider.fetch_similar(["Harbour Static"], limit=5)
    assert refreshed.origin == {"Harbour Static": "network"} and len(fake.requests) == 2
    again = await provider.fetch_similar(["Harbour Static"], limit=5)
    assert again.origin == {"Harbour Static": "cache"} and len(fake.requests) == 2


async def test_stale_entry_served_when_the_network_fails(fake_url, tmp_path):
    fake, url = fake_url
    wall = WallClock()
    provider = make_provider(tmp_path, url, wall=wall, max_retries=1)
    await provider.fetch_similar(["A", "B"], limit=5)
    wall.now += 48 * HOUR
    fake.default = Reply(500, "down")
    result = await provider.fetch_similar(["A", "B", "C"], limit=5)
    assert result.origin == {"A": "stale", "B": "stale", "C": "failed"}
    assert result.neighbours["A"] == expected_neighbours("A", 50)[:5]
    assert any("stale" in m for m in result.messages)
    assert len(fake.requests) == 2 + 3 * 2  # first run, then 3 artists × (1 + 1 retry)


async def test_stale_entry_served_after_key_rejection(fake_url, tmp_path):
    fake, url = fake_url
    wall = WallClock()
    provider = make_provider(tmp_path, url, wall=wall, concurrency=1)
    await provider.fetch_similar(["A"], limit=5)
    wall.now += 48 * HOUR
    fake.default = error(10)
    result = await provider.fetch_similar(["A", "B"], limit=5)
    assert result.origin == {"A": "stale", "B": "failed"}
    assert len(fake.requests) == 2


async def test_corrupt_file_is_set_aside_and_rebuilt(fake_url, tmp_path):
    _fake, url = fake_url
    db = tmp_path / "lastfm.sqlite3"
    db.write_bytes(b"this is not a database \x00\xff" * 200)
    provider = make_provider(tmp_path, url)
    result = await provider.fetch_similar(["A"], limit=5)

    assert result.origin == {"A": "network"}
    warnings = [m for m in result.messages if "unreadable" in m]
    assert len(warnings) == 1 and ".corrupt-" in warnings[0]
    (aside,) = tmp_path.glob("lastfm.sqlite3.corrupt-*")
    assert aside.read_bytes().startswith(b"this is not a database")
    assert provider.cache.count() == 1
    again = await provider.fetch_similar(["A"], limit=5)
    assert again.origin == {"A": "cache"} and again.messages == []


def test_a_file_held_past_the_busy_timeout_is_left_alone_and_the_write_skipped(tmp_path):
    """Another run's lock is not damage: its file stays where it is, whole."""
    db = tmp_path / FILENAME
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")  # rollback-journal mode, so a lock blocks readers
    holder.execute("INSERT INTO t VALUES (1)")
    holder.execute("BEGIN EXCLUSIVE")
    cache = SimilarCache(db, ttl_hours=24, busy_timeout_seconds=0.05, now=WallClock())
    try:
        cache.put("a", 50, [Neighbour("B", 0.5)])
        assert cache.get("a", 50) is None
        assert cache.drain_messages() == [
            "similar-artist cache busy (another musicrec run holds it): some lists were not"
            " cached this run"]
        assert cache.skipped == 2
        assert not list(tmp_path.glob(f"{FILENAME}.corrupt-*"))
    finally:
        holder.execute("COMMIT")
        holder.close()
    cache.put("a", 50, [Neighbour("B", 0.5)])  # the holder is gone: writes land again
    assert cache.get("a", 50).neighbours == [Neighbour("B", 0.5)]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]
    cache.close()


def test_wal_mode_and_no_secret_on_disk(tmp_path):
    cache = SimilarCache(tmp_path / FILENAME, ttl_hours=24, busy_timeout_seconds=1,
                         now=WallClock())
    cache.put(normalise_name("Some Artist"), 50, [Neighbour("Other", 0.25)])
    mode = cache._run(lambda c: c.execute("PRAGMA journal_mode").fetchone()[0])
    assert mode == "wal"
    blob = b"".join(p.read_bytes() for p in tmp_path.glob(f"{FILENAME}*"))
    assert API_KEY.encode() not in blob and b"api_key" not in blob
    cache.close()


async def test_no_secret_in_the_cache_after_a_real_fetch(fake_url, tmp_path):
    _fake, url = fake_url
    provider = make_provider(tmp_path, url)
    await provider.fetch_similar(["A", "B"], limit=5)
    provider.cache.close()
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("lastfm.sqlite3*"))
    assert b"A Friend 0" in blob and API_KEY.encode() not in blob


def test_rows_are_keyed_by_artist_and_limit_and_shared_between_runs(tmp_path):
    wall = WallClock()
    one = SimilarCache(tmp_path / FILENAME, ttl_hours=1, busy_timeout_seconds=1, now=wall)
    two = SimilarCache(tmp_path / FILENAME, ttl_hours=1, busy_timeout_seconds=1, now=wall)
    one.put("a", 50, [Neighbour("X", 1.0)])
    two.put("a", 100, [Neighbour("Y", 0.5)])
    one.put("b", 50, [])
    assert two.get("a", 50).neighbours == [Neighbour("X", 1.0)]
    assert one.get("a", 100).neighbours == [Neighbour("Y", 0.5)]
    assert one.get("b", 50).neighbours == [] and one.get("c", 50) is None
    wall.now += 2 * HOUR
    assert one.get("a", 50).fresh is False
    assert one.count() == two.count() == 3
    one.close()
    two.close()


def test_get_many_spans_query_chunks(tmp_path):
    cache = SimilarCache(tmp_path / FILENAME, ttl_hours=1, busy_timeout_seconds=1,
                         now=WallClock())
    for i in range(1203):
        cache.put(f"k{i}", 50, [Neighbour(f"n{i}", 0.5)])
    found = cache.get_many([f"k{i}" for i in range(1210)], 50)
    assert len(found) == 1203 and found["k1202"].neighbours == [Neighbour("n1202", 0.5)]
    assert cache.get_many(["k1"], 30) == {}
    cache.close()


def test_writers_at_once_keep_every_write(tmp_path):
    """Runs that open and write the same file at once: no write lost, nothing set aside.

    Opening switches the file to WAL, which SQLite refuses at once (no busy wait) while
    another connection holds it; the old cache took that for damage and moved the other
    run's file aside. Several rounds of fresh files make that opening race likely.
    """
    import threading

    notes: list[str] = []
    for round_ in range(30):
        folder = tmp_path / str(round_)
        start = threading.Barrier(4)

        def writer(tag: str, folder=folder, start=start) -> None:
            cache = SimilarCache(folder / FILENAME, ttl_hours=1, busy_timeout_seconds=30,
                                 now=WallClock())
            start.wait()
            for i in range(40):
                cache.put(f"{tag}{i}", 50, [Neighbour(f"{tag} n{i}", 0.5)] * 5)
            notes.extend(cache.drain_messages())
            cache.close()

        threads = [threading.Thread(target=writer, args=(tag,)) for tag in "abcd"]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with sqlite3.connect(folder / FILENAME) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("SELECT COUNT(*) FROM similar").fetchone() == (160,)
        assert not list(folder.glob("*.corrupt-*"))
        assert notes == []


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
async def test_cache_files_are_0600_in_a_0700_folder(fake_url, tmp_path):
    """The cache holds the user's top artists: private, whatever the umask."""
    _fake, url = fake_url
    folder = tmp_path / "fresh" / "cache"  # created by the cache itself
    old = os.umask(0o022)
    try:
        provider = make_provider(folder, url)
        await provider.fetch_similar(["A"], limit=5)
    finally:
        os.umask(old)
    files = list(folder.glob("lastfm.sqlite3*"))
    assert {f.name for f in files} >= {"lastfm.sqlite3", "lastfm.sqlite3-wal"}
    assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    assert _mode(folder) == 0o700
    provider.cache.close()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_file_and_folder_left_open_by_an_older_version_are_narrowed(tmp_path):
    folder = tmp_path / "old-cache"
    folder.mkdir()
    folder.chmod(0o755)
    db = folder / FILENAME
    sqlite3.connect(db).close()
    db.chmod(0o644)
    cache = SimilarCache(db, ttl_hours=1, busy_timeout_seconds=1, now=WallClock())
    cache.put("a", 50, [Neighbour("B", 0.5)])
    cache.close()
    assert (_mode(folder), _mode(db)) == (0o700, 0o600)


def test_only_the_newest_corrupt_copy_is_kept(tmp_path):
    db = tmp_path / FILENAME
    wall = WallClock()
    for _ in range(3):
        db.write_bytes(b"this is not a database \x00\xff" * 200)
        cache = SimilarCache(db, ttl_hours=1, busy_timeout_seconds=1, now=wall)
        cache.put("a", 50, [Neighbour("B", 0.5)])
        assert any(".corrupt-" in m for m in cache.drain_messages())
        cache.close()
        wall.now += 60
    asides = sorted(p.name for p in tmp_path.glob(f"{FILENAME}.corrupt-*"))
    assert asides == [f"{FILENAME}.corrupt-{int(wall.now - 60)}"]
