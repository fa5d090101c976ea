"""`musicrec` command line: thin sub-commands over the core.

Each sub-command lives in its own module with ``register(subparsers)``; the module sets
``func`` on its parser. ``musicrec`` alone opens the TUI, and ``musicrec PATH…`` opens the
TUI on those paths.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from musicrec_tui import __version__
from musicrec_tui.cli.common import console_err, run_command

# Order here is the order in `musicrec --help`.
COMMAND_MODULES = (
    "tui_cmd",
    "demo_cmd",
    "importing",
    "engines_cmd",
    "export_cmd",
    "config_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"musicrec_tui.cli.{name}")
        module.register(sub)
    return parser


def _route_bare_paths(argv: list[str], commands: set[str]) -> list[str]:
    """`musicrec` → `musicrec tui`; `musicrec PATH…` → `musicrec tui PATH…`."""
    if not argv:
        return ["tui"]
    first = argv[0]
    if first in commands or first.startswith("-"):
        return argv
    return ["tui", *argv]


# Every sub-command's name (tests/tui/test_launch.py checks it against the parser): with it,
# `musicrec` and `musicrec PATH…` open the app without importing every command's module
# (pandas, pyarrow and numpy: ~0.9 s of a launch that needs none of them up front).
COMMAND_NAMES = frozenset({"tui", "demo", "import", "artists", "contexts", "recommend",
                           "evaluate", "export", "config"})


def _app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="musicrec")
    importlib.import_module("musicrec_tui.cli.tui_cmd").register(parser.add_subparsers())
    return parser


def main(argv: list[str] | None = None) -> int:
    words = _route_bare_paths(list(sys.argv[1:] if argv is None else argv), COMMAND_NAMES)
    if words[0] == "tui" and not {"-h", "--help"} & set(words):
        return run_command(_app_parser().parse_args(words))
    parser = build_parser()
    args = parser.parse_args(words)  # COMMAND_NAMES is the parser's commands (a test checks)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return run_command(args)


__all__ = ["build_parser", "console_err", "main"]
