"""Engine 3: listening contexts from K-Means over session times.

Each session is placed at the local (weekday, hour) of its middle play, encoded as
``[hour_sin, hour_cos, dow_sin, dow_cos]`` plus a weekend flag (``weekend_feature``: on the
weekday circle Sunday sits next to Monday, and without the flag lazy Sunday mornings and
Monday commutes land in one context) and month-of-year when ``include_season``,
standardised, and clustered with K-Means. Sessions only take 168 distinct positions (2,016
with seasons), so K-Means and the silhouette run on those cells weighted by their session
counts: identical to clustering every session, at a fraction of the cost, and the silhouette
is exact instead of sampled. Every one of the 168 weekday×hour cells is then given to its
nearest centroid, so the ``slots`` cover the whole week and ``at(when)`` always answers.

Picks: a play belongs to the context owning its own slot (the way the backtest judges
them); how the artists of a context are ranked (its picks, which back off to the global
Play next list, and what it is about) is in ``context_picks``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from musicrec_tui.core.engines.base import EngineResult, Item
from musicrec_tui.core.engines.common import counted_columns
from musicrec_tui.core.engines.context_picks import (
    backoff_scores,
    choose_tilt,
    context_counts,
    lift,
    typical_scores,
)
from musicrec_tui.core.engines.labels import (
    describe,
    in_sentence,
    unique_labels,
)
from musicrec_tui.core.engines.recency import Plays, shares
from musicrec_tui.core.engines.recency_tune import tune_half_lives
from musicrec_tui.core.history.model import History
from musicrec_tui.core.progress import CancelToken, Progress, check, report
from musicrec_tui.core.settings import Settings
from musicrec_tui.core.wording import plural

HOURS, DAYS, WEEK = 24, 7, 168
ALL_SLOTS = [(d, h) for d in range(DAYS) for h in range(HOURS)]


@dataclass
class Context:
    """One listening context. ``picks``: what to play in it (the global Play next list,
    tilted to the context only where that helped); ``typical``: the artists it is about."""

    id: int
    label: str
    slots: list[tuple[int, int]]
    picks: list[Item]
    plays: int
    typical: list[Item] = field(default_factory=list)
    # The picks, longer: what ``Contexts.result`` and the lists draw from.
    ranked: list[Item] = field(default_factory=list, repr=False)
    # The (weekday, hour) slots it had sessions in, which its label names; its other slots
    # are times you rarely listen, given to the nearest context.
    listened: frozenset[tuple[int, int]] = field(default_factory=frozenset, repr=False)

    def listened_at(self, moment: datetime) -> bool:
        """Whether ``moment``'s weekday and hour are among the slots it had sessions in."""
        return (moment.weekday(), moment.hour) in self.listened


@dataclass
class Contexts:
    clusters: list[Context]
    tz: str
    owner: np.ndarray = field(repr=False)  # context id per (month-of-year | 0, dow, hour)
    notes: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    picks: int = 10  # default length of result()

    def ids_for(self, local_ts: pd.Series) -> np.ndarray:
        """Context id of each local timestamp (vectorised ``at``)."""
        moy = (local_ts.dt.month.to_numpy() - 1) if self.owner.shape[0] > 1 else 0
        return self.owner[moy, local_ts.dt.day_of_week.to_numpy(), local_ts.dt.hour.to_numpy()]

    def at(self, when: pd.Timestamp | datetime | str | None = None) -> Context:
        """The context whose slot holds ``when`` (naive = local time; None = now)."""
        stamp = pd.Timestamp.now(tz=self.tz) if when is None else pd.Timestamp(when)
        stamp = stamp.tz_localize(self.tz) if stamp.tzinfo is None else stamp.tz_convert(self.tz)
        moy = stamp.month - 1 if self.owner.shape[0] > 1 else 0
        return self.clusters[int(self.owner[moy, stamp.day_of_week, stamp.hour])]

    def result(self, at: pd.Timestamp | datetime | str | None = None,
               top: int | None = None) -> EngineResult:
        ctx = self.at(at)
        items = ctx.ranked[: self.picks if top is None else top]
        return EngineResult("context", list(items), list(self.notes),
                            {**self.meta, "context": ctx.label, "context_id": ctx.id})


def _cell_features(season: bool, weekend: bool) -> np.ndarray:
    """Feature rows for every cell, indexed moy·168 + dow·24 + hour."""
    months = 12 if season else 1
    moy, dow, hour = np.meshgrid(np.arange(months), np.arange(DAYS), np.arange(HOURS),
                                 indexing="ij")
    cols = [np.sin(2 * np.pi * hour / HOURS), np.cos(2 * np.pi * hour / HOURS),
            np.sin(2 * np.pi * dow / DAYS), np.cos(2 * np.pi * dow / DAYS)]
    if weekend:
        cols.append((dow >= 5).astype(float))
    if season:
        cols += [np.sin(2 * np.pi * moy / 12), np.cos(2 * np.pi * moy / 12)]
    return np.stack([c.ravel() for c in cols], axis=1)


