"""Recommendation runs as the UI does them: one ``analysis.analyse`` per engine, then merged.

Each engine runs in its own worker so it can report and fail on its own; merging their
analyses and blending once gives the same result as one ``analyse`` over every engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from musicrec_tui.core.analysis import Analysis

__all__ = ["combine", "engine_names", "normalise_weights"]


def engine_names() -> tuple[str, ...]:
    """The blended engines, in the blend's order (imported late: the engines need pandas,
    which the app shell should not wait for at start-up)."""
    from musicrec_tui.core.engines.ensemble import ENGINES

    return ENGINES


def combine(parts: list[Analysis], weights: dict[str, float] | None = None) -> Analysis:
    """Merge per-engine analyses and blend once (imported late: the engines pull in
    scikit-learn, which the app's start should not wait for)."""
    from musicrec_tui.core.analysis import combine as combine_analyses

    return combine_analyses(parts, weights)


def normalise_weights(raw: dict[str, float]) -> dict[str, float]:
    """Relative weights (any non-negative numbers) scaled to sum to 1, as the blend needs."""
    total = sum(max(0.0, v) for v in raw.values())
    if total <= 0:
        raise ValueError("at least one weight must be above 0")
    return {k: max(0.0, v) / total for k, v in raw.items() if k in engine_names()}
