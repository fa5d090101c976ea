"""TUI speed on the 1M-play demo history, as a user sees it: the real app in a terminal.

Each run starts ``python -m musicrec_tui`` (the ``musicrec`` command) in a pseudo-terminal
of 120×36 (TERM=xterm-256color) with the real Textual driver. A reader thread timestamps
every chunk the app writes; a terminal emulator (pyte) replays the chunks, and a step ends
at the arrival of the chunk after which the emulated screen shows what the user waits for.

1. Launch to interactive from the cache: from before the process starts until the screen
   shows the Artists table (the top artist and the "N artists" status line). Target ≤ 1.5 s.
   Also timed: until the detail pane has the history behind it ("Top tracks"). Baseline
   (same run): the same launch with no path, until the Load screen's text is up.
2. Keystroke to table updated during search: ``--keys`` keystrokes into the Artists search
   box, typed at most every 150 ms (a brisk typist); each ends when the status line names
   the new query and the first row shows its best hit (the same ``ArtistSearch``, run here).
   Target ≤ 50 ms median. Baseline (same run, same app): the same keys into the Load
   screen's path box, ending when the box shows the new text.

3. Screen switch: a screen key (1 Load, 3 Contexts, 4 Trends, 5 Recommend, 2 Artists) to
   the new screen's content on screen. Each screen is first visited once and left to finish
   its work (fits, engine run); what it shows on a second visit is its reference, and each
   later switch ends when the screen's upper part (above where toasts appear) matches it.
   ``--switches`` rounds through all five; median per screen and overall. Baseline (same
   run, same app): keys into the Load screen's path box, as in 2.

Also printed: the app's CPU time per keystroke and per switch (from /proc), which a busy
machine does not inflate the way it inflates wall-clock latency. Peak RSS is the app
process's (``RUSAGE_CHILDREN``, and VmHWM of the switching run). Linux only; needs ``pyte``
(``pip install pyte``).

    nice python benchmarks/bench_tui.py [--streams 1000000] [--seed 7] [--launches 5] [--keys 50]
        [--switches 5] [--steps launch,keys,switch]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import queue
import resource
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyte

COLS, ROWS = 120, 36
# Typed one character at a time; each backspace is a keystroke too. No spaces: a trailing
# space changes neither the query nor the screen, so it could not be timed.
QUERIES = ("beyon", "radiohed", "glass", "sig", "ko", "mar", "zz", "ell", "horizon", "ø")
TYPING_INTERVAL_S = 0.15
TIMEOUT_S = 60.0
# A first visit may fit models and run every engine on the whole history.
FIRST_VISIT_TIMEOUT_S = 600.0
# Screen keys, and what each screen shows once its first visit's work is done.
SWITCH_KEYS = {"1": "Load", "3": "Contexts", "4": "Trends", "5": "Recommend", "2": "Artists"}
SETTLED = {
    "Load": ("Import report", "Browse"),
    "Contexts": ("contexts · now is",),
    "Trends": ("Next-period favourites", "% a "),  # the trend cells of the fit
    "Recommend": ("recommendations as of",),
}
# Rows compared with the reference: the bottom ones hold the status line, footer and toasts.
COMPARED_ROWS = ROWS - 9
# A user does not press the next screen key the moment a screen appears.
SWITCH_PAUSE_S = 0.4
# The app runs in an empty folder: the Load screen's path box then has nothing to suggest,
# so it shows exactly what was typed.
_EMPTY = tempfile.mkdtemp(prefix="bench-tui-")


class Terminal:
    """The app in a pseudo-terminal, with an emulated screen fed from its output."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "musicrec_tui", *args], stdin=slave, stdout=slave,
            stderr=slave, env=env, start_new_session=True, close_fds=True, cwd=_EMPTY)
        os.close(slave)
        self.fd = master
        self.chunks: queue.Queue[tuple[float, bytes]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.5)
                if not ready:
                    if self.proc.poll() is not None:
                        return
                    continue
                data = os.read(self.fd, 1 << 16)
            except OSError:
                return
            if not data:
                return
            self.chunks.put((time.perf_counter(), data))

    def lines(self) -> list[str]:
        buffer = self.screen.buffer
        return ["".join(buffer[y][x].data for x in range(COLS)) for y in range(ROWS)]

    def wait_for(self, done: Callable[[list[str]], bool], since: float,
                 timeout: float = TIMEOUT_S) -> float:
        """Seconds from ``since`` to the arrival of the chunk that made ``done`` true."""
        deadline = time.perf_counter() + timeout
        while True:
            if done(self.lines()):
                return 0.0
            try:
                arrived, data = self.chunks.get(timeout=max(0.0, deadline - time.perf_counter()))
            except queue.Empty:
                raise TimeoutError("\n".join(self.lines())) from None
            self.stream.feed(data)
            if done(self.lines()):
                return arrived - since

    def drain(self) -> None:
        """Feed whatever has arrived (no waiting)."""
        while True:
            try:
                self.stream.feed(self.chunks.get_nowait()[1])
            except queue.Empty:
                return

    def settle(self, quiet: float = 1.0, limit: float = 10.0) -> None:
        """Feed output until none has arrived for ``quiet`` seconds (or ``limit`` passed)."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            try:
                self.stream.feed(self.chunks.get(timeout=quiet)[1])
            except queue.Empty:
                return

    def peak_rss_mib(self) -> float:
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def cpu_seconds(self) -> float:
        """CPU time the app has used so far (all its threads)."""
        with open(f"/proc/{self.proc.pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def send(self, data: bytes) -> float:
        self.drain()
        now = time.perf_counter()
        os.write(self.fd, data)
        return now

    def quit(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self.fd, b"\x11")  # ctrl+q
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self.fd)


def _has(*texts: str) -> Callable[[list[str]], bool]:
    return lambda lines: all(any(t in line for line in lines) for t in texts)


def _artists_ready(top: str, count: int) -> Callable[[list[str]], bool]:
    return _has(top[:15], f"{count:,} artists")


def launch(env: dict[str, str], root: str | None, top: str, count: int) -> dict:
    term = Terminal([root] if root else [], env)
    try:
        if root is None:
            ready = term.wait_for(_has("Open your listening export"), term.started)
            return {"ready": ready}
        ready = term.wait_for(_artists_ready(top, count), term.started)
        full = term.wait_for(_has("Top tracks"), term.started)
        return {"ready": ready, "details": full}
    finally:
        term.quit()


def keystrokes(env: dict[str, str], root: str, keys: int, top: str, count: int
               ) -> tuple[list[float], list[float], float, float]:
    from musicrec_tui.core.engines.search import ArtistSearch

    snap = _snapshot(root)
    search = ArtistSearch(snap.artists, snap.score)
    sequence: list[str] = []
    for query in QUERIES:
        sequence += list(query) + ["\x7f"] * len(query)
    sequence = sequence[:keys]

    term = Terminal([root], env)
    try:
        _steady(term, top, count)
        term.send(b"/")
        time.sleep(0.3)

        def search_shown(value: str) -> Callable[[list[str]], bool]:
            query = value.strip()
            if not query:
                return _has(f"{count:,} artists")
            hits = search.search(query, limit=1)
            status = f"“{query}”: "
            if not hits:
                return _has(status)
            return _has(status, hits[0].artist[:15])

        cpu = term.cpu_seconds()
        searching = _type(term, sequence, search_shown)
        cpu_searching = (term.cpu_seconds() - cpu) / len(sequence)
        # Baseline: the same keys into the Load screen's path box (no search behind it).
        term.send(b"\x1b")  # leave the search box
        time.sleep(0.5)  # a key right after escape would read as alt+key
        term.send(b"1")
        term.wait_for(_has("Path to an export"), time.perf_counter())
        term.send(b"o")
        time.sleep(0.3)
        cpu = term.cpu_seconds()
        plain = _type(term, sequence, lambda value: _box_shows(value))
        cpu_plain = (term.cpu_seconds() - cpu) / len(sequence)
        return searching, plain, cpu_searching, cpu_plain
    finally:
        term.quit()


def _steady(term: Terminal, top: str, count: int) -> None:
    """The history, the contexts fit and the similar artists are all in."""
    term.wait_for(_artists_ready(top, count), term.started)
    term.wait_for(lambda ls: _has("Top tracks")(ls) and not _has("fitting")(ls)
                  and not _has("looking…")(ls), term.started)


def switches(env: dict[str, str], root: str, rounds: int, top: str, count: int) -> dict:
    """Seconds from each screen key to its screen's content, per screen; plus the baseline."""
    term = Terminal([root], env)
    try:
        _steady(term, top, count)
        # First visits: each screen does its work (fits, an engine run), which may change
        # what the others show (the detail pane's context): references come from a 2nd pass.
        for key, name in SWITCH_KEYS.items():
            term.send(key.encode())
            if name in SETTLED:
                term.wait_for(_has(*SETTLED[name]), time.perf_counter(), FIRST_VISIT_TIMEOUT_S)
            term.settle()
        reference = {}
        for key, name in SWITCH_KEYS.items():
            term.send(key.encode())
            term.settle()
            reference[name] = term.lines()[:COMPARED_ROWS]

        times: dict[str, list[float]] = {name: [] for name in SWITCH_KEYS.values()}
        cpu = term.cpu_seconds()
        for _ in range(rounds):
            for key, name in SWITCH_KEYS.items():
                time.sleep(SWITCH_PAUSE_S)
                sent = term.send(key.encode())
                times[name].append(term.wait_for(
                    lambda ls, want=reference[name]: ls[:COMPARED_ROWS] == want, sent))
        cpu_switch = (term.cpu_seconds() - cpu) / (rounds * len(SWITCH_KEYS))
        # Baseline: keys into the Load screen's path box (the same app, the same machine).
        term.send(b"1")
        term.wait_for(_has("Path to an export"), time.perf_counter())
        time.sleep(SWITCH_PAUSE_S)
        term.send(b"o")
        time.sleep(0.3)
        plain = _type(term, list("baseline") + ["\x7f"] * len("baseline"), _box_shows)
        return {"times": times, "cpu": cpu_switch, "plain": plain, "rss": term.peak_rss_mib()}
    finally:
        term.quit()


