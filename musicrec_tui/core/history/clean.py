"""Merge decoded batches into the canonical table: incognito, duplicates, overlaps, dtypes.

Exact duplicates are rows equal in every canonical column but ``source`` (same play exported
twice, or the same export imported twice); the first is kept. When Account Data and an
Extended export cover the same time, the Extended rows win: Account rows inside the span of
the Extended rows are set aside as "overlap" (Account ``endTime`` has minute precision, so the
span starts at the minute of the first Extended play). Scrobbles of plays a Spotify export
holds are set aside as "duplicate_scrobble" (see reconcile.py).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from musicrec_tui.core.history.formats_base import (
    PRIORITY_ACCOUNT,
    PRIORITY_EXTENDED,
    PRIORITY_SCROBBLE,
    STRING_COLUMNS,
    Batch,
)
from musicrec_tui.core.history.model import CANONICAL_COLUMNS
from musicrec_tui.core.history.reconcile import scrobbles_of_spotify_plays

_DEDUPE_COLUMNS = ("artist", "track", "album", "track_uri", "reason_start", "reason_end",
                   "skipped", "shuffle")  # and the listening time, kept as "ms"
_MINUTE_NS = 60 * 1_000_000_000


def _categorical(codes: np.ndarray, values: pa.Array) -> pd.Categorical:
    """Codes into sorted ``values`` → Categorical over the values still in use (rows set aside
    as duplicates or overlaps may have been the only users of some)."""
    used = np.zeros(len(values) + 1, bool)
    used[codes + 1] = True
    kept = np.flatnonzero(used[1:])
    if len(kept) < len(values):
        remap = np.full(len(values), -1, np.int32)
        remap[kept] = np.arange(len(kept), dtype=np.int32)
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        values = values.take(pa.array(kept))
    return pd.Categorical.from_codes(codes, categories=pd.Index(pd.array(values, dtype="str")))


def _vocabularies(batches: list[Batch]) -> dict[str, dict[str, pa.Array]]:
    """Rebuild each decoding process's dictionaries from the deltas its batches carry."""
    pieces: dict[str, dict[str, list[pa.Array]]] = {}
    for b in batches:
        vocab = pieces.setdefault(b.origin, {c: [] for c in STRING_COLUMNS})
        for column, (base, values) in b.vocab.items():
            known = vocab[column]
            size = sum(len(a) for a in known)
            if size < base:  # a file that failed mid-decode never shipped its values
                known.append(pa.array([""] * (base - size), pa.string()))
            known.append(values)
    return {origin: {c: pa.concat_arrays(arrays) if arrays else pa.array([], pa.string())
                     for c, arrays in vocab.items()} for origin, vocab in pieces.items()}


def _global_codes(batches: list[Batch], column: str, vocabs: dict[str, dict[str, pa.Array]]
                  ) -> tuple[np.ndarray, pa.Array]:
    """The rows' codes (batches concatenated) on one dictionary shared by all processes, and
    its values, sorted (so categories do not depend on which worker met a value first).

    Arrow hashes and sorts the strings in C, several times faster than Python dicts here;
    sorting UTF-8 bytes gives the same order as sorting by code point.
    """
    origins = list(vocabs)
    sizes = [len(vocabs[o][column]) for o in origins]
    everything = pa.concat_arrays([vocabs[o][column] for o in origins]
                                  or [pa.array([], pa.string())])
    encoded = everything.dictionary_encode()
    order = pc.array_sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order), np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    table = rank[encoded.indices.to_numpy()]
    # One lookup table per origin, with -1 appended so a missing value (local code -1) maps
    # to -1 by plain indexing.
    bounds = np.cumsum([0, *sizes])
    lookup = {o: np.append(table[bounds[i]:bounds[i + 1]], np.int32(-1))
              for i, o in enumerate(origins)}
    codes = np.concatenate([lookup[b.origin][b.columns[column]] for b in batches])
    return codes, encoded.dictionary.take(pa.array(order))


def _duplicates(ts: np.ndarray, cols: dict[str, np.ndarray]) -> np.ndarray:
    """Mask of exact repeats (all but the first). ``ts`` must be sorted."""
    n = len(ts)
    same = ts[1:] == ts[:-1]
    if not same.any():
        return np.zeros(n, bool)
    cand = np.zeros(n, bool)
    cand[1:] |= same
    cand[:-1] |= same
    idx = np.flatnonzero(cand)
    frame = pd.DataFrame({"ts": ts[idx], **{k: v[idx] for k, v in cols.items()}})
    out = np.zeros(n, bool)
    out[idx] = frame.duplicated(keep="first").to_numpy()
    return out


def _sorted_order(ts: np.ndarray, keep: np.ndarray) -> np.ndarray | None:
    """Indexes of the kept rows in time order (stable), or None when that is every row as is:
    exports list their files and rows in time order, so the copies are usually avoidable."""
    if keep.all():
        if (ts[1:] >= ts[:-1]).all():
            return None
        return np.argsort(ts, kind="stable")
    order = np.flatnonzero(keep)
    return order[np.argsort(ts[order], kind="stable")]


