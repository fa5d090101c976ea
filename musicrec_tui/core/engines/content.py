"""Content / discovery: new artists ranked by Discover's three views (``views``).

content(c) = Σ_tier sim(c, t) × pref(t) / max pref over the tier; temporal and context are
the same sum over the rising artists and over what the context of ``at`` is about. Each view
is scaled to [0, 1] and blended by ``discover.weights``. With the offline provider every
candidate is already in the library, so the engine serves forgotten favourites and deep
cuts: candidates in heavy recent rotation are damped.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from musicrec_tui.core.engines.base import EngineResult, Item
from musicrec_tui.core.engines.views import VIEWS, blend, candidates, explain, view_seeds
from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.progress import CancelToken, Progress
from musicrec_tui.core.settings import Settings
from musicrec_tui.core.settings.checks import parse_tier as _parse_tier
from musicrec_tui.core.settings.checks import relative_weights, rescaled_note
from musicrec_tui.core.similarity.base import SimilarityProvider
from musicrec_tui.core.similarity.names import normalise_name

# Tier artists named in an item's reason.
_WHY_SEEDS = 2


def parse_tier(text: str) -> tuple[int, int]:
    """"1-50" → (1, 50): 1-based, inclusive ranks."""
    try:
        return _parse_tier(str(text))
    except ValueError as exc:
        raise SettingsError(f"content.tier: {text!r}: {exc}") from None


def _rotation(table: pd.DataFrame, settings: Settings) -> pd.Series:
    """0..1 per library artist: how much it is in heavy recent rotation."""
    last = pd.to_datetime(table["last"], utc=True)
    days_since = (last.max() - last).dt.total_seconds() / 86400.0
    recent = np.exp2(-days_since / float(settings.content.rotation_half_life_days))
    # Heavily played artists count fully; one-play artists barely (they are the deep cuts).
    plays = table["plays"].astype(float)
    heavy = np.log1p(plays) / max(np.log1p(plays.max()), 1e-9)
    out = (recent * heavy).fillna(0.0)
    out.index = out.index.astype(str)
    return out


def discover(
    ranking: Any,
    provider: SimilarityProvider,
    settings: Settings,
    *,
    tier: str | None = None,
    trends: Any = None,
    contexts: Any = None,
    at: Any = None,
    exclude_library: bool | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> EngineResult:
    """Discover from the tier's seeds, plus the rising artists of ``trends`` and the typical
    artists of the context of ``at`` in ``contexts`` when given (each view of its own)."""
    tier_text = tier if tier is not None else settings.content.tier
    start, end = parse_tier(tier_text)
    table = ranking.table.sort_values("rank", kind="stable")
    notes: list[str] = []
    tier_rows = table[(table["rank"] >= start) & (table["rank"] <= end)]
    if tier_rows.empty:
        notes.append(f"tier {start}-{end} is empty: the library has {len(table)} ranked artists")
        return EngineResult("content", [], notes, {"similarity": None, "tier": (start, end)})
    if len(tier_rows) < end - start + 1:
        notes.append(f"tier {start}-{end} holds only {len(tier_rows)} artists")
    weights = relative_weights(settings.discover.weights, list(VIEWS), "discover.weights")
    if note := rescaled_note("discover.weights", settings.discover.weights):
        notes.append(note)
    seeds = view_seeds(tier_rows["score"].astype(float).to_dict(), weights, trends=trends,
                       contexts=contexts, at=at, rising=int(settings.discover.rising_seeds))
    if trends is not None and weights["temporal"] > 0 and not seeds.weights.get("temporal"):
        notes.append("no rising artists: the temporal view is empty")
    result = provider.similar(seeds.artists(), limit=settings.content.neighbours,
                              progress=progress, cancel=cancel)
    notes.extend(result.messages)
    found = candidates(seeds, result.neighbours)
    parts = blend(found, weights)

    # None = decide from who answered: only a provider that knows artists outside the
    # library (Last.fm, ListenBrainz) makes "not in my library" meaningful. Deciding after
    # the call matters when the service failed and everything fell back to offline.
    if exclude_library is None:
        exclude_library = (result.provider != "offline"
                           and bool(settings.content.exclude_library_with_lastfm))
    # Last.fm display names can differ from the export in case or punctuation.
    library = {normalise_name(name) for name in table.index.astype(str)}
    damping = _rotation(table, settings) if result.provider == "offline" else None
    items: list[Item] = []
    for name, cand in found.items():
        in_library = normalise_name(name) in library
        if exclude_library and in_library:
            continue
        own = parts[name]
        if damping is not None and in_library:
            keep = 1.0 - float(settings.content.rotation_damping) * float(damping.get(name, 0.0))
            own = {v: p * keep for v, p in own.items()}
        seed_names = [seed for _, seed, _ in sorted(cand.because.get("content", []),
                                                    key=lambda c: (-c[0], c[1]))[:_WHY_SEEDS]]
        items.append(Item(name, float(sum(own.values())), explain(own, cand, seeds.context),
                          {"in_library": in_library, "seeds": seed_names, "engines": own}))
    items.sort(key=lambda it: (-it.score, it.artist))
    if not items:
        notes.append(f"no similar artists found for tier {start}-{end}")
    return EngineResult("content", items, notes, {
        "similarity": result, "tier": (start, end), "seeds": seeds.counts(),
        "context": seeds.context, "weights": weights})
