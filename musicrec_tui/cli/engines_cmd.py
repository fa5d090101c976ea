"""`musicrec artists | contexts | recommend | evaluate`: the engines from the command line."""

from __future__ import annotations

import argparse
import math
from typing import Any

import pandas as pd
from rich.table import Table

from musicrec_tui.cli.common import (
    add_history_args,
    console,
    console_err,
    load_paths,
    parse_as_of,
    parse_time,
    print_json,
    progress_bar,
    whole_number,
)
from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.history.model import History
from musicrec_tui.core.settings import Settings, load_settings
from musicrec_tui.core.settings.checks import PROVIDER_KINDS
from musicrec_tui.core.wording import plural

ENGINE_CHOICES = ("ensemble", "ranking", "recency", "temporal", "context", "content")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _number(value: Any, digits: int = 4) -> float | None:
    """JSON-safe float: rounded, and None instead of NaN/inf."""
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def _parser(sub: Any, name: str, help_text: str, example: str) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text, description=help_text,
                            epilog="example:\n  " + example,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    add_history_args(parser)
    return parser


# --- artists ---------------------------------------------------------------------------------

def cmd_artists(args: argparse.Namespace) -> int:
    from musicrec_tui.core.engines.ranking import fit_ranking
    from musicrec_tui.core.engines.search import ArtistSearch

    settings = load_settings()
    history = load_paths(args, settings, quiet=args.json)
    if history.empty:
        raise MusicrecError("the history has no plays")
    table = fit_ranking(history, settings).table
    if args.search:
        hits = ArtistSearch(list(table.index), table["score"].to_dict()).search(
            args.search, limit=args.top)
        rows = table.loc[[h.artist for h in hits]]
    else:
        rows = table.head(args.top)
    records = [{
        "rank": int(r.rank), "artist": str(r.Index), "score": _number(r.score),
        "plays": int(r.counted_plays), "hours": _number(r.hours, 2),
        "first": r.first.isoformat(), "last": r.last.isoformat(),
    } for r in rows.itertuples()]
    if args.json:
        print_json({"artists": records, "total": len(table), "search": args.search})
        return 0
    title = (f"{plural(len(records), 'best match')} for {args.search!r} among "
             f"{plural(len(table), 'artist')}"
             if args.search
             else f"top {len(records)} of {plural(len(table), 'artist')}")
    out = Table(title=title)
    for col, justify in (("#", "right"), ("artist", "left"), ("plays", "right"),
                         ("hours", "right"), ("score", "right"), ("last played", "left")):
        out.add_column(col, justify=justify)
    for r in records:
        out.add_row(str(r["rank"]), r["artist"], str(r["plays"]), f"{r['hours']:.1f}",
                    f"{r['score']:.3f}", r["last"][:10])
    console.print(out)
    if not records:
        console_err.print("no artist matches")
    return 0


# --- contexts --------------------------------------------------------------------------------

def _slots_text(slots: list[tuple[int, int]]) -> str:
    """[(0, 7), (0, 8), (0, 9), (5, 22)] → "Mon 07-10h; Sat 22-23h"."""
    by_day: dict[int, list[int]] = {}
    for dow, hour in sorted(slots):
        by_day.setdefault(int(dow), []).append(int(hour))
    parts = []
    for dow, hours in by_day.items():
        runs: list[list[int]] = []
        for hour in hours:
            if runs and hour == runs[-1][1]:
                runs[-1][1] = hour + 1
            else:
                runs.append([hour, hour + 1])
        parts.append(f"{DAYS[dow]} " + ",".join(f"{a:02d}-{b:02d}h" for a, b in runs))
    return "; ".join(parts)


def cmd_contexts(args: argparse.Namespace) -> int:
    from musicrec_tui.core.analysis import cut
    from musicrec_tui.core.engines.context import fit_contexts

    settings = load_settings()
    history = load_paths(args, settings, quiet=args.json)
    window = cut(history, parse_as_of(args.as_of, history))
    as_of = window.plays["ts"].iloc[-1]
    with progress_bar("finding contexts", enabled=not args.json) as progress:
        contexts = fit_contexts(window, settings, k=args.k, progress=progress)
    records = [{
        "id": int(c.id), "label": c.label, "plays": int(c.plays),
        "slots": [[int(d), int(h)] for d, h in c.slots],
        "picks": [{"artist": p.artist, "score": _number(p.score), "why": p.why}
                  for p in c.picks],
    } for c in contexts.clusters]
    notes = list(getattr(contexts, "notes", []))
    if args.json:
        print_json({"contexts": records, "as_of": as_of.isoformat(), "notes": notes})
        return 0
    out = Table(title=plural(len(records), "listening context"), show_lines=True)
    out.add_column("context")
    out.add_column("plays", justify="right")
    out.add_column("when")
    out.add_column("picks")
    for c, rec in zip(contexts.clusters, records, strict=True):
        out.add_row(c.label, str(rec["plays"]), _slots_text(c.slots),
                    ", ".join(p["artist"] for p in rec["picks"]))
    console.print(out)
    for note in notes:
        console_err.print(f"note: {note}")
    return 0


