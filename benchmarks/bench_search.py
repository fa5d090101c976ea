"""Artist search speed: median time per query over 200 queries at 20k artists.

Times are this thread's CPU time per query (steady on a shared machine; wall time is printed
too). Compares ``ArtistSearch`` with a naive baseline measured in the same run: rapidfuzz's
``process.extract`` with WRatio and its default processor over the raw names, i.e. what one
would write without folding names up front or the prefix/substring pass. Target: ≤ 5 ms
median for ArtistSearch. Prints the ratio and the peak RSS of this process.

    python benchmarks/bench_search.py [--artists 20000] [--queries 200] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time

from rapidfuzz import fuzz, process, utils

from musicrec_tui.core.engines.search import ArtistSearch

SYLLABLES = ("ka", "lo", "mi", "ra", "dio", "head", "son", "berg", "é", "ö", "ø", "ström",
             "the", "van", "ri", "zo", "na", "sé", "ü", "ll", "ton", "mar", "is", "el", "ai")
WORDS = ("The", "Black", "Silver", "Orchestra", "Band", "Club", "Collective", "Sisters",
         "DJ", "MC", "&", "Trio", "Quartet", "Project", "Sound", "Experience")
EXPECTED = {"beyonce": "Beyoncé", "sigur ros": "Sigur Rós", "radiohed": "Radiohead",
            "massive atack": "Massive Attack", "bjork": "Björk", "guns n' roses": "Guns N’ Roses"}


def make_names(n: int, rng: random.Random) -> list[str]:
    names = set(EXPECTED.values())
    while len(names) < n:
        words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))).capitalize()
                 for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.4:
            words.insert(rng.randrange(len(words) + 1), rng.choice(WORDS))
        if rng.random() < 0.03:
            words.append(rng.choice(("光", "東京", "서울", "Москва")))
        names.add(" ".join(words))
    return sorted(names)


def make_queries(names: list[str], n: int, rng: random.Random) -> list[str]:
    """A realistic mix: prefixes, lowercase without accents, typos, words, misses."""
    queries = list(EXPECTED)
    while len(queries) < n:
        name = rng.choice(names)
        kind = rng.random()
        if kind < 0.3:
            q = name[: rng.randint(2, max(2, len(name)))]
        elif kind < 0.55 and len(name) > 4:
            i = rng.randrange(1, len(name) - 1)
            q = name[:i] + name[i + 1:]  # a dropped letter
        elif kind < 0.8:
            q = name.lower()
        elif kind < 0.9:
            q = rng.choice(name.split())
        else:
            q = "".join(rng.choice("qxzjv") for _ in range(6))  # no match
        queries.append(q)
    return queries


def timed(fn, queries: list[str]) -> tuple[list[float], list[float]]:
    """Milliseconds per query: CPU time of this thread (steady on a busy machine), and wall."""
    cpu, wall = [], []
    for q in queries:
        start, start_cpu = time.perf_counter(), time.thread_time()
        fn(q)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return cpu, wall


def _line(label: str, ms: list[float]) -> str:
    ordered = sorted(ms)
    return (f"{label:<28} median {statistics.median(ms):6.2f} ms  "
            f"p95 {ordered[int(0.95 * len(ordered))]:6.2f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artists", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    names = make_names(args.artists, rng)
    preference = [rng.random() for _ in names]
    queries = make_queries(names, args.queries, rng)

    start = time.perf_counter()
    index = ArtistSearch(names, preference)
    build_ms = (time.perf_counter() - start) * 1000
    ours, ours_wall = timed(index.search, queries)

    def naive(q: str):
        return process.extract(q, names, scorer=fuzz.WRatio, processor=utils.default_process,
                               limit=50)

    base, base_wall = timed(naive, queries)
    found = sum(index.search(q)[0].artist == want for q, want in EXPECTED.items())
    med, base_med = statistics.median(ours), statistics.median(base)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"artists {len(names)}, queries {len(queries)}, index build {build_ms:.0f} ms")
    print(_line("ArtistSearch (CPU)", ours))
    print(_line("naive WRatio (CPU)", base))
    print(_line("ArtistSearch (wall)", ours_wall))
    print(_line("naive WRatio (wall)", base_wall))
    print(f"speed-up (CPU) ×{base_med / med:.1f}; planted queries found {found}/{len(EXPECTED)}; "
          f"peak RSS {rss_mib:.0f} MiB; target ≤ 5 ms: {'met' if med <= 5 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
