"""Fit and recommend with every engine on a large demo history (default 1M plays).

Generates the demo once into ``benchmarks/_data`` (gitignored), imports it (not timed as
part of the engines), then runs ``analysis.analyse`` (ranking, recency, temporal NMF,
context K-Means, offline co-listening content, the lists) and prints the time per step, the
total, the ratio against a plain decayed-count baseline measured in the same run, and the
peak RSS. Targets on 2 cores: ≤ 10 s total, ≤ 1.5 GB peak RSS.

    nice python benchmarks/bench_engines.py [--streams 1000000] [--seed 7]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

from musicrec_tui.core.analysis import analyse
from musicrec_tui.core.demo import HISTORY_DIRNAME, generate_demo
from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.metrics import decayed_counts, ordered
from musicrec_tui.core.settings import load_settings

DATA = Path(__file__).resolve().parent / "_data"
TARGET_SECONDS = 10.0
TARGET_RSS_MB = 1536


def peak_rss_mb() -> float:
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def main() -> int:
    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    folder = DATA / f"demo_{args.streams}_{args.seed}"
    if not (folder / "ground_truth.json").exists():
        start = time.perf_counter()
        generate_demo(folder, streams=args.streams, seed=args.seed)
        print(f"generated demo ({args.streams:,} streams) in {time.perf_counter() - start:.1f} s")
    settings = load_settings()
    start = time.perf_counter()
    history = load_history([folder / HISTORY_DIRNAME], settings=settings, tz="UTC")
    plays = history.plays
    print(f"imported {len(plays):,} plays, {plays['artist'].nunique():,} artists in "
          f"{time.perf_counter() - start:.1f} s (not counted below)")

    start = time.perf_counter()
    counted = history.counted_plays
    baseline = ordered(decayed_counts(counted, counted["ts"].iloc[-1],
                                      settings.evaluate.baseline_half_life_days))[:20]
    baseline_s = time.perf_counter() - start

    start = time.perf_counter()
    analysis = analyse(history, settings, provider=None)
    total = time.perf_counter() - start

    print(f"\n{'step':<12}{'seconds':>9}")
    for name, seconds in analysis.timings.items():
        print(f"{name:<12}{seconds:>9.3f}")
    other = total - sum(analysis.timings.values())
    print(f"{'(other)':<12}{other:>9.3f}")
    print(f"{'total':<12}{total:>9.3f}   target ≤ {TARGET_SECONDS:g} s: "
          f"{'ok' if total <= TARGET_SECONDS else 'MISSED'}")
    print(f"{'baseline':<12}{baseline_s:>9.3f}   plain decayed counts (top {len(baseline)})")
    print(f"ratio total / baseline: {total / max(baseline_s, 1e-9):.1f}×")
    rss = peak_rss_mb()
    print(f"peak RSS: {rss:.0f} MB   target ≤ {TARGET_RSS_MB} MB: "
          f"{'ok' if rss <= TARGET_RSS_MB else 'MISSED'}")
    print(f"mix top 5: {[(r.artist, r.list) for r in analysis.mix[:5]]}")
    for note in analysis.notes:
        print(f"note: {note}")
    print(f"as of {pd.Timestamp(analysis.as_of):%Y-%m-%d}")
    return 0 if total <= TARGET_SECONDS and rss <= TARGET_RSS_MB else 1


if __name__ == "__main__":
    sys.exit(main())
