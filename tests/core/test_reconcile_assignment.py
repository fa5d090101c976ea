"""Scrobble ↔ Spotify play matching is a maximum one-to-one assignment (reconcile.py)."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pyarrow as pa

from musicrec_tui.core.history import reconcile
from musicrec_tui.core.history.reconcile import scrobbles_of_spotify_plays

_NS = 1_000_000_000

Play = tuple[int, int, str]  # (end in s, ms_played, track)
Scrobble = tuple[int, str]   # (time in s, track)


def _set_aside(plays: list[Play], scrobbles: list[Scrobble], tolerance_s: float) -> set[int]:
    """Indexes (into ``scrobbles``) of the scrobbles set aside as repeats of a play."""
    rows = ([(end * _NS, float(ms), True, track) for end, ms, track in plays]
            + [(t * _NS, math.nan, False, track) for t, track in scrobbles])
    order = sorted(range(len(rows)), key=lambda i: rows[i][0])  # stable: ties keep order
    rows = [rows[i] for i in order]
    tracks = sorted({r[3] for r in rows})
    spotify = np.array([r[2] for r in rows])
    mask = scrobbles_of_spotify_plays(
        np.array([r[0] for r in rows], np.int64), np.array([r[1] for r in rows]),
        spotify, ~spotify, (np.zeros(len(rows), np.int32), pa.array(["Artist"])),
        (np.array([tracks.index(r[3]) for r in rows], np.int32), pa.array(tracks)),
        tolerance_s)
    assert not (mask & spotify).any()  # only scrobbles are ever set aside
    return {order[i] - len(plays) for i in np.flatnonzero(mask)}


def _pairs(plays: list[Play], scrobbles: list[Scrobble], tolerance_s: float
           ) -> list[set[int]]:
    """Per scrobble, the plays it may repeat (same track, near the start or the end)."""
    return [{j for j, (end, ms, track) in enumerate(plays) if track == name
             and min(abs(t - end), abs(t - (end - ms // 1000))) <= tolerance_s}
            for t, name in scrobbles]


def _maximum(candidates: list[set[int]]) -> int:
    """Brute force: the size of a maximum matching (every choice, memoised on used plays)."""
    @cache
    def best(i: int, used: int) -> int:
        if i == len(candidates):
            return 0
        return max([best(i + 1, used)] + [1 + best(i + 1, used | 1 << p)
                                          for p in candidates[i] if not used >> p & 1])
    return best(0, 0)


def test_a_scrobble_that_loses_its_nearest_play_takes_another_in_reach():
    # s1 (100 s) is nearest p2 (starts 150 s) but s2 (155 s) is nearer still; p1 (ends 0 s)
    # is in reach of s1 only. Nearest-only matching kept s1 as a play of its own.
    plays = [(0, 10_000, "Roam"), (160, 10_000, "Roam")]
    scrobbles = [(100, "Roam"), (155, "Roam")]
    assert _set_aside(plays, scrobbles, 120) == {0, 1}


def test_more_scrobbles_than_plays():
    plays = [(180, 180_000, "Creep"), (360, 180_000, "Creep")]  # back to back: 0–180–360
    scrobbles = [(0, "Creep"), (2, "Creep"), (181, "Creep"), (183, "Creep")]
    assert _set_aside(plays, scrobbles, 120) == {0, 2}  # one per play, the sweep's picks
    # A lone play with three scrobbles in reach absorbs the nearest one.
    plays = [(1180, 180_000, "Glass")]  # 1000–1180
    scrobbles = [(900, "Glass"), (1003, "Glass"), (1100, "Glass")]
    assert _set_aside(plays, scrobbles, 120) == {1}


def test_one_scrobble_with_two_plays_in_reach_is_set_aside_once():
    plays = [(100, 100_000, "Roam"), (110, 10_000, "Roam"), (500, 10_000, "Other")]
    assert _set_aside(plays, [(50, "Roam"), (495, "Roam")], 60) == {0}


def test_a_long_play_overlapped_by_a_short_one_needs_the_exact_search():
    # q lasts 0–100 s, p 0–5 s (overlapping), T = 10 s: the scrobble at 0 s may be either's,
    # the one at 12 s only p's (it falls in q's gap between its start and end windows). The
    # sweep alone gives p to the first scrobble and loses one pair.
    plays = [(100, 100_000, "Long"), (5, 5_000, "Long")]
    scrobbles = [(0, "Long"), (12, "Long")]
    assert _set_aside(plays, scrobbles, 10) == {0, 1}


def test_other_tracks_and_far_scrobbles_stay():
    plays = [(200, 180_000, "Roam")]
    scrobbles = [(20, "Creep"), (200 + 121, "Roam"), (20 - 121, "Roam")]
    assert _set_aside(plays, scrobbles, 120) == set()
    for late_or_early in scrobbles[1:]:  # both edges of the window count
        assert _set_aside(plays, [late_or_early], 121) == {0}
    assert len(_set_aside(plays, scrobbles, 121)) == 1  # one play, one scrobble absorbed


def test_matches_a_brute_force_maximum_matching(monkeypatch):
    calls = []
    augment = reconcile._augment
    monkeypatch.setattr(reconcile, "_augment",
                        lambda *args: calls.append(1) or augment(*args))
    rng = np.random.default_rng(20261126)
    tangled = 0
    for _ in range(400):
        tolerance = int(rng.choice([0, 5, 10, 30]))
        tracks = ["A", "B"][: int(rng.integers(1, 3))]
        plays = [(int(rng.integers(0, 200)), int(rng.choice([0, 5, 15, 30, 60, 90])) * 1000,
                  str(rng.choice(tracks))) for _ in range(int(rng.integers(1, 6)))]
        scrobbles = [(int(rng.integers(-20, 220)), str(rng.choice(tracks)))
                     for _ in range(int(rng.integers(1, 7)))]
        got = _set_aside(plays, scrobbles, tolerance)
        candidates = _pairs(plays, scrobbles, tolerance)
        assert len(got) == _maximum(candidates), (plays, scrobbles, tolerance)
        # The scrobbles set aside can all be paired with distinct plays at once.
        assert _maximum([candidates[i] for i in sorted(got)]) == len(got)
        tangled += _maximum(candidates) >= 2
    assert tangled > 50 and calls  # the cases reach chains and the exact search


# Found by mutants that survived the tests above (scripts/mutation.py reconcile).

def test_a_play_keeps_the_scrobble_nearest_its_start_or_end():
    plays = [(200, 100_000, "Roam")]  # 100–200 s
    assert _set_aside(plays, [(125, "Roam"), (199, "Roam")], 30) == {1}  # 1 s from the end
    assert _set_aside(plays, [(101, "Roam"), (175, "Roam")], 30) == {0}  # 1 s from the start


def test_each_of_several_plays_keeps_one_of_its_scrobbles():
    plays = [(200, 100_000, "Roam"), (1200, 100_000, "Glass")]
    scrobbles = [(101, "Roam"), (190, "Roam"), (1120, "Glass"), (1199, "Glass")]
    assert _set_aside(plays, scrobbles, 30) == {0, 3}


def test_a_scrobble_without_a_name_matches_nothing():
    # Two Spotify plays (names 0 and 1) and, at the same moment, a scrobble missing one name.
    ts = np.array([100, 100, 100], np.int64) * _NS
    spotify = np.array([True, True, False])
    for missing in ("artist", "track"):
        codes = {"artist": np.array([0, 1, 0], np.int32), "track": np.array([0, 1, 1], np.int32)}
        codes[missing] = np.array([0, 1, -1], np.int32)
        mask = scrobbles_of_spotify_plays(
            ts, np.array([60_000.0, 60_000.0, math.nan]), spotify, ~spotify,
            (codes["artist"], pa.array(["Artist", "Other"])),
            (codes["track"], pa.array(["Roam", "Creep"])), 30)
        assert not mask.any(), missing


def test_overlapping_plays_of_one_track_match_a_brute_force_maximum():
    """Dense repeats of one track, long plays overlapping short ones: where the sweep alone
    can fall short and the exact search must take over."""
    rng = np.random.default_rng(20261206)
    for _ in range(600):
        tolerance = int(rng.choice([3, 10, 30]))
        plays = [(int(rng.integers(0, 120)), int(rng.choice([2, 10, 40, 90, 150])) * 1000,
                  "A") for _ in range(int(rng.integers(2, 7)))]
        scrobbles = [(int(rng.integers(-40, 160)), "A") for _ in range(int(rng.integers(2, 8)))]
        got = _set_aside(plays, scrobbles, tolerance)
        candidates = _pairs(plays, scrobbles, tolerance)
        assert len(got) == _maximum(candidates), (plays, scrobbles, tolerance)
        assert _maximum([candidates[i] for i in sorted(got)]) == len(got)
