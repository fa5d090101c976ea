"""Rediscover: dormant favourites, ranked by how likely they are to come back.

An artist is dormant when it has counted plays but none in the last
``rediscover.dormant_days``. Its score is

    base     = all-time plays × exp(−days since its last play / half_life_days)
    score    = base × (1 + trend · alive + season · seasonal)

``alive`` is the temporal engine's part: the share of the artist's peak NMF preference that
its components still carry over the last three periods (the taste it belonged to is being
played again, through other artists). ``seasonal`` is the share of its plays that fell in
the coming ``dormant_days`` of earlier years, for artists played then in at least two years
(a Christmas artist in late November), shrunk for artists with few plays. Each item keeps both parts, so the UI can say which engine put
it there.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from musicrec_tui.core.engines.base import EngineResult, Item
from musicrec_tui.core.engines.common import NS_PER_DAY, utc_instant
from musicrec_tui.core.engines.recency import Plays
from musicrec_tui.core.history.model import History
from musicrec_tui.core.settings import Settings

if TYPE_CHECKING:
    from musicrec_tui.core.engines.temporal import Trends

YEAR_DAYS = 365.25
# Periods of the NMF fit that count as "now" for ``alive``.
RECENT_PERIODS = 3
# Plays an artist needs before its seasonal share counts fully.
SEASON_PRIOR = 5.0
# Earlier years an artist must have been played in the coming window to count as seasonal.
SEASON_YEARS = 2


def dormant_stats(plays: Plays, now: float, dormant_days: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(all-time plays, days since the last play, dormant mask) per artist code."""
    size = len(plays.names)
    count = np.bincount(plays.code, weights=plays.weight, minlength=size)
    last = np.full(size, -np.inf)
    np.maximum.at(last, plays.code, plays.day)
    since = now - last
    return count, since, (count > 0) & (since > dormant_days)


def alive_share(trends: Trends | None, names: np.ndarray) -> np.ndarray:
    """Per artist code: recent NMF preference over its peak, 0 outside the NMF matrix."""
    out = np.zeros(len(names))
    if trends is None or trends.fitted.empty:
        return out
    fitted = trends.fitted
    peak = fitted.max(axis=1).to_numpy()
    recent = fitted.iloc[:, -RECENT_PERIODS:].mean(axis=1).to_numpy()
    share = np.divide(recent, peak, out=np.zeros_like(recent), where=peak > 0)
    where = pd.Index(names).get_indexer(fitted.index.astype(str))
    keep = where >= 0
    out[where[keep]] = np.clip(share[keep], 0.0, 1.0)
    return out


def seasonal_share(plays: Plays, now: float, window_days: float,
                   count: np.ndarray) -> np.ndarray:
    """Per artist code: its plays in the coming ``window_days`` of earlier years, over its
    plays (+ ``SEASON_PRIOR``), for artists played in that window in at least
    ``SEASON_YEARS`` different years (a habit, not one busy season that happens to be a
    year ago)."""
    hits = np.zeros(len(plays.names))
    years_with = np.zeros(len(plays.names))
    if plays.empty:
        return hits
    first = float(plays.day.min())
    years = 1
    while now - years * YEAR_DAYS + window_days > first:
        start = now - years * YEAR_DAYS
        found = plays.counts(start, start + window_days)
        hits += found
        years_with += found > 0
        years += 1
    return np.where(years_with >= SEASON_YEARS, hits / (count + SEASON_PRIOR), 0.0)


def _ago(days: float) -> str:
    months = days / 30.44
    if months < 12:
        return f"{months:.0f} months ago"
    return f"{days / YEAR_DAYS:.1f} years ago"


def _why(plays: int, last: pd.Timestamp, since: float, alive: float, seasonal: float,
         tz: str) -> str:
    text = (f"{plays} play{'s' if plays != 1 else ''}, last on "
            f"{last.tz_convert(tz):%Y-%m-%d} ({_ago(since)})")
    if alive >= 0.3:
        text += f"; the taste it belongs to is back ({alive:.0%} of its peak)"
    if seasonal >= 0.3:
        text += "; you played it at this time of year before"
    return text


def rediscover_result(history: History, settings: Settings, *,
                      as_of: pd.Timestamp | datetime | None = None,
                      trends: Trends | None = None, top: int | None = None) -> EngineResult:
    """Dormant artists by return likelihood as of ``as_of`` (default: the last play)."""
    cfg = settings.rediscover
    cutoff = utc_instant(as_of, history.tz) if as_of is not None else None
    plays = Plays.of(history, cutoff)
    meta = {"dormant_days": cfg.dormant_days, "trend": cfg.trend, "season": cfg.season}
    if plays.empty:
        return EngineResult("rediscover", [], ["No counted plays in this window."], meta)
    now = cutoff.value / NS_PER_DAY if cutoff is not None else float(plays.day[-1])
    count, since, dormant = dormant_stats(plays, now, cfg.dormant_days)
    base = count * np.exp(-since / cfg.half_life_days)
    alive = alive_share(trends, plays.names) if cfg.trend > 0 else np.zeros(len(count))
    seasonal = (seasonal_share(plays, now, cfg.dormant_days, count) if cfg.season > 0
                else np.zeros(len(count)))
    temporal = base * (cfg.trend * alive + cfg.season * seasonal)
    score = base + temporal
    order = np.flatnonzero(dormant & (score > 0))
    order = order[np.lexsort((plays.names[order], -score[order]))]
    if top is not None:
        order = order[:top]
    notes = []
    if not len(order):
        span = now - float(plays.day.min())
        notes.append(f"no dormant favourites: every artist was played in the last "
                     f"{cfg.dormant_days:g} days" if span > cfg.dormant_days else
                     f"the history spans {span:.0f} days: Rediscover needs artists unplayed "
                     f"for {cfg.dormant_days:g} days")
    items = []
    for code in order:
        last = pd.Timestamp(int((now - since[code]) * NS_PER_DAY), tz="UTC")
        items.append(Item(
            str(plays.names[code]), float(score[code]),
            _why(int(count[code]), last, float(since[code]), float(alive[code]),
                 float(seasonal[code]), history.tz),
            {"engines": {"recency": float(base[code]), "temporal": float(temporal[code])},
             "plays": int(count[code]), "last": last.isoformat()}))
    return EngineResult("rediscover", items, notes, meta)
