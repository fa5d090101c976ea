"""Tune the lists' parameters on some histories and test them on another (leave one out).

For every history and every cutoff of the backtest protocol (``[evaluate]``), each candidate
value of each parameter group is scored against its list's baseline:

- ``play_next.tune_min_gain`` (or self-tuning off): Play next's NDCG@k against decayed counts;
- ``rediscover`` (half-life, trend, season): Rediscover's NDCG@k on dormant artists against
  the better of its two baselines;
- ``context.min_gain``: context picks' hit@k against the global Play next list.

Leave one out: for each history, every group's value is chosen on the *other* histories (best
mean margin; a tie keeps the default, the first value listed) and then scored on the held-out
one, so no figure comes from the history it was tuned on. Prints both.

    python scripts/tune_lists.py ../shared/data/*.zip ../shared/data/*.csv \\
        ../shared/data/spotify_account_2023-2024
"""

from __future__ import annotations

import argparse
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from musicrec_tui.core.analysis import cut
from musicrec_tui.core.engines.common import counted_columns
from musicrec_tui.core.engines.context import fit_contexts
from musicrec_tui.core.engines.context_picks import (
    Holdout,
    backoff_scores,
    context_counts,
    pick_tilt,
)
from musicrec_tui.core.engines.recency import Plays, play_next_result, shares
from musicrec_tui.core.engines.rediscover import rediscover_result
from musicrec_tui.core.engines.temporal import fit_trends
from musicrec_tui.core.evaluate import cutoffs, dormant_baselines
from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.metrics import decayed_counts, ndcg_at_k, ordered, top_codes
from musicrec_tui.core.settings import Settings, load_settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
OFF = "off"
REDISCOVER = "rediscover.half_life_days,trend,season"
# Candidate values per group, the default first.
GRID: dict[str, list[Any]] = {
    "play_next.tune_min_gain": [0.02, 0.0, 0.05, OFF],
    REDISCOVER: [
        (h, t, s) for h in (1460.0, 365.0) for t in (3.0, 0.0, 1.0) for s in (1.0, 0.0)],
    "context.min_gain": [0.02, 0.0, 0.05, 0.1],
}


def default_datasets() -> list[Path]:
    return sorted(p for p in DATA.iterdir() if p.suffix in (".zip", ".csv") or p.is_dir())


@dataclass
class Measured:
    """One history: per group and value, the list's value at each cutoff, and the
    baseline(s) it is judged against (NaN where a cutoff has nothing to judge)."""

    cutoffs: int
    values: dict[str, dict[Any, list[float]]] = field(default_factory=dict)
    bases: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def add(self, group: str, value: Any, x: float) -> None:
        self.values.setdefault(group, {}).setdefault(value, []).append(x)

    def base(self, group: str, name: str, x: float) -> None:
        self.bases.setdefault(group, {}).setdefault(name, []).append(x)

    def margin(self, group: str, value: Any) -> float:
        """Play next: relative gain; the others: absolute gain over the better baseline."""
        own = np.asarray(self.values[group][value], dtype=float)
        out = []
        for base in self.bases[group].values():
            base = np.asarray(base, dtype=float)
            both = np.isfinite(own) & np.isfinite(base)
            if not both.any():
                return math.nan
            diff = own[both].mean() - base[both].mean()
            out.append(diff / base[both].mean() if group.startswith("play_next") else diff)
        return min(out)


def _gains(truth: pd.Series, keep: set[str] | None = None) -> dict[str, float]:
    truth = truth[truth > 0]
    if keep is not None:
        truth = truth[truth.index.isin(list(keep))]
    return truth.to_dict()


def _ndcg(ranked: list[str], gains: dict[str, float], k: int) -> float:
    return ndcg_at_k(ranked, gains, k) if gains else math.nan


def _context_hits(window: Any, after: pd.DataFrame, settings: Settings,
                  tilts: Sequence[float]) -> tuple[dict[float, float], Holdout]:
    """Hit@k of the next days' plays against the picks at each tilt (tilt 0: the global
    Play next list), with the contexts fitted on ``window``."""
    contexts = fit_contexts(window, settings)
    counted = counted_columns(window.plays, ["ts", "artist", "local_ts"])
    played = Plays.of_frame(counted)
    ids = np.asarray(contexts.ids_for(counted["local_ts"]), dtype=np.int64)
    k, now = len(contexts.clusters), float(played.day[-1])
    half_lives = contexts.meta["half_lives"]
    _, dec = context_counts(ids, played, k, now, half_lives)
    overall = shares(played, now, half_lives)
    future_ids = np.asarray(contexts.ids_for(after["local_ts"]), dtype=np.int64)
    code_of = {name: i for i, name in enumerate(played.names)}
    future = np.array([code_of.get(str(a), -1) for a in after["artist"]])
    top = settings.evaluate.context_top_k
    out = {}
    for tilt in tilts:
        scores = backoff_scores(dec, overall, tilt)
        picks = [set(top_codes(scores[c], played.names, top).tolist()) for c in range(k)]
        hits = sum(code in picks[cid] for cid, code in zip(future_ids, future, strict=True))
        out[tilt] = hits / len(after) if len(after) else math.nan
    return out, contexts.meta["holdout"]


