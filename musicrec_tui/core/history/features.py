"""Features computed once at import: duration estimate, engagement, local time, sessions.

Duration estimate (no export carries track length, see docs/formats.md §5): per track — its
``track_uri`` when known, else its (artist, track) pair — the 95th percentile of
``ms_played`` over the plays that ended with ``reason_end == "trackdone"`` (the most reliable
"played to the end" signal); a track never played to the end gets its longest play. A high
percentile rather than the max resists the odd 100-minute looped play.

Engagement = ``ms_played / duration_ms`` clipped to [0, 1]. Rows without ``ms_played``
(Last.fm scrobbles, most ListenBrainz listens) get engagement 1.0: a scrobble is only sent
after a substantial listen (half the track or 4 minutes, docs/formats.md §5.2).

Sessions: a new session starts when the silence between the end of one play and the start
of the next (``ts − ms_played``, Spotify's ``ts`` being the end time) is longer than
``session_gap_minutes``.
"""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np
import pandas as pd

from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.history.model import CANONICAL_COLUMNS, FEATURE_COLUMNS

DURATION_QUANTILE = 0.95
_TWO_PI = 2.0 * np.pi


def _system_zone() -> str:
    env = os.environ.get("TZ", "").lstrip(":")
    if env and _valid(env):
        return env
    try:
        text = Path("/etc/timezone").read_text(encoding="utf-8").strip()
        if _valid(text):
            return text
    except OSError:
        pass
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            name = target.split("zoneinfo/", 1)[1]
            if _valid(name):
                return name
    except OSError:
        pass
    return "UTC"


def _valid(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def resolve_timezone(name: str | None) -> str:
    """``""``/None → this computer's zone; else a validated IANA name (SettingsError if not)."""
    if not name:
        return _system_zone()
    if _valid(name):
        return name
    lowered = {z.lower(): z for z in available_timezones()}
    if name.lower() in lowered:
        return lowered[name.lower()]
    raise SettingsError(
        f"timezone: unknown zone {name!r} (expected an IANA name such as Europe/Berlin or UTC)"
    )


def _track_keys(plays: pd.DataFrame) -> tuple[np.ndarray, int]:
    """One dense integer per track (its URI when known, else its (artist, track) pair), and
    how many there are."""
    n = len(plays)
    uri_codes = _codes(plays["track_uri"]) if "track_uri" in plays else np.full(n, -1)
    n_uri = int(uri_codes.max()) + 1 if n else 0
    no_uri = uri_codes < 0
    if not no_uri.any():
        return uri_codes, n_uri
    # Pairs only for the rows that need them (scrobbles, Account Data): factorizing is the
    # expensive part here.
    artist, track = _codes(plays["artist"])[no_uri], _codes(plays["track"])[no_uri]
    pair_codes, pairs = pd.factorize(artist * (int(track.max()) + 2) + track + 1)
    keys = uri_codes.copy()
    keys[no_uri] = n_uri + pair_codes
    return keys, n_uri + len(pairs)


def _codes(column: pd.Series) -> np.ndarray:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.int64)
    return pd.factorize(column, use_na_sentinel=True)[0].astype(np.int64)


def estimate_duration(plays: pd.DataFrame) -> np.ndarray:
    """Estimated track length in ms per row (NaN where nothing was ever measured)."""
    n = len(plays)
    if n == 0:
        return np.empty(0, dtype=np.float32)
    keys, n_keys = _track_keys(plays)
    ms = plays["ms_played"].to_numpy(dtype=np.float64, na_value=np.nan)
    longest = np.full(n_keys, np.nan)
    np.fmax.at(longest, keys, ms)  # fmax skips NaN: a track never measured stays NaN
    ended = plays["reason_end"] if "reason_end" in plays else pd.Series(pd.NA, index=plays.index)
    done = (ended == "trackdone").fillna(False).to_numpy(dtype=bool) & ~np.isnan(ms)
    if done.any():
        # Grouping by a Categorical of the known dense keys spares pandas a factorize.
        groups = pd.Categorical.from_codes(keys[done], categories=pd.RangeIndex(n_keys))
        p95 = pd.Series(ms[done]).groupby(groups, observed=True).quantile(DURATION_QUANTILE)
        longest[p95.index.codes] = p95.to_numpy()
    return longest[keys].astype(np.float32)


