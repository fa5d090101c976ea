"""Play next's self-tuning: pick the half-lives that predicted this person's own past best.

Inner cutoffs every ``play_next.tune_step_days``, from ``MIN_JUDGED_DAYS`` before now back
(at most ``tune_cutoffs`` of them, each with ``evaluate.min_train_days`` of history before
it). At each, the default half-lives and every set in ``play_next.alternatives`` rank the
artists from the plays before it, judged by NDCG@``evaluate.top_k`` on the plays after it
(up to ``evaluate.horizon_days``, never past now: only the person's own past is used). An
alternative replaces the default only when its mean beats the default's by
``tune_min_gain`` (relative): a few dozen overlapping windows are noisy, and the default is
the better bet on a tie.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from musicrec_tui.core.metrics import ndcg_codes, top_codes
from musicrec_tui.core.settings import Settings

# The newest inner cutoff leaves at least this many days to judge it on.
MIN_JUDGED_DAYS = 30


def label(half_lives: Sequence[float]) -> str:
    return "/".join(f"{h:g}" for h in half_lives) + " d"


@dataclass
class Tuning:
    chosen: list[float]
    default: list[float]
    scores: dict[str, float] = field(default_factory=dict)  # label → mean inner NDCG
    cutoffs: int = 0
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"chosen": label(self.chosen), "default": label(self.default),
                "cutoffs": self.cutoffs, "ndcg": {k: round(v, 4) for k, v in self.scores.items()}}


def inner_cutoffs(first: float, now: float, settings: Settings) -> list[float]:
    cfg = settings.play_next
    out = []
    point = now - MIN_JUDGED_DAYS
    while len(out) < cfg.tune_cutoffs and point - first >= settings.evaluate.min_train_days:
        out.append(point)
        point -= cfg.tune_step_days
    return out


def decayed_at(daily: Any, points: list[float], half_life: float) -> list[np.ndarray]:
    """Decayed plays per artist at each of ``points`` (ascending), in one pass over the
    day-sorted plays: D(p2) = D(p1)·2^−(p2−p1)/h + the plays in (p1, p2], decayed to p2."""
    size = len(daily.names)
    out, total, last, start = [], np.zeros(size), -np.inf, 0
    for point in points:
        end = int(np.searchsorted(daily.day, point, side="right"))
        fresh = np.bincount(daily.code[start:end], minlength=size,
                            weights=daily.weight[start:end]
                            * np.exp2(-(point - daily.day[start:end]) / half_life))
        total = (total * np.exp2(-(point - last) / half_life) if np.isfinite(last) else 0.0) + fresh
        out.append(total)
        last, start = point, end
    return out


def tune_half_lives(plays: Any, now: float, settings: Settings) -> Tuning:
    """The half-lives to use as of ``now`` (``plays``: a ``recency.Plays``)."""
    cfg = settings.play_next
    default = [float(h) for h in cfg.half_lives]
    candidates = {label(default): default}
    for alt in cfg.alternatives:
        candidates.setdefault(label(alt), [float(h) for h in alt])
    points = sorted(inner_cutoffs(float(plays.day.min()), now, settings))
    if len(candidates) == 1 or not points:
        return Tuning(default, default)
    daily = plays.daily().by_day()
    decayed = {h: decayed_at(daily, points, h) for h in {h for c in candidates.values()
                                                         for h in c}}
    k, horizon = settings.evaluate.top_k, settings.evaluate.horizon_days
    totals = dict.fromkeys(candidates, 0.0)
    judged = 0
    for i, point in enumerate(points):
        gains = daily.counts(point, min(point + horizon, now))
        if gains.sum() <= 0 or not decayed[default[0]][i].any():
            continue
        judged += 1
        for name, half_lives in candidates.items():
            score = sum(decayed[h][i] / decayed[h][i].sum() for h in half_lives)
            totals[name] += ndcg_codes(top_codes(score, daily.names, k), gains, k)
    if not judged:
        return Tuning(default, default)
    scores = {name: total / judged for name, total in totals.items()}
    base = label(default)
    best = max(scores, key=lambda n: (scores[n], n == base))
    if scores[best] > scores[base] * (1 + cfg.tune_min_gain):
        note = (f"self-tuned: half-lives {best} predicted your last {judged} earlier cutoffs "
                f"better than {base} (NDCG {scores[best]:.3f} vs {scores[base]:.3f})")
        return Tuning(candidates[best], default, scores, judged, note)
    return Tuning(default, default, scores, judged)
