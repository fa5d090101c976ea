"""Features computed once at import: duration estimate, engagement, local time, sessions.

Duration estimate (no export carries track length, see formats.md §5): per track — its
``track_uri`` when known, else its (artist, track) pair — the 95th percentile of
``ms_played`` over the plays that ended with ``reason_end == "trackdone"`` (the most reliable
"played to the end" signal); a track never played to the end gets its longest play. A high
percentile rather than the max resists the odd 100-minute looped play (quirk 7).

Engagement = ``ms_played / duration_ms`` clipped to [0, 1]. Rows without ``ms_played``
(Last.fm scrobbles, most ListenBrainz listens) get engagement 1.0: a scrobble is only sent
after a substantial listen (half the track or 4 minutes, formats.md §5.3).

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


def _track_keys(plays: pd.DataFrame) -> np.ndarray:
    """One integer per track: its URI when known, else its (artist, track) pair."""
    n = len(plays)
    uri_codes = _codes(plays["track_uri"]) if "track_uri" in plays else np.full(n, -1)
    artist, track = _codes(plays["artist"]), _codes(plays["track"])
    pair_codes = pd.factorize(artist * (int(track.max()) + 2) + track + 1)[0]
    n_uri = int(uri_codes.max()) + 1 if len(uri_codes) else 0
    return np.where(uri_codes >= 0, uri_codes, n_uri + pair_codes).astype(np.int64)


def _codes(column: pd.Series) -> np.ndarray:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.int64)
    return pd.factorize(column, use_na_sentinel=True)[0].astype(np.int64)


def estimate_duration(plays: pd.DataFrame) -> np.ndarray:
    """Estimated track length in ms per row (NaN where nothing was ever measured)."""
    n = len(plays)
    if n == 0:
        return np.empty(0, dtype=np.float32)
    keys = _track_keys(plays)
    ms = plays["ms_played"].to_numpy(dtype=np.float64, na_value=np.nan)
    frame = pd.DataFrame({"key": keys, "ms": ms})
    longest = frame.groupby("key", sort=False)["ms"].max()
    ended = plays["reason_end"] if "reason_end" in plays else pd.Series(pd.NA, index=plays.index)
    done = (ended == "trackdone").fillna(False).to_numpy(dtype=bool) & ~np.isnan(ms)
    if done.any():
        p95 = frame[done].groupby("key", sort=False)["ms"].quantile(DURATION_QUANTILE)
        longest.loc[p95.index] = p95.to_numpy()
    return longest.reindex(keys).to_numpy(dtype=np.float32)


def _sessions(ts_ns: np.ndarray, ms: np.ndarray, gap_minutes: float) -> np.ndarray:
    if len(ts_ns) == 0:
        return np.empty(0, dtype=np.int32)
    start = ts_ns - np.nan_to_num(ms, nan=0.0).astype(np.int64) * 1_000_000
    silence = start[1:] - ts_ns[:-1]
    new = np.concatenate(([0], (silence > gap_minutes * 60e9).astype(np.int32)))
    return np.cumsum(new, dtype=np.int32)


def add_features(plays: pd.DataFrame, *, tz: str, settings) -> pd.DataFrame:
    """Return ``plays`` (sorted by ``ts``) with the FEATURE_COLUMNS of model.py added.

    Needs ``ts``, ``artist`` and ``track``; ``ms_played``, ``track_uri`` and ``reason_end``
    are used when present (frames built by hand in tests may leave them out).
    """
    out = plays.copy(deep=False)
    if "ms_played" not in out:
        out["ms_played"] = pd.array([pd.NA] * len(out), dtype="Int64")
    ms = out["ms_played"].to_numpy(dtype=np.float64, na_value=np.nan)
    duration = estimate_duration(out)
    with np.errstate(divide="ignore", invalid="ignore"):
        engagement = np.clip(ms / duration, 0.0, 1.0)
    engagement = np.where(np.isnan(ms), 1.0, np.nan_to_num(engagement, nan=0.0))
    out["duration_ms"] = duration
    out["engagement"] = engagement.astype(np.float32)

    local = out["ts"].dt.tz_convert(tz)
    # Work on naive local wall-clock values: one vectorised pass instead of several .dt calls.
    wall = local.dt.tz_localize(None).to_numpy().astype("datetime64[ns]")
    days = wall.astype("datetime64[D]")
    hour = ((wall - days) // np.timedelta64(1, "h")).astype(np.int32)
    dow = ((days.astype(np.int64) + 3) % 7).astype(np.int32)  # 1970-01-01 was a Thursday
    months = days.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    out["hour"] = hour
    out["dow"] = dow
    out["month"] = (months + 1970 * 12).astype(np.int32)
    out["year"] = (months // 12 + 1970).astype(np.int32)
    ts_ns = out["ts"].dt.tz_localize(None).to_numpy().astype("datetime64[ns]").astype(np.int64)
    out["session"] = _sessions(ts_ns, ms, settings.import_.session_gap_minutes)
    return restore_derived(out, tz)


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
    out = plays.copy(deep=False)
    out["local_ts"] = out["ts"].dt.tz_convert(tz)  # same instants: only the dtype changes
    for name, (source, table) in _CYCLES.items():
        out[name] = table[out[source].to_numpy()]
    order = [c for c in (*CANONICAL_COLUMNS, *FEATURE_COLUMNS) if c in out.columns]
    return out[order + [c for c in out.columns if c not in order]]
