"""Rolling-origin backtest: would each list have predicted what you played next?

Cutoffs every ``step_days`` over the last ``span_days`` of the history. At each cutoff the
engines and lists are fitted on plays up to it (``analysis.analyse``) and each list is
judged against its own question, beside the baselines that question has:

- **Play next**: NDCG@k (gain = plays) on the next ``horizon_days``; baselines all-time,
  recent and decayed play counts.
- **Rediscover**: NDCG@k on the next ``horizon_days`` counting only artists dormant at the
  cutoff (no counted play in ``rediscover.dormant_days``); baselines all-time counts and
  all-time counts × exp(−days since the last play / 365). A cutoff where no dormant artist
  came back says nothing and is left out.
- **Context picks**: hit@k on the next ``context_horizon_days``, each play judged against
  the picks of the context owning its own weekday × hour slot; baselines the global Play
  next list and decayed counts, the same picks for every slot.
- **Mix**: NDCG@k like Play next (it trades some of it for variety and new artists).

Each difference gets a moving-block bootstrap interval over the cutoffs (cutoffs closer
than a horizon judge overlapping windows). Discover is not backtested: new artists cannot
be judged on the history that defines what is new.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from musicrec_tui.core.analysis import Analysis, analyse
from musicrec_tui.core.engines.common import NS_PER_DAY
from musicrec_tui.core.engines.recency import Plays
from musicrec_tui.core.engines.rediscover import dormant_stats
from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.history.model import History
from musicrec_tui.core.metrics import (
    block_bootstrap,
    decayed_counts,
    ndcg_at_k,
    ordered,
    play_counts,
    window_counts,
)
from musicrec_tui.core.progress import CancelToken, Progress, check, report
from musicrec_tui.core.settings import Settings

# The second Rediscover baseline's decay, days (fixed by the question, not a setting).
REDISCOVER_BASELINE_DAYS = 365.0


@dataclass
class Comparison:
    """A list against one baseline over the cutoffs both were judged on."""

    baseline: str
    score: float
    difference: float
    interval: tuple[float, float]
    won: float  # share of those cutoffs where the list scored higher

    @property
    def relative(self) -> float:
        return self.difference / self.score if self.score > 0 else math.nan


@dataclass
class ListScore:
    name: str  # "play-next", "rediscover", "context picks", "mix"
    metric: str  # "NDCG@20" or "hit@10"
    score: float
    cutoffs: int
    baselines: list[Comparison]

    def against(self, baseline: str) -> Comparison:
        return next(c for c in self.baselines if c.baseline == baseline)


@dataclass
class Fold:
    """One cutoff: the fitted analysis, and each list and baseline as ranked artists."""

    cutoff: pd.Timestamp
    analysis: Analysis
    truth: pd.Series  # plays per artist in the horizon window
    dormant: set[str]  # artists with no counted play in the dormant window at the cutoff
    lists: dict[str, list[str]]  # name → ranked artists (lists and NDCG baselines)
    clusters: np.ndarray  # context-window plays: the context id of each play's slot
    played: np.ndarray  # context-window plays: artist
    picks: dict[int, list[str]]  # context id → its picks


# (list, metric kind, its baselines): "ndcg" judges all artists, "dormant" only the
# dormant ones, "hit" the context window's plays per slot.
QUESTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("play-next", "ndcg", ("decayed counts", "recent counts", "all-time counts")),
    ("rediscover", "dormant", ("all-time counts", "all-time × recency")),
    ("context picks", "hit", ("global play next", "decayed counts")),
    ("mix", "ndcg", ("decayed counts",)),
)


@dataclass
class Backtest:
    cutoffs: list[pd.Timestamp]
    scores: list[ListScore]
    per_cutoff: pd.DataFrame  # cutoff, list, series (the list or a baseline), value
    notes: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def row(self, name: str) -> ListScore:
        return next(s for s in self.scores if s.name == name)

    def to_dict(self) -> dict[str, Any]:
        def num(x: float) -> float | None:
            return round(float(x), 4) if math.isfinite(x) else None

        return {
            "cutoffs": [c.isoformat() for c in self.cutoffs],
            "protocol": self.settings,
            "lists": [{
                "list": s.name, "metric": s.metric, "score": num(s.score), "cutoffs": s.cutoffs,
                "baselines": [{
                    "name": c.baseline, "score": num(c.score), "difference": num(c.difference),
                    "relative": num(c.relative), "interval": [num(v) for v in c.interval],
                    "won": num(c.won)} for c in s.baselines],
            } for s in self.scores],
            "per_cutoff": [{"cutoff": r.cutoff.isoformat(), "list": r.list, "series": r.series,
                            "value": num(r.value)} for r in self.per_cutoff.itertuples()],
            "notes": list(self.notes),
        }


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


def dormant_baselines(history: History, as_of: pd.Timestamp,
                      settings: Settings) -> tuple[set[str], dict[str, list[str]]]:
    """The artists dormant at ``as_of``, and Rediscover's two baselines over them."""
    plays = Plays.of(history, as_of)
    count, since, dormant = dormant_stats(plays, as_of.value / NS_PER_DAY,
                                          settings.rediscover.dormant_days)
    names = plays.names[dormant]
    counts = pd.Series(count[dormant], index=names)
    decayed = counts * np.exp(-since[dormant] / REDISCOVER_BASELINE_DAYS)
    return set(names.tolist()), {"all-time counts": ordered(counts),
                                 "all-time × recency": ordered(decayed)}


