"""Scrobbles of plays a Spotify export already holds: the same listening imported twice.

A user who scrobbles Spotify to Last.fm (or ListenBrainz) and imports both exports would get
each play twice. A scrobble is the same play as a Spotify row when their normalised artist
and track are equal and the scrobble's time is within ``import.scrobble_match_seconds`` of
the Spotify play's start (``ts − ms_played``: scrobblers stamp the start, formats.md §3.6)
or of its end (Spotify's ``ts``, §1.5 quirk 1). The Spotify row wins: it has ``ms_played``.

Each Spotify play absorbs at most one scrobble (the nearest), so a track played twice in a
row and scrobbled twice stays two plays. The matching is two ``merge_asof`` joins on integer
keys; names are normalised once per distinct value, only within the time the two overlap.
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


def _nearest(left: pd.DataFrame, right: pd.DataFrame, on: str, tolerance: int) -> pd.DataFrame:
    """For each scrobble (``left``), the Spotify row of its key nearest in ``on`` time
    (``right`` sorted by ``on``)."""
    found = pd.merge_asof(left, right[["key", on, "row"]], left_on="ts", right_on=on, by="key",
                          direction="nearest", tolerance=tolerance)
    found = found.dropna(subset=["row"])
    return pd.DataFrame({"scrobble": found["scrobble"].to_numpy(),
                         "row": found["row"].to_numpy(dtype=np.int64),
                         "gap": (found["ts"] - found[on]).abs().to_numpy()})


def scrobbles_of_spotify_plays(ts: np.ndarray, ms: np.ndarray, spotify: np.ndarray,
                               scrobble: np.ndarray, artist: tuple[np.ndarray, pa.Array],
                               track: tuple[np.ndarray, pa.Array], tolerance_s: float
                               ) -> np.ndarray:
    """Mask of the scrobble rows that repeat a Spotify play.

    ``ts`` (int64 ns), ``ms`` (float, NaN unknown), ``spotify``/``scrobble`` (row masks), and
    per string column its (codes, values) as built by ``clean.merge``.
    """
    out = np.zeros(len(ts), bool)
    if not spotify.any() or not scrobble.any() or tolerance_s < 0:
        return out
    tolerance = int(tolerance_s * _SECOND_NS)
    start = ts - np.nan_to_num(ms, nan=0.0).astype(np.int64) * 1_000_000
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
    left = pd.DataFrame({"ts": ts[s_rows][s_ok], "key": s_keys[s_ok],
                         "scrobble": s_rows[s_ok]})  # sorted by ts: rows are in time order
    # Spotify plays of tracks nobody scrobbled cannot match.
    scrobbled = np.zeros(n_pairs + 1, bool)
    scrobbled[s_keys[s_ok]] = True
    p_ok = scrobbled[p_keys]  # a missing key (-1) reads the last, unset slot
    p_rows, p_keys = p_rows[p_ok], p_keys[p_ok]
    if not len(p_rows):
        return out
    by_end = pd.DataFrame({"key": p_keys, "end": ts[p_rows], "row": p_rows})  # in ts order
    by_start_order = np.argsort(start[p_rows], kind="stable")
    by_start = pd.DataFrame({"key": p_keys[by_start_order], "start": start[p_rows][by_start_order],
                             "row": p_rows[by_start_order]})
    near_start = _nearest(left, by_start, "start", tolerance)
    rest = left[~left["scrobble"].isin(near_start["scrobble"])]
    near_end = _nearest(rest, by_end, "end", tolerance) if len(rest) else near_start.iloc[:0]
    matches = pd.concat([near_start, near_end], ignore_index=True)
    # One scrobble per Spotify play: the nearest claims it, the others stay plays.
    matches = matches.sort_values(["row", "gap", "scrobble"], kind="stable")
    winners = matches.drop_duplicates("row", keep="first")["scrobble"].to_numpy()
    out[winners] = True
    return out