def _cells(plays: pd.DataFrame, season: bool) -> np.ndarray:
    cell = plays["dow"].to_numpy(np.int64) * HOURS + plays["hour"].to_numpy(np.int64)
    if season:
        cell = cell + (plays["month"].to_numpy(np.int64) % 12) * WEEK
    return cell


def weighted_silhouette(X: np.ndarray, weights: np.ndarray, labels: np.ndarray) -> float:
    """Silhouette of the sessions, each cell standing for ``weights`` identical sessions."""
    dist = pairwise_distances(X)
    k = int(labels.max()) + 1
    onehot = np.eye(k)[labels] * weights[:, None]
    sums = dist @ onehot  # per point: weighted distance sum to each cluster
    sizes = onehot.sum(axis=0)
    own = sizes[labels]
    a = np.divide(sums[np.arange(len(X)), labels], own - 1, out=np.zeros(len(X)),
                  where=own > 1)
    other = np.where(np.arange(k)[None, :] == labels[:, None], np.inf, sums / sizes)
    b = other.min(axis=1)
    s = np.divide(b - a, np.maximum(a, b), out=np.zeros(len(X)), where=np.maximum(a, b) > 0)
    s[own <= 1] = 0.0  # sklearn's convention for singleton clusters
    return float((s * weights).sum() / weights.sum())


def _choose_k(X: np.ndarray, w: np.ndarray, requested: int, settings: Settings,
              notes: list[str], check_cancel) -> tuple[int, float | None, KMeans | None]:
    cfg, seed = settings.context, settings.ensemble.seed
    n_cells, sessions = len(X), int(w.sum())
    fit = lambda k: KMeans(n_clusters=k, n_init=4, random_state=seed).fit(X, sample_weight=w)  # noqa: E731
    if requested > 0:
        k = min(requested, n_cells)
        if k < requested:
            notes.append(f"Only {sessions} sessions in {n_cells} distinct hours of the week: "
                         f"{k} contexts instead of {requested}.")
        return k, None, fit(k) if k > 1 else None
    candidates = range(max(cfg.k_min, 2), min(cfg.k_max, n_cells - 1) + 1)
    if not candidates:
        k = min(max(cfg.k_min, 1), n_cells)
        notes.append(f"Only {sessions} sessions in {n_cells} distinct hours of the week: "
                     f"{plural(k, 'context')}.")
        return k, None, fit(k) if k > 1 else None
    best = None
    for k in candidates:
        check_cancel()
        model = fit(k)
        score = weighted_silhouette(X, w, model.labels_)
        if best is None or score > best[1] + 1e-9:
            best = (k, score, model)
    return best


