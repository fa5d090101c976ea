"""`musicrec` command line: thin sub-commands over the core.

Each sub-command lives in its own module with ``register(subparsers)``; the module sets
``func`` on its parser. ``musicrec`` alone opens the TUI, and ``musicrec PATH…`` opens the
TUI on those paths.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Collection

from musicrec_tui import __version__
from musicrec_tui.cli.common import Parser, console_err, run_command

# Every sub-command, in `musicrec --help` order, and the function that adds it (called with
# the subparsers and the name): the one list of names, so the fast path below can route by
# them without importing the modules (pandas, pyarrow and numpy: ~0.9 s of a launch that
# needs none of them up front).
COMMANDS = {
    "tui": "tui_cmd.register",
    "demo": "demo_cmd.register",
    "import": "importing.register",
    "artists": "engines_cmd.add_artists",
    "contexts": "engines_cmd.add_contexts",
    "recommend": "engines_cmd.add_recommend",
    "evaluate": "engines_cmd.add_evaluate",
    "export": "export_cmd.register",
    "config": "config_cmd.register",
}


def _add_command(sub: argparse._SubParsersAction, name: str) -> None:
    module, function = COMMANDS[name].rsplit(".", 1)
    getattr(importlib.import_module(f"musicrec_tui.cli.{module}"), function)(sub, name)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="musicrec",
        description=(
            "Music recommendations from your own listening export "
            "(Spotify Extended/Account Data, Last.fm, ListenBrainz), in the terminal."
        ),
        epilog=(
            "examples:\n"
            "  musicrec demo                       open the app on a generated history\n"
            "  musicrec my_spotify_data.zip        open the app on your export\n"
            "  musicrec import my_spotify_data.zip print the import report\n"
            "  musicrec recommend export.zip --json\n"
            "\nRun `musicrec COMMAND --help` for each command's options."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"musicrec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        _add_command(sub, name)
    return parser


def _route_bare_paths(argv: list[str], commands: Collection[str]) -> list[str]:
    """`musicrec` → `musicrec tui`; `musicrec PATH…` → `musicrec tui PATH…`. A first word
    that is no path but close to a command is a typo, refused in one line (exit code 2)."""
    if not argv:
        return ["tui"]
    first = argv[0]
    if first in commands or first.startswith("-"):
        return argv
    if not os.path.lexists(first):
        import difflib

        close = difflib.get_close_matches(first, list(commands), n=1)
        if close:
            sys.stderr.write(f"musicrec: error: {first!r} is neither a command nor a file "
                             f"(did you mean `musicrec {close[0]}`?)\n")
            raise SystemExit(2)
    return ["tui", *argv]


def _app_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="musicrec")
    _add_command(parser.add_subparsers(), "tui")
    return parser


def main(argv: list[str] | None = None) -> int:
    words = _route_bare_paths(list(sys.argv[1:] if argv is None else argv), COMMANDS)
    if words[0] == "tui" and not {"-h", "--help"} & set(words):
        return run_command(_app_parser().parse_args(words))
    parser = build_parser()
    args = parser.parse_args(words)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return run_command(args)


__all__ = ["build_parser", "console_err", "main"]
