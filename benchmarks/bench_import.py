"""Import benchmark: cold import, warm reopen from the cache, and the naive pandas baseline.

Generates N plays of Spotify Extended Streaming History JSON (generation C, pretty-printed
like Spotify's, ~15k records per file; 1,000,000 plays ≈ 700 MB), then times each phase in
its own subprocess so every peak RSS is that phase's alone:

* cold     – ``load_history`` with an empty cache (parse + clean + features), timed until
             the History is returned; the cache write it starts in the background (hash +
             Parquet) is waited for and reported separately
* warm     – ``load_history`` again (served from the Parquet cache)
* baseline – ``pandas.read_json`` per file + ``concat`` (no cleaning, no features)
* msgspec  – a typed msgspec decode of only the needed fields, one process, parse alone

Targets on 2 cores: cold ≤ 3 s, warm ≤ 0.5 s, peak RSS ≤ 1 GB. The issue that set them also
gave two figures from its reference machine: the naive baseline took 10.5 s there and the
typed msgspec parse 1.1 s. Both are timed here too, so the script also prints how much slower
this machine is at the same work, and the cold import scaled by that factor.

    python benchmarks/bench_import.py --plays 100000     # quick
    nice python benchmarks/bench_import.py               # full size (1M plays)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RECORDS_PER_FILE = 15_000
_TEMPLATE = """  {
    "ts": "%s",
    "platform": "%s",
    "ms_played": %d,
    "conn_country": "%s",
    "ip_addr": "198.51.%d.%d",
    "master_metadata_track_name": %s,
    "master_metadata_album_artist_name": %s,
    "master_metadata_album_album_name": %s,
    "spotify_track_uri": %s,
    "episode_name": %s,
    "episode_show_name": %s,
    "spotify_episode_uri": %s,
    "audiobook_title": null,
    "audiobook_uri": null,
    "audiobook_chapter_uri": null,
    "audiobook_chapter_title": null,
    "reason_start": "%s",
    "reason_end": "%s",
    "shuffle": %s,
    "skipped": %s,
    "offline": false,
    "offline_timestamp": %d,
    "incognito_mode": false
  }"""
_REASONS_END = ["trackdone"] * 6 + ["fwdbtn"] * 3 + ["endplay", "backbtn", "unknown", "logout"]
_REASONS_START = ["trackdone"] * 6 + ["fwdbtn", "clickrow", "playbtn", "appload", "remote"]


def generate(out: Path, plays: int, seed: int = 7) -> None:
    """Write ``plays`` Extended records into ``out`` (fast string templating)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    artists = [f"Artist {i} {'ÄÖÜ日本'[i % 5]}" for i in range(max(50, plays // 200))]
    tracks_per = 12
    weights = [1 / (i + 1) for i in range(len(artists))]
    cum, acc = [], 0.0
    for w in weights:
        acc += w
        cum.append(acc)
    t = 1_500_000_000
    n_files = (plays + RECORDS_PER_FILE - 1) // RECORDS_PER_FILE
    done = 0
    for f in range(n_files):
        count = min(RECORDS_PER_FILE, plays - done)
        parts = []
        for _ in range(count):
            t += rng.randint(30, 900)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
            reason_end = rng.choice(_REASONS_END)
            ms = rng.randint(150_000, 300_000) if reason_end == "trackdone" \
                else rng.randint(0, 200_000)
            if rng.random() < 0.01:
                names = ("null", "null", "null", "null",
                         f'"Episode {rng.randint(1, 99)}"', '"Show"',
                         f'"spotify:episode:{rng.randint(1, 999):022d}"')
            else:
                a = _bisect(cum, rng.random() * acc)
                k = rng.randrange(tracks_per)
                names = (json.dumps(f"Track {k} of {a}", ensure_ascii=False),
                         json.dumps(artists[a], ensure_ascii=False),
                         json.dumps(f"Album {k % 3} of {a}"),
                         f'"spotify:track:{a * tracks_per + k:022d}"', "null", "null", "null")
            parts.append(_TEMPLATE % (
                stamp, rng.choice(("android", "ios", "windows")), ms, "DE",
                rng.randrange(256), rng.randrange(256), *names,
                rng.choice(_REASONS_START), reason_end,
                "true" if rng.random() < 0.4 else "false",
                "true" if reason_end == "fwdbtn" else "false", t - ms // 1000,
            ))
        done += count
        name = f"Streaming_History_Audio_{2017 + f // 10}_{f}.json"
        (out / name).write_text("[\n" + ",\n".join(parts) + "\n]", encoding="utf-8")
    (out / ".complete").write_text(str(plays))


def _bisect(cum: list[float], x: float) -> int:
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _rss_mib() -> float:
    """Peak RSS of this process or of its largest worker, whichever is higher."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1024


def _cpu() -> float:
    """CPU seconds of this process and its finished workers (robust to a busy machine)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def run_phase(phase: str, data: Path) -> dict:
    """Run one phase in this process and return its timing (called in a subprocess)."""
    if phase == "baseline":
        import pandas as pd

        start, cpu = time.perf_counter(), _cpu()
        files = sorted(data.rglob("Streaming_History*.json"))
        frame = pd.concat([pd.read_json(f) for f in files], ignore_index=True)
        return {"seconds": time.perf_counter() - start, "cpu": _cpu() - cpu, "rows": len(frame),
                "rss_mib": _rss_mib()}
    if phase == "msgspec":
        return _msgspec_parse(data)
    from musicrec_tui.core.history import cache, importer

    stages = _time_stages(importer)
    start, cpu = time.perf_counter(), _cpu()
    history = importer.load_history([data], tz="UTC", use_cache=phase != "nocache")
    returned, returned_cpu = time.perf_counter() - start, _cpu() - cpu
    cache.flush()  # the background cache write (hash + Parquet) the cold phase started
    return {"seconds": returned, "cpu": returned_cpu, "written": time.perf_counter() - start,
            "rows": len(history.plays), "from_cache": history.report.from_cache,
            "rss_mib": _rss_mib(), "stages": stages}


# The figures from the machine its targets were set on (same files, same work).
REFERENCE_SECONDS = {"baseline": 10.5, "msgspec": 1.1}
REFERENCE_LABELS = {"baseline": "naive read_json + concat", "msgspec": "typed msgspec parse"}


def _msgspec_parse(data: Path) -> dict:
    """The issue's yardstick: a typed msgspec decode of only the needed fields, nothing else."""
    import msgspec

    class Play(msgspec.Struct, gc=False):
        ts: str
        ms_played: int
        master_metadata_track_name: str | None = None
        master_metadata_album_artist_name: str | None = None
        master_metadata_album_album_name: str | None = None
        spotify_track_uri: str | None = None
        reason_start: str | None = None
        reason_end: str | None = None
        shuffle: bool | None = None
        skipped: bool | None = None

    decoder = msgspec.json.Decoder(list[Play])
    files = sorted(data.rglob("Streaming_History*.json"))
    blobs = [f.read_bytes() for f in files]
    start, cpu, rows = time.perf_counter(), _cpu(), 0
    for blob in blobs:
        rows += len(decoder.decode(blob))
    return {"seconds": time.perf_counter() - start, "cpu": _cpu() - cpu, "rows": rows,
            "rss_mib": _rss_mib()}


def _time_stages(importer) -> dict[str, float]:
    """Wrap the importer's stages so the phase can report where its time went."""
    stages: dict[str, float] = {}
    for name, label in (("_decode_all", "read+decode"), ("merge", "merge"),
                        ("add_features", "features")):
        original = getattr(importer, name)

        def timed(*args, _original=original, _label=label, **kwargs):
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                stages[_label] = stages.get(_label, 0.0) + time.perf_counter() - start

        setattr(importer, name, timed)
    return stages


def _spawn(phase: str, data: Path, cache: Path) -> dict:
    env = {**os.environ, "MUSICREC_CACHE_DIR": str(cache)}
    out = subprocess.run([sys.executable, __file__, "--phase", phase, "--data", str(data)],
                         env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _print_scaled(results: dict) -> None:
    """This machine against the issue's reference machine, on the same two yardsticks."""
    factors = {k: results[k]["seconds"] / ref for k, ref in REFERENCE_SECONDS.items()
               if k in results}
    for k, f in factors.items():
        print(f"{REFERENCE_LABELS[k]}: {results[k]['seconds']:.2f} s here vs "
              f"{REFERENCE_SECONDS[k]} s on the reference machine → this machine ×{f:.2f}")
    cold = results["cold"]["seconds"]
    scaled = sorted(cold / f for f in factors.values())
    print(f"cold import scaled to the reference machine: "
          f"{'–'.join(f'{x:.2f}' for x in scaled)} s (target 3 s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plays", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, help="folder of generated files (kept for reuse)")
    parser.add_argument("--phase", choices=("cold", "warm", "nocache", "baseline", "msgspec"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--demo", action="store_true",
                        help="import the cached demo history (duplicates, podcasts, names in "
                        "many scripts) instead of this script's uniform plays")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.data)))
        return 0
    if args.demo:
        from musicrec_tui.core.demo import demo_paths

        data = args.data = demo_paths(args.plays)
    else:
        data = args.data or Path(tempfile.gettempdir()) / f"musicrec-bench-{args.plays}"
    if not args.demo and not (data / ".complete").exists():
        start = time.perf_counter()
        generate(data, args.plays)
        print(f"generated {args.plays:,} plays in {time.perf_counter() - start:.1f} s → {data}")
    files = sorted(data.rglob("Streaming_History*.json"))
    size = sum(f.stat().st_size for f in files) / 2**20
    # Read every file once so each phase finds them in the page cache, as after a download:
    # otherwise the first phase alone also pays for the disk.
    for f in files:
        f.read_bytes()
    load = os.getloadavg()[0]
    print(f"input: {args.plays:,} plays, {size:,.0f} MiB of JSON, {os.cpu_count()} cores, "
          f"load average {load:.1f} (wall times stretch on a busy machine; CPU times less)")
    with tempfile.TemporaryDirectory() as cache:
        results = {"cold": _spawn("cold", data, Path(cache)),
                   "warm": _spawn("warm", data, Path(cache))}
    with tempfile.TemporaryDirectory() as cache:
        results["nocache"] = _spawn("nocache", data, Path(cache))
    results["msgspec"] = _spawn("msgspec", data, Path(tempfile.gettempdir()))
    if not args.skip_baseline:
        results["baseline"] = _spawn("baseline", data, Path(tempfile.gettempdir()))
    labels = {"cold": "cold import (parse+clean+features; History returned)",
              "nocache": "import without cache (parse+clean+features)",
              "warm": "warm reopen from cache", "baseline": "naive pandas.read_json + concat",
              "msgspec": "typed msgspec parse alone, one process"}
    for phase, r in results.items():
        print(f"{labels[phase]:<48} {r['seconds']:6.2f} s wall {r['cpu']:6.2f} s CPU"
              f"   peak RSS {r['rss_mib']:5.0f} MiB   rows {r['rows']:,}")
        if r.get("stages"):
            parts = ", ".join(f"{k} {v:.2f} s" for k, v in r["stages"].items())
            print(f"{'':<4}stages: {parts}; History returned at {r['seconds']:.2f} s, "
                  f"cache on disk at {r['written']:.2f} s")
    if "baseline" in results:
        base = results["baseline"]["seconds"]
        print(f"speed-up vs baseline: cold ×{base / results['cold']['seconds']:.1f}, "
              f"warm ×{base / results['warm']['seconds']:.1f}")
    if args.plays == 1_000_000 and not args.demo:
        _print_scaled(results)
    assert results["warm"].get("from_cache"), "warm run did not use the cache"
    return 0


if __name__ == "__main__":
    sys.exit(main())
