"""Ranking metrics, the plain play-count baselines and the bootstrap used by the backtest."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from musicrec_tui.core.engines.common import decay_weights


def ndcg_at_k(ranked: Sequence[str], gains: Mapping[str, float], k: int) -> float:
    """NDCG@k with gain = the artist's plays in the judged window (0 for unplayed ones)."""
    dcg = sum(float(gains.get(a, 0.0)) / math.log2(i + 2) for i, a in enumerate(ranked[:k]))
    ideal = sorted((float(g) for g in gains.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def top_codes(scores: np.ndarray, names: np.ndarray, k: int,
              mask: np.ndarray | None = None) -> np.ndarray:
    """Indices of the ``k`` best positive scores (within ``mask``), ties by name."""
    keep = scores > 0 if mask is None else (scores > 0) & mask
    idx = np.flatnonzero(keep)
    if len(idx) > k:
        cut = np.partition(scores[idx], len(idx) - k)[len(idx) - k]
        idx = idx[scores[idx] >= cut]
    return idx[np.lexsort((names[idx], -scores[idx]))][:k]


def ndcg_codes(ranked: np.ndarray, gains: np.ndarray, k: int) -> float:
    """``ndcg_at_k`` on artist codes: ``gains`` is indexed by code; NaN when nothing was
    played (a cutoff with nothing to find says nothing about a list)."""
    ideal = np.sort(gains[gains > 0])[::-1][:k]
    if not len(ideal):
        return float("nan")
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = float(gains[ranked[:k]] @ discount[: len(ranked[:k])])
    return dcg / float(ideal @ discount[: len(ideal)])


def ordered(counts: pd.Series) -> list[str]:
    """Artists by descending value, ties by name (deterministic)."""
    positive = counts[counts > 0]
    return [str(a) for a, _ in sorted(positive.items(), key=lambda kv: (-kv[1], str(kv[0])))]


def _per_artist(plays: pd.DataFrame, values: np.ndarray | None = None) -> pd.Series:
    """Sum of ``values`` (default 1 per play) per artist, via factorised codes (fast on 1M)."""
    codes, names = pd.factorize(plays["artist"])
    sums = np.bincount(codes, weights=values, minlength=len(names))
    return pd.Series(sums, index=np.asarray(names).astype(str))


def play_counts(plays: pd.DataFrame) -> pd.Series:
    return _per_artist(plays)


def window_counts(plays: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Plays per artist in (start, end]."""
    ts = plays["ts"]
    return play_counts(plays[(ts > start) & (ts <= end)])


def decayed_counts(plays: pd.DataFrame, as_of: pd.Timestamp, half_life_days: float) -> pd.Series:
    """Σ 2^(−age/half-life) per artist over the plays at or before ``as_of``."""
    upto = plays[plays["ts"] <= as_of]
    return _per_artist(upto, decay_weights(upto["ts"], as_of, half_life_days))


def block_bootstrap(diffs: np.ndarray, block: int, resamples: int, level: float,
                    seed: int) -> tuple[float, float]:
    """Percentile interval of the mean of ``diffs`` (one per cutoff, in time order).

    Cutoffs closer than a horizon judge overlapping windows, so they are resampled in
    moving blocks of ``block`` consecutive cutoffs (a plain bootstrap would pretend they
    are independent and give too narrow an interval). NaN when there are fewer than two
    blocks of cutoffs.
    """
    diffs = np.asarray(diffs, dtype=float)
    n = len(diffs)
    block = max(1, block)
    if n < 2 * block:  # fewer than two blocks: no honest interval
        return float("nan"), float("nan")
    starts = np.arange(n - block + 1)
    per = -(-n // block)
    rng = np.random.default_rng(seed)
    picks = rng.choice(starts, size=(resamples, per))
    idx = (picks[:, :, None] + np.arange(block)).reshape(resamples, -1)[:, :n]
    means = diffs[idx].mean(axis=1)
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(means, [tail, 1.0 - tail])
    return float(lo), float(hi)
