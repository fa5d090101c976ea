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


def tune_half_lives(plays: Any, now: float, settings: Settings) -> Tuning:
    """The half-lives to use as of ``now`` (``plays``: a ``recency.Plays``)."""
    from musicrec_tui.core.engines.recency import shares

    cfg = settings.play_next
    default = [float(h) for h in cfg.half_lives]
    candidates = {label(default): default}
    for alt in cfg.alternatives:
        candidates.setdefault(label(alt), [float(h) for h in alt])
    daily = plays.daily()
    points = inner_cutoffs(float(plays.day.min()), now, settings)
    if len(candidates) == 1 or not points:
        return Tuning(default, default)
    k, horizon = settings.evaluate.top_k, settings.evaluate.horizon_days
    totals = dict.fromkeys(candidates, 0.0)
    judged = 0
    for point in points:
        gains = daily.counts(point, min(point + horizon, now))
        past = daily.before(point)
        if gains.sum() <= 0 or past.empty:
            continue
        judged += 1
        for name, half_lives in candidates.items():
            ranked = top_codes(shares(past, point, half_lives), past.names, k)
            totals[name] += ndcg_codes(ranked, gains, k)
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