def _fold(history: History, analysis: Analysis, settings: Settings) -> Fold:
    ev = settings.evaluate
    cutoff = analysis.as_of
    plays = history.counted_plays
    upto = plays[plays["ts"] <= cutoff]
    dormant, baselines = dormant_baselines(analysis.history, cutoff, settings)
    lists = {name: [r.artist for r in lst.items] for name, lst in analysis.lists.items()}
    lists.update({
        "all-time counts": ordered(play_counts(upto)),
        "recent counts": ordered(window_counts(
            upto, cutoff - pd.Timedelta(days=ev.baseline_window_days), cutoff)),
        "decayed counts": ordered(decayed_counts(upto, cutoff, ev.baseline_half_life_days)),
        **{f"dormant {name}": ranked for name, ranked in baselines.items()},
    })
    ctx = plays[(plays["ts"] > cutoff)
                & (plays["ts"] <= cutoff + pd.Timedelta(days=ev.context_horizon_days))]
    contexts = analysis.contexts
    if contexts is None or ctx.empty:
        clusters, picks = np.full(len(ctx), -1, dtype=np.int64), {}
    else:
        clusters = np.asarray(contexts.ids_for(ctx["local_ts"]), dtype=np.int64)
        picks = {c.id: [p.artist for p in c.picks] for c in contexts.clusters}
    return Fold(cutoff, analysis,
                window_counts(plays, cutoff, cutoff + pd.Timedelta(days=ev.horizon_days)),
                dormant, lists, clusters, ctx["artist"].astype(str).to_numpy(), picks)


def prepare(history: History, settings: Settings, *, progress: Progress | None = None,
            cancel: CancelToken | None = None) -> list[Fold]:
    """Fit every engine and list at every cutoff (the expensive part; ``score`` is cheap)."""
    points = cutoffs(history, settings)
    folds = []
    for n, cutoff in enumerate(points):
        check(cancel)
        analysis = analyse(history, settings, as_of=cutoff, at=cutoff, cancel=cancel)
        folds.append(_fold(history, analysis, settings))
        report(progress, n + 1, len(points))
    return folds


def hit_rate(fold: Fold, picks_of: Callable[[int], list[str]], k: int) -> float:
    """Share of the context window's plays whose artist is in the top ``k`` picks of the
    context owning the play's slot (NaN when nothing was played)."""
    if len(fold.played) == 0:
        return math.nan
    hits = 0
    for cluster in np.unique(fold.clusters):
        mask = fold.clusters == cluster
        hits += int(np.isin(fold.played[mask], picks_of(int(cluster))[:k]).sum())
    return hits / len(fold.played)


