"""Recommendation runs as the UI does them: one ``analysis.analyse`` per engine, then merged.

Each engine runs in its own worker so it can report and fail on its own; merging their
analyses and building the lists once gives the same result as one ``analyse`` over every
engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from musicrec_tui.core.engines import ENGINES
from musicrec_tui.core.engines.ensemble import SHARES
from musicrec_tui.core.settings.checks import relative_weights

if TYPE_CHECKING:
    from musicrec_tui.core.analysis import Analysis
    from musicrec_tui.core.similarity.base import SimilarityResult

__all__ = ["ENGINES", "SHARES", "combine", "scaled_shares", "similar_source"]


def combine(parts: list[Analysis], shares: dict[str, float] | None = None) -> Analysis:
    """Merge per-engine analyses and build the lists once (imported late: the engines pull
    in scikit-learn, which the app's start should not wait for)."""
    from musicrec_tui.core.analysis import combine as combine_analyses

    return combine_analyses(parts, shares)


def scaled_shares(raw: dict[str, float]) -> dict[str, float]:
    """The Mix's shares as typed (relative) scaled to sum to 1, by the one weights rule."""
    return relative_weights(raw, list(SHARES.values()), "shares")


def similar_source(similarity: SimilarityResult | None, provider: str | None = None) -> str:
    """Who answered for similar artists, per origin, and why another one did when one stood
    in: "offline", "lastfm (48 network, 2 cache)", "offline (50 failed) — asked lastfm, but …"."""
    if similarity is None:
        return provider or "—"
    counts = similarity.counts()
    text = similarity.provider
    if set(counts) - {similarity.provider}:  # "offline (50 offline)" says nothing more
        text += " (" + ", ".join(f"{n} {origin}" for origin, n in sorted(counts.items())) + ")"
    if similarity.fallback_reason:
        text += f" — asked {similarity.requested}, but {similarity.fallback_reason}"
    return text
