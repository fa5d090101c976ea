"""How a context ranks artists: what it is about, and what to play in it now.

Two rankings per context, because the two questions have different answers.

``typical_scores`` — the artists a context is about (``Context.picks``, shown in lists):

    share = mix·shrunk(decayed plays) + (1 − mix)·shrunk(all-time plays)
    shrunk(x) = (x in c + prior·overall share of x) / (total x in c + prior)
    typical = share × lift^q      (mix = picks_recency_mix, q = picks_lift_power)

``predict_scores`` — what to play now in the context (``Contexts.result``, the blend and the
backtest):

    predict = global decayed share × lift^p

with, in both, ``lift = (plays in c + prior) / (expected plays in c + prior)``: "expected"
is the artist's overall share times the context's plays, and ``prior`` is ``prior_plays``.
An artist needs a few plays in a context before its lift departs from 1 or its share
there counts, so a one-play artist never tops a context. p = 0 is exactly global recency.

How strong the tilt should be depends on the listener: on the sample histories a fixed tilt
predicted the next month worse than global recent favourites (docs/engines.md), while a
listener with strict morning and late-night habits gains a lot from it. So p is chosen per
history: the picks are refit
on all but the last ``holdout_days`` and each p in ``lift_powers`` is scored by hit@picks
on those days (each play judged against the picks of its own slot, as the backtest does);
the best p is then applied to the whole history. A holdout is a few hundred plays, so a p
must beat the smallest one by ``min_gain`` (relative) to count; ties go to the smaller p.

"""

from __future__ import annotations

import numpy as np
import pandas as pd

from musicrec_tui.core.engines.common import NS_PER_DAY, decay_weights
from musicrec_tui.core.settings import Settings


def context_counts(play_ctx: np.ndarray, codes: np.ndarray, ts: pd.Series, k: int, n: int,
                   now: pd.Timestamp, half_life: float) -> tuple[np.ndarray, np.ndarray]:
    """(plays, decayed plays) per context × artist."""
    flat = play_ctx * n + codes
    raw = np.bincount(flat, minlength=k * n).astype(float).reshape(k, n)
    weights = decay_weights(ts, now, half_life)
    dec = np.bincount(flat, weights=weights, minlength=k * n).reshape(k, n)
    return raw, dec


def lift(raw: np.ndarray, prior: float) -> np.ndarray:
    per_artist = raw.sum(axis=0)
    expected = raw.sum(axis=1, keepdims=True) * per_artist / max(per_artist.sum(), 1.0)
    return (raw + prior) / (expected + prior)


def predict_scores(raw: np.ndarray, dec: np.ndarray, power: float, prior: float) -> np.ndarray:
    """Global recent favourites tilted towards each context, per context × artist."""
    recent = dec.sum(axis=0)
    return recent / max(recent.sum(), 1e-12) * lift(raw, prior) ** power


def typical_scores(raw: np.ndarray, dec: np.ndarray, settings: Settings) -> np.ndarray:
    """How much each artist is what a context is about, per context × artist."""
    cfg = settings.context
    prior = cfg.prior_plays

    def shrunk(counts: np.ndarray) -> np.ndarray:
        overall = counts.sum(axis=0)
        share = overall / max(overall.sum(), 1e-12)
        return (counts + prior * share) / (counts.sum(axis=1, keepdims=True) + prior)

    mix = cfg.picks_recency_mix
    share = mix * shrunk(dec) + (1 - mix) * shrunk(raw)
    return share * lift(raw, prior) ** cfg.picks_lift_power


def _hit_rate(score: np.ndarray, play_ctx: np.ndarray, codes: np.ndarray, top: int) -> float:
    """Share of plays whose artist is among the top picks of the play's own context."""
    top = min(top, score.shape[1])
    best = np.argpartition(-score, top - 1, axis=1)[:, :top]
    chosen = np.zeros_like(score, dtype=bool)
    np.put_along_axis(chosen, best, True, axis=1)
    return float(chosen[play_ctx, codes].mean())


def choose_power(play_ctx: np.ndarray, codes: np.ndarray, ts: pd.Series, k: int, n: int,
                 settings: Settings) -> tuple[float, dict[float, float]]:
    """The lift power with the best hit rate on the held-out last days, and every rate."""
    cfg = settings.context
    powers = sorted(cfg.lift_powers)
    stamps = ts.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    split = stamps[-1] - int(cfg.holdout_days * NS_PER_DAY)
    train = stamps <= split
    if train.all() or not train.any():
        return powers[0], {}
    raw, dec = context_counts(play_ctx[train], codes[train], ts[train], k, n,
                              ts[train].iloc[-1], settings.ensemble.recency_half_life_days)
    test_ctx, test_codes = play_ctx[~train], codes[~train]
    rates = {p: _hit_rate(predict_scores(raw, dec, p, cfg.prior_plays), test_ctx, test_codes,
                          cfg.picks) for p in powers}
    floor = rates[powers[0]] * (1 + cfg.min_gain)
    earned = [p for p in powers[1:] if rates[p] >= floor]
    best = max(earned, key=lambda p: (rates[p], -p)) if earned else powers[0]
    return best, rates
