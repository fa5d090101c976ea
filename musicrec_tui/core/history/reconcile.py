"""Scrobbles of plays a Spotify export already holds: the same listening imported twice.

A user who scrobbles Spotify to Last.fm (or ListenBrainz) and imports both exports would get
each play twice. A scrobble can be the same play as a Spotify row when their normalised
artist and track are equal and the scrobble's time is within ``import.scrobble_match_seconds``
of the Spotify play's start (``ts − ms_played``: scrobblers use the start, docs/formats.md §3.2)
or of its end (Spotify's ``ts``, docs/formats.md §1.5). The Spotify row wins: it has ``ms_played``.

Scrobbles and plays are paired one to one (a track played twice in a row and scrobbled twice
stays two plays), as many pairs as possible: a maximum bipartite matching per (artist,
track), found in three steps:

* candidate pairs: one sort of the plays by (key, end) and range look-ups, no Python loop;
* keys whose pairs are all stars (one play with its scrobbles, or one scrobble with its
  plays) need no search: each play takes its nearest scrobble, vectorised;
* the other keys (repeats close together) get the greedy sweep below, in one Python loop
  over their pairs only, plus an exact augmenting-path search in the rare keys where the
  sweep's optimality argument does not hold.

Why the sweep is optimal. Each play p has a window W(p) = [a−T, a+T] ∪ [e−T, e+T] (a its
start, e its end, T the tolerance) and a deadline d(p) = e+T, its last point. Scrobbles are
taken in time order; each takes the free play of smallest deadline whose window holds it.
Exchange argument: let M* be a maximum matching agreeing with the sweep on the scrobbles
before s. If the sweep finds no free play for s, neither can M* (the same plays are taken).
Else let the sweep give s the play p. If M* leaves s or p unmatched, re-pointing one pair
gives a maximum matching containing (s, p) (both unmatched would not be maximum). Otherwise
M* has (s, q) and (s', p) with s' after s, and d(p) ≤ d(q) since q was free and held s.
Swapping to (s, p), (s', q) keeps the size if s' ∈ W(q): s' ≥ s ≥ a_q−T and s' ≤ d(p) ≤
d(q), so s' is in [a_q−T, e_q+T] and misses W(q) only inside q's gap G(q) = (a_q+T, e_q−T),
which exists when the play lasts more than 2T. There, s' ≤ e_p+T ≤ M(q)+T, where M(q) is the
latest end of another play of the key ending no later than q. So the sweep is optimal for a
key unless one of its scrobbles lies in a zone G(q) ∩ (−∞, M(q)+T] — empty unless two plays
of the same track overlap, and then only as wide as the overlap. (For a single interval per
play, the usual case, this is the classic earliest-deadline argument.) Keys with a scrobble
in such a zone are finished with augmenting paths: after any matching, one search from each
unmatched scrobble yields a maximum matching (Kuhn: a scrobble with no augmenting path never
gets one later), and there are few such scrobbles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from musicrec_tui.core.similarity.names import normalise_name

_SECOND_NS = 1_000_000_000


def _normal_ids(codes: np.ndarray, values: pa.Array, rows: np.ndarray) -> np.ndarray:
    """Per row of ``rows``: an id of its normalised name (-1 where the value is missing)."""
    mine = codes[rows]
    used = np.flatnonzero(np.bincount(mine[mine >= 0], minlength=len(values)))
    names = [normalise_name(v) for v in values.take(pa.array(used)).to_pylist()]
    ids = np.full(len(values), -1, np.int64)
    ids[used] = pd.factorize(pd.Series(names, dtype=object))[0]
    return np.where(mine >= 0, ids[np.maximum(mine, 0)], -1)


def _by_key(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order of rows already sorted by time, sorted by (key, time); and its sort values
    (key · n + rank in time), which ``searchsorted`` can look up."""
    n = len(keys)
    values = np.sort(keys * n + np.arange(n))  # distinct; a plain sort beats argsort ×3
    return values % n, values


