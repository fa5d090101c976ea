"""The similar-artist cache's size cap: oldest-written rows go first, the newest stay."""

from __future__ import annotations

import json

from musicrec_tui.core.settings import load_settings
from musicrec_tui.core.similarity import cache as cache_mod
from musicrec_tui.core.similarity.base import Neighbour
from musicrec_tui.core.similarity.cache import FILENAME, SimilarCache
from tests.lastfm_fake import WallClock

MIB = 1024 * 1024
CAP_MIB = 0.25


def neighbours(i: int) -> list[Neighbour]:
    """About 2.5 KB of JSON, like a real 50-artist list."""
    return [Neighbour(f"Artist {i} neighbour number {j}", 1 - j / 60) for j in range(50)]


ROW_BYTES = len(json.dumps([[n.name, n.score] for n in neighbours(0)]))


def open_cache(tmp_path, max_mib: float) -> SimilarCache:
    return SimilarCache(tmp_path / FILENAME, ttl_hours=24, busy_timeout_seconds=1,
                        max_mib=max_mib, now=WallClock())


def kept(cache: SimilarCache, n: int) -> list[int]:
    found = cache.get_many([f"k{i}" for i in range(n)], 50)
    return sorted(int(k[1:]) for k in found)


def page_size(cache: SimilarCache) -> int:
    return cache._connect().execute("PRAGMA page_size").fetchone()[0]


def test_filling_past_a_tiny_cap_keeps_the_newest_entries(tmp_path):
    cache = open_cache(tmp_path, CAP_MIB)
    cap = CAP_MIB * MIB
    peak = 0
    for i in range(400):  # ~1 MB of rows into a 0.25 MiB cap
        cache.put(f"k{i}", 50, neighbours(i))
        peak = max(peak, cache.data_bytes())
    # A ~2.5 KB row fills one 4 KB page on its own, so the footprint is a page a row.
    footprint = max(ROW_BYTES, page_size(cache))
    # Checked every _CHECK_EVERY writes: it never runs far past the cap.
    assert peak <= cap + (cache_mod._CHECK_EVERY + 2) * footprint

    cache.trim()
    assert cache.data_bytes() <= cap
    ids = kept(cache, 400)
    assert ids == list(range(ids[0], 400))  # a contiguous run ending at the newest
    assert ids[0] > 0 and 399 in ids
    # Trimmed to ~90 % of the cap, not emptied: most of what fits is still there.
    assert len(ids) * footprint >= 0.75 * cap
    assert cache.get("k399", 50).neighbours == neighbours(399)
    cache.close()


def test_a_refetched_entry_counts_as_new(tmp_path):
    cache = open_cache(tmp_path, CAP_MIB)
    for i in range(100):
        cache.put(f"k{i}", 50, neighbours(i))
    cache.put("k0", 50, neighbours(0))  # re-fetched after its TTL: written again
    for i in range(100, 110):
        cache.put(f"k{i}", 50, neighbours(i))
    cache.trim()
    ids = kept(cache, 110)
    assert 0 in ids and 1 not in ids and 99 in ids and 109 in ids
    cache.close()


def test_lowering_the_cap_trims_at_open_and_shrinks_the_file(tmp_path):
    big = open_cache(tmp_path, 0)  # 0: no cap
    for i in range(400):
        big.put(f"k{i}", 50, neighbours(i))
    assert big.count() == 400  # nothing evicted without a cap
    big.close()
    path = tmp_path / FILENAME
    assert path.stat().st_size > 4 * CAP_MIB * MIB

    small = open_cache(tmp_path, CAP_MIB)
    ids = kept(small, 400)  # the first use opens the file, which trims it
    assert ids == list(range(ids[0], 400)) and ids[0] > 0
    # Most of the file was free pages, so it was vacuumed and the WAL truncated.
    wal = path.with_name(path.name + "-wal")
    on_disk = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    assert on_disk <= CAP_MIB * MIB
    small.close()


def test_a_trim_at_the_cap_does_not_vacuum(tmp_path):
    statements: list[str] = []
    cache = open_cache(tmp_path, CAP_MIB)
    for i in range(200):
        cache.put(f"k{i}", 50, neighbours(i))
    cache._connect().set_trace_callback(statements.append)
    for i in range(200, 260):
        cache.put(f"k{i}", 50, neighbours(i))
    assert any(s.startswith("DELETE FROM similar") for s in statements)
    assert not any("VACUUM" in s for s in statements)  # the freed pages are simply reused
    cache.close()


def test_cap_comes_from_the_settings():
    assert SimilarCache.from_settings(load_settings()).max_bytes == 100 * MIB
    custom = load_settings({"cache": {"similar_max_mib": 0.5}})
    assert SimilarCache.from_settings(custom).max_bytes == MIB // 2
