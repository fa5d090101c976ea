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
them); how the artists of a context are ranked is in ``context_picks``.
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
    choose_power,
    context_counts,
    lift,
    predict_scores,
    typical_scores,
)
from musicrec_tui.core.engines.labels import (
    DAY_NAMES,
    circular_hour,
    context_label,
    dominant_band,
    unique_labels,
)
from musicrec_tui.core.history.model import History
from musicrec_tui.core.progress import CancelToken, Progress, check, report
from musicrec_tui.core.settings import Settings

HOURS, DAYS, WEEK = 24, 7, 168
ALL_SLOTS = [(d, h) for d in range(DAYS) for h in range(HOURS)]


@dataclass
class Context:
    """One listening context. ``picks``: the artists it is about (shown in lists);
    ``ranked``: what to play now in it (``Contexts.result``; see context_picks)."""

    id: int
    label: str
    slots: list[tuple[int, int]]
    picks: list[Item]
    plays: int
    # What to play now in this context (see context_picks), longer for the blend.
    ranked: list[Item] = field(default_factory=list, repr=False)


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
                     f"{k} context{'s' if k > 1 else ''}.")
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
        anytime = Context(0, "Any time", list(ALL_SLOTS), [], 0, [])
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

    # 2. Per-play context, then support-aware picks per context.
    counted = counted_columns(plays, ["ts", "artist", "dow", "hour", "month"])
    play_ctx = cell_owner[_cells(counted, season)]
    codes = counted["artist"].cat.codes.to_numpy()
    n_artists = len(counted["artist"].cat.categories)
    power, rates = choose_power(play_ctx, codes, counted["ts"], k_used, n_artists, settings)
    raw, dec = context_counts(play_ctx, codes, counted["ts"], k_used, n_artists,
                              counted["ts"].iloc[-1], settings.ensemble.recency_half_life_days)
    scores = (predict_scores(raw, dec, power, cfg.prior_plays), typical_scores(raw, dec, settings),
              lift(raw, cfg.prior_plays))
    clusters = _build(counted, raw, scores, cell_owner, weights, features, settings)
    order = sorted(range(k_used), key=lambda c: (-clusters[c][0], c))
    remap = np.empty(k_used, dtype=np.int64)
    remap[order] = np.arange(k_used)
    labels = unique_labels([clusters[c][1] for c in order], [clusters[c][2] for c in order],
                           [clusters[c][3] for c in order])
    report(progress, 2, 3)

    owner = remap[cell_owner].reshape(months, DAYS, HOURS)
    # With seasons a weekday×hour cell can change hands over the year: list it under the
    # context that holds it in most months.
    majority = np.stack([(owner == c).sum(axis=0) for c in range(k_used)]).argmax(axis=0)
    result = []
    for new_id, c in enumerate(order):
        plays_in, _, _, _, ranked_fn = clusters[c]
        slots = [(int(d), int(h)) for d, h in zip(*np.nonzero(majority == new_id), strict=True)]
        picks, ranked = ranked_fn(labels[new_id])
        result.append(Context(new_id, labels[new_id], slots, picks, int(plays_in), ranked))
    report(progress, 3, 3)
    meta = {"k": k_used, "silhouette": silhouette, "sessions": int(weights.sum()),
            "lift_power": power, "holdout_hit": rates}
    return Contexts(result, history.tz, owner, notes, meta, cfg.picks)


def _build(counted: pd.DataFrame, raw: np.ndarray,
           scores: tuple[np.ndarray, np.ndarray, np.ndarray], cell_owner: np.ndarray,
           weights: np.ndarray, features: np.ndarray, settings: Settings) -> list[tuple]:
    """Per context: (plays, label, peak hour, busiest day, picks builder).

    ``scores`` = (predictive score, how typical of the context, lift) per context × artist.
    """
    cfg = settings.context
    score, typical, lifts = scores
    names = counted["artist"].cat.categories.astype(str).to_numpy()
    candidates = np.flatnonzero(raw.sum(axis=0) > 0)
    pool = max(cfg.picks, settings.ensemble.pool)
    dow_of = (np.arange(len(cell_owner)) % WEEK) // HOURS
    hour_of = np.arange(len(cell_owner)) % HOURS
    out = []
    for c in range(raw.shape[0]):
        w = weights * (cell_owner == c)
        weekend = float(w[dow_of >= 5].sum() / max(w.sum(), 1e-12))
        # The centroid in raw features (K-Means' centre is this weighted mean, unscaled).
        centre = (w[:, None] * features).sum(axis=0) / max(w.sum(), 1e-12)
        hour = circular_hour(centre[0], centre[1])
        busiest = DAY_NAMES[int(np.argmax(np.bincount(dow_of, weights=w, minlength=7)))]
        when = dominant_band(np.bincount(hour_of, weights=w, minlength=HOURS))
        best = _top(candidates, score[c], names, pool)
        own = _top(candidates, typical[c], names, cfg.picks)

        def items(label: str, order: np.ndarray, value: np.ndarray, c=c) -> list[Item]:
            where = label[0].lower() + label[1:]
            n, up = raw[c], lifts[c]
            return [Item(str(names[a]), float(value[a]),
                         _why(where, int(n[a]), float(up[a]), cfg.prior_plays),
                         {"plays": int(n[a]), "lift": float(up[a])}) for a in order]

        def ranked(label: str, best=best, own=own, c=c) -> tuple[list[Item], list[Item]]:
            return items(label, own, typical[c]), items(label, best, score[c])

        out.append((raw[c].sum(), context_label(when, weekend), hour, busiest, ranked))
    return out


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
    text = f"{where}: {plays} play{'s' if plays != 1 else ''}"
    if lift >= 1.5:
        return f"{text}, {lift:.1f}× your usual share"
    # Below the support prior the score leans on the artist's overall recent share; say so
    # rather than let "1 play" look like the reason it ranks high.
    return f"{text}, mostly a recent favourite overall" if plays < prior else text