def _box_shows(value: str) -> Callable[[list[str]], bool]:
    """The path box (drawn between ▊ and ▎) holds exactly ``value`` (or its placeholder)."""
    def done(lines: list[str]) -> bool:
        for line in lines:
            left, right = line.find("▊"), line.rfind("▎")
            if left < 0 or right < left:
                continue
            inner = line[left + 1:right].strip()
            if inner == value or (not value and inner.startswith("Path to an export")):
                return True
        return False
    return done


def _type(term: Terminal, sequence: list[str], shown: Callable[[str], Callable]) -> list[float]:
    value = ""
    times = []
    last = 0.0
    for key in sequence:
        value = value[:-1] if key == "\x7f" else value + key
        wait = last + TYPING_INTERVAL_S - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        last = term.send(key.encode())
        times.append(term.wait_for(shown(value), last))
    return times


def _snapshot(root: str):
    from musicrec_tui.core.engines import snapshot
    from musicrec_tui.core.settings import load_settings

    key = snapshot.snapshot_key([root], load_settings(), None)
    snap = snapshot.load(key) if key else None
    if snap is None:
        raise SystemExit("no artist snapshot: the warm-up launch should have written it")
    return snap


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def _launches(env: dict[str, str], root: str, top: str, count: int, launches: int) -> None:
    runs, bases = [], []
    for _ in range(launches):  # interleaved, so both see the same machine load
        runs.append(launch(env, root, top, count))
        bases.append(launch(env, None, top, count))
    ready = statistics.median(r["ready"] for r in runs)
    details = statistics.median(r["details"] for r in runs)
    base = statistics.median(b["ready"] for b in bases)
    each = ", ".join(f"{r['ready']:.2f}" for r in runs)
    print(f"launch to interactive from cache ({count:,} artists): median {ready:.2f} s over "
          f"{len(runs)} (target ≤ 1.5 s; runs {each}); "
          f"baseline empty launch {base:.2f} s; ratio {ready / base:.2f}×; "
          f"detail pane filled from the history after {details:.2f} s")