def merge(batches: list[tuple[Batch, str]], *, min_play_ms: float, drop_incognito: bool,
          scrobble_match_s: float) -> tuple[pd.DataFrame, Counter, np.ndarray]:
    """(canonical plays sorted by ts, set-aside counts, kept rows per batch)."""
    set_aside: Counter = Counter()
    vocabs = _vocabularies([b for b, _ in batches])
    parts = [(b, label) for b, label in batches if b.kept]
    if not parts:
        return pd.DataFrame(columns=list(CANONICAL_COLUMNS)), set_aside, np.zeros(len(batches))
    lengths = np.array([b.kept for b, _ in parts])
    ts = np.concatenate([b.columns["ts"] for b, _ in parts])
    batch_of = np.repeat(np.arange(len(parts)), lengths)
    priority = np.repeat(np.array([b.priority for b, _ in parts], dtype=np.int8), lengths)

    def flat(name: str) -> np.ndarray:
        return np.concatenate([b.columns[name] for b, _ in parts])

    cats = {}
    for name in STRING_COLUMNS:
        cats[name] = _global_codes([b for b, _ in parts], name, vocabs)
    ms = flat("ms_played")
    skipped, shuffle, incognito = flat("skipped"), flat("shuffle"), flat("incognito")

    keep = np.ones(len(ts), bool)
    if drop_incognito and incognito.any():
        set_aside["incognito"] += int(incognito.sum())
        keep &= ~incognito
    if (priority == PRIORITY_EXTENDED).any() and (priority == PRIORITY_ACCOUNT).any():
        ext = ts[priority == PRIORITY_EXTENDED]
        lo, hi = ext.min() // _MINUTE_NS * _MINUTE_NS, ext.max()
        overlap = keep & (priority == PRIORITY_ACCOUNT) & (ts >= lo) & (ts <= hi)
        set_aside["overlap"] += int(overlap.sum())
        keep &= ~overlap

    rows = {"ts": ts, "ms": ms, "skipped": skipped, "shuffle": shuffle, "batch_of": batch_of,
            "priority": priority, **{name: c for name, (c, _) in cats.items()}}
    order = _sorted_order(ts, keep)
    if order is not None:
        rows = {k: v[order] for k, v in rows.items()}
    dup = _duplicates(rows["ts"], {**{k: rows[k] for k in _DEDUPE_COLUMNS if k in rows},
                                   "ms_played": rows["ms"]})
    if dup.any():
        set_aside["duplicate"] += int(dup.sum())
        rows = {k: v[~dup] for k, v in rows.items()}
    twice = scrobbles_of_spotify_plays(
        rows["ts"], rows["ms"], rows["priority"] >= PRIORITY_ACCOUNT,
        rows["priority"] == PRIORITY_SCROBBLE, (rows["artist"], cats["artist"][1]),
        (rows["track"], cats["track"][1]), scrobble_match_s)
    if twice.any():
        set_aside["duplicate_scrobble"] += int(twice.sum())
        rows = {k: v[~twice] for k, v in rows.items()}
    ts, ms, skipped, shuffle, batch_of = (rows[k] for k in ("ts", "ms", "skipped", "shuffle",
                                                           "batch_of"))
    codes = {name: rows[name] for name in STRING_COLUMNS}

    labels = [label for _, label in parts]
    nan = np.isnan(ms)
    data = {
        "ts": pd.DatetimeIndex(ts.view("datetime64[ns]")).tz_localize("UTC"),
        **{name: _categorical(codes[name], cats[name][1])
           for name in ("artist", "track", "album", "track_uri")},
        "ms_played": pd.arrays.IntegerArray(np.where(nan, 0, ms).astype(np.int64), nan),
        **{name: _categorical(codes[name], cats[name][1])
           for name in ("reason_start", "reason_end")},
        "skipped": pd.arrays.BooleanArray(skipped == 1, skipped == -1),
        "shuffle": pd.arrays.BooleanArray(shuffle == 1, shuffle == -1),
        "source": pd.Categorical.from_codes(batch_of, categories=pd.Index(labels)),
        "counted": nan | (ms >= min_play_ms),
        "artist_mbid": _categorical(codes["artist_mbid"], cats["artist_mbid"][1]),
    }
    plays = pd.DataFrame(data, copy=False)
    kept_by_part = np.bincount(batch_of, minlength=len(parts))
    kept = np.zeros(len(batches), dtype=np.int64)
    part_index = [i for i, (b, _) in enumerate(batches) if b.kept]
    kept[part_index] = kept_by_part
    return plays, set_aside, kept


def distinct_tracks(plays: pd.DataFrame) -> int:
    """How many (artist, track) pairs the plays hold (rows without a track not counted)."""
    track = plays["track"].cat.codes.to_numpy()
    named = track >= 0
    artist, track = plays["artist"].cat.codes.to_numpy()[named], track[named]
    n_names = len(plays["track"].cat.categories)
    # Most track names belong to one artist: pair every name with one artist that plays it,
    # and hash only the rows of other artists (an "Intro" by several artists).
    one = np.full(n_names, -1, np.int64)
    one[track] = artist
    seen = np.zeros(n_names, bool)
    seen[track] = True
    other = artist != one[track]
    pairs = artist[other].astype(np.int64) * n_names + track[other]
    return int(seen.sum()) + len(pd.unique(pairs))
