"""Discover through ListenBrainz, as a user runs it: cold and warm, whole processes, against
local MusicBrainz + ListenBrainz Labs fakes with realistic latency.

    nice python benchmarks/bench_discover.py [--seeds 50] [--labs-ms 250] [--mb-ms 200]
                                             [--lookups 0] [--rate R]

Each run is ``musicrec recommend HISTORY --engine content --provider listenbrainz --tier 1-N
--json`` in its own process, with the service URLs pointed at the fakes this script serves
on 127.0.0.1. The history is a generated Last.fm CSV whose artists carry MBIDs, except the
top ``--lookups`` seeds, which MusicBrainz has to find by name (at most 1 request a second,
so each adds about a second to a cold run). The same-run baseline is the cold run with the
sequential client (``providers.concurrency = 1``). An offline run of the same command gives
the process floor (start-up, the import cache, the ranking). Printed per run: wall time,
the network phase as the fakes saw it (first request in to last answer out), requests,
peak RSS of the process; then cold vs sequential and warm vs cold. ``--failures`` adds cold
runs against a Labs host that hangs and one that answers 500 (each falls back offline).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fake_service import HANG, Reply, serving_in_thread
from tests.listenbrainz_fake import ListenBrainzWorld, mbid_of

MUSICREC = str(Path(sys.executable).with_name("musicrec"))  # the console script, as installed
LIBRARY = 200  # artists in the generated history; the seeds are the top of them
HEADER = "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"


def write_history(folder: Path, lookups: int) -> tuple[Path, list[str]]:
    """A Last.fm CSV where artist i has LIBRARY + 20 - i plays (so ranks follow i)."""
    artists = [f"Bench Artist {i:03d}" for i in range(LIBRARY)]
    lines, uts = [], 1_704_067_200  # 2024-01-01
    for i, artist in enumerate(artists):
        mbid = "" if i < lookups else mbid_of(artist)
        for k in range(LIBRARY + 20 - i):
            uts += 600 + (k * 37) % 300
            lines.append(f'"{uts}","x","{artist}","{mbid}","Album","","Track {k % 7}",""')
    path = folder / "scrobbles.csv"
    path.write_text(HEADER + "\n".join(reversed(lines)) + "\n", encoding="utf-8")
    return path, artists


def run(history: Path, seeds: int, env: dict[str, str], provider: str) -> dict[str, float]:
    """One ``musicrec recommend`` process: wall seconds and its own peak RSS (MiB)."""
    argv = [MUSICREC, "recommend", str(history), "--engine",
            "content", "--provider", provider, "--tier", f"1-{seeds}", "--json"]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{provider} run failed ({proc.returncode}): {err}")
    return {"wall": wall, "rss": usage.ru_maxrss / 1024}


def network(world: ListenBrainzWorld, before: tuple[int, int]) -> tuple[int, float]:
    """Requests since ``before`` and the span from the first in to the last answer out (a
    hung request never answers: then to the last request in)."""
    mb, labs = world.mb, world.labs
    starts = mb.times[before[0]:] + labs.times[before[1]:]
    ends = mb.finished[before[0]:] + labs.finished[before[1]:]
    return len(starts), (max([*ends, *starts]) - min(starts)) if starts else 0.0


def main(seeds: int, labs_ms: float, mb_ms: float, lookups: int, rate: float | None,
         failures: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        history, artists = write_history(root, lookups)
        world = ListenBrainzWorld(artists)
        world.mb.latency, world.labs.latency = mb_ms / 1000, labs_ms / 1000
        cache = root / "cache"
        with serving_in_thread(world.app()) as url:
            env = {**os.environ, "MUSICREC_CACHE_DIR": str(cache),
                   "MUSICREC_CONFIG_DIR": str(root / "config"),
                   "MUSICREC_CONFIG_FILE": str(root / "config" / "config.toml"),
                   "MUSICREC_LISTENBRAINZ_LABS_URL": url,
                   "MUSICREC_MUSICBRAINZ_BASE_URL": url + "ws/2/"}
            if rate is not None:
                env["MUSICREC_LISTENBRAINZ_RATE_PER_SECOND"] = str(rate)
            rows: list[tuple[str, dict[str, float], int, float]] = []

            def step(label: str, provider: str = "listenbrainz", fresh: bool = False,
                     **extra: str) -> dict[str, float]:
                if fresh:
                    for name in ("listenbrainz.sqlite3", "musicbrainz.sqlite3"):
                        for path in cache.glob(name + "*"):
                            path.unlink()
                before = (len(world.mb.times), len(world.labs.times))
                figures = run(history, seeds, {**env, **extra}, provider)
                rows.append((label, figures, *network(world, before)))
                return figures

            floor = step("offline (process floor)", provider="offline")
            cold = step("cold, 4 in flight", fresh=True)
            warm = step("warm (from the caches)")
            seq = step("cold, sequential baseline", fresh=True, MUSICREC_PROVIDERS_CONCURRENCY="1")
            if failures:
                for label, reply in (("cold, Labs hangs", HANG),
                                     ("cold, Labs answers 500", Reply(500, "down"))):
                    world.labs.default = reply
                    step(label, fresh=True)

    print(f"Discover via ListenBrainz, {seeds} seeds ({lookups} looked up on MusicBrainz), "
          f"fake Labs {labs_ms:.0f} ms, MusicBrainz {mb_ms:.0f} ms per request, "
          f"Labs rate limit {rate if rate is not None else 'default'}/s")
    print(f"{'run':28} {'wall s':>8} {'network s':>10} {'requests':>9} {'peak RSS MiB':>13}")
    for label, figures, requests, span in rows:
        print(f"{label:28} {figures['wall']:8.2f} {span:10.2f} {requests:9d}"
              f" {figures['rss']:13.0f}")
    print(f"cold vs sequential baseline: {seq['wall'] / cold['wall']:.2f}x faster (whole process);"
          f" network phase {rows[3][3] / max(rows[1][3], 1e-9):.2f}x")
    print(f"warm vs cold: {cold['wall'] / warm['wall']:.2f}x faster; warm is"
          f" {warm['wall'] - floor['wall']:+.2f} s from the offline floor")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--labs-ms", type=float, default=250.0)
    parser.add_argument("--mb-ms", type=float, default=200.0)
    parser.add_argument("--lookups", type=int, default=0,
                        help="seeds without an MBID in the export (found on MusicBrainz)")
    parser.add_argument("--rate", type=float, default=None,
                        help="listenbrainz.rate_per_second for the runs (default: the setting)")
    parser.add_argument("--failures", action="store_true",
                        help="also time cold runs against a hung and a failing Labs host")
    args = parser.parse_args()
    main(args.seeds, args.labs_ms, args.mb_ms, args.lookups, args.rate, args.failures)
