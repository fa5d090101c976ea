"""`musicrec import PATH…`: load exports and print the import report."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from musicrec_tui.cli.common import add_history_args, console, print_json, progress_bar
from musicrec_tui.core.errors import NothingLoaded
from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.history.model import ImportReport
from musicrec_tui.core.settings import load_settings


def register(sub, name: str) -> None:
    parser = sub.add_parser(
        name,
        help="read listening exports and print what was imported",
        description=(
            "Read Spotify Extended/Account Data, Last.fm CSV and ListenBrainz exports (files, "
            "folders or .zip as downloaded) and print the import report: rows read, kept, "
            "set aside and why, and every file's problem."
        ),
        epilog="example:\n  musicrec import my_spotify_data.zip scrobbles.csv --tz Europe/Berlin",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_history_args(parser)
    parser.add_argument("--strict", action="store_true",
                        help="exit non-zero if any file had a problem")
    parser.set_defaults(func=run)


def render(report: ImportReport) -> None:
    """Print the report as Rich tables: summary, set-aside reasons, files."""
    summary = Table(title="Import report", show_header=False, title_justify="left")
    summary.add_column("what", style="bold")
    summary.add_column("value", justify="right")
    span = (f"{report.first:%Y-%m-%d} → {report.last:%Y-%m-%d}"
            if report.first and report.last else "–")
    for what, value in (
        ("rows read", f"{report.rows_read:,}"), ("plays kept", f"{report.kept:,}"),
        ("counted (≥ min play)", f"{report.counted:,}"), ("artists", f"{report.artists:,}"),
        ("tracks", f"{report.tracks:,}"), ("dates (UTC)", span),
        ("timezone", report.timezone), ("from cache", "yes" if report.from_cache else "no"),
    ):
        summary.add_row(what, value)
    for reason, count in sorted(report.set_aside.items()):
        summary.add_row(f"set aside: {reason}", f"{count:,}")
    console.print(summary)
    files = Table(title="Files", title_justify="left")
    for col, justify in (("file", "left"), ("format", "left"), ("rows", "right"),
                         ("kept", "right"), ("problem", "left")):
        files.add_column(col, justify=justify, overflow="fold")
    for f in report.files:
        where = Path(f.member).name if f.member else Path(f.path).name
        files.add_row(escape(where), escape(f.format or "–"), f"{f.rows:,}",
                      f"{f.kept:,}", f"[red]{escape(f.error)}[/]" if f.error else "")
    console.print(files)
    for note in report.notes:
        console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        with progress_bar("Importing", enabled=not args.json) as progress:
            history = load_history(args.paths, settings=settings, tz=args.tz,
                                   progress=progress,
                                   use_cache=False if args.no_cache else None)
    except NothingLoaded as exc:
        _show(exc.report, args.json)  # what each file was and why, even with nothing loaded
        raise  # then the one error line, exit code 2
    _show(history.report, args.json)
    return 1 if args.strict and history.report.bad_files else 0


def _show(report: ImportReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_dict() | {"notes": report.notes})
    else:
        render(report)