def fit_contexts(history: History, settings: Settings, *, k: int | None = None,
                 progress: Progress | None = None,
                 cancel: CancelToken | None = None) -> Contexts:
    """Cluster sessions by time of week and rank each context's artists."""
    cfg = settings.context
    season = cfg.include_season
    months = 12 if season else 1
    plays = history.plays
    report(progress, 0, 3)
    if plays.empty or not plays["counted"].any():
        anytime = Context(0, "Any time", list(ALL_SLOTS), [], 0, [],
                          listened=frozenset(ALL_SLOTS))
        return Contexts([anytime], history.tz, np.zeros((months, DAYS, HOURS), dtype=np.int64),
                        ["No counted plays in this window: no listening contexts."],
                        {"k": 1}, cfg.picks)

    # 1. Sessions → cells (the middle play's weekday and hour) → weighted K-Means.
    notes: list[str] = []
    session = plays["session"].to_numpy()
    _, starts, counts = np.unique(session, return_index=True, return_counts=True)
    middle = plays.iloc[starts + counts // 2]
    weights = np.bincount(_cells(middle, season), minlength=months * WEEK).astype(float)
    features = _cell_features(season, cfg.weekend_feature)
    seen = np.flatnonzero(weights > 0)
    scaler = StandardScaler().fit(features[seen], sample_weight=weights[seen])
    X = scaler.transform(features)
    k_wanted = cfg.k if k is None else k
    # One thread: at most 2,016 points, where OpenMP/BLAS hand-offs cost more than they save.
    with threadpool_limits(limits=1):
        k_used, silhouette, model = _choose_k(X[seen], weights[seen], k_wanted, settings, notes,
                                              lambda: check(cancel))
    if model is None:
        if len(seen) == 1:
            notes.append("All listening falls in one hour of the week: one context.")
        cell_owner = np.zeros(len(features), dtype=np.int64)
    else:
        cell_owner = model.predict(X)
    report(progress, 1, 3)
    check(cancel)

    # 2. Per-play context, then picks (backing off to the global list) per context.
    counted = counted_columns(plays, ["ts", "artist", "dow", "hour", "month"])
    play_ctx = cell_owner[_cells(counted, season)]
    played = Plays.of_frame(counted)
    now = float(played.day[-1])
    half_lives = tune_half_lives(played, now, settings).chosen
    tilt, holdout = choose_tilt(play_ctx, played, k_used, half_lives, settings)
    raw, dec = context_counts(play_ctx, played, k_used, now, half_lives)
    scores = _Scores(raw, backoff_scores(dec, shares(played, now, half_lives), tilt),
                     typical_scores(raw, dec, settings), lift(raw, cfg.prior_plays),
                     played.names)
    # Days and hours from the cells a context holds that had sessions: a context of Wed–Fri
    # evenings is not called "Weekday", and the label covers every hour it was played in.
    held = [(cell_owner == c) & (weights > 0) for c in range(k_used)]
    described = [describe(cells, weights) for cells in held]
    order = sorted(range(k_used), key=lambda c: (-raw[c].sum(), c))
    remap = np.empty(k_used, dtype=np.int64)
    remap[order] = np.arange(k_used)
    labels = unique_labels(*([described[c][i] for c in order] for i in range(3)))
    report(progress, 2, 3)

    owner = remap[cell_owner].reshape(months, DAYS, HOURS)
    # With seasons a weekday×hour cell can change hands over the year: list it under the
    # context that holds it in most months.
    majority = np.stack([(owner == c).sum(axis=0) for c in range(k_used)]).argmax(axis=0)
    pool = max(cfg.picks, settings.ensemble.pool)
    result = []
    for new_id, c in enumerate(order):
        slots = [(int(d), int(h)) for d, h in zip(*np.nonzero(majority == new_id), strict=True)]
        where = in_sentence(labels[new_id])
        ranked = scores.items(c, scores.pick, pool, where, cfg.prior_plays)
        typical = scores.items(c, scores.typical, cfg.picks, where, cfg.prior_plays)
        week = np.flatnonzero(held[c]) % WEEK
        listened = frozenset(zip((week // HOURS).tolist(), (week % HOURS).tolist(), strict=True))
        result.append(Context(new_id, labels[new_id], slots, ranked[: cfg.picks],
                              int(raw[c].sum()), typical, ranked, listened))
    report(progress, 3, 3)
    meta = {"k": k_used, "silhouette": silhouette, "sessions": int(weights.sum()),
            "slot_tilt": tilt, "holdout_hit": holdout.rates(), "holdout": holdout,
            "half_lives": half_lives}
    return Contexts(result, history.tz, owner, notes, meta, cfg.picks)


@dataclass
class _Scores:
    """Per context × artist: plays, pick score, how typical, lift; and the artist names."""

    raw: np.ndarray
    pick: np.ndarray
    typical: np.ndarray
    lifts: np.ndarray
    names: np.ndarray

    def items(self, c: int, score: np.ndarray, n: int, where: str, prior: float) -> list[Item]:
        """The ``n`` best artists of context ``c`` by ``score``, each with c's own count."""
        candidates = np.flatnonzero(self.raw.sum(axis=0) > 0)
        plays, lifts = self.raw[c], self.lifts[c]
        return [Item(str(self.names[a]), float(score[c, a]),
                     _why(where, int(plays[a]), float(lifts[a]), prior),
                     {"plays": int(plays[a]), "lift": float(lifts[a])})
                for a in _top(candidates, score[c], self.names, n)]


def _top(candidates: np.ndarray, score: np.ndarray, names: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` best candidates, ties by name. Sorting 20k names per context was most of a
    1M-play fit, so only the candidates at or above the n-th score are sorted."""
    values = score[candidates]
    if len(values) > n:
        cut = np.partition(values, len(values) - n)[len(values) - n]
        candidates, values = candidates[values >= cut], values[values >= cut]
    return candidates[np.lexsort((names[candidates], -values))][:n]


def _why(where: str, plays: int, lift: float, prior: float) -> str:
    if plays == 0:
        return f"a recent favourite overall (no plays in {where} yet)"
    text = f"{where}: {plural(plays, 'play')}"
    if lift >= 1.5:
        return f"{text}, {lift:.1f}× your usual share"
    # Below the support prior the score leans on the artist's overall recent share; say so
    # rather than let "1 play" look like the reason it ranks high.
    return f"{text}, mostly a recent favourite overall" if plays < prior else text
