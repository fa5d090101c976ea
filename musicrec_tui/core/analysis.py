"""The one façade the CLI, the TUI and export use: history in, every engine and list out.

``analyse`` cuts the history at ``as_of``, fits each engine (a failing engine becomes a note,
not a crash), asks the similarity provider for the Discover tier and builds the lists (Play
next, Rediscover, Discover and their Mix, see ``lists``). ``reblend`` re-does only the cheap
parts (Discover when the tier changes, and the Mix) without refitting.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from musicrec_tui.core.engines import ENGINES, ranking, recency, rediscover
from musicrec_tui.core.engines.base import EngineResult, RankedList, Recommendation

# A naive time is read in the history's zone; the result is UTC. Re-exported for the CLI.
from musicrec_tui.core.engines.common import counted_columns
from musicrec_tui.core.engines.common import utc_instant as to_utc
from musicrec_tui.core.engines.content import discover, parse_tier
from musicrec_tui.core.engines.ensemble import mix, mix_shares
from musicrec_tui.core.errors import Cancelled, MusicrecError
from musicrec_tui.core.history.model import History
from musicrec_tui.core.lists import NOTE_PREFIXES, build_lists, discover_list
from musicrec_tui.core.progress import CancelToken, Progress, check, report
from musicrec_tui.core.settings import Settings
from musicrec_tui.core.similarity.base import SimilarityProvider, SimilarityResult

if TYPE_CHECKING:
    # Imported where they run: scikit-learn costs seconds a list that does not need it.
    from musicrec_tui.core.engines import context, temporal

# Rough relative cost of each step, for one overall progress bar.
_COST = {"ranking": 1, "recency": 1, "temporal": 3, "context": 3, "content": 2, "lists": 1}


@dataclass
class Analysis:
    """Everything the engines said about one history as of one instant, and the lists."""

    history: History  # already cut at ``as_of``
    settings: Settings
    as_of: pd.Timestamp  # the cutoff (UTC); the last play when none was asked for
    ranking: ranking.Ranking | None
    trends: temporal.Trends | None
    contexts: context.Contexts | None
    results: dict[str, EngineResult]  # per engine, each list up to ensemble.pool long
    lists: dict[str, RankedList]  # keyed by lists.LISTS
    similarity: SimilarityResult | None
    at: pd.Timestamp | None = None  # the instant the context engine answered for
    provider: str | None = None  # "offline", "lastfm" or "listenbrainz": who answered
    tier: str = ""
    shares: dict[str, float] = field(default_factory=dict)  # of the Mix, as asked for
    groups: dict[str, set[Hashable]] = field(default_factory=dict)  # for the diversity step
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per engine and step
    source: SimilarityProvider | None = field(default=None, repr=False, compare=False)

    @property
    def mix(self) -> list[Recommendation]:
        return self.lists["mix"].items if "mix" in self.lists else []


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


def dominant_contexts(history: History, contexts: context.Contexts) -> dict[str, int]:
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


def listening_times(history: History) -> dict[str, int]:
    """Each artist's most-played time of the week: weekday or weekend × night, morning,
    afternoon or evening (ties: the earlier bucket). Cheap enough for every Mix, and the same
    whichever engines ran."""
    plays = counted_columns(history.plays, ["artist", "dow", "hour"])
    if plays.empty:
        return {}
    codes, names = pd.factorize(plays["artist"])
    bucket = ((plays["dow"].to_numpy() >= 5) * 4
              + plays["hour"].to_numpy() // 6).astype(np.int64)
    counts = np.bincount(codes * 8 + bucket, minlength=len(names) * 8).reshape(len(names), 8)
    return {str(name): int(best) for name, best in zip(names, counts.argmax(axis=1),
                                                       strict=True)}


def diversity_groups(history: History,
                     similarity: SimilarityResult | None) -> dict[str, set[Hashable]]:
    """What the Mix spreads across: each artist's usual listening time and its similarity
    neighbourhood."""
    groups: dict[str, set[Hashable]] = {}
    for artist, when in listening_times(history).items():
        groups.setdefault(artist, set()).add(("when", when))
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


def _content(fitted: ranking.Ranking, provider: SimilarityProvider, settings: Settings, tier: str,
             pool: int, *, trends: temporal.Trends | None, contexts: context.Contexts | None,
             at: pd.Timestamp | None, progress: Progress | None = None,
             cancel: CancelToken | None = None) -> EngineResult:
    result = discover(fitted, provider, settings, tier=tier, trends=trends, contexts=contexts,
                      at=at, progress=progress, cancel=cancel)
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
    shares: Mapping[str, float] | None = None,
    trends: temporal.Trends | None = None,
    contexts: context.Contexts | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> Analysis:
    """Fit the engines on ``history`` cut at ``as_of`` (default: everything) and build the
    lists.

    ``trends`` and ``contexts``, fitted elsewhere on the same history and cutoff (the app's
    other workers), give Discover its temporal and context views when those engines are not
    in ``engines``.

    ``at`` is the instant the context engine answers for: default ``as_of`` when one is
    given (what would it have said then), else now. ``provider`` defaults to the offline
    co-listening provider on the cut history; ``engines`` limits which engines run (ranking
    is always fitted: content seeds from it). ``shares`` override the Mix's
    (``ensemble.shares``). A failing engine becomes a note.
    """
    wanted = list(ENGINES if engines is None else engines)
    unknown = sorted(set(wanted) - set(ENGINES))
    if unknown:
        raise MusicrecError(f"unknown engine(s) {', '.join(unknown)}; known: {', '.join(ENGINES)}")
    tier = settings.content.tier if tier is None else tier
    parse_tier(tier)
    chosen = dict(settings.ensemble.shares if shares is None else shares)
    mix_shares({}, chosen)  # one rule for every weights table: refuse bad shares up front
    window = cut(history, as_of)
    cutoff = window.plays["ts"].iloc[-1] if as_of is None else to_utc(as_of, history.tz)
    when = to_utc(at, history.tz) if at is not None else (None if as_of is None else cutoff)
    pool = int(settings.ensemble.pool)
    notes: list[str] = []
    timings: dict[str, float] = {}
    results: dict[str, EngineResult] = {}
    # Ranking is always fitted: content seeds from it and the UI shows it.
    # Units of 1/100 of a cost point, so a long step (Last.fm) can report inside its share.
    total = 100 * sum(_COST[e] for e in {*wanted, "ranking", "lists"})
    done = 0

    def step(name: str) -> None:
        nonlocal done
        done += 100 * _COST[name]
        report(progress, done, total)

    def within(name: str) -> Progress:
        return lambda d, t: report(progress, done + 100 * _COST[name] * d // max(t, 1), total)

    check(cancel)
    fitted_ranking = _timed("ranking", timings, notes,
                            lambda: ranking.fit_ranking(window, settings))
    step("ranking")
    if fitted_ranking is not None and "ranking" in wanted:
        results["ranking"] = fitted_ranking.result(pool)
    if "recency" in wanted:
        res = _timed("recency", timings, notes, lambda: recency.play_next_result(
            window, settings, as_of=cutoff, top=pool))
        if res is not None:
            results["recency"] = res
        step("recency")
    if "temporal" in wanted:
        from musicrec_tui.core.engines import temporal

        trends = _timed("temporal", timings, notes, lambda: temporal.fit_trends(
            window, settings, progress=within("temporal"), cancel=cancel))
        if trends is not None:
            results["temporal"] = trends.result(pool)
        step("temporal")
    if "context" in wanted:
        from musicrec_tui.core.engines import context

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
                from musicrec_tui.core.similarity.colisten import CoListenProvider

                source = CoListenProvider(window, settings)
            return _content(fitted_ranking, source, settings, tier, pool, trends=trends,
                            contexts=contexts, at=when, progress=within("content"),
                            cancel=cancel)
        res = _timed("content", timings, notes, run_content)
        if res is not None:
            results["content"] = res
            similarity = res.meta.get("similarity")
        step("content")
    for res in results.values():
        notes.extend(f"{res.engine}: {n}" for n in res.notes)
    analysis = Analysis(
        history=window, settings=settings, as_of=cutoff, ranking=fitted_ranking,
        trends=trends, contexts=contexts, results=results, lists={},
        similarity=similarity, at=when, provider=_answered_by(similarity, source), tier=tier,
        shares=chosen, notes=notes, timings=timings, source=source,
    )
    analysis = _with_lists(analysis)
    step("lists")
    return analysis


def _with_lists(analysis: Analysis) -> Analysis:
    """Rediscover (from the cut history and the trends), then every list."""
    start = time.perf_counter()
    results = dict(analysis.results)
    if "recency" in results:  # Rediscover lives on the same counted plays as Play next
        results["rediscover"] = rediscover.rediscover_result(
            analysis.history, analysis.settings, as_of=analysis.as_of, trends=analysis.trends,
            top=int(analysis.settings.ensemble.pool))
    groups = diversity_groups(analysis.history, analysis.similarity)
    lists = build_lists(results, analysis.settings, provider=analysis.provider,
                        shares=analysis.shares, groups=groups)
    notes = [n for n in analysis.notes if not n.startswith(NOTE_PREFIXES)]
    notes += [f"{name}: {n}" for name, lst in lists.items() for n in lst.notes]
    return dataclasses.replace(analysis, lists=lists, groups=groups, notes=notes,
                               timings={**analysis.timings,
                                        "lists": time.perf_counter() - start})


def _answered_by(similarity: SimilarityResult | None, source: Any) -> str | None:
    """Who answered for content: the provider that did, not the one asked (a rejected key
    or a failing service falls back offline)."""
    return similarity.provider if similarity is not None else getattr(source, "name", None)


def _remix(analysis: Analysis, shares: Mapping[str, float], top: int | None) -> Analysis:
    lists = dict(analysis.lists)
    lists["mix"] = mix(lists, shares, top=analysis.settings.ensemble.top if top is None else top,
                       diversity=float(analysis.settings.ensemble.diversity),
                       groups=analysis.groups)
    notes = [n for n in analysis.notes if not n.startswith("mix: ")]
    return dataclasses.replace(analysis, lists=lists, shares=dict(shares),
                               notes=notes + [f"mix: {n}" for n in lists["mix"].notes])


def reblend(analysis: Analysis, *, shares: Mapping[str, float] | None = None,
            tier: str | None = None, provider: SimilarityProvider | None = None,
            top: int | None = None, progress: Progress | None = None,
            cancel: CancelToken | None = None) -> Analysis:
    """New shares / tier / provider / length without refitting (Discover is redone when the
    tier or the provider changes).

    ``shares=None`` keeps the shares the analysis was mixed with.
    """
    shares = analysis.shares if shares is None else dict(shares)
    mix_shares({}, shares)
    moved = tier is not None and tier != analysis.tier
    if moved or provider is not None:
        tier = analysis.tier if tier is None else tier
        parse_tier(tier)
        source = provider or analysis.source
        if analysis.ranking is None or source is None:
            raise MusicrecError("the content engine did not run; cannot change its tier")
        start = time.perf_counter()
        content = _content(analysis.ranking, source, analysis.settings, tier,
                           int(analysis.settings.ensemble.pool), trends=analysis.trends,
                           contexts=analysis.contexts, at=analysis.at, progress=progress,
                           cancel=cancel)
        similarity = content.meta.get("similarity")
        answered = _answered_by(similarity, source)
        lists = {**analysis.lists, "discover": discover_list(content, answered)}
        notes = [n for n in analysis.notes if not n.startswith(("content: ", "discover: "))]
        notes += [f"content: {n}" for n in content.notes]
        notes += [f"discover: {n}" for n in lists["discover"].notes]
        analysis = dataclasses.replace(
            analysis, results={**analysis.results, "content": content}, lists=lists,
            similarity=similarity, tier=tier, provider=answered, source=source, notes=notes,
            groups=diversity_groups(analysis.history, similarity),
            timings={**analysis.timings, "content": time.perf_counter() - start})
    return _remix(analysis, shares, top)


def combine(parts: list[Analysis], shares: Mapping[str, float] | None = None) -> Analysis:
    """One analysis from per-engine ones (same history, settings and cutoff), with lists.

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
        notes += [n for n in part.notes if not n.startswith(NOTE_PREFIXES) and n not in notes]
        trends = trends or part.trends
        contexts = contexts or part.contexts
        if part.similarity is not None or part.source is not None:
            similarity, source, provider = part.similarity, part.source, part.provider
    merged = dataclasses.replace(
        merged, results=results, trends=trends, contexts=contexts, similarity=similarity,
        source=source, provider=provider, notes=notes, timings=timings,
        shares=dict(merged.shares if shares is None else shares))
    return _with_lists(merged)
