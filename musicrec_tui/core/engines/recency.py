"""Recency engine: exponentially decayed play counts.

Each counted play weighs ``0.5 ** (age_days / half_life)`` at the as-of instant, so a play
from one half-life ago counts half. On the sample histories this simple signal predicts the
next 90 days best of the single engines (docs/engines.md, the backtest), which is why the
ensemble leans on it. "Now" is the last play (or ``as_of``), never the wall clock, so a fit
is reproducible.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from musicrec_tui.core.engines.base import EngineResult, Item
from musicrec_tui.core.engines.common import counted_columns, decay_weights, utc_instant
from musicrec_tui.core.history.model import History
from musicrec_tui.core.settings import Settings


def decayed_counts(history: History, settings: Settings, *,
                   as_of: pd.Timestamp | datetime | None = None) -> pd.DataFrame:
    """Per artist: ``decayed`` count and ``recent`` counted plays within one half-life."""
    plays = counted_columns(history.plays, ["ts", "artist"])
    if as_of is not None:
        plays = plays[plays["ts"] <= utc_instant(as_of, history.tz)]
    if plays.empty:
        return pd.DataFrame({"decayed": pd.Series(dtype="float64"),
                             "recent": pd.Series(dtype="int64")})
    now = utc_instant(as_of, history.tz) if as_of is not None else plays["ts"].iloc[-1]
    half_life = settings.ensemble.recency_half_life_days
    weights = decay_weights(plays["ts"], now, half_life)
    # Sum per artist code (bincount) rather than groupby on 1M string labels.
    codes = plays["artist"].cat.codes.to_numpy()
    size = len(plays["artist"].cat.categories)
    played = np.flatnonzero(np.bincount(codes, minlength=size))
    decayed = np.bincount(codes, weights=weights, minlength=size)[played]
    recent = np.bincount(codes, weights=weights >= 0.5, minlength=size)[played]  # ≤ 1 half-life
    names = np.asarray(plays["artist"].cat.categories[played], dtype=object)
    order = np.lexsort((names, -decayed))  # ties by name, so the order is reproducible
    return pd.DataFrame({"decayed": decayed[order], "recent": recent[order].astype(np.int64)},
                        index=pd.Index(names[order], name="artist"))


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
        Item(artist, decayed,
             f"{recent} play{'' if recent == 1 else 's'} in the last {days} days, "
             f"decayed {decayed:.1f}",
             {"recent": recent})
        for artist, decayed, recent in zip(rows.index.tolist(), rows["decayed"].tolist(),
                                           rows["recent"].tolist(), strict=True)
    ]
    return EngineResult("recency", items, [], {"half_life_days": half_life})