def measure(history: Any, settings: Settings, grid: dict[str, list[Any]],
            progress: Callable[[str], None] = lambda _: None) -> Measured:
    ev = settings.evaluate
    points = cutoffs(history, settings)
    out = Measured(len(points))
    plays = history.counted_plays
    for n, cutoff in enumerate(points):
        progress(f"cutoff {n + 1}/{len(points)}")
        window = cut(history, cutoff)
        upto = plays[plays["ts"] <= cutoff]
        truth = plays[(plays["ts"] > cutoff)
                      & (plays["ts"] <= cutoff + pd.Timedelta(days=ev.horizon_days))]
        truth = truth["artist"].astype(str).value_counts()
        gains = _gains(truth)
        # Play next against decayed counts.
        out.base("play_next.tune_min_gain", "decayed counts", _ndcg(ordered(decayed_counts(
            upto, cutoff, ev.baseline_half_life_days)), gains, ev.top_k))
        for value in grid["play_next.tune_min_gain"]:
            over = ({"tune_cutoffs": 0} if value == OFF else {"tune_min_gain": value})
            result = play_next_result(window, load_settings({"play_next": over}), as_of=cutoff,
                                      top=ev.top_k)
            out.add("play_next.tune_min_gain", value,
                    _ndcg([i.artist for i in result.items], gains, ev.top_k))
        # Rediscover against its two baselines, on the dormant artists only.
        trends = fit_trends(window, settings)
        dormant, baselines = dormant_baselines(window, cutoff, settings)
        dormant_gains = _gains(truth, dormant)
        for name, ranked in baselines.items():
            out.base(REDISCOVER, name, _ndcg(ranked, dormant_gains, ev.top_k))
        for half_life, trend, season in grid[REDISCOVER]:
            found = rediscover_result(window, load_settings({"rediscover": {
                "half_life_days": half_life, "trend": trend, "season": season}}),
                as_of=cutoff, trends=trends)
            out.add(REDISCOVER, (half_life, trend, season),
                    _ndcg([i.artist for i in found.items], dormant_gains, ev.top_k))
        # Context picks against the global Play next list.
        after = plays[(plays["ts"] > cutoff)
                      & (plays["ts"] <= cutoff + pd.Timedelta(days=ev.context_horizon_days))]
        hits, holdout = _context_hits(window, after, settings,
                                      [0.0, *settings.context.slot_tilts])
        out.base("context.min_gain", "global play next", hits[0.0])
        for value in grid["context.min_gain"]:
            out.add("context.min_gain", value, hits[pick_tilt(holdout, value)])
    return out


def leave_one_out(measured: dict[str, Measured], grid: dict[str, list[Any]]
                  ) -> dict[str, dict[str, tuple[Any, float]]]:
    """Per held-out history and group: the value chosen on the others and its held-out
    margin (NaN when the held-out history has nothing to judge for that list)."""
    out: dict[str, dict[str, tuple[Any, float]]] = {}
    for held in measured:
        others = [m for name, m in measured.items() if name != held]
        out[held] = {}
        for group, values in grid.items():
            def mean_margin(value: Any, group: str = group,
                            others: list[Measured] = others) -> float:
                found = [m.margin(group, value) for m in others]
                found = [x for x in found if math.isfinite(x)]
                return float(np.mean(found)) if found else -math.inf
            best = values[0]
            for value in values[1:]:
                if mean_margin(value) > mean_margin(best) + 1e-9:
                    best = value
            out[held][group] = (best, measured[held].margin(group, best))
    return out


def report(measured: dict[str, Measured], grid: dict[str, list[Any]]) -> str:
    lines = ["In-sample margins (every value on every history):"]
    for group, values in grid.items():
        lines.append(f"  {group}")
        for value in values:
            cells = "  ".join(f"{name}: {m.margin(group, value):+.4f}"
                              for name, m in measured.items())
            lines.append(f"    {value!s:>12}  {cells}")
    lines.append("\nLeave one history out (chosen on the others, scored on the held-out one):")
    for held, groups in leave_one_out(measured, grid).items():
        lines.append(f"  {held} ({measured[held].cutoffs} cutoffs)")
        for group, (value, margin) in groups.items():
            lines.append(f"    {group} = {value!s:>12}: held-out margin {margin:+.4f}")
    return "\n".join(lines)


def main() -> None:
    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="one export per history")
    args = parser.parse_args()
    settings = load_settings()
    measured = {}
    for path in args.paths or default_datasets():
        history = load_history([path], settings=settings, tz="UTC")
        measured[path.name] = measure(history, settings, GRID,
                                      lambda s, n=path.name: print(f"{n}: {s}", flush=True))
    print(report(measured, GRID))


if __name__ == "__main__":
    main()