def _values(fold: Fold, question: str, kind: str, names: tuple[str, ...],
            settings: Settings) -> dict[str, float]:
    """The list's and each baseline's value at one fold (NaN: nothing to judge)."""
    ev = settings.evaluate
    if kind == "hit":
        lists = {"global play next": fold.lists["play-next"],
                 "decayed counts": fold.lists["decayed counts"]}
        out = {question: hit_rate(fold, lambda c: fold.picks.get(c, []), ev.context_top_k)}
        for name in names:
            out[name] = hit_rate(fold, lambda c, ranked=lists[name]: ranked, ev.context_top_k)
        return out
    gains = fold.truth[fold.truth > 0]
    if kind == "dormant":
        gains = gains[gains.index.isin(list(fold.dormant))]
    if gains.empty:
        return dict.fromkeys((question, *names), math.nan)
    prefix = "dormant " if kind == "dormant" else ""
    out = {question: ndcg_at_k(fold.lists[question], gains.to_dict(), ev.top_k)}
    for name in names:
        out[name] = ndcg_at_k(fold.lists[prefix + name], gains.to_dict(), ev.top_k)
    return out


def score(folds: list[Fold], settings: Settings) -> Backtest:
    """Judge every list and baseline at every fold, with bootstrap intervals."""
    ev = settings.evaluate
    rows: list[tuple[pd.Timestamp, str, str, float]] = []
    for fold in folds:
        for question, kind, names in QUESTIONS:
            for series, value in _values(fold, question, kind, names, settings).items():
                rows.append((fold.cutoff, question, series, value))
    per_cutoff = pd.DataFrame(rows, columns=["cutoff", "list", "series", "value"])
    block = max(1, math.ceil(ev.horizon_days / ev.step_days))
    scores = []
    for question, kind, names in QUESTIONS:
        table = per_cutoff[per_cutoff["list"] == question].pivot(
            index="cutoff", columns="series", values="value")
        own = table[question].to_numpy(dtype=float)
        judged = np.isfinite(own)
        comparisons = []
        for name in names:
            base = table[name].to_numpy(dtype=float)
            both = judged & np.isfinite(base)
            diff = own[both] - base[both]
            interval = block_bootstrap(diff, block, ev.bootstrap_resamples, ev.confidence,
                                       settings.ensemble.seed)
            comparisons.append(Comparison(
                name, float(base[both].mean()) if both.any() else math.nan,
                float(diff.mean()) if both.any() else math.nan, interval,
                float((diff > 0).mean()) if both.any() else math.nan))
        metric = (f"hit@{ev.context_top_k}" if kind == "hit" else f"NDCG@{ev.top_k}")
        scores.append(ListScore(question, metric,
                                float(own[judged].mean()) if judged.any() else math.nan,
                                int(judged.sum()), comparisons))
    notes = list(dict.fromkeys(f"{f.cutoff:%Y-%m-%d}: {n}" for f in folds
                               for n in f.analysis.notes
                               if not n.startswith(("mix: ", "discover: "))))
    protocol = {"step_days": ev.step_days, "span_days": ev.span_days,
                "horizon_days": ev.horizon_days, "context_horizon_days": ev.context_horizon_days,
                "top_k": ev.top_k, "context_top_k": ev.context_top_k,
                "dormant_days": settings.rediscover.dormant_days,
                "bootstrap_block": block, "confidence": ev.confidence}
    return Backtest([f.cutoff for f in folds], scores, per_cutoff, notes, protocol)


def evaluate(history: History, settings: Settings, *, progress: Progress | None = None,
             cancel: CancelToken | None = None) -> Backtest:
    return score(prepare(history, settings, progress=progress, cancel=cancel), settings)
