"""Shared CLI plumbing: consoles, common options, errors as one line, Rich progress."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from musicrec_tui.core import background
from musicrec_tui.core.errors import Cancelled, MusicrecError

if TYPE_CHECKING:
    import pandas as pd

    from musicrec_tui.core.history.model import History
    from musicrec_tui.core.settings import Settings

console = Console()
console_err = Console(stderr=True)


def add_history_args(parser: argparse.ArgumentParser, *, json_flag: bool = True) -> None:
    """Paths plus the options every history-reading command shares."""
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="export files, folders (searched recursively) or .zip files")
    parser.add_argument("--tz", metavar="ZONE",
                        help="IANA timezone for local-time features (default: this computer's)")
    parser.add_argument("--no-cache", action="store_true",
                        help="parse the files again instead of reusing the import cache")
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@contextmanager
def progress_bar(description: str, *, enabled: bool = True) -> Iterator[Any]:
    """Yield a ``progress(done, total)`` callback drawing a Rich bar on stderr."""
    if not enabled or not console_err.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console_err, transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield update


def run_command(args: argparse.Namespace) -> int:
    """Run a sub-command; our own errors become one line on stderr, never a traceback.

    Writes the command left running in the background (the import cache, also the app's)
    are waited for here, so they are on disk before the process exits.
    """
    try:
        try:
            return int(args.func(args) or 0)
        finally:
            background.wait()
    except Cancelled:
        console_err.print("[yellow]cancelled[/]")
        return 130
    except KeyboardInterrupt:
        console_err.print("[yellow]interrupted[/]")
        return 130
    except MusicrecError as exc:
        console_err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 2


def load_paths(args: argparse.Namespace, settings: Settings, *, quiet: bool = False) -> History:
    """Import ``args.paths`` with a progress bar; each bad file is one warning line on stderr
    (the good files still load)."""
    from musicrec_tui.core.history.importer import load_history

    with progress_bar("Reading history", enabled=not quiet) as progress:
        history = load_history(args.paths, settings=settings, tz=args.tz, progress=progress,
                               use_cache=False if args.no_cache else None)
    for bad in history.report.bad_files:
        console_err.print(f"[yellow]warning:[/] {escape(bad.name)}: {escape(bad.error or '')}",
                          highlight=False)
    return history


def parse_time(text: str | None, tz: str, flag: str) -> pd.Timestamp | None:
    """"2024-01-01" or an ISO time; naive times are in the history's zone. Result in UTC."""
    import pandas as pd

    from musicrec_tui.core.analysis import to_utc

    if text is None:
        return None
    try:
        stamp = to_utc(text, tz)
    except (ValueError, TypeError):
        stamp = pd.NaT
    if stamp is pd.NaT:
        raise MusicrecError(f"{flag}: {text!r} is not a date like 2024-01-01 or an ISO time "
                            "like 2024-01-01T08:30")
    return stamp
