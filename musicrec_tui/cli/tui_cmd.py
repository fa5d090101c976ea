"""`musicrec tui [PATH…]`: open the app (bare `musicrec` and `musicrec PATH…` route here)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.settings import Settings, load_settings

# Exit status when the terminal went away (not a quit the user asked for).
TERMINAL_GONE = 1


def register(sub: Any, name: str) -> None:
    parser = sub.add_parser(
        name, help="open the app (the default command)",
        description="Open the terminal app. With paths, load them straight away and land on "
                    "the Artists screen; without, start on the Load screen.")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="export files, folders (searched recursively) or .zip files")
    parser.add_argument("--tz", metavar="ZONE",
                        help="IANA timezone for local-time features (default: this computer's)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    return launch(args.paths or None, tz=args.tz)


def launch(paths: list[str] | None, *, settings: Settings | None = None, tz: str | None = None,
           demo: bool = False) -> int:
    """Run the app until it quits; returns the exit code."""
    need_a_terminal()
    from musicrec_tui.tui.app import make_app
    from musicrec_tui.tui.textual_patches import exit_when_the_terminal_goes

    settings = settings or load_settings(cli={"import": {"timezone": tz}} if tz else None)
    app = make_app(paths, settings=settings, tz=tz, demo=demo)
    with exit_when_the_terminal_goes(app, TERMINAL_GONE):
        result = app.run()
    return int(result or 0)


def need_a_terminal() -> None:
    """The app reads keys from stdin and draws on stderr (Textual's streams): without a
    terminal on both it would draw escape codes into a file and wait for keys forever."""
    for stream in (sys.__stdin__, sys.__stderr__):
        try:
            ok = stream is not None and stream.isatty()
        except ValueError:  # closed
            ok = False
        if not ok:
            raise MusicrecError("the app needs a terminal (keys on standard input, the screen "
                                "on standard error); in scripts use `musicrec import`, "
                                "`artists`, `recommend` or `export` (see `musicrec --help`)")
