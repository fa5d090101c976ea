"""`musicrec artists | contexts | recommend | evaluate`: the engines and lists from the command
line."""

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
from musicrec_tui.core.engines import ENGINES
from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.history.model import History
from musicrec_tui.core.lists import ENGINES_FOR, LISTS, NOTE_PREFIXES, TITLES, seeds_text
from musicrec_tui.core.settings import Settings, load_settings
from musicrec_tui.core.settings.checks import PROVIDER_KINDS
from musicrec_tui.core.wording import plural

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
        "typical": [{"artist": p.artist, "score": _number(p.score), "why": p.why}
                    for p in c.typical],
    } for c in contexts.clusters]
    notes = list(getattr(contexts, "notes", []))
    if args.json:
        print_json({"contexts": records, "as_of": as_of.isoformat(), "notes": notes})
        return 0
    out = Table(title=plural(len(records), "listening context"), show_lines=True)
    out.add_column("context")
    out.add_column("plays", justify="right")
    out.add_column("typical of it")
    out.add_column("picks to play next there")
    out.add_column("nearest context for")
    for c, rec in zip(contexts.clusters, records, strict=True):
        out.add_row(c.label, str(rec["plays"]), ", ".join(p["artist"] for p in rec["typical"][:5]),
                    ", ".join(p["artist"] for p in rec["picks"][:5]), _slots_text(c.slots))
    console.print(out)
    for note in notes:
        console_err.print(f"note: {note}")
    return 0


# --- recommend -------------------------------------------------------------------------------

def _shares_flag(text: str | None) -> str | None:
    """--shares names the lists as the CLI does ("play-next=2,rediscover=1"); the setting
    spells them play_next."""
    if text is None:
        return None
    parts = [p.partition("=") for p in text.split(",") if p.strip()]
    return ",".join(f"{name.strip().replace('-', '_')}{sep}{value}" for name, sep, value in parts)


def cmd_recommend(args: argparse.Namespace) -> int:
    from musicrec_tui.core.analysis import analyse, cut
    from musicrec_tui.core.engines.content import parse_tier

    settings = load_settings(cli={"ensemble": {"shares": _shares_flag(args.shares)}})
    tier = args.tier if args.tier is not None else settings.content.tier
    parse_tier(tier)
    history = load_paths(args, settings, quiet=args.json)
    as_of = parse_as_of(args.as_of, history)
    at = parse_time(args.at, history.tz, "--at")
    window = cut(history, as_of)
    engines = [args.engine] if args.engine else ENGINES_FOR[args.list]
    provider = _provider(args, settings, window) if "content" in engines else None
    with progress_bar("recommending", enabled=not args.json) as progress:
        analysis = analyse(window, settings, as_of=as_of, at=at, provider=provider,
                           engines=engines, tier=tier, progress=progress)
    top = args.top if args.top is not None else settings.ensemble.top
    if args.engine:
        result = analysis.results.get(args.engine)
        items = result.items[:top] if result is not None else []
        recs = [{"artist": it.artist, "score": _number(it.score), "list": args.engine,
                 "engines": {args.engine: _number(it.score)}, "why": it.why,
                 "in_library": bool(it.extra.get("in_library", True))} for it in items]
        # One engine's own list: the lists' notes would only confuse.
        notes = [n for n in analysis.notes if not n.startswith(NOTE_PREFIXES)]
    else:
        if args.list == "mix" and top != settings.ensemble.top:
            from musicrec_tui.core.analysis import reblend

            analysis = reblend(analysis, top=top)
        recs = [{"artist": r.artist, "score": _number(r.score), "list": r.list,
                 "engines": {k: _number(v) for k, v in r.engines.items()},
                 "why": r.why, "in_library": r.in_library}
                for r in analysis.lists[args.list].items[:top]]
        notes = [n for n in analysis.notes
                 if not n.startswith(NOTE_PREFIXES) or n.startswith(args.list + ": ")
                 or (args.list == "mix" and n.startswith("discover: "))]
    similarity = analysis.similarity
    origins = similarity.counts() if similarity is not None else {}
    content = analysis.results.get("content")
    seeds = content.meta.get("seeds") if content is not None else None
    payload = {
        "recommendations": recs,
        "list": None if args.engine else args.list,
        "engine": args.engine,
        "as_of": analysis.as_of.isoformat(),
        "at": analysis.at.isoformat() if analysis.at is not None else None,
        "provider": analysis.provider,
        "provider_requested": similarity.requested or None if similarity else None,
        "fallback_reason": similarity.fallback_reason or None if similarity else None,
        "origins": origins,
        "shares": (analysis.lists["mix"].meta.get("shares")
                   if args.list == "mix" and not args.engine else None),
        "tier": analysis.tier,
        "seeds": seeds,
        "context": content.meta.get("context") or None if content is not None else None,
        "notes": notes,
    }
    if args.json:
        print_json(payload)
        return 0
    _print_recommendations(args.engine or args.list, recs, analysis.as_of)
    if analysis.provider:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(origins.items()))
        console_err.print(f"similar artists from: {analysis.provider}"
                          + (f" ({counts})" if counts else "")
                          + (f" · {seeds_text(seeds, payload['context'])}" if seeds else ""),
                          highlight=False)
        if similarity is not None and similarity.fallback_reason:
            console_err.print(f"note: asked {similarity.requested}, but"
                              f" {similarity.fallback_reason}", markup=False, highlight=False)
    for note in notes:
        console_err.print(f"note: {note}")
    return 0


