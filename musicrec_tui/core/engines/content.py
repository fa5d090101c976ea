"""Content / discovery: artists similar to a tier of your ranked artists.

score(candidate) = Σ_tier sim(candidate, t) × pref(t) / max pref over the tier. With the
offline provider every candidate is already in the library, so the engine serves forgotten
favourites and deep cuts: candidates in heavy recent rotation are damped.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from musicrec_tui.core.engines.base import EngineResult, Item
from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.progress import CancelToken, Progress
from musicrec_tui.core.settings import Settings
from musicrec_tui.core.settings.checks import parse_tier as _parse_tier
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
    exclude_library: bool | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> EngineResult:
    tier_text = tier if tier is not None else settings.content.tier
    start, end = parse_tier(tier_text)
    table = ranking.table.sort_values("rank", kind="stable")
    notes: list[str] = []
    seeds = table[(table["rank"] >= start) & (table["rank"] <= end)]
    if seeds.empty:
        notes.append(f"tier {start}-{end} is empty: the library has {len(table)} ranked artists")
        return EngineResult("content", [], notes, {"similarity": None, "tier": (start, end)})
    if len(seeds) < end - start + 1:
        notes.append(f"tier {start}-{end} holds only {len(seeds)} artists")
    score = seeds["score"].astype(float)
    top = score.max()
    pref = score / top if top > 0 else pd.Series(1.0, index=seeds.index)
    result = provider.similar(list(seeds.index.astype(str)), limit=settings.content.neighbours,
                              progress=progress, cancel=cancel)
    notes.extend(result.messages)

    totals: dict[str, float] = {}
    because: dict[str, list[tuple[float, str, float]]] = {}
    seed_names = set(seeds.index.astype(str))
    for seed, weight in pref.items():
        for nb in result.neighbours.get(str(seed), []):
            if nb.name in seed_names:
                continue
            totals[nb.name] = totals.get(nb.name, 0.0) + nb.score * float(weight)
            because.setdefault(nb.name, []).append((nb.score * float(weight), str(seed), nb.score))

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
    for name, total in totals.items():
        in_library = normalise_name(name) in library
        if exclude_library and in_library:
            continue
        if damping is not None and in_library:
            total *= 1.0 - float(settings.content.rotation_damping) * float(damping.get(name, 0.0))
        best = sorted(because[name], key=lambda c: (-c[0], c[1]))[:_WHY_SEEDS]
        why = "similar to " + " and ".join(f"{seed} ({sim:.2f})" for _, seed, sim in best)
        items.append(Item(name, float(total), why, {"in_library": in_library,
                                                      "seeds": [seed for _, seed, _ in best]}))
    items.sort(key=lambda it: (-it.score, it.artist))
    if not items:
        notes.append(f"no similar artists found for tier {start}-{end}")
    return EngineResult("content", items, notes, {"similarity": result, "tier": (start, end)})
