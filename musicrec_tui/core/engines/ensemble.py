"""The blend: min-max normalised engine scores, weighted, then a diversity re-rank.

Each recommendation keeps every engine's weighted contribution, so the UI can show why an
artist is there. The diversity step is a greedy MMR-style pass: an artist loses up to
``diversity`` of its score in proportion to how much of the list so far already shares one
of its groups (its dominant listening context, its similarity neighbourhood).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Mapping

import pandas as pd

from musicrec_tui.core.engines.base import EngineResult, Item, Recommendation
from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.history.model import History
from musicrec_tui.core.settings import Settings

ENGINES = ("recency", "temporal", "context", "ranking", "content")
_TOLERANCE = 1e-6
# Engine reasons quoted per recommendation.
_WHY_ENGINES = 2


def parse_weights(text: str) -> dict[str, float]:
    """"recency=0.6,temporal=0.4" → {"recency": 0.6, "temporal": 0.4} (validated later)."""
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise SettingsError(f"weights: {part!r} is not engine=number (e.g. recency=0.4)")
    return out


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Known engines, non-negative, summing to 1 (within 1e-6); else SettingsError."""
    unknown = sorted(set(weights) - set(ENGINES))
    if unknown:
        raise SettingsError(
            f"ensemble.weights: unknown engine(s) {', '.join(unknown)}; "
            f"known: {', '.join(ENGINES)}")
    bad = {k: v for k, v in weights.items() if not v >= 0}
    if bad:
        raise SettingsError(f"ensemble.weights: weights must be ≥ 0, got {bad}")
    total = sum(weights.values())
    if abs(total - 1.0) > _TOLERANCE:
        raise SettingsError(f"ensemble.weights: weights must sum to 1, they sum to {total:.6g}")
    return dict(weights)


def effective_weights(results: Mapping[str, EngineResult], weights: Mapping[str, float],
                      notes: list[str] | None = None) -> dict[str, float]:
    """Drop engines with no result (or no items) and renormalise what is left."""
    present = {k: w for k, w in weights.items() if k in results and results[k].items}
    missing = sorted(k for k, w in weights.items() if w > 0 and k not in present)
    total = sum(present.values())
    if total <= 0:
        usable = sorted(k for k in results if results[k].items)
        if notes is not None and usable:
            notes.append("no weighted engine produced results; blending the others equally")
        return {k: 1.0 / len(usable) for k in usable}
    if missing and notes is not None:
        whose = "its weight" if len(missing) == 1 else "their weights"
        notes.append(f"no results from {', '.join(missing)}: {whose} went to the others")
    return {k: w / total for k, w in present.items() if w > 0}


def heavy_rotation(history: History, settings: Settings) -> set[str]:
    """The top ``heavy_rotation_top`` artists of the last ``heavy_rotation_days`` days."""
    plays = history.counted_plays
    if plays.empty:
        return set()
    since = plays["ts"].iloc[-1] - pd.Timedelta(days=settings.ensemble.heavy_rotation_days)
    recent = plays.loc[plays["ts"] > since, "artist"].astype(str).value_counts()
    ordered = sorted(recent.items(), key=lambda kv: (-kv[1], kv[0]))
    return {name for name, _ in ordered[: settings.ensemble.heavy_rotation_top]}


def _normalised(result: EngineResult) -> tuple[dict[str, float], dict[str, Item]]:
    """Min-max scores per artist, and each artist's item (the first, if listed twice)."""
    first: dict[str, Item] = {}
    for item in result.items:
        first.setdefault(item.artist, item)
    scores = [float(it.score) for it in first.values()]
    lo, hi = min(scores), max(scores)
    if hi - lo <= 0:
        return dict.fromkeys(first, 1.0), first
    span = hi - lo
    return {a: (s - lo) / span for a, s in zip(first, scores, strict=True)}, first


def _diversify(ranked: list[tuple[str, float]], groups: Mapping[str, Collection[Hashable]],
               strength: float, top: int) -> list[tuple[str, float]]:
    """Greedy re-rank: penalise artists whose groups already fill the list."""
    if strength <= 0 or not groups:
        return ranked[:top]
    remaining = list(ranked)
    chosen: list[tuple[str, float]] = []
    taken: Counter[Hashable] = Counter()
    while remaining and len(chosen) < top:
        def adjusted(entry: tuple[str, float]) -> float:
            if not chosen:
                return entry[1]
            share = max((taken[g] for g in groups.get(entry[0], ())), default=0) / len(chosen)
            return entry[1] - strength * share
        best = min(remaining, key=lambda e: (-adjusted(e), -e[1], e[0]))
        remaining.remove(best)
        chosen.append(best)
        taken.update(set(groups.get(best[0], ())))
    return chosen


def blend(
    results: Mapping[str, EngineResult],
    settings: Settings,
    *,
    weights: Mapping[str, float] | None = None,
    top: int | None = None,
    exclude: Collection[str] = frozenset(),
    groups: Mapping[str, Collection[Hashable]] | None = None,
    notes: list[str] | None = None,
) -> list[Recommendation]:
    """Blend engine results; ``notes`` (if given) collects what the user should know."""
    chosen_weights = check_weights(weights if weights is not None else settings.ensemble.weights)
    used = effective_weights(results, chosen_weights, notes)
    top = settings.ensemble.top if top is None else top
    contributions: dict[str, dict[str, float]] = {}
    items: dict[str, dict[str, Item]] = {}
    for engine, weight in used.items():
        scores, items[engine] = _normalised(results[engine])
        for artist, value in scores.items():
            if artist not in exclude:
                contributions.setdefault(artist, {})[engine] = weight * value
    ranked = sorted(((a, sum(c.values())) for a, c in contributions.items()),
                    key=lambda e: (-e[1], e[0]))
    picked = _diversify(ranked, groups or {}, float(settings.ensemble.diversity), top)
    out = []
    for artist, score in picked:
        parts = contributions[artist]
        leading = sorted(parts.items(), key=lambda kv: (-kv[1], kv[0]))
        why = " · ".join(items[e][artist].why for e, v in leading[:_WHY_ENGINES]
                         if v > 0 and items[e][artist].why)
        flags = [items[e][artist].extra["in_library"] for e in parts
                 if "in_library" in items[e][artist].extra]
        out.append(Recommendation(artist, float(score), dict(leading), why or "blended score",
                                  all(flags)))
    return out
