"""Rolling-origin backtest: would the engines have predicted what you played next?

Cutoffs every ``step_days`` over the last ``span_days`` of the history. At each cutoff the
engines are fitted on plays up to it (``analysis.analyse``) and each ranked list is judged
against the most-played artists of the next ``horizon_days`` (NDCG@k with gain = plays in
the window, and overlap@k). Context picks are judged by hit@k on the next
``context_horizon_days``: every play counts as a hit when its artist is among the picks of
its own weekday × hour slot. A list without a notion of time (the baselines, the other
engines) offers the same picks for every slot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from musicrec_tui.core.analysis import Analysis, analyse
from musicrec_tui.core.engines.base import EngineResult
from musicrec_tui.core.engines.ensemble import blend
from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.history.model import History
from musicrec_tui.core.metrics import (
    decayed_counts,
    ndcg_at_k,
    ordered,
    overlap_at_k,
    play_counts,
    window_counts,
)
from musicrec_tui.core.progress import CancelToken, Progress, check, report
from musicrec_tui.core.settings import Settings

BASELINES = ("all-time counts", "recent counts", "decayed counts")
ENGINE_ROWS = ("ranking", "recency", "temporal", "context", "content")


@dataclass
class Score:
    """Mean metrics of one list over the cutoffs."""

    name: str
    kind: str  # "baseline", "engine" or "ensemble"
    ndcg: float
    overlap: float
    hit: float
    cutoffs: int


@dataclass
class Backtest:
    cutoffs: list[pd.Timestamp]
    rows: list[Score]
    per_cutoff: pd.DataFrame  # cutoff, name, ndcg, overlap, hit
    notes: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def row(self, name: str) -> Score:
        return next(r for r in self.rows if r.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cutoffs": [c.isoformat() for c in self.cutoffs],
            "protocol": self.settings,
            "rows": [{"name": r.name, "kind": r.kind, "ndcg": round(r.ndcg, 4),
                      "overlap": round(r.overlap, 4), "hit": round(r.hit, 4),
                      "cutoffs": r.cutoffs} for r in self.rows],
            "per_cutoff": [{"cutoff": r.cutoff.isoformat(), "name": r.name,
                            "ndcg": round(r.ndcg, 4), "overlap": round(r.overlap, 4),
                            "hit": round(r.hit, 4)} for r in self.per_cutoff.itertuples()],
            "notes": list(self.notes),
        }


@dataclass
class Fold:
    """One cutoff: the fitted analysis plus what really happened afterwards."""

    cutoff: pd.Timestamp
    analysis: Analysis
    truth: pd.Series  # plays per artist in the horizon window
    clusters: np.ndarray  # context-window plays: the context id of each play's slot (−1 none)
    played: np.ndarray  # context-window plays: artist
    cluster_results: dict[int, EngineResult]  # the context engine's list per context id
    baselines: dict[str, list[str]]


def cutoffs(history: History, settings: Settings) -> list[pd.Timestamp]:
    """Chronological cutoffs; MusicrecError when the history is too short for one."""
    ev = settings.evaluate
    plays = history.counted_plays
    if plays.empty:
        raise MusicrecError("the history has no counted plays to evaluate")
    first, last = plays["ts"].iloc[0], plays["ts"].iloc[-1]
    out = []
    i = 0
    while True:
        cutoff = last - pd.Timedelta(days=ev.horizon_days + i * ev.step_days)
        if cutoff < last - pd.Timedelta(days=ev.span_days):
            break
        if cutoff - first < pd.Timedelta(days=ev.min_train_days):
            break
        out.append(cutoff)
        i += 1
    if not out:
        span = (last - first).days
        raise MusicrecError(
            f"the history is too short for a backtest: it spans {span} days, and a cutoff needs "
            f"{ev.min_train_days} days before it and {ev.horizon_days} days after it")
    return sorted(out)


def _context_lists(analysis: Analysis, window: pd.DataFrame,
                   pool: int) -> tuple[np.ndarray, dict[int, EngineResult]]:
    """Context id of each judged play, and the context engine's list for each id seen."""
    contexts = analysis.contexts
    if contexts is None or window.empty:
        return np.full(len(window), -1, dtype=np.int64), {}
    ids = np.asarray(contexts.ids_for(window["local_ts"]), dtype=np.int64)
    results = {}
    for cid in np.unique(ids):
        first = int(np.flatnonzero(ids == cid)[0])
        results[int(cid)] = contexts.result(at=window["local_ts"].iloc[first], top=pool)
    return ids, results


