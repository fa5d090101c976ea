"""Tune the ensemble defaults with the backtest protocol only (never by picking artists).

For each recency half-life the engines are fitted once per cutoff (``evaluate.prepare``);
for each blend pool (how many items per engine enter the min-max blend; cutting the fitted
lists is exactly what a smaller ``ensemble.pool`` does) the weights are searched on a coarse
simplex grid and refined by hill-climbing.
Objective, per dataset: the ensemble's NDCG@k margin over the 30-day decayed-count
baseline, with the context hit@k margin required to be ≥ 0 on every dataset. The score is
mean margin + worst margin, so one history cannot carry the others. Prints the tables.

    python scripts/tune_weights.py ../shared/data/*.zip ../shared/data/*.csv ...
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import warnings
from pathlib import Path

from musicrec_tui.core.engines.ensemble import ENGINES, check_weights, parse_weights
from musicrec_tui.core.evaluate import Fold, prepare, score
from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.settings import Settings, load_settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BASELINE = "decayed counts"


def default_datasets() -> list[Path]:
    return sorted(p for p in DATA.iterdir() if p.suffix in (".zip", ".csv") or p.is_dir())


def truncate(folds: list[Fold], pool: int) -> list[Fold]:
    """The folds as if fitted with ``ensemble.pool = pool``."""
    out = []
    for fold in folds:
        results = {e: dataclasses.replace(r, items=r.items[:pool])
                   for e, r in fold.analysis.results.items()}
        clusters = {c: dataclasses.replace(r, items=r.items[:pool])
                    for c, r in fold.cluster_results.items()}
        out.append(dataclasses.replace(
            fold, analysis=dataclasses.replace(fold.analysis, results=results),
            cluster_results=clusters))
    return out


def margins(folds: dict[str, list[Fold]], settings: Settings,
            weights: dict[str, float]) -> list[tuple[float, float]]:
    out = []
    for dataset in folds.values():
        table = score(dataset, settings, weights=weights)
        ens, base = table.row("ensemble"), table.row(BASELINE)
        out.append((ens.ndcg - base.ndcg, ens.hit - base.hit))
    return out


def objective(m: list[tuple[float, float]]) -> float:
    ndcg = [a for a, _ in m]
    worst_hit = min(h for _, h in m)
    value = sum(ndcg) / len(ndcg) + min(ndcg)
    return value if worst_hit >= -1e-9 else value - 10 + worst_hit


def simplex(step: float) -> list[dict[str, float]]:
    n = round(1 / step)
    grid = []
    for parts in itertools.product(range(n + 1), repeat=len(ENGINES) - 1):
        if sum(parts) <= n:
            counts = [*parts, n - sum(parts)]
            grid.append({e: c * step for e, c in zip(ENGINES, counts, strict=True) if c})
    return grid


def climb(start: dict[str, float], evaluate, step: float) -> tuple[dict[str, float], float]:
    best, best_value = dict(start), evaluate(start)
    improved = True
    while improved:
        improved = False
        for src, dst in itertools.permutations(ENGINES, 2):
            if best.get(src, 0.0) < step - 1e-9:
                continue
            trial = dict(best)
            trial[src] = round(trial[src] - step, 6)
            trial[dst] = round(trial.get(dst, 0.0) + step, 6)
            trial = {k: v for k, v in trial.items() if v > 1e-9}
            value = evaluate(trial)
            if value > best_value + 1e-9:
                best, best_value, improved = trial, value, True
    return best, best_value


def main() -> None:
    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="one export per dataset")
    parser.add_argument("--half-lives", default="30,60", help="recency half-lives, days")
    parser.add_argument("--pools", default="200,100,50,30", help="blend pool sizes")
    parser.add_argument("--diversity", default="0,0.05,0.1,0.2", help="diversity levels")
    parser.add_argument("--coarse", type=float, default=0.2, help="coarse grid step")
    parser.add_argument("--fine", type=float, default=0.025, help="hill-climb step")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table (as in docs/engines.md)")
    parser.add_argument("--report", metavar="E=W,…",
                        help="skip the search: print the tables for these weights "
                             "(with the first half-life and pool given)")
    args = parser.parse_args()
    paths = args.paths or default_datasets()
    histories = {p.name: load_history([p], settings=load_settings(), tz="UTC") for p in paths}

    if args.report:
        overall = (0.0, float(args.half_lives.split(",")[0]),
                   int(args.pools.split(",")[0]), check_weights(parse_weights(args.report)))
    else:
        overall = search(args, histories)
    report(args, histories, *overall[1:])


def search(args: argparse.Namespace, histories: dict) -> tuple:
    overall = (float("-inf"), None, None, None)
    for half_life in (float(h) for h in args.half_lives.split(",")):
        settings = load_settings({"ensemble": {"recency_half_life_days": half_life,
                                               "diversity": 0.0}})
        fitted = {name: prepare(h, settings) for name, h in histories.items()}
        for pool in (int(p) for p in args.pools.split(",")):
            folds = {name: truncate(f, pool) for name, f in fitted.items()}
            cache: dict[tuple, float] = {}

            def evaluate(w: dict[str, float], settings=settings, folds=folds,
                         cache=cache) -> float:
                key = tuple(round(w.get(e, 0.0), 6) for e in ENGINES)
                if key not in cache:
                    cache[key] = objective(margins(folds, settings, w))
                return cache[key]

            start = max(simplex(args.coarse), key=evaluate)
            best, value = climb(start, evaluate, args.fine)
            print(f"half-life {half_life:g} d, pool {pool}: best {best}  objective {value:+.4f}",
                  flush=True)
            if value > overall[0]:
                overall = (value, half_life, pool, best)

    return overall


def report(args: argparse.Namespace, histories: dict, half_life: float, pool: int,
           weights: dict[str, float]) -> None:
    print(f"\nchosen: recency_half_life_days = {half_life:g}, pool = {pool}, weights = {weights}")
    for diversity in (float(d) for d in args.diversity.split(",")):
        settings = load_settings({"ensemble": {"recency_half_life_days": half_life,
                                               "diversity": diversity, "pool": pool}})
        print(f"\n=== diversity {diversity:g} ===")
        tables = {name: score(prepare(h, settings), settings, weights=weights)
                  for name, h in histories.items()}
        for name, table in tables.items():
            print(f"{name}: {len(table.cutoffs)} cutoffs")
            print(f"  {'list':16s} {'NDCG':>6s} {'overlap':>7s} {'hit':>6s}")
            for row in table.rows:
                print(f"  {row.name:16s} {row.ndcg:6.3f} {row.overlap:7.3f} {row.hit:6.3f}")
            base, ens = table.row(BASELINE), table.row("ensemble")
            print(f"  ensemble − decayed counts: NDCG {ens.ndcg - base.ndcg:+.4f}, "
                  f"hit {ens.hit - base.hit:+.4f}")
        if args.markdown:
            print(markdown(tables, settings))


def markdown(tables: dict, settings: Settings) -> str:
    """One table: rows = lists, columns = NDCG@k / hit@k per dataset (for docs/engines.md)."""
    ev = settings.evaluate
    names = list(tables)
    head = "| list | " + " | ".join(
        f"{n} NDCG@{ev.top_k} | hit@{ev.context_top_k}" for n in names) + " |"
    rule = "|---|" + "---:|---:|" * len(names)
    lines = [head, rule]
    for i, row in enumerate(next(iter(tables.values())).rows):
        cells = []
        for table in tables.values():
            r = table.rows[i]
            cells += [f"{r.ndcg:.3f}", f"{r.hit:.3f}"]
        label = f"**{row.name}**" if row.kind == "ensemble" else row.name
        lines.append(f"| {label} ({row.kind}) | " + " | ".join(cells) + " |")
    cutoffs = ", ".join(f"{n}: {len(t.cutoffs)}" for n, t in tables.items())
    lines.append(f"\nCutoffs per history — {cutoffs}.")
    return "\n".join(lines)

if __name__ == "__main__":
    main()