# --- recommend -------------------------------------------------------------------------------

def cmd_recommend(args: argparse.Namespace) -> int:
    from musicrec_tui.core.analysis import analyse, cut, reblend
    from musicrec_tui.core.engines.content import parse_tier
    from musicrec_tui.core.engines.ensemble import check_weights, parse_weights

    settings = load_settings()
    tier = args.tier if args.tier is not None else settings.content.tier
    parse_tier(tier)
    weights = check_weights(parse_weights(args.weights)) if args.weights else None
    history = load_paths(args, settings, quiet=args.json)
    as_of = parse_as_of(args.as_of, history)
    at = parse_time(args.at, history.tz, "--at")
    window = cut(history, as_of)
    engines = None if args.engine == "ensemble" else [args.engine]
    provider = None
    if args.engine in ("ensemble", "content"):
        provider = _provider(args, settings, window)
    with progress_bar("recommending", enabled=not args.json) as progress:
        analysis = analyse(window, settings, as_of=as_of, at=at, provider=provider,
                           engines=engines, tier=tier, weights=weights, progress=progress)
    top = args.top if args.top is not None else settings.ensemble.top
    if args.engine == "ensemble":
        if top != settings.ensemble.top:
            analysis = reblend(analysis, top=top)
        recs = [{"artist": r.artist, "score": _number(r.score),
                 "engines": {k: _number(v) for k, v in r.engines.items()},
                 "why": r.why, "in_library": r.in_library} for r in analysis.ensemble]
    else:
        result = analysis.results.get(args.engine)
        items = result.items[:top] if result is not None else []
        recs = [{"artist": it.artist, "score": _number(it.score),
                 "engines": {args.engine: _number(it.score)}, "why": it.why,
                 "in_library": bool(it.extra.get("in_library", True))} for it in items]
    similarity = analysis.similarity
    origins = similarity.counts() if similarity is not None else {}
    # A single engine's list is not blended: the blend's notes would only confuse.
    notes = [n for n in analysis.notes
             if args.engine == "ensemble" or not n.startswith("blend: ")]
    payload = {
        "recommendations": recs,
        "as_of": analysis.as_of.isoformat(),
        "at": analysis.at.isoformat() if analysis.at is not None else None,
        "engine": args.engine,
        "provider": analysis.provider,
        "provider_requested": similarity.requested or None if similarity else None,
        "fallback_reason": similarity.fallback_reason or None if similarity else None,
        "origins": origins,
        "weights": analysis.weights if args.engine == "ensemble" else None,
        "tier": analysis.tier,
        "notes": notes,
    }
    if args.json:
        print_json(payload)
        return 0
    _print_recommendations(args.engine, recs, analysis.as_of)
    if analysis.provider:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(origins.items()))
        console_err.print(f"similar artists from: {analysis.provider}"
                          + (f" ({counts})" if counts else ""), highlight=False)
        if similarity is not None and similarity.fallback_reason:
            console_err.print(f"note: asked {similarity.requested}, but"
                              f" {similarity.fallback_reason}", markup=False, highlight=False)
    for note in notes:
        console_err.print(f"note: {note}")
    return 0


def _provider(args: argparse.Namespace, settings: Settings, history: History) -> Any:
    from musicrec_tui.cli.provider import choose

    return choose(args.provider, settings, history, offline=args.offline)


def _print_recommendations(engine: str, recs: list[dict[str, Any]],
                           as_of: pd.Timestamp) -> None:
    out = Table(title=f"{engine} recommendations as of {as_of:%Y-%m-%d}")
    out.add_column("#", justify="right")
    out.add_column("artist")
    out.add_column("score", justify="right")
    if engine == "ensemble":
        out.add_column("engines")
    out.add_column("why")
    for i, rec in enumerate(recs, 1):
        row = [str(i), rec["artist"] + ("" if rec["in_library"] else " ✦"),
               f"{rec['score']:.3f}" if rec["score"] is not None else "–"]
        if engine == "ensemble":
            row.append(" ".join(f"{k}:{v:.2f}" for k, v in rec["engines"].items() if v))
        row.append(rec["why"])
        out.add_row(*row)
    console.print(out)
    if not recs:
        console_err.print("no recommendations")


