"""Engine 1: per-artist preference ranking.

``P = w_e_total·E_total + w_e_avg·E_avg + w_plays·log(1+plays) + w_hours·log(1+hours)``
with the weights from ``[ranking] weights``. Each term is min-max scaled across artists
before weighting: E_total is an unbounded sum while E_avg already lives in [0, 1], so
unscaled the weights would mean nothing (E_total would swamp the rest).

Which plays count where: E_total and E_avg use *every* play, because a skip is signal (a
skipped play has low engagement and drags E_avg down); ``plays`` in the formula is the
``counted`` plays (≥ min play length), so skips do not inflate the volume term. Hours are the
time actually listened (``ms_played``); scrobbles without it use the estimated track length,
or ``ranking.typical_track_seconds`` when the track was never measured; ``estimated`` is the
share of an artist's plays with no measured listening time (Last.fm CSV: all of them), so
the UI can mark those hours and engagement as estimates.

E_avg is shrunk towards the mean engagement of every play, as if each artist had
``ranking.prior_plays`` more plays at that mean: an average over 3 plays no longer counts as
much as one over 900. The weights are relative (rescaled to sum to 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from musicrec_tui.core.engines.base import EngineResult, Item
from musicrec_tui.core.engines.common import counted_columns
from musicrec_tui.core.history.model import History
from musicrec_tui.core.settings import Settings
from musicrec_tui.core.settings.checks import relative_weights

TABLE_COLUMNS = ("rank", "score", "plays", "counted_plays", "hours", "e_total", "e_avg",
                 "first", "last", "estimated")
MS_PER_HOUR = 3_600_000
# An artist whose plays mostly lack a measured listening time has estimated hours and
# engagement.
ESTIMATED = 0.5


def minmax(values: pd.Series) -> pd.Series:
    """Scale to [0, 1]; a constant column (e.g. one artist) scales to 1 so it still counts."""
    lo, hi = values.min(), values.max()
    if not np.isfinite(hi - lo) or hi - lo <= 0:
        return pd.Series(1.0, index=values.index)
    return (values - lo) / (hi - lo)


def month_period(month: int) -> pd.Period:
    """The feature column ``month`` (year·12 + month − 1) as a monthly Period."""
    return pd.Period(year=month // 12, month=month % 12 + 1, freq="M")


def _empty_table() -> pd.DataFrame:
    table = pd.DataFrame({c: pd.Series(dtype="float64") for c in TABLE_COLUMNS})
    table.index.name = "artist"
    return table


@dataclass
class Ranking:
    """Ranked artists (``table``, best first) plus per-artist drill-down helpers."""

    table: pd.DataFrame
    plays: pd.DataFrame = field(repr=False)
    settings: Settings = field(repr=False)
    notes: list[str] = field(default_factory=list)

    @cached_property
    def _track_counts(self) -> pd.Series:
        counted = counted_columns(self.plays, ["artist", "track"])
        counts = counted.groupby(["artist", "track"], observed=True).size()
        return counts[counts > 0].sort_values(ascending=False, kind="stable")

    def top_tracks(self, artist: str, n: int | None = None) -> list[tuple[str, int]]:
        """The artist's most-played tracks (counted plays), best first."""
        n = self.settings.ranking.top_tracks if n is None else n
        counts = self._track_counts
        if artist not in counts.index.get_level_values(0):
            return []
        mine = counts.xs(artist, level="artist")
        return [(str(track), int(c)) for track, c in mine.head(n).items()]

    def monthly(self, artist: str) -> pd.Series:
        """Counted plays per month (monthly PeriodIndex) from the artist's first month to the
        history's last, zero-filled."""
        if artist not in self.table.index:
            return pd.Series(dtype="int64", index=pd.PeriodIndex([], freq="M"), name=artist)
        mine = self.plays.loc[(self.plays["artist"] == artist) & self.plays["counted"], "month"]
        first = int(self.plays.loc[self.plays["artist"] == artist, "month"].min())
        last = int(self.plays["month"].max())
        counts = mine.value_counts().reindex(range(first, last + 1), fill_value=0).sort_index()
        index = pd.PeriodIndex([month_period(m) for m in counts.index], freq="M")
        return pd.Series(counts.to_numpy(dtype="int64"), index=index, name=artist)

    def result(self, top: int | None = None) -> EngineResult:
        rows = self.table if top is None else self.table.head(top)
        items = [
            Item(
                artist=str(row.Index),
                score=float(row.score),
                why=_why(row),
                extra={"rank": int(row.rank), "plays": int(row.counted_plays),
                       "hours": float(row.hours), "estimated": float(row.estimated)},
            )
            for row in rows.itertuples()
        ]
        return EngineResult("ranking", items, list(self.notes), {"artists": len(self.table)})


def _hours(hours: float) -> str:
    return f"{hours:.0f} h" if hours >= 10 else f"{hours:.1f} h"


def _why(row: Any) -> str:
    plays = f"{int(row.counted_plays)} plays"
    if row.estimated >= ESTIMATED:
        return f"{plays}, ~{_hours(row.hours)} (estimated: no listening times)"
    return f"{plays}, {_hours(row.hours)}, engagement {row.e_avg:.2f}"


def fit_ranking(history: History, settings: Settings) -> Ranking:
    """Rank every artist in ``history`` (already cut to the as-of instant by the caller)."""
    plays = history.plays
    if plays.empty:
        return Ranking(_empty_table(), plays, settings, ["No plays in this window: nothing to rank."])
    listened = plays["ms_played"].astype("float64").fillna(plays["duration_ms"].astype("float64"))
    frame = pd.DataFrame({
        "artist": plays["artist"],
        "engagement": plays["engagement"].astype("float64"),
        "estimated": plays["ms_played"].isna().astype("float64"),
        "counted": plays["counted"].astype("int64"),
        "ms": listened.fillna(settings.ranking.typical_track_seconds * 1000.0),
        "ts": plays["ts"],
    })
    grouped = frame.groupby("artist", observed=True, sort=False)
    table = pd.DataFrame({
        "plays": grouped.size(),
        "counted_plays": grouped["counted"].sum(),
        "hours": grouped["ms"].sum() / MS_PER_HOUR,
        "e_total": grouped["engagement"].sum(),
        "first": grouped["ts"].min(),
        "last": grouped["ts"].max(),
        "estimated": grouped["estimated"].mean(),
    })
    prior = settings.ranking.prior_plays
    overall = float(frame["engagement"].mean())
    table["e_avg"] = (table["e_total"] + prior * overall) / (table["plays"] + prior)
    weights = relative_weights(settings.ranking.weights, list(settings.ranking.weights),
                               "ranking.weights")
    terms = {
        "e_total": table["e_total"],
        "e_avg": table["e_avg"],
        "plays": np.log1p(table["counted_plays"].astype("float64")),
        "hours": np.log1p(table["hours"]),
    }
    table["score"] = sum(weights.get(name, 0.0) * minmax(term) for name, term in terms.items())
    # Ties (e.g. identical artists) break by name so the order is deterministic.
    table.index = table.index.astype(str)
    table.index.name = "artist"
    table = table.sort_index(kind="stable").sort_values("score", ascending=False, kind="stable")
    table["rank"] = np.arange(1, len(table) + 1)
    return Ranking(table[list(TABLE_COLUMNS)], plays, settings)
