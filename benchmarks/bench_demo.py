"""Benchmark: generate the demo history (default 1M audio records) against a naive baseline.

The baseline is what one would write first: a Python loop that draws each record with
``random`` and dumps the files with ``json.dump(..., indent=4)``. It runs on a subset
(``--baseline``) and is extrapolated per record; the ratio compares seconds per record.
Each measurement runs in a fresh process so its peak RSS is its own.

    nice python benchmarks/bench_demo.py                 # 1M records (target < 30 s)
    python benchmarks/bench_demo.py --streams 100000     # quick look
"""

from __future__ import annotations

import argparse
import bisect
import json
import multiprocessing as mp
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from musicrec_tui.core.demo import HISTORY_DIRNAME, generate_demo
from musicrec_tui.core.demo.write import RECORDS_PER_FILE


def _peak_rss_mb() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def _ours(out: Path, streams: int, seed: int) -> dict:
    start = time.perf_counter()
    generate_demo(out, streams=streams, seed=seed)
    seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in (out / HISTORY_DIRNAME).iterdir())
    return {"seconds": seconds, "mb": size / 1e6, "rss_mb": _peak_rss_mb()}


def _naive(out: Path, streams: int, seed: int) -> dict:
    """Per-record Python: draw, build a dict, json.dump each file of 15k records."""
    rng = random.Random(seed)
    start = time.perf_counter()
    artists = [f"Artist {i}" for i in range(max(150, streams // 50))]
    cum, total = [], 0.0
    for rank in range(len(artists)):
        total += 1 / (rank + 3) ** 1.05
        cum.append(total)
    ts = 1_640_995_200
    out.mkdir(parents=True, exist_ok=True)
    batch: list[dict] = []
    for n in range(streams):
        artist = artists[bisect.bisect(cum, rng.random() * total)]
        ms = int(rng.lognormvariate(12.25, 0.3))
        ts += ms // 1000 + rng.randint(0, 3)
        batch.append({
            "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)), "platform": "android",
            "ms_played": ms, "conn_country": "DE", "ip_addr": None,
            "master_metadata_track_name": f"Track {rng.randint(0, 20)}",
            "master_metadata_album_artist_name": artist,
            "master_metadata_album_album_name": f"Album {rng.randint(0, 3)}",
            "spotify_track_uri": "spotify:track:" + "".join(
                rng.choices("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                            k=22)),
            "episode_name": None, "episode_show_name": None, "spotify_episode_uri": None,
            "audiobook_title": None, "audiobook_uri": None, "audiobook_chapter_uri": None,
            "audiobook_chapter_title": None, "reason_start": "trackdone",
            "reason_end": "trackdone", "shuffle": rng.random() < 0.5, "skipped": False,
            "offline": False, "offline_timestamp": ts - ms // 1000, "incognito_mode": False,
        })
        if len(batch) == RECORDS_PER_FILE or n == streams - 1:
            with open(out / f"part_{n}.json", "w", encoding="utf-8") as f:
                json.dump(batch, f, indent=4, ensure_ascii=False)
            batch = []
    return {"seconds": time.perf_counter() - start, "rss_mb": _peak_rss_mb()}


def _child(conn, func, out: str, streams: int, seed: int) -> None:
    conn.send(func(Path(out), streams, seed))


def _isolated(func, out: Path, streams: int, seed: int) -> dict:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_child, args=(child, func, str(out), streams, seed))
    proc.start()
    result = parent.recv()
    proc.join()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=50_000,
                        help="records the naive baseline writes (extrapolated per record)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-demo-"))
    try:
        ours = _isolated(_ours, work / "ours", args.streams, args.seed)
        naive = _isolated(_naive, work / "naive", args.baseline, args.seed)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ours_per = ours["seconds"] / args.streams
    naive_per = naive["seconds"] / args.baseline
    print(f"demo generator: {args.streams:,} records in {ours['seconds']:.2f} s "
          f"({args.streams / ours['seconds']:,.0f} records/s), {ours['mb']:,.0f} MB written, "
          f"peak RSS {ours['rss_mb']:,.0f} MB")
    print(f"naive baseline: {args.baseline:,} records in {naive['seconds']:.2f} s "
          f"({args.baseline / naive['seconds']:,.0f} records/s), peak RSS "
          f"{naive['rss_mb']:,.0f} MB; extrapolated to {args.streams:,}: "
          f"{naive_per * args.streams:.1f} s")
    print(f"ratio (naive / ours, seconds per record): {naive_per / ours_per:.1f}x")
    if args.streams == 1_000_000:
        print(f"target: 1M records in < 30 s -> {'OK' if ours['seconds'] < 30 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
