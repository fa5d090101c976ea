"""The one façade the CLI, the TUI and export use: history in, every engine + the blend out.

``analyse`` cuts the history at ``as_of``, fits each engine (a failing engine becomes a note,
not a crash), asks the similarity provider for the content tier and blends. ``reblend``
re-does only the cheap parts (content when the tier changes, and the blend) without refitting.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from musicrec_tui.core.engines import context, ranking, recency, temporal
from musicrec_tui.core.engines.base import EngineResult, Recommendation

# A naive time is read in the history's zone; the result is UTC. Re-exported for the CLI.
from musicrec_tui.core.engines.common import utc_instant as to_utc
from musicrec_tui.core.engines.content import discover, parse_tier
from musicrec_tui.core.engines.ensemble import blend, check_weights, heavy_rotation
from musicrec_tui.core.errors import Cancelled, MusicrecError
from musicrec_tui.core.history.model import History
from musicrec_tui.core.progress import CancelToken, Progress, check, report
from musicrec_tui.core.settings import Settings
from musicrec_tui.core.similarity.base import SimilarityProvider, SimilarityResult
from musicrec_tui.core.similarity.colisten import CoListenProvider

ENGINES = ("ranking", "recency", "temporal", "context", "content")
# Rough relative cost of each step, for one overall progress bar.
_COST = {"ranking": 1, "recency": 1, "temporal": 3, "context": 3, "content": 2, "blend": 1}


@dataclass
class Analysis:
    """Everything the engines said about one history as of one instant."""

    history: History  # already cut at ``as_of``
    settings: Settings
    as_of: pd.Timestamp  # the cutoff (UTC); the last play when none was asked for
    ranking: Any | None  # engines.ranking.Ranking
    trends: Any | None  # engines.temporal.Trends
    contexts: Any | None  # engines.context.Contexts
    results: dict[str, EngineResult]  # per engine, each list up to ensemble.pool long
    ensemble: list[Recommendation]
    similarity: SimilarityResult | None
    at: pd.Timestamp | None = None  # the instant the context engine answered for
    provider: str | None = None  # "offline", "lastfm" or "listenbrainz": who answered
    tier: str = ""
    weights: dict[str, float] = field(default_factory=dict)  # as asked for (see notes for drops)
    exclude: set[str] = field(default_factory=set)  # heavy rotation left out of the blend
    groups: dict[str, set[Hashable]] = field(default_factory=dict)  # for the diversity step
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per engine and step
    source: SimilarityProvider | None = field(default=None, repr=False, compare=False)


def cut(history: History, as_of: pd.Timestamp | datetime | str | None) -> History:
    """``history.as_of`` with a clear message when nothing is left."""
    if history.empty:
        raise MusicrecError("the history has no plays")
    if as_of is None:
        return history
    cutoff = to_utc(as_of, history.tz)
    window = history.as_of(cutoff)
    if window.empty:
        first = history.plays["ts"].iloc[0]
        raise MusicrecError(f"no plays on or before {cutoff:%Y-%m-%d}; "
                            f"the history starts {first:%Y-%m-%d}")
    return window


def dominant_contexts(history: History, contexts: Any) -> dict[str, int]:
    """Each artist's most-played context (ties: lower context id)."""
    plays = history.counted_plays
    if plays.empty:
        return {}
    codes, names = pd.factorize(plays["artist"])
    ids = np.asarray(contexts.ids_for(plays["local_ts"]), dtype=np.int64)
    k = int(ids.max()) + 1
    counts = np.bincount(codes * k + ids, minlength=len(names) * k).reshape(len(names), k)
    return {str(name): int(best) for name, best in zip(names, counts.argmax(axis=1),
                                                       strict=True)}


def neighbourhoods(similarity: SimilarityResult | None) -> dict[str, str]:
    """Each neighbour's closest queried artist (its "neighbourhood"); seeds are their own."""
    if similarity is None:
        return {}
    best: dict[str, tuple[float, str]] = {seed: (2.0, seed) for seed in similarity.neighbours}
    for seed in sorted(similarity.neighbours):
        for nb in similarity.neighbours[seed]:
            if nb.score > best.get(nb.name, (-1.0, ""))[0]:
                best[nb.name] = (nb.score, seed)
    return {artist: seed for artist, (_, seed) in best.items()}