# --- evaluate --------------------------------------------------------------------------------

def cmd_evaluate(args: argparse.Namespace) -> int:
    from musicrec_tui.core.engines.ensemble import check_weights, parse_weights
    from musicrec_tui.core.evaluate import evaluate

    settings = load_settings()
    weights = check_weights(parse_weights(args.weights)) if args.weights else None
    history = load_paths(args, settings, quiet=args.json)
    with progress_bar("backtesting cutoffs", enabled=not args.json) as progress:
        backtest = evaluate(history, settings, weights=weights, progress=progress)
    if args.json:
        print_json(backtest.to_dict())
        return 0
    ev = settings.evaluate
    out = Table(title=f"rolling-origin backtest: {len(backtest.cutoffs)} cutoffs, "
                      f"{backtest.cutoffs[0]:%Y-%m-%d} → {backtest.cutoffs[-1]:%Y-%m-%d}",
                caption=f"judged on the next {ev.horizon_days} days (hit: next "
                        f"{ev.context_horizon_days} days, per time slot); recent counts = "
                        f"last {ev.baseline_window_days} days, decayed counts = "
                        f"{ev.baseline_half_life_days:g}-day half-life")
    for col in ("list", "kind", f"NDCG@{ev.top_k}", f"overlap@{ev.top_k}",
                f"hit@{ev.context_top_k}"):
        out.add_column(col, justify="left" if col in ("list", "kind") else "right")
    for row in backtest.rows:
        out.add_row(row.name, row.kind, f"{row.ndcg:.3f}", f"{row.overlap:.3f}",
                    f"{row.hit:.3f}")
    console.print(out)
    for note in backtest.notes:
        console_err.print(f"note: {note}")
    return 0


def add_artists(sub: Any, name: str) -> None:
    p = _parser(sub, name, "Rank your artists (or search them).",
                "musicrec artists export.zip --search 'sigur ros' --top 10")
    p.add_argument("--search", metavar="Q", help="fuzzy search (accents, typos, prefixes)")
    p.add_argument("--top", type=whole_number(), default=50, metavar="N",
                   help="rows to show (default 50)")
    p.set_defaults(func=cmd_artists)


def add_contexts(sub: Any, name: str) -> None:
    p = _parser(sub, name, "Your listening contexts (time-of-day clusters) and picks.",
                "musicrec contexts export.zip --as-of 2024-01-01 --k 5")
    p.add_argument("--as-of", metavar="T", help="use only plays up to T (2024-01-01 or ISO)")
    p.add_argument("--k", type=whole_number(), metavar="K",
                   help="number of contexts (default: config)")
    p.set_defaults(func=cmd_contexts)


def add_recommend(sub: Any, name: str) -> None:
    p = _parser(sub, name, "Recommendations from one engine or the blend of all.",
                "musicrec recommend export.zip --engine ensemble --top 20 \\\n"
                "      --as-of 2024-06-01 --at '2024-06-01 08:00' --tier 1-50 \\\n"
                "      --weights recency=0.5,temporal=0.2,context=0.2,ranking=0.05,content=0.05")
    p.add_argument("--engine", choices=ENGINE_CHOICES, default="ensemble",
                   help="which list to show (default: ensemble)")
    p.add_argument("--top", type=whole_number(), metavar="N",
                   help="list length (default: config)")
    p.add_argument("--as-of", metavar="T", help="use only plays up to T (2024-01-01 or ISO)")
    p.add_argument("--at", metavar="TIME",
                   help="time the context engine answers for (default: --as-of, else now)")
    p.add_argument("--tier", metavar="A-B", help="ranks that seed discovery (default: config)")
    p.add_argument("--weights", metavar="E=W,…", help="blend weights summing to 1")
    p.add_argument("--provider", choices=PROVIDER_KINDS,
                   help="similar artists for discovery from (default: providers.similar);"
                        " naming a network provider is consent to send it artist names")
    p.add_argument("--offline", action="store_true", help="never use the network")
    p.set_defaults(func=cmd_recommend)


def add_evaluate(sub: Any, name: str) -> None:
    p = _parser(sub, name, "Rolling-origin backtest of every engine against baselines.",
                "musicrec evaluate export.zip --json")
    p.add_argument("--weights", metavar="E=W,…", help="blend weights to evaluate")
    p.set_defaults(func=cmd_evaluate)
