"""`musicrec demo`: generate a realistic demo history and open the app on it (or write it)."""

from __future__ import annotations

import argparse
import importlib.util
import shutil
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from musicrec_tui.cli.common import console, progress_bar, whole_number
from musicrec_tui.core import demo
from musicrec_tui.core.errors import MusicrecError


def register(sub: Any, name: str) -> None:
    parser = sub.add_parser(
        name,
        help="generate a demo listening history and open the app on it",
        description=(
            "Generate a realistic, reproducible Spotify Extended Streaming History (artists\n"
            "with Zipf-like popularity, taste drift, daily and weekly rhythms, skips, sessions,\n"
            "a few podcasts and duplicates) plus ground_truth.json describing what was planted\n"
            "(rising and fading artists, time-of-week contexts, co-listened groups).\n"
            "Without --write it is generated once into the cache and the app opens on it."
        ),
        epilog=(
            "examples:\n"
            "  musicrec demo                                open the app on the demo\n"
            "  musicrec demo --write ./demo --streams 50000 write the files, print a summary\n"
            "  musicrec demo --seed 3 --tz Europe/Paris     another demo, read in Paris time"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--write", metavar="DIR", type=Path,
                        help="write the history into DIR instead of opening the app")
    parser.add_argument("--force", action="store_true",
                        help="with --write: replace a previous demo in a non-empty DIR")
    parser.add_argument("--streams", type=whole_number(demo.MIN_STREAMS), default=demo.DEFAULT_STREAMS, metavar="N",
                        help=f"audio records to generate (default {demo.DEFAULT_STREAMS:,})")
    parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, metavar="S",
                        help=f"random seed; the same seed gives the same files (default "
                             f"{demo.DEFAULT_SEED})")
    parser.add_argument("--tz", metavar="ZONE", default=None,
                        help=f"timezone to read the history in (default {demo.TIMEZONE}, the "
                             "zone the demo's contexts are planted in)")
    parser.set_defaults(func=run)


def _prepare(folder: Path, force: bool) -> None:
    """Refuse to mix a demo into a folder holding anything, unless forced; when forced,
    remove only what a previous demo wrote (never other files)."""
    if folder.exists() and not folder.is_dir():
        raise MusicrecError(f"{folder}: not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        if not force:
            raise MusicrecError(f"{folder}: folder is not empty (use --force to replace a "
                                "demo written there before)")
        shutil.rmtree(folder / demo.HISTORY_DIRNAME, ignore_errors=True)
        (folder / demo.GROUND_TRUTH).unlink(missing_ok=True)


def _summary(root: Path) -> None:
    truth = demo.read_ground_truth(root)
    files = Table(title=f"Demo history written to {escape(str(root))}", title_justify="left")
    files.add_column("file", overflow="fold")
    files.add_column("size", justify="right")
    history = root / demo.HISTORY_DIRNAME
    for name in [*truth["files"], truth["video_file"]]:
        size = (history / name).stat().st_size
        files.add_row(escape(f"{demo.HISTORY_DIRNAME}/{name}"), f"{size / 1e6:,.1f} MB")
    files.add_row(escape(demo.GROUND_TRUTH), f"{(root / demo.GROUND_TRUTH).stat().st_size:,} B")
    console.print(files)
    records = truth["records"]
    console.print(
        f"{records['audio']:,} audio records ({records['music']:,} music plays, "
        f"{records['podcast']:,} podcast, {records['duplicates']:,} exact duplicates) and "
        f"{records['video']:,} video; {truth['artists']:,} artists, {truth['first_ts'][:10]} → "
        f"{truth['last_ts'][:10]} (UTC)", highlight=False)
    planted = Table(title="Planted (see ground_truth.json)", show_header=False,
                    title_justify="left")
    planted.add_column("what", style="bold")
    planted.add_column("artists", overflow="fold")
    planted.add_row("rising", escape(", ".join(truth["rising"])))
    planted.add_row("fading", escape(", ".join(truth["fading"])))
    for context in truth["contexts"]:
        planted.add_row(context["label"], escape(", ".join(context["artists"])))
    for number, group in enumerate(truth["colisten_groups"], 1):
        planted.add_row(f"co-listened group {number}", escape(", ".join(group)))
    console.print(planted)
    console.print(f"Open it with: musicrec {escape(str(history))!r} --tz {truth['timezone']}",
                  highlight=False)


def _fallback_report(history: Path, tz: str) -> int:
    """Until the app is built: print the import report of the demo instead."""
    from musicrec_tui.cli.importing import render
    from musicrec_tui.core.history.importer import load_history

    with progress_bar("Importing the demo") as progress:
        loaded = load_history([str(history)], tz=tz, progress=progress)
    render(loaded.report)
    return 0


def _app_available() -> bool:
    return importlib.util.find_spec("musicrec_tui.tui.app") is not None


def run(args: argparse.Namespace) -> int:
    tz = args.tz or demo.TIMEZONE
    if args.write is not None:
        _prepare(args.write, args.force)
        with progress_bar("Generating the demo") as progress:
            root = demo.generate_demo(args.write, streams=args.streams, seed=args.seed,
                                      progress=progress)
        _summary(root)
        return 0
    app = _app_available()
    if app:
        from musicrec_tui.cli.tui_cmd import launch, need_a_terminal

        need_a_terminal()  # before generating, not after
    with progress_bar("Generating the demo (once; cached)") as progress:
        root = demo.demo_paths(streams=args.streams, seed=args.seed, progress=progress)
    history = root / demo.HISTORY_DIRNAME
    if not app:
        return _fallback_report(history, tz)
    return launch([str(history)], tz=tz, demo=True)
