"""Recency engine, the scorer behind Play next: decayed play shares at several timescales.

For each half-life h, an artist's share is Σ 2^(−age/h) over its counted plays divided by
the same sum over every artist; the score is the mean share over ``play_next.half_lives``
(default 14, 60 and 365 days). Short half-lives follow this month's listening, long ones
keep steady favourites in view, so one binge week no longer decides the list. "Now" is the
last play (or ``as_of``), never the wall clock, so a fit is reproducible.

Self-tuning (``recency_tune``) may swap the half-lives for one of ``play_next.alternatives``
when that set predicted this person's own earlier months clearly better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from musicrec_tui.core.engines.base import EngineResult, Item
from musicrec_tui.core.engines.common import NS_PER_DAY, counted_columns, utc_instant
from musicrec_tui.core.history.model import History
from musicrec_tui.core.settings import Settings


@dataclass(frozen=True)
class Plays:
    """Counted plays as arrays: artist code, time in days since 1970, and a weight (a
    number of plays, so per-day aggregates can stand in for single plays)."""

    code: np.ndarray
    day: np.ndarray
    weight: np.ndarray
    names: np.ndarray  # artist name per code

    @classmethod
    def of(cls, history: History, as_of: pd.Timestamp | None = None) -> Plays:
        plays = counted_columns(history.plays, ["ts", "artist"])
        if as_of is not None:
            plays = plays[plays["ts"] <= as_of]
        return cls.of_frame(plays)

    @classmethod
    def of_frame(cls, plays: pd.DataFrame) -> Plays:
        """From a frame of counted plays with ``ts`` and a categorical ``artist``."""
        ns = plays["ts"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
        names = np.asarray(plays["artist"].cat.categories.astype(str), dtype=object)
        return cls(plays["artist"].cat.codes.to_numpy(np.int64), ns / NS_PER_DAY,
                   np.ones(len(ns)), names)

    @property
    def empty(self) -> bool:
        return len(self.code) == 0

    def daily(self) -> Plays:
        """Plays summed per artist and day (about 5× fewer rows: what tuning loops over)."""
        if self.empty:
            return self
        day = np.floor(self.day).astype(np.int64)
        base = int(day.min())
        span = int(day.max()) - base + 1
        key, inverse = np.unique(self.code * span + (day - base), return_inverse=True)
        weight = np.bincount(inverse, weights=self.weight)
        return Plays(key // span, (key % span + base) + 0.5, weight, self.names)

    def by_day(self) -> Plays:
        """The same plays in time order (``daily`` sorts by artist)."""
        order = np.argsort(self.day, kind="stable")
        return Plays(self.code[order], self.day[order], self.weight[order], self.names)

    def counts(self, start: float, end: float) -> np.ndarray:
        """Plays per artist code in (start, end]."""
        keep = (self.day > start) & (self.day <= end)
        return np.bincount(self.code[keep], weights=self.weight[keep],
                           minlength=len(self.names))


def shares(plays: Plays, now: float, half_lives: Sequence[float]) -> np.ndarray:
    """Mean over ``half_lives`` of each artist's decayed share of listening (sums to 1)."""
    out = np.zeros(len(plays.names))
    if plays.empty:
        return out
    ages = np.maximum(now - plays.day, 0.0)
    for half_life in half_lives:
        decayed = np.bincount(plays.code, weights=plays.weight * np.exp2(-ages / half_life),
                              minlength=len(plays.names))
        total = decayed.sum()
        if total > 0:
            out += decayed / total
    return out / max(len(half_lives), 1)


def _why(counts: list[tuple[float, int]]) -> str:
    """"12 plays in the last 14 days, 40 in 60 days" (windows with no play at the front
    are left out: the longer ones say it)."""
    while len(counts) > 1 and counts[0][1] == 0:
        counts = counts[1:]
    parts = [f"{n} in {h:g} days" for h, n in counts]
    first = parts[0].replace(" in ", " play in the last " if counts[0][1] == 1
                             else " plays in the last ", 1)
    return ", ".join([first, *parts[1:]])


def play_next_result(history: History, settings: Settings, *,
                     as_of: pd.Timestamp | datetime | None = None, top: int | None = None,
                     tune: bool = True) -> EngineResult:
    """Artists by multi-timescale decayed share as of ``as_of`` (default: the last play)."""
    from musicrec_tui.core.engines.recency_tune import tune_half_lives

    cutoff = utc_instant(as_of, history.tz) if as_of is not None else None
    plays = Plays.of(history, cutoff)
    half_lives = [float(h) for h in settings.play_next.half_lives]
    meta: dict = {"half_lives": half_lives}
    if plays.empty:
        return EngineResult("recency", [], ["No counted plays in this window: nothing to play "
                                            "next."], meta)
    now = cutoff.value / NS_PER_DAY if cutoff is not None else float(plays.day[-1])
    notes: list[str] = []
    if tune:
        tuning = tune_half_lives(plays, now, settings)
        meta["tuning"] = tuning.to_dict()
        notes.extend([tuning.note] if tuning.note else [])
        half_lives = meta["half_lives"] = tuning.chosen
    score = shares(plays, now, half_lives)
    order = np.flatnonzero(score > 0)
    order = order[np.lexsort((plays.names[order], -score[order]))]
    if top is not None:
        order = order[:top]
    windows = [plays.counts(now - h, now)[order] for h in half_lives]
    items = []
    for row, code in enumerate(order):
        counts = [(h, int(w[row])) for h, w in zip(half_lives, windows, strict=True)]
        items.append(Item(str(plays.names[code]), float(score[code]), _why(counts),
                          {"recent": dict((f"{h:g}", n) for h, n in counts)}))
    return EngineResult("recency", items, notes, meta)
