"""Shared CLI plumbing: consoles, common options, errors as one line, Rich progress."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from musicrec_tui.core.errors import Cancelled, MusicrecError

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
    """Run a sub-command; our own errors become one line on stderr, never a traceback."""
    try:
        return int(args.func(args) or 0)
    except Cancelled:
        console_err.print("[yellow]cancelled[/]")
        return 130
    except KeyboardInterrupt:
        console_err.print("[yellow]interrupted[/]")
        return 130
    except MusicrecError as exc:
        console_err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 2