def _sessions(ts_ns: np.ndarray, ms: np.ndarray, gap_minutes: float) -> np.ndarray:
    if len(ts_ns) == 0:
        return np.empty(0, dtype=np.int32)
    start = ts_ns - np.nan_to_num(ms, nan=0.0).astype(np.int64) * 1_000_000
    silence = start[1:] - ts_ns[:-1]
    new = np.concatenate(([0], (silence > gap_minutes * 60e9).astype(np.int32)))
    return np.cumsum(new, dtype=np.int32)


_DAY_NS = 86_400 * 10**9
_HOUR_NS = 3_600 * 10**9


def _ns(naive: pd.Series) -> np.ndarray:
    return naive.to_numpy().astype("datetime64[ns]").view(np.int64)


def _months_since_1970(days: np.ndarray) -> np.ndarray:
    """Calendar months since 1970-01 of day numbers: numpy's calendar only for the few
    distinct days a history spans, then a table lookup per row."""
    if len(days) == 0:
        return days
    first = int(days.min())
    span = np.arange(first, int(days.max()) + 1).astype("datetime64[D]")
    table = span.astype("datetime64[M]").astype(np.int64)
    return table[days - first]


def add_features(plays: pd.DataFrame, *, tz: str, settings) -> pd.DataFrame:
    """Return ``plays`` (sorted by ``ts``) with the FEATURE_COLUMNS of model.py added.

    Needs ``ts``, ``artist`` and ``track``; ``ms_played``, ``track_uri`` and ``reason_end``
    are used when present (frames built by hand in tests may leave them out).
    """
    if "ms_played" not in plays:
        plays = plays.assign(ms_played=pd.array([pd.NA] * len(plays), dtype="Int64"))
    ms = plays["ms_played"].to_numpy(dtype=np.float64, na_value=np.nan)
    duration = estimate_duration(plays)
    with np.errstate(divide="ignore", invalid="ignore"):
        engagement = np.clip(ms / duration, 0.0, 1.0)
    engagement = np.where(np.isnan(ms), 1.0, np.nan_to_num(engagement, nan=0.0))

    # Integer arithmetic on naive local wall-clock nanoseconds: one tz conversion, no
    # datetime64 unit casts (those cost more than the rest of the features together).
    local = plays["ts"].dt.tz_convert(tz)
    wall = _ns(local.dt.tz_localize(None))
    days = wall // _DAY_NS
    months = _months_since_1970(days)
    columns = dict(plays.items())
    columns.update(
        duration_ms=duration, engagement=engagement.astype(np.float32),
        hour=((wall - days * _DAY_NS) // _HOUR_NS).astype(np.int32),
        dow=((days + 3) % 7).astype(np.int32),  # 1970-01-01 was a Thursday
        month=(months + 1970 * 12).astype(np.int32), year=(months // 12 + 1970).astype(np.int32),
        session=_sessions(plays["ts"].dt.as_unit("ns").array.asi8, ms,
                          settings.import_.session_gap_minutes),
    )
    return _assemble(columns, plays.index, tz, local)


# Cheap to rebuild from other columns, so the import cache does not store them.
DERIVED = ("local_ts", "hour_sin", "hour_cos", "dow_sin", "dow_cos")
_HOUR_ANGLE = _TWO_PI * np.arange(24) / 24
_DOW_ANGLE = _TWO_PI * np.arange(7) / 7
_CYCLES = {
    "hour_sin": ("hour", np.sin(_HOUR_ANGLE).astype(np.float32)),
    "hour_cos": ("hour", np.cos(_HOUR_ANGLE).astype(np.float32)),
    "dow_sin": ("dow", np.sin(_DOW_ANGLE).astype(np.float32)),
    "dow_cos": ("dow", np.cos(_DOW_ANGLE).astype(np.float32)),
}


def restore_derived(plays: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Add the DERIVED columns (local time, sin/cos) and put columns in contract order."""
    return _assemble(dict(plays.items()), plays.index, tz)


def _assemble(columns: dict, index: pd.Index, tz: str, local: pd.Series | None = None
              ) -> pd.DataFrame:
    """The frame of ``columns`` plus the DERIVED ones, in contract order, built in one go
    (adding columns one by one costs more than computing them)."""
    # Same instants as ``ts``: only the dtype changes.
    columns["local_ts"] = columns["ts"].dt.tz_convert(tz) if local is None else local
    for name, (source, table) in _CYCLES.items():
        columns[name] = table[np.asarray(columns[source])]
    order = [c for c in (*CANONICAL_COLUMNS, *FEATURE_COLUMNS) if c in columns]
    order += [c for c in columns if c not in order]
    return pd.DataFrame({c: columns[c] for c in order}, index=index, copy=False)
