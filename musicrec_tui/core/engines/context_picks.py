"""How a context ranks artists: what to play in it, and what it is about.

``backoff_scores`` — a context's picks (``Context.picks``, its ``result``, the backtest):
the global Play next shares G with a Dirichlet prior tilted by the context's own plays,

    pick(a, c) = (n_c(a) + α·G(a)) / (N_c + α),     α = N̄·(1 − t)/t

where n_c are the context's plays decayed at Play next's half-lives, N_c their sum and N̄
the mean over contexts: an average-sized context gets weight t on its own plays, a small
one less. t = 0 is exactly the global list. ``choose_tilt`` picks t per history on its own
last ``holdout_months`` months, and keeps t = 0 unless a tilt clearly won there: on real
histories time-of-day lists predicted the next month worse than one global list, while a
listener with strict morning and late-night habits gains a lot from them. A tilt must also
lose to no tilt in none of those months.

``typical_scores`` — the artists a context is about (``Context.typical``):

    share = mix·shrunk(decayed plays) + (1 − mix)·shrunk(all-time plays)
    shrunk(x) = (x in c + prior·overall share of x) / (total x in c + prior)
    typical = share × lift^q      (mix = picks_recency_mix, q = picks_lift_power)

with ``lift = (plays in c + prior) / (expected plays in c + prior)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from musicrec_tui.core.engines.recency import Plays, shares
from musicrec_tui.core.settings import Settings

MONTH_DAYS = 30.0


def context_counts(play_ctx: np.ndarray, plays: Plays, k: int, now: float,
                   half_lives: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """(plays, plays decayed at ``half_lives`` (mean)) per context × artist."""
    n = len(plays.names)
    flat = play_ctx * n + plays.code
    raw = np.bincount(flat, weights=plays.weight, minlength=k * n).reshape(k, n)
    ages = np.maximum(now - plays.day, 0.0)
    weights = np.mean([np.exp2(-ages / h) for h in half_lives], axis=0) if len(ages) else ages
    dec = np.bincount(flat, weights=plays.weight * weights, minlength=k * n).reshape(k, n)
    return raw, dec


def lift(raw: np.ndarray, prior: float) -> np.ndarray:
    per_artist = raw.sum(axis=0)
    expected = raw.sum(axis=1, keepdims=True) * per_artist / max(per_artist.sum(), 1.0)
    return (raw + prior) / (expected + prior)


def backoff_scores(dec: np.ndarray, overall: np.ndarray, tilt: float) -> np.ndarray:
    """Per context × artist: the global shares ``overall`` tilted by the context's plays."""
    if tilt <= 0:
        return np.broadcast_to(overall, dec.shape).copy()
    sizes = dec.sum(axis=1, keepdims=True)
    alpha = max(float(sizes.mean()), 1e-12) * (1.0 - tilt) / tilt
    return (dec + alpha * overall) / (sizes + alpha)


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


def _hits(score: np.ndarray, play_ctx: np.ndarray, codes: np.ndarray, top: int) -> int:
    """Plays whose artist is among the top picks of the play's own context."""
    top = min(top, score.shape[1])
    best = np.argpartition(-score, top - 1, axis=1)[:, :top]
    chosen = np.zeros_like(score, dtype=bool)
    np.put_along_axis(chosen, best, True, axis=1)
    return int(chosen[play_ctx, codes].sum())


def choose_tilt(play_ctx: np.ndarray, plays: Plays, k: int, half_lives: Sequence[float],
                settings: Settings) -> tuple[float, Holdout]:
    """The tilt to use (``pick_tilt``) and the hits behind the choice: each of the last
    ``holdout_months`` months predicted from the plays before it, every play judged against
    the picks of its own context."""
    cfg = settings.context
    tilts = [0.0, *sorted(t for t in cfg.slot_tilts if t > 0)]
    holdout = Holdout({t: [] for t in tilts}, [])
    if plays.empty or len(tilts) == 1:
        return 0.0, holdout
    end = float(plays.day.max())
    for month in range(1, cfg.holdout_months + 1):
        split = end - month * MONTH_DAYS
        train = plays.day <= split
        test = (plays.day > split) & (plays.day <= split + MONTH_DAYS)
        if not train.any() or not test.any():
            continue
        past = Plays(plays.code[train], plays.day[train], plays.weight[train], plays.names)
        overall = shares(past, split, half_lives)
        _, dec = context_counts(play_ctx[train], past, k, split, half_lives)
        holdout.plays.append(int(test.sum()))
        for tilt in tilts:
            holdout.hits[tilt].append(_hits(backoff_scores(dec, overall, tilt),
                                            play_ctx[test], plays.code[test], cfg.picks))
    return pick_tilt(holdout, cfg.min_gain), holdout


@dataclass
class Holdout:
    """Hits per tilt in each held-out month, and the plays judged in each."""

    hits: dict[float, list[int]]
    plays: list[int]

    def rates(self) -> dict[float, float]:
        total = sum(self.plays)
        return {t: sum(h) / total for t, h in self.hits.items()} if total else {}


def pick_tilt(holdout: Holdout, min_gain: float) -> float:
    """The best tilt among those that beat no tilt by ``min_gain`` over the months and lost
    to it in none of them (the picks must never lose to the global list); else 0."""
    rates = holdout.rates()
    if not rates:
        return 0.0
    floor = rates[0.0] * (1 + min_gain)
    earned = [t for t in rates if t > 0 and rates[t] > floor
              and all(h >= h0 for h, h0 in zip(holdout.hits[t], holdout.hits[0.0],
                                                  strict=True))]
    return max(earned, key=lambda t: (rates[t], -t)) if earned else 0.0