def prepare(history: History, settings: Settings, *, progress: Progress | None = None,
            cancel: CancelToken | None = None) -> list[Fold]:
    """Fit every engine at every cutoff (the expensive part; ``score`` is cheap)."""
    ev = settings.evaluate
    plays = history.counted_plays
    points = cutoffs(history, settings)
    folds = []
    for n, cutoff in enumerate(points):
        check(cancel)
        analysis = analyse(history, settings, as_of=cutoff, at=cutoff, cancel=cancel)
        truth = window_counts(plays, cutoff, cutoff + pd.Timedelta(days=ev.horizon_days))
        ctx_end = cutoff + pd.Timedelta(days=ev.context_horizon_days)
        ctx = plays[(plays["ts"] > cutoff) & (plays["ts"] <= ctx_end)]
        clusters, cluster_results = _context_lists(analysis, ctx, settings.ensemble.pool)
        upto = plays[plays["ts"] <= cutoff]
        baselines = {
            "all-time counts": ordered(play_counts(upto)),
            "recent counts": ordered(window_counts(
                upto, cutoff - pd.Timedelta(days=ev.baseline_window_days), cutoff)),
            "decayed counts": ordered(decayed_counts(upto, cutoff, ev.baseline_half_life_days)),
        }
        folds.append(Fold(
            cutoff=cutoff, analysis=analysis, truth=truth,
            clusters=clusters, played=ctx["artist"].astype(str).to_numpy(),
            cluster_results=cluster_results, baselines=baselines,
        ))
        report(progress, n + 1, len(points))
    return folds


def _hit(fold: Fold, picks_by_cluster: Mapping[int, list[str]], fallback: list[str],
         k: int) -> float:
    if len(fold.played) == 0:
        return 0.0
    hits = 0
    for cluster in np.unique(fold.clusters):
        picks = set(picks_by_cluster.get(int(cluster), fallback)[:k])
        mask = fold.clusters == cluster
        hits += int(np.isin(fold.played[mask], list(picks)).sum())
    return hits / len(fold.played)


def _ensemble_lists(fold: Fold, settings: Settings, weights: Mapping[str, float] | None,
                    k: int, k_ctx: int) -> tuple[list[str], dict[int, list[str]]]:
    a = fold.analysis
    overall = [r.artist for r in blend(a.results, settings, weights=weights, top=k,
                                       exclude=a.exclude, groups=a.groups)]
    per_cluster = {
        cluster: [r.artist for r in blend({**a.results, "context": res}, settings,
                                          weights=weights, top=k_ctx, exclude=a.exclude,
                                          groups=a.groups)]
        for cluster, res in fold.cluster_results.items()
    }
    return overall, per_cluster


def score(folds: list[Fold], settings: Settings, *,
          weights: Mapping[str, float] | None = None) -> Backtest:
    """Judge every list at every fold; ``weights`` overrides the blend's (for tuning)."""
    ev = settings.evaluate
    k, k_ctx = ev.top_k, ev.context_top_k
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for fold in folds:
        gains = fold.truth.to_dict()
        truth = ordered(fold.truth)
        lists: dict[str, tuple[str, list[str], dict[int, list[str]]]] = {}
        for name, ranked in fold.baselines.items():
            lists[name] = ("baseline", ranked, {})
        for engine in ENGINE_ROWS:
            result = fold.analysis.results.get(engine)
            if result is None:
                continue
            ranked = [it.artist for it in result.items]
            by_cluster = ({c: [it.artist for it in r.items]
                           for c, r in fold.cluster_results.items()}
                          if engine == "context" else {})
            lists[engine] = ("engine", ranked, by_cluster)
        overall, per_cluster = _ensemble_lists(fold, settings, weights, k, k_ctx)
        lists["ensemble"] = ("ensemble", overall, per_cluster)
        for name, (kind, ranked, by_cluster) in lists.items():
            rows.append({
                "cutoff": fold.cutoff, "name": name, "kind": kind,
                "ndcg": ndcg_at_k(ranked, gains, k), "overlap": overlap_at_k(ranked, truth, k),
                "hit": _hit(fold, by_cluster, ranked, k_ctx),
            })
        notes.extend(f"{fold.cutoff:%Y-%m-%d}: {n}" for n in fold.analysis.notes
                     if not n.startswith("blend: "))
    per_cutoff = pd.DataFrame(rows, columns=["cutoff", "name", "kind", "ndcg", "overlap", "hit"])
    summary = []
    for name, group in per_cutoff.groupby("name", sort=False):
        summary.append(Score(str(name), str(group["kind"].iloc[0]), float(group["ndcg"].mean()),
                             float(group["overlap"].mean()), float(group["hit"].mean()),
                             len(group)))
    protocol = {"step_days": ev.step_days, "span_days": ev.span_days,
                "horizon_days": ev.horizon_days, "context_horizon_days": ev.context_horizon_days,
                "top_k": k, "context_top_k": k_ctx,
                "weights": dict(weights if weights is not None else settings.ensemble.weights)}
    return Backtest([f.cutoff for f in folds], summary, per_cutoff,
                    list(dict.fromkeys(notes)), protocol)


def evaluate(history: History, settings: Settings, *, weights: Mapping[str, float] | None = None,
             progress: Progress | None = None, cancel: CancelToken | None = None) -> Backtest:
    return score(prepare(history, settings, progress=progress, cancel=cancel), settings,
                 weights=weights)
