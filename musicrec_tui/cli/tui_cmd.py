"""`musicrec tui [PATH…]`: open the app (bare `musicrec` and `musicrec PATH…` route here)."""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from musicrec_tui.core.settings import Settings, load_settings

if TYPE_CHECKING:
    from textual.app import App

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
    from musicrec_tui.tui.app import make_app

    settings = settings or load_settings(cli={"import": {"timezone": tz}} if tz else None)
    app = make_app(paths, settings=settings, tz=tz, demo=demo)
    with _exit_when_the_terminal_goes(app):
        result = app.run()
    return int(result or 0)


@contextlib.contextmanager
def _exit_when_the_terminal_goes(app: App[int]) -> Iterator[None]:
    """Quit the app when its terminal hangs up without a SIGHUP (a closed pty master, an
    orphaned child): Textual's input thread then reads end-of-file in a loop at 100 % CPU
    until the process is killed (its LinuxDriver.run_input_thread does not stop on EOF).

    A thread waits in poll() for the hang-up alone (no input events are asked for, so it
    reads nothing and costs nothing meanwhile); a pipe wakes it when the app ends.
    """
    stdin = sys.__stdin__
    fd = stdin.fileno() if stdin is not None else -1
    if not hasattr(select, "poll") or fd < 0 or not os.isatty(fd):
        yield
        return
    wake_r, wake_w = os.pipe()
    poller = select.poll()
    poller.register(fd, 0)  # POLLHUP, POLLERR and POLLNVAL are always reported
    poller.register(wake_r, select.POLLIN)

    def watch() -> None:
        if any(ready == fd for ready, _ in poller.poll()):
            app.call_later(app.exit, TERMINAL_GONE)

    watcher = threading.Thread(target=watch, name="musicrec-terminal-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        os.write(wake_w, b"\0")
        watcher.join()
        os.close(wake_r)
        os.close(wake_w)
