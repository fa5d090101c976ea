"""Import benchmark: `musicrec import` as a user runs it, against pandas, in the same run.

Generates N plays of Spotify Extended Streaming History JSON (generation C, pretty-printed
like Spotify's, ~15k records per file; 1,000,000 plays ≈ 700 MB), then runs three whole
processes, each timed from start to exit:

* cold     – ``musicrec import DATA --json`` with an empty cache folder: parse, clean,
             features, and the import cache written before the process exits
* warm     – the same command again (must report ``from_cache: true``)
* baseline – ``python -c`` running ``pandas.read_json`` per file + ``concat`` (no cleaning,
             no features)

It prints each one's wall time, the speed-up of cold and warm over the baseline (targets:
cold ≥ 3.5×, warm ≥ 10×) and peak memory summed over the process and its worker processes
(each process's own peak, read from /proc while it runs). Wall times stretch on a busy
machine; the ratios, measured in one run, much less, and CPU seconds hardly at all.

    python benchmarks/bench_import.py --plays 100000     # quick
    nice python benchmarks/bench_import.py               # full size (1M plays)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
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


TARGETS = {"cold": 3.5, "warm": 10.0}  # at least this many times faster than the baseline
_BASELINE = """
import sys
from pathlib import Path
import pandas as pd
files = sorted(Path(sys.argv[1]).rglob("Streaming_History*.json"))
frame = pd.concat([pd.read_json(f) for f in files], ignore_index=True)
print(len(frame))
"""


@dataclass
class Run:
    seconds: float
    cpu: float  # user + system seconds of the process and its workers
    peak_mib: float  # each process's own peak RSS, summed over the process and its workers
    processes: int
    stdout: str


def _tree(root: int) -> list[int]:
    """``root`` and every process below it (parents read from each /proc/PID/stat)."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])  # after "pid (comm) state"
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _peak_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def measure(cmd: list[str], env: dict[str, str]) -> Run:
    """Run ``cmd`` to its end; wall time and the peak RSS of each process in its tree, summed.

    The tree is read every 10 ms; a process's VmHWM only grows, so its last reading is its
    peak (short of the last 10 ms of its life). The root's own peak comes from wait4.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peaks: dict[int, int] = {}
    out: list[bytes] = []
    err: list[bytes] = []
    readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()))
               for s, b in ((proc.stdout, out), (proc.stderr, err))]
    for r in readers:
        r.start()
    while True:
        try:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        except ChildProcessError:
            break
        if pid:
            seconds = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime  # its reaped workers included
            peaks[proc.pid] = max(peaks.get(proc.pid, 0), usage.ru_maxrss)
            break
        for child in _tree(proc.pid):
            kib = _peak_kib(child)
            if kib is not None:
                peaks[child] = max(peaks.get(child, 0), kib)
        time.sleep(0.01)
    for r in readers:
        r.join()
    stderr = b"".join(err).decode(errors="replace")
    if proc.returncode != 0 or "Traceback" in stderr:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr}")
    return Run(seconds, cpu, sum(peaks.values()) / 1024, len(peaks),
               b"".join(out).decode(errors="replace"))


def _musicrec() -> list[str]:
    script = Path(sys.executable).with_name("musicrec")
    return [str(script)] if script.exists() else [shutil.which("musicrec") or "musicrec"]


def _median(runs: list[Run]) -> Run:
    """The run of median wall time (its memory figures go with it)."""
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plays", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, help="folder of generated files (kept for reuse)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each measurement this many times; report the median")
    parser.add_argument("--demo", action="store_true",
                        help="import the cached demo history (duplicates, podcasts, names in "
                        "many scripts) instead of this script's uniform plays")
    args = parser.parse_args()
    if args.demo:
        from musicrec_tui.core.demo import demo_paths

        data = demo_paths(args.plays)
    else:
        data = args.data or Path(tempfile.gettempdir()) / f"musicrec-bench-{args.plays}"
    if not args.demo and not (data / ".complete").exists():
        start = time.perf_counter()
        generate(data, args.plays)
        print(f"generated {args.plays:,} plays in {time.perf_counter() - start:.1f} s → {data}")
    files = sorted(data.rglob("Streaming_History*.json"))
    size = sum(f.stat().st_size for f in files) / 2**20
    # Read every file once so each run finds them in the page cache, as after a download:
    # otherwise the first run alone also pays for the disk.
    for f in files:
        f.read_bytes()
    print(f"input: {args.plays:,} plays, {size:,.0f} MiB of JSON, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    command = [*_musicrec(), "import", str(data), "--json", "--tz", "UTC"]
    runs: dict[str, list[Run]] = {"cold": [], "warm": [], "baseline": []}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "MUSICREC_CACHE_DIR": cache}
            for phase in ("cold", "warm"):
                run = measure(command, env)
                report = json.loads(run.stdout)
                if report["from_cache"] != (phase == "warm"):
                    raise SystemExit(f"{phase} run reported from_cache {report['from_cache']}")
                runs[phase].append(run)
        runs["baseline"].append(measure([sys.executable, "-c", _BASELINE, str(data)],
                                        dict(os.environ)))
    labels = {"cold": "cold `musicrec import` (empty cache)",
              "warm": "warm `musicrec import` (from the cache)",
              "baseline": "pandas.read_json + concat (python -c)"}
    result = {phase: _median(rs) for phase, rs in runs.items()}
    for phase, run in result.items():
        spread = (f" (of {', '.join(f'{r.seconds:.2f}' for r in runs[phase])})"
                  if args.repeat > 1 else "")
        print(f"{labels[phase]:<42} {run.seconds:6.2f} s{spread} ({run.cpu:5.2f} s CPU)   peak "
              f"memory {run.peak_mib:4.0f} MiB summed over {run.processes} process"
              f"{'es' if run.processes > 1 else ''}")
    base = result["baseline"].seconds
    for phase, target in TARGETS.items():
        print(f"{phase}: ×{base / result[phase].seconds:.1f} faster than the baseline "
              f"(target ×{target:g}; in CPU seconds ×{result['baseline'].cpu / result[phase].cpu:.1f})")
    print("median of each; " if args.repeat > 1 else "", end="")
    print(f"load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