def _ranges(sorted_values: np.ndarray, keys: np.ndarray, n: int, lo_rank: np.ndarray,
            hi_rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in a ``_by_key`` order of the rows of each ``keys`` whose time rank is in
    [lo_rank, hi_rank): the first position and the count per query."""
    lo = np.searchsorted(sorted_values, keys * n + lo_rank)
    return lo, np.searchsorted(sorted_values, keys * n + hi_rank) - lo


def _candidate_pairs(s_t: np.ndarray, s_key: np.ndarray, s_order: np.ndarray,
                     start: np.ndarray, end: np.ndarray, p_key: np.ndarray,
                     p_by_key: tuple[np.ndarray, np.ndarray], tolerance: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Every (scrobble, play) of one key with the scrobble within ``tolerance`` of the
    play's start or end, as index arrays sorted by scrobble key and time, then play end
    (``s_order``, ``p_by_key``: the scrobbles' and the plays' ``_by_key``)."""
    p_order, p_values = p_by_key
    # A play near s ends in [s − T, s + T + its length]: bound the length per key.
    longest = np.zeros(int(max(s_key.max(), p_key.max())) + 1, np.int64)
    np.maximum.at(longest, p_key, end - start)
    # Needles in time order (nearly sorted) make searchsorted several times faster.
    lo_rank = np.searchsorted(end, s_t - tolerance, "left")[s_order]
    hi_rank = np.searchsorted(end, s_t + tolerance + longest[s_key], "right")[s_order]
    lo, count = _ranges(p_values, s_key[s_order], len(end), lo_rank, hi_rank)
    s_i = np.repeat(s_order, count)
    p_i = p_order[np.arange(len(s_i)) - np.repeat(np.cumsum(count) - count - lo, count)]
    t = s_t[s_i]
    near = (np.abs(t - start[p_i]) <= tolerance) | (np.abs(t - end[p_i]) <= tolerance)
    return s_i[near], p_i[near]


def _sweep(s_i: np.ndarray, p_i: np.ndarray) -> dict[int, int]:
    """The greedy sweep (see the module docstring) over pairs sorted by scrobble time, then
    play deadline: each scrobble takes its first free play. Returns play → scrobble."""
    owner: dict[int, int] = {}
    last = -1
    for s, p in zip(s_i.tolist(), p_i.tolist(), strict=True):
        if s != last and p not in owner:
            owner[p] = last = s
    return owner


def _augment(root: int, plays_of: dict[int, list[int]], owner: dict[int, int]) -> None:
    """Kuhn's search for an augmenting path from the unmatched scrobble ``root``; applies
    it to ``owner`` (play → scrobble) when found. Iterative: chains can be long."""
    seen: set[int] = set()
    stack = [(root, iter(plays_of[root]))]
    via: list[int] = []  # via[i]: the play whose owner is stack[i + 1]
    while stack:
        s, plays = stack[-1]
        for p in plays:
            if p in seen:
                continue
            seen.add(p)
            held_by = owner.get(p)
            if held_by is None:
                owner[p] = s
                for (prev, _), q in zip(stack, via, strict=False):
                    owner[q] = prev
                return
            via.append(p)
            stack.append((held_by, iter(plays_of[held_by])))
            break
        else:
            stack.pop()
            if via:
                via.pop()


def _unsafe_keys(s_t: np.ndarray, s_values: np.ndarray, start: np.ndarray, end: np.ndarray,
                 p_by_key: tuple[np.ndarray, np.ndarray], keys: np.ndarray,
                 tolerance: int) -> np.ndarray:
    """The keys among ``keys`` (bool per key) where the sweep may fall short: a scrobble in
    some play's zone G(q) ∩ (−∞, M(q)+T] (module docstring)."""
    p_order, p_values = p_by_key
    k = p_values // len(end)
    mine = np.flatnonzero(keys[k])  # by-key positions of the plays of ``keys``: few
    k, a, e = k[mine], start[p_order[mine]], end[p_order[mine]]
    same_prev = np.r_[False, k[1:] == k[:-1]]
    latest = np.where(same_prev, np.r_[0, e[:-1]], np.iinfo(np.int64).min // 2)  # M(q)
    tie_next = np.r_[k[1:] == k[:-1], False] & (np.r_[e[1:], 0] == e)
    latest = np.where(tie_next, e, latest)
    lo, hi = a + tolerance + 1, np.minimum(e - tolerance - 1, latest + tolerance)
    zone = lo <= hi
    unsafe = np.zeros(len(keys), bool)
    if zone.any():
        _, count = _ranges(s_values, k[zone], len(s_t), np.searchsorted(s_t, lo[zone], "left"),
                           np.searchsorted(s_t, hi[zone], "right"))
        unsafe[k[zone][count > 0]] = True
    return unsafe


def _matched(s_t: np.ndarray, s_key: np.ndarray, start: np.ndarray, end: np.ndarray,
             p_key: np.ndarray, tolerance: int) -> np.ndarray:
    """Mask over the scrobbles: those a maximum one-to-one matching pairs with a play."""
    s_by_key, p_by_key = _by_key(s_key), _by_key(p_key)
    s_i, p_i = _candidate_pairs(s_t, s_key, s_by_key[0], start, end, p_key, p_by_key,
                                tolerance)
    matched = np.zeros(len(s_t), bool)
    if not len(s_i):
        return matched
    n_keys = int(max(p_key.max(), s_key.max())) + 1
    # A key is a set of stars unless a pair joins a scrobble and a play that both have
    # other pairs (then some component is a chain, or has a cycle).
    s_deg, p_deg = np.bincount(s_i)[s_i], np.bincount(p_i)[p_i]
    tangled = np.zeros(n_keys, bool)
    tangled[s_key[s_i[(s_deg > 1) & (p_deg > 1)]]] = True
    star = ~tangled[s_key[s_i]]
    # One pair per star: a play with several scrobbles keeps the nearest.
    matched[s_i[star & (p_deg == 1)]] = True
    several = star & (p_deg > 1)
    if several.any():
        ss, sp = s_i[several], p_i[several]
        t = s_t[ss]
        gap = np.minimum(np.abs(t - start[sp]), np.abs(t - end[sp]))
        first = np.lexsort((ss, gap, sp))
        keep = np.r_[True, sp[first][1:] != sp[first][:-1]]
        matched[ss[first[keep]]] = True
    if star.all():
        return matched
    ts_i, tp_i = s_i[~star], p_i[~star]
    owner = _sweep(ts_i, tp_i)
    unsafe = _unsafe_keys(s_t, s_by_key[1], start, end, p_by_key, tangled, tolerance)
    if unsafe.any():
        plays_of: dict[int, list[int]] = {}
        pick = unsafe[s_key[ts_i]]
        for s, p in zip(ts_i[pick].tolist(), tp_i[pick].tolist(), strict=True):
            plays_of.setdefault(s, []).append(p)
        held = set(owner.values())
        for s in plays_of:
            if s not in held:
                _augment(s, plays_of, owner)
    matched[list(owner.values())] = True
    return matched


def scrobbles_of_spotify_plays(ts: np.ndarray, ms: np.ndarray, spotify: np.ndarray,
                               scrobble: np.ndarray, artist: tuple[np.ndarray, pa.Array],
                               track: tuple[np.ndarray, pa.Array], tolerance_s: float
                               ) -> np.ndarray:
    """Mask of the scrobble rows that repeat a Spotify play.

    ``ts`` (int64 ns, rows sorted by it), ``ms`` (float, NaN unknown), ``spotify``/
    ``scrobble`` (row masks), and per string column its (codes, values) as built by
    ``clean.merge``.
    """
    out = np.zeros(len(ts), bool)
    if not spotify.any() or not scrobble.any() or tolerance_s < 0:
        return out
    tolerance = int(tolerance_s * _SECOND_NS)
    # A negative ms_played is nonsense: read it as unknown length (start = end).
    start = ts - np.maximum(np.nan_to_num(ms, nan=0.0), 0).astype(np.int64) * 1_000_000
    # Only rows where the other kind is near in time can match.
    s_rows = np.flatnonzero(scrobble & (ts >= start[spotify].min() - tolerance)
                            & (ts <= ts[spotify].max() + tolerance))
    if not len(s_rows):
        return out
    lo, hi = ts[s_rows].min() - tolerance, ts[s_rows].max() + tolerance
    p_rows = np.flatnonzero(spotify & (ts >= lo) & (start <= hi))
    if not len(p_rows):
        return out
    rows = np.concatenate([s_rows, p_rows])
    a_ids, t_ids = _normal_ids(*artist, rows), _normal_ids(*track, rows)
    named = (a_ids >= 0) & (t_ids >= 0)
    pair_ids = pd.factorize(a_ids * (int(t_ids.max()) + 1) + t_ids)[0]  # dense, for tables
    keys = np.where(named, pair_ids, -1)
    n_pairs = int(keys.max()) + 1
    s_keys, p_keys = keys[:len(s_rows)], keys[len(s_rows):]
    s_ok = s_keys >= 0
    s_rows, s_keys = s_rows[s_ok], s_keys[s_ok]
    # Spotify plays of tracks nobody scrobbled cannot match.
    scrobbled = np.zeros(n_pairs + 1, bool)
    scrobbled[s_keys] = True
    p_ok = scrobbled[p_keys]  # a missing key (-1) reads the last, unset slot
    p_rows, p_keys = p_rows[p_ok], p_keys[p_ok]
    if not len(p_rows):
        return out
    matched = _matched(ts[s_rows], s_keys, start[p_rows], ts[p_rows], p_keys, tolerance)
    out[s_rows[matched]] = True
    return out
