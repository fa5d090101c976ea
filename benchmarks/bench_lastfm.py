"""Last.fm provider throughput against the in-process fake server with injected latency.

    python benchmarks/bench_lastfm.py [--artists 500] [--latency 0.05]

Prints cold (network) requests/s with the configured cap, the same run with one request
in flight as a baseline ratio, and the warm-cache speedup, plus peak RSS. The client-side
rate limit (5/s by default, as Last.fm asks) is raised for the benchmark: with it on,
requests/s is capped at the limit by design and the benchmark would only measure that.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from lastfm_fake import FakeLastfm

from musicrec_tui.core.settings import load_settings
from musicrec_tui.core.similarity.cache import SimilarCache
from musicrec_tui.core.similarity.lastfm import LastfmProvider

BENCH_RATE = 10_000.0  # effectively off; see the module docstring


async def serve(fake: FakeLastfm) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/2.0/"


def provider(url: str, cache_path: Path, concurrency: int) -> LastfmProvider:
    settings = load_settings({"lastfm": {"base_url": url, "rate_per_second": BENCH_RATE},
                              "providers": {"concurrency": concurrency}})
    cache = SimilarCache(cache_path, ttl_hours=settings.cache.similar_ttl_hours,
                         busy_timeout_seconds=settings.cache.busy_timeout_seconds)
    return LastfmProvider(settings, "bench-key", cache)


async def timed(p: LastfmProvider, artists: list[str], expect: str) -> float:
    start = time.perf_counter()
    result = await p.fetch_similar(artists, limit=30)
    elapsed = time.perf_counter() - start
    assert result.counts() == {expect: len(artists)}, result.counts()
    return elapsed


async def main(n: int, latency: float, concurrency: int) -> None:
    fake = FakeLastfm(latency=latency)
    runner, url = await serve(fake)
    artists = [f"Bench Artist {i:04d}" for i in range(n)]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            capped = provider(url, Path(tmp) / "capped.sqlite3", concurrency)
            cold = await timed(capped, artists, "network")
            warm = await timed(capped, artists, "cache")
            in_flight = fake.max_in_flight
            serial = provider(url, Path(tmp) / "serial.sqlite3", 1)
            sequential = await timed(serial, artists, "network")
    finally:
        await runner.cleanup()

    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"fake Last.fm on 127.0.0.1, injected latency {latency * 1000:.0f} ms, {n} artists")
    print(f"client rate limit raised to {BENCH_RATE:.0f}/s for this benchmark"
          " (the default 5/s would cap requests/s by design)")
    print(f"cold  (network, {concurrency} in flight, max seen {in_flight}): {cold:7.2f} s"
          f"  {n / cold:7.1f} requests/s")
    print(f"sequential baseline (1 in flight):        {sequential:7.2f} s"
          f"  {n / sequential:7.1f} requests/s")
    print(f"speedup of {concurrency} in flight vs sequential: {sequential / cold:5.2f}x"
          f" (ideal {concurrency}x)")
    print(f"warm  (cache):                            {warm:7.3f} s"
          f"  {n / warm:7.0f} artists/s, speedup vs cold {cold / warm:6.0f}x")
    print(f"peak RSS: {rss_mib:.0f} MiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artists", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--concurrency", type=int,
                        default=load_settings().providers.concurrency)
    args = parser.parse_args()
    asyncio.run(main(args.artists, args.latency, args.concurrency))
