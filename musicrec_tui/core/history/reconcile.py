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
    used = np.unique(mine[mine >= 0])
    names = [normalise_name(v) for v in values.take(pa.array(used)).to_pylist()]
    ids = np.full(len(values), -1, np.int64)
    ids[used] = pd.factorize(pd.Series(names, dtype=object))[0]
    return np.where(mine >= 0, ids[np.maximum(mine, 0)], -1)


def _nearest(left: pd.DataFrame, right: pd.DataFrame, on: str, tolerance: int) -> pd.DataFrame:
    """For each scrobble (``left``), the Spotify row of its key nearest in ``on`` time."""
    right = right.sort_values(on, kind="stable")
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
    keys = np.where((a_ids >= 0) & (t_ids >= 0), a_ids * (int(t_ids.max()) + 1) + t_ids, -1)
    s_keys, p_keys = keys[:len(s_rows)], keys[len(s_rows):]
    s_ok, p_ok = s_keys >= 0, p_keys >= 0
    left = pd.DataFrame({"ts": ts[s_rows][s_ok], "key": s_keys[s_ok],
                         "scrobble": s_rows[s_ok]})  # sorted by ts: rows are in time order
    right = pd.DataFrame({"key": p_keys[p_ok], "start": start[p_rows][p_ok],
                          "end": ts[p_rows][p_ok], "row": p_rows[p_ok]})
    by_start = _nearest(left, right, "start", tolerance)
    rest = left[~left["scrobble"].isin(by_start["scrobble"])]
    by_end = _nearest(rest, right, "end", tolerance) if len(rest) else by_start.iloc[:0]
    pairs = pd.concat([by_start, by_end], ignore_index=True)
    # One scrobble per Spotify play: the nearest claims it, the others stay plays.
    pairs = pairs.sort_values(["row", "gap", "scrobble"], kind="stable")
    winners = pairs.drop_duplicates("row", keep="first")["scrobble"].to_numpy()
    out[winners] = True
    return out