def _keystrokes(env: dict[str, str], root: str, top: str, count: int, keys: int) -> None:
    searching, plain, cpu_searching, cpu_plain = keystrokes(env, root, keys, top, count)
    med, p95 = statistics.median(searching), _p95(searching)
    med_base, p95_base = statistics.median(plain), _p95(plain)
    print(f"keystroke to table updated at {count:,} artists: median {med * 1000:.1f} ms, "
          f"p95 {p95 * 1000:.1f} ms over {len(searching)} keys (target ≤ 50 ms); baseline "
          f"plain input median {med_base * 1000:.1f} ms, p95 {p95_base * 1000:.1f} ms; "
          f"ratio {med / med_base:.2f}×; app CPU per keystroke {cpu_searching * 1000:.1f} ms "
          f"(baseline {cpu_plain * 1000:.1f} ms)")


def _switches(env: dict[str, str], root: str, top: str, count: int, rounds: int) -> None:
    result = switches(env, root, rounds, top, count)
    times = result["times"]
    every = [t for values in times.values() for t in values]
    med, base = statistics.median(every), statistics.median(result["plain"])
    each = ", ".join(f"{name} {statistics.median(values) * 1000:.0f}"
                     for name, values in times.items())
    print(f"screen switch to content shown: median {med * 1000:.0f} ms, p95 "
          f"{_p95(every) * 1000:.0f} ms over {len(every)} switches (per screen, ms: {each}); "
          f"baseline plain input median {base * 1000:.1f} ms; ratio {med / base:.1f}×; "
          f"app CPU per switch {result['cpu'] * 1000:.0f} ms; "
          f"peak RSS of the switching app {result['rss']:.0f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--launches", type=int, default=5)
    parser.add_argument("--keys", type=int, default=50)
    parser.add_argument("--switches", type=int, default=5, help="rounds through the screens")
    parser.add_argument("--steps", default="launch,keys,switch",
                        help="which measurements to run (comma-separated)")
    args = parser.parse_args()
    steps = set(args.steps.split(","))

    from musicrec_tui.core.demo import demo_paths

    t = time.perf_counter()
    root = str(demo_paths(args.streams, args.seed))
    print(f"demo: {root} ({time.perf_counter() - t:.1f} s to find or generate)")
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor", COLUMNS=str(COLS),
               LINES=str(ROWS))
    env.setdefault("MUSICREC_CONFIG_DIR", str(Path(root).parent / "bench-config"))
    os.environ["MUSICREC_CONFIG_DIR"] = env["MUSICREC_CONFIG_DIR"]

    # Warm-up: fills the import cache and the artist snapshot (and the OS file cache).
    warm = Terminal([root], env)
    warm.wait_for(_has("Top tracks"), warm.started)
    warm.quit()
    snap = _snapshot(root)
    top, count = snap.artists[0], len(snap)

    if "launch" in steps:
        _launches(env, root, top, count, args.launches)
    if "keys" in steps:
        _keystrokes(env, root, top, count, args.keys)
    if "switch" in steps:
        _switches(env, root, top, count, args.switches)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of the app (largest child) {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