def diversity_groups(history: History, contexts: Any | None,
                     similarity: SimilarityResult | None) -> dict[str, set[Hashable]]:
    groups: dict[str, set[Hashable]] = {}
    if contexts is not None and getattr(contexts, "clusters", None):
        for artist, cluster in dominant_contexts(history, contexts).items():
            groups.setdefault(artist, set()).add(("context", cluster))
    for artist, seed in neighbourhoods(similarity).items():
        groups.setdefault(artist, set()).add(("near", seed))
    return groups


def _timed(name: str, timings: dict[str, float], notes: list[str], fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    try:
        return fn()
    except Cancelled:
        raise
    except MusicrecError as exc:
        notes.append(f"{name}: {exc}")
    except Exception as exc:  # an engine bug must not take the others down
        notes.append(f"{name} failed: {type(exc).__name__}: {exc}")
    finally:
        timings[name] = time.perf_counter() - start
    return None


def _content(fitted: Any, provider: SimilarityProvider, settings: Settings, tier: str,
             pool: int, progress: Progress | None = None,
             cancel: CancelToken | None = None) -> EngineResult:
    result = discover(fitted, provider, settings, tier=tier, progress=progress, cancel=cancel)
    result.items = result.items[:pool]
    return result


def analyse(
    history: History,
    settings: Settings,
    *,
    as_of: pd.Timestamp | datetime | str | None = None,
    at: pd.Timestamp | datetime | str | None = None,
    provider: SimilarityProvider | None = None,
    engines: Iterable[str] | None = None,
    tier: str | None = None,
    weights: dict[str, float] | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> Analysis:
    """Fit the engines on ``history`` cut at ``as_of`` (default: everything) and blend.

    ``at`` is the instant the context engine answers for: default ``as_of`` when one is
    given (what would it have said then), else now. ``provider`` defaults to the offline
    co-listening provider on the cut history; ``engines`` limits which engines run (ranking
    is always fitted: content seeds from it). A failing engine becomes a note.
    """
    wanted = list(ENGINES if engines is None else engines)
    unknown = sorted(set(wanted) - set(ENGINES))
    if unknown:
        raise MusicrecError(f"unknown engine(s) {', '.join(unknown)}; known: {', '.join(ENGINES)}")
    tier = settings.content.tier if tier is None else tier
    parse_tier(tier)
    if weights is not None:
        check_weights(weights)
    window = cut(history, as_of)
    cutoff = window.plays["ts"].iloc[-1] if as_of is None else to_utc(as_of, history.tz)
    when = to_utc(at, history.tz) if at is not None else (None if as_of is None else cutoff)
    pool = int(settings.ensemble.pool)
    notes: list[str] = []
    timings: dict[str, float] = {}
    results: dict[str, EngineResult] = {}
    # Ranking is always fitted: content seeds from it and the UI shows it.
    # Units of 1/100 of a cost point, so a long step (Last.fm) can report inside its share.
    total = 100 * sum(_COST[e] for e in {*wanted, "ranking", "blend"})
    done = 0

    def step(name: str) -> None:
        nonlocal done
        done += 100 * _COST[name]
        report(progress, done, total)

    def within(name: str) -> Progress:
        return lambda d, t: report(progress, done + 100 * _COST[name] * d // max(t, 1), total)
        check(cancel)

    check(cancel)
    fitted_ranking = _timed("ranking", timings, notes,
                            lambda: ranking.fit_ranking(window, settings))
    step("ranking")
    if fitted_ranking is not None and "ranking" in wanted:
        results["ranking"] = fitted_ranking.result(pool)
    if "recency" in wanted:
        res = _timed("recency", timings, notes,
                     lambda: recency.recency_result(window, settings, as_of=cutoff, top=pool))
        if res is not None:
            results["recency"] = res
        step("recency")
    trends = None
    if "temporal" in wanted:
        trends = _timed("temporal", timings, notes, lambda: temporal.fit_trends(
            window, settings, progress=within("temporal"), cancel=cancel))
        if trends is not None:
            results["temporal"] = trends.result(pool)
        step("temporal")
    contexts = None
    if "context" in wanted:
        contexts = _timed("context", timings, notes, lambda: context.fit_contexts(
            window, settings, progress=within("context"), cancel=cancel))
        if contexts is not None:
            results["context"] = contexts.result(at=when, top=pool)
        step("context")
    similarity = None
    source = None
    if "content" in wanted and fitted_ranking is not None:
        def run_content() -> EngineResult:
            nonlocal source
            source = provider
            if source is None:
                source = CoListenProvider(window, settings)
            return _content(fitted_ranking, source, settings, tier, pool,
                            progress=within("content"), cancel=cancel)
        res = _timed("content", timings, notes, run_content)
        if res is not None:
            results["content"] = res
            similarity = res.meta.get("similarity")
        step("content")
    for res in results.values():
        notes.extend(f"{res.engine}: {n}" for n in res.notes)
    analysis = Analysis(
        history=window, settings=settings, as_of=cutoff, ranking=fitted_ranking,
        trends=trends, contexts=contexts, results=results, ensemble=[],
        similarity=similarity, at=when, provider=_answered_by(similarity, source), tier=tier,
        notes=notes, timings=timings, source=source,
    )
    start = time.perf_counter()
    analysis.exclude = heavy_rotation(window, settings) if settings.ensemble.exclude_heavy else set()
    analysis.groups = diversity_groups(window, contexts, similarity)
    analysis = _blend(analysis, weights)
    timings["blend"] = time.perf_counter() - start
    step("blend")
    return analysis


def _blend(analysis: Analysis, weights: dict[str, float] | None,
           top: int | None = None) -> Analysis:
    chosen = check_weights(weights if weights is not None else analysis.settings.ensemble.weights)
    blend_notes: list[str] = []
    recs = blend(analysis.results, analysis.settings, weights=chosen, top=top,
                 exclude=analysis.exclude, groups=analysis.groups, notes=blend_notes)
    notes = [n for n in analysis.notes if not n.startswith("blend: ")]
    return dataclasses.replace(analysis, ensemble=recs, weights=chosen,
                               notes=notes + [f"blend: {n}" for n in blend_notes])


def _answered_by(similarity: SimilarityResult | None, source: Any) -> str | None:
    """Who answered for content: the provider that did, not the one asked (a rejected key
    or a failing service falls back offline)."""
    return similarity.provider if similarity is not None else getattr(source, "name", None)


def reblend(analysis: Analysis, *, weights: dict[str, float] | None = None,
            tier: str | None = None, top: int | None = None,
            progress: Progress | None = None, cancel: CancelToken | None = None) -> Analysis:
    """New weights / tier / length without refitting (content is redone if the tier moves).

    ``weights=None`` keeps the weights the analysis was blended with.
    """
    weights = analysis.weights if weights is None else check_weights(weights)
    if tier is not None and tier != analysis.tier:
        parse_tier(tier)
        if analysis.ranking is None or analysis.source is None:
            raise MusicrecError("the content engine did not run; cannot change its tier")
        start = time.perf_counter()
        content = _content(analysis.ranking, analysis.source, analysis.settings, tier,
                           int(analysis.settings.ensemble.pool), progress, cancel)
        results = {**analysis.results, "content": content}
        similarity = content.meta.get("similarity")
        analysis = dataclasses.replace(
            analysis, results=results, similarity=similarity, tier=tier,
            provider=_answered_by(similarity, analysis.source),
            groups=diversity_groups(analysis.history, analysis.contexts, similarity),
            timings={**analysis.timings, "content": time.perf_counter() - start})
    return _blend(analysis, weights, top)


def combine(parts: list[Analysis], weights: dict[str, float] | None = None) -> Analysis:
    """One analysis from per-engine ones (same history, settings and cutoff), blended.

    Lets a UI run each engine in its own worker (own progress, own failure) and still get
    the result one ``analyse`` over every engine would give.
    """
    if not parts:
        raise MusicrecError("nothing to combine: no engine finished")
    merged = parts[0]
    results, timings, notes = {}, {}, []
    trends = contexts = similarity = source = provider = None
    for part in parts:
        results.update(part.results)
        timings.update(part.timings)
        notes += [n for n in part.notes if not n.startswith("blend: ") and n not in notes]
        trends = trends or part.trends
        contexts = contexts or part.contexts
        if part.similarity is not None or part.source is not None:
            similarity, source, provider = part.similarity, part.source, part.provider
    merged = dataclasses.replace(
        merged, results=results, trends=trends, contexts=contexts, similarity=similarity,
        source=source, provider=provider, notes=notes, timings=timings,
        groups=diversity_groups(merged.history, contexts, similarity))
    return reblend(merged, weights=weights)
