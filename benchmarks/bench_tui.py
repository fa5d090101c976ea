"""TUI speed on the 1M-play demo history.

1. Launch to interactive from the import cache: a fresh process runs the app on the demo
   until the Artists table has rows (interpreter start, imports, cached import, ranking,
   search index, first paint). Target ≤ 1.5 s. Baseline (same run): the same launch with no
   history (Load screen ready). Median of ``--launches`` runs after one warm-up run that
   fills the import cache.
2. Keystroke to table updated during search: ``--keys`` keystrokes typed into the Artists
   search box (each one re-searches and redraws the table). Target ≤ 50 ms median.
   Baseline (same run): the same keystrokes into a box with no search behind it.

Peak RSS is reported for the launch processes (children) and for this process.

    nice python benchmarks/bench_tui.py [--streams 1000000] [--seed 7] [--launches 3] [--keys 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

SIZE = (120, 36)
# Typed one character at a time; each backspace is a keystroke too.
QUERIES = ("beyon", "radiohed", "the gl", "sig", "ko", "mar", "zz", "ell", "horizon", "ø")


async def _child_launch(paths: list[str], start: float) -> None:
    from musicrec_tui.tui.app import make_app
    from musicrec_tui.tui.screens.artists import ArtistsScreen
    from musicrec_tui.tui.screens.load import LoadScreen

    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        while True:
            screen = app.screen
            if paths and isinstance(screen, ArtistsScreen):
                tables = screen.query("#artists-table")
                if tables and tables.first().row_count:
                    break
            elif not paths and isinstance(screen, LoadScreen) and screen.is_mounted:
                break
            await pilot.pause(0.005)
        elapsed = time.time() - start
        cached = app.session.history.report.from_cache if app.session.history else None
    print(json.dumps({"seconds": elapsed, "from_cache": cached,
                      "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def launch(paths: list[str]) -> dict:
    """Run one app launch in a fresh interpreter; its clock starts before the fork."""
    start = time.time()
    out = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(paths), "--start", repr(start)],
        capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def keystroke_times(paths: list[str], keys: int) -> tuple[list[float], list[float], int]:
    """Per-keystroke latency into the Artists search and into a plain box (baseline)."""
    from textual.widgets import Input

    from musicrec_tui.tui.app import make_app
    from musicrec_tui.tui.testing import settle

    sequence: list[str] = []
    for query in QUERIES:
        sequence += list(query) + ["backspace"] * len(query)
    sequence = sequence[:keys]

    async def run() -> tuple[list[float], list[float], int]:
        app = make_app(paths)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            artists = len(app.session.ranking.table)
            table = screen.query_one("#artists-table")

            async def typed(box: Input, check) -> list[float]:
                box.focus()
                await pilot.pause()
                times = []
                for key in sequence:
                    before = time.perf_counter()
                    await pilot.press("space" if key == " " else key)
                    await pilot.pause()
                    check()
                    times.append(time.perf_counter() - before)
                return times

            search = screen.query_one("#artists-search", Input)

            def table_follows() -> None:
                # The table must already show the hits for what is in the box.
                value = search.value.strip()
                if value and table.row_count:
                    hit = app.session.search.search(value, limit=1)
                    assert not hit or str(table.coordinate_to_cell_key((0, 0)).row_key.value) \
                        == hit[0].artist

            searching = await typed(search, table_follows)
            # Baseline: the same keys into the Load screen's path box (no search behind it).
            table.focus()
            await pilot.press("1")
            await pilot.pause()
            plain = await typed(app.screen.query_one("#load-path", Input), lambda: None)
            return searching, plain, artists

    return asyncio.run(run())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--launches", type=int, default=3)
    parser.add_argument("--keys", type=int, default=50)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        asyncio.run(_child_launch(json.loads(args.child), args.start))
        return 0

    from musicrec_tui.core.history.demo import demo_paths

    t = time.perf_counter()
    root = str(demo_paths(args.streams, args.seed))
    print(f"demo: {root} ({time.perf_counter() - t:.1f} s to find or generate)")
    os.environ.setdefault("MUSICREC_CONFIG_DIR", str(Path(root).parent / "bench-config"))

    warm = launch([root])  # fills the import cache
    print(f"warm-up launch (cache from_cache={warm['from_cache']}): {warm['seconds']:.2f} s")
    runs = [launch([root]) for _ in range(args.launches)]
    bases = [launch([]) for _ in range(args.launches)]
    assert all(r["from_cache"] for r in runs), "the timed launches must come from the cache"
    cached = statistics.median(r["seconds"] for r in runs)
    base = statistics.median(r["seconds"] for r in bases)
    print(f"launch to interactive from cache: median {cached:.2f} s over {len(runs)} "
          f"(target ≤ 1.5 s); baseline empty launch {base:.2f} s; ratio {cached / base:.2f}×; "
          f"child peak RSS {max(r['rss_mib'] for r in runs):.0f} MiB")

    searching, plain, artists = keystroke_times([root], args.keys)
    med, p95 = statistics.median(searching), sorted(searching)[int(0.95 * len(searching)) - 1]
    med_base = statistics.median(plain)
    print(f"keystroke to table updated at {artists:,} artists: median {med * 1000:.1f} ms, "
          f"p95 {p95 * 1000:.1f} ms over {len(searching)} keys (target ≤ 50 ms); baseline "
          f"plain input {med_base * 1000:.1f} ms; ratio {med / med_base:.2f}×")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