def _provider(args: argparse.Namespace, settings: Settings, history: History) -> Any:
    from musicrec_tui.cli.provider import choose

    return choose(args.provider, settings, history, offline=args.offline)


def _print_recommendations(name: str, recs: list[dict[str, Any]],
                           as_of: pd.Timestamp) -> None:
    out = Table(title=f"{TITLES.get(name, name)} as of {as_of:%Y-%m-%d}")
    out.add_column("#", justify="right")
    out.add_column("artist")
    if name == "mix":
        out.add_column("list")
    out.add_column("score", justify="right")
    out.add_column("engines")
    out.add_column("why")
    for i, rec in enumerate(recs, 1):
        row = [str(i), rec["artist"] + ("" if rec["in_library"] else " ✦")]
        if name == "mix":
            row.append(TITLES[rec["list"]])
        row += [f"{rec['score']:.3f}" if rec["score"] is not None else "–",
                " ".join(f"{k}:{v:.2f}" for k, v in rec["engines"].items() if v), rec["why"]]
        out.add_row(*row)
    console.print(out)
    if not recs:
        console_err.print("no recommendations")


# --- evaluate --------------------------------------------------------------------------------

def _signed(value: float, digits: int = 3) -> str:
    return "–" if not math.isfinite(value) else f"{value:+.{digits}f}"


def cmd_evaluate(args: argparse.Namespace) -> int:
    from musicrec_tui.core.evaluate import evaluate

    cli = {"evaluate": {"step_days": args.every}} if args.every is not None else None
    settings = load_settings(cli=cli)
    history = load_paths(args, settings, quiet=args.json)
    with progress_bar("backtesting cutoffs", enabled=not args.json) as progress:
        backtest = evaluate(history, settings, progress=progress)
    if args.json:
        print_json(backtest.to_dict())
        return 0
    ev = settings.evaluate
    level = f"{ev.confidence:.0%}"
    console.print(f"[bold]Rolling-origin backtest[/]: {len(backtest.cutoffs)} cutoffs every "
                  f"{ev.step_days} days, {backtest.cutoffs[0]:%Y-%m-%d} → "
                  f"{backtest.cutoffs[-1]:%Y-%m-%d}; judged on the next {ev.horizon_days} "
                  f"days (context picks: next {ev.context_horizon_days} days, each play "
                  f"against its own time slot; Rediscover: only artists unplayed for "
                  f"{settings.rediscover.dormant_days:g} days). Differences with {level} "
                  "block-bootstrap intervals.", highlight=False)
    for row in backtest.scores:
        title = TITLES.get(row.name, row.name.capitalize())
        score = f"{row.score:.3f}" if math.isfinite(row.score) else "–"
        console.print(f"\n[bold]{title}[/] {row.metric} {score} over {row.cutoffs} cutoffs",
                      highlight=False)
        for c in row.baselines:
            if not math.isfinite(c.score):
                console.print(f"  vs {c.baseline}: nothing to judge", highlight=False,
                              markup=False)
                continue
            relative = f" ({c.relative:+.1%})" if math.isfinite(c.relative) else ""
            interval = (f"[{_signed(c.interval[0])}, {_signed(c.interval[1])}]"
                        if math.isfinite(c.interval[0]) else "[too few cutoffs for an interval]")
            console.print(f"  vs {c.baseline} {c.score:.3f}: {_signed(c.difference)}{relative} "
                          f"{interval}, won {c.won:.0%} of cutoffs", highlight=False,
                          markup=False)
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
    p = _parser(sub, name, "Recommendations: the Mix, one list, or one engine's own list.",
                "musicrec recommend export.zip --list mix --top 20 --as-of 2024-06-01 \\\n"
                "      --tier 200-300 --provider lastfm \\\n"
                "      --shares play-next=0.5,rediscover=0.25,discover=0.25")
    p.add_argument("--list", choices=LISTS, default="mix",
                   help="which list: the mix of the other three (default), play-next (what "
                        "you will play most), rediscover (dormant favourites), discover (new "
                        "artists; needs a similarity provider)")
    p.add_argument("--engine", choices=ENGINES,
                   help="show one engine's own list instead of a list")
    p.add_argument("--top", type=whole_number(), metavar="N",
                   help="list length (default: config)")
    p.add_argument("--as-of", metavar="T", help="use only plays up to T (2024-01-01 or ISO)")
    p.add_argument("--at", metavar="TIME",
                   help="time the context engine answers for (default: --as-of, else now)")
    p.add_argument("--tier", metavar="A-B",
                   help="ranks of your artists that seed Discover (default: config)")
    p.add_argument("--shares", metavar="L=W,…",
                   help="the Mix's shares of play-next, rediscover and discover (relative: "
                        "rescaled to sum to 1)")
    p.add_argument("--provider", choices=PROVIDER_KINDS,
                   help="similar artists for Discover from (default: providers.similar);"
                        " naming a network provider is consent to send it artist names")
    p.add_argument("--offline", action="store_true", help="never use the network")
    p.set_defaults(func=cmd_recommend)


def add_evaluate(sub: Any, name: str) -> None:
    p = _parser(sub, name, "Rolling-origin backtest of each list against its baselines.",
                "musicrec evaluate export.zip --every 30 --json")
    p.add_argument("--every", type=whole_number(), metavar="DAYS",
                   help="days between cutoffs (default: config, 30)")
    p.set_defaults(func=cmd_evaluate)
