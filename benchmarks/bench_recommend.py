"""`musicrec recommend` for every list on the 1M-play demo, as a user runs it: whole
processes, offline, with a warm import cache.

    nice python benchmarks/bench_recommend.py [--streams 1000000] [--seed 7] [--runs 3]

The demo is generated once into ``benchmarks/_data`` (gitignored); a first ``musicrec
import`` warms the import cache (in a folder of its own). Then each of ``--list mix``,
``play-next``, ``rediscover`` and ``discover`` runs ``--runs`` times as ``musicrec
recommend DEMO --list L --offline --json``. The same-run baseline is a process that reads the
same warm cache and prints the 30-day decayed-count top 20, the plain list every
recommender must beat. Printed per list: median wall seconds, the ratio to the baseline's,
the process's peak RSS. Target: every list ≤ 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from musicrec_tui.core.demo import HISTORY_DIRNAME, generate_demo

DATA = Path(__file__).resolve().parent / "_data"
MUSICREC = str(Path(sys.executable).with_name("musicrec"))  # the console script, as installed
LISTS = ("mix", "play-next", "rediscover", "discover")
TARGET_SECONDS = 10.0
BASELINE = """
import sys
from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.metrics import decayed_counts, ordered
from musicrec_tui.core.settings import load_settings
settings = load_settings()
history = load_history([sys.argv[1]], settings=settings)
counted = history.counted_plays
print(ordered(decayed_counts(counted, counted["ts"].iloc[-1],
                             settings.evaluate.baseline_half_life_days))[:20])
"""


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process; its output is not shown."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if status != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {err.strip()}")
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return wall, usage.ru_maxrss * scale / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    folder = DATA / f"demo_{args.streams}_{args.seed}"
    if not (folder / "ground_truth.json").exists():
        generate_demo(folder, streams=args.streams, seed=args.seed)
    history = str(folder / HISTORY_DIRNAME)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MUSICREC_CACHE_DIR": str(Path(tmp) / "cache"),
               "MUSICREC_CONFIG_DIR": str(Path(tmp) / "config"), "MUSICREC_IMPORT_TIMEZONE": "UTC"}
        env.pop("LASTFM_API_KEY", None)
        cold, _ = run([MUSICREC, "import", history, "--json"], env)
        print(f"{args.streams:,}-stream demo; cold import (warms the cache) {cold:.1f} s; "
              f"{args.runs} runs each, median")
        measured: dict[str, list[tuple[float, float]]] = {"baseline": []}
        for _ in range(args.runs):  # interleaved, so machine load hits every list alike
            measured["baseline"].append(run([sys.executable, "-c", BASELINE, history], env))
            for name in LISTS:
                measured.setdefault(name, []).append(run(
                    [MUSICREC, "recommend", history, "--list", name, "--offline", "--json"], env))
    base = statistics.median(w for w, _ in measured["baseline"])
    print(f"\n{'process':<28}{'seconds':>9}{'× baseline':>12}{'peak RSS':>11}")
    ok = True
    for name, runs in measured.items():
        wall = statistics.median(w for w, _ in runs)
        rss = max(r for _, r in runs)
        label = "decayed counts only" if name == "baseline" else f"recommend --list {name}"
        mark = "" if name == "baseline" else ("  ok" if wall <= TARGET_SECONDS else "  MISSED")
        ok &= name == "baseline" or wall <= TARGET_SECONDS
        print(f"{label:<28}{wall:>9.2f}{wall / base:>11.1f}×{rss:>8.0f} MiB{mark}")
    print(f"target: every list ≤ {TARGET_SECONDS:g} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
