"""Recency engine: exponentially decayed play counts.

Each counted play weighs ``0.5 ** (age_days / half_life)`` at the as-of instant, so a play
from one half-life ago counts half. On real histories this simple signal predicts the next
90 days best of the single engines (see the issue's baseline table), which is why the
ensemble leans on it. "Now" is the last play (or ``as_of``), never the wall clock, so a fit
is reproducible.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from musicrec_tui.core.engines.base import EngineResult, Item
from musicrec_tui.core.history.model import History
from musicrec_tui.core.settings import Settings

NS_PER_DAY = 86_400 * 10**9


def utc_instant(when: pd.Timestamp | datetime | str, tz: str = "UTC") -> pd.Timestamp:
    """A timestamp in UTC; a naive one is read as local time in ``tz``."""
    stamp = pd.Timestamp(when)
    return stamp.tz_localize(tz).tz_convert("UTC") if stamp.tzinfo is None \
        else stamp.tz_convert("UTC")


def decay_weights(ts: pd.Series, now: pd.Timestamp, half_life_days: float) -> np.ndarray:
    """Weight of each play at ``now``: 1 for a play at ``now``, ½ one half-life earlier."""
    ages = (now.value - ts.to_numpy(dtype="datetime64[ns]").astype(np.int64)) / NS_PER_DAY
    return np.exp2(-np.maximum(ages, 0.0) / half_life_days)


def decayed_counts(history: History, settings: Settings, *,
                   as_of: pd.Timestamp | datetime | None = None) -> pd.DataFrame:
    """Per artist: ``decayed`` count and ``recent`` counted plays within one half-life."""
    plays = history.counted_plays
    if as_of is not None:
        plays = plays[plays["ts"] <= utc_instant(as_of, history.tz)]
    if plays.empty:
        return pd.DataFrame({"decayed": pd.Series(dtype="float64"),
                             "recent": pd.Series(dtype="int64")})
    now = utc_instant(as_of, history.tz) if as_of is not None else plays["ts"].iloc[-1]
    half_life = settings.ensemble.recency_half_life_days
    weights = decay_weights(plays["ts"], now, half_life)
    recent = (weights >= 0.5).astype(np.int64)  # within one half-life of now
    frame = pd.DataFrame({"artist": plays["artist"].to_numpy(),
                          "decayed": weights, "recent": recent})
    table = frame.groupby("artist", observed=True).sum()
    table.index = table.index.astype(str)
    # Name order first, so equal scores come out in a stable, reproducible order.
    table = table.sort_index(kind="stable")
    return table.sort_values("decayed", ascending=False, kind="stable")


def recency_result(history: History, settings: Settings, *,
                   as_of: pd.Timestamp | datetime | None = None,
                   top: int | None = None) -> EngineResult:
    """Artists by decayed play count as of ``as_of`` (default: the last play)."""
    table = decayed_counts(history, settings, as_of=as_of)
    half_life = settings.ensemble.recency_half_life_days
    if table.empty:
        return EngineResult("recency", [], ["No counted plays in this window: no recent favourites."],
                            {"half_life_days": half_life})
    rows = table if top is None else table.head(top)
    days = f"{half_life:g}"
    items = [
        Item(str(artist), float(row.decayed),
             f"{int(row.recent)} play{'' if row.recent == 1 else 's'} in the last {days} days, "
             f"decayed {row.decayed:.1f}",
             {"recent": int(row.recent)})
        for artist, row in zip(rows.index, rows.itertuples(index=False), strict=True)
    ]
    return EngineResult("recency", items, [], {"half_life_days": half_life})
