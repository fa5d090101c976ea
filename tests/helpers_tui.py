"""Shared pieces of the TUI tests (not a conftest: only the TUI tests import it)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input

from musicrec_tui.core.history.demo import demo_paths
from musicrec_tui.tui.app import MusicrecApp, make_app

# Small enough to import and fit in well under a second, big enough for every engine.
DEMO_STREAMS = 6000
DEMO_SEED = 7
# The demo ends 2025-12-31; a fixed Wednesday evening makes the "now" context stable.
FROZEN_NOW = datetime(2025, 12, 31, 20, 30, tzinfo=UTC)
SIZE = (120, 36)


def demo_root() -> Path:
    return demo_paths(DEMO_STREAMS, DEMO_SEED)


def demo_app(paths: list[str] | None = None) -> MusicrecApp:
    """The app opened on the small demo (or on ``paths``), with a frozen clock."""
    return make_app(paths if paths is not None else [str(demo_root())], now=FROZEN_NOW)


async def settle(pilot: Pilot) -> None:
    """Wait until no worker of ours runs (the directory tree's loader never ends)."""
    app = pilot.app
    for _ in range(100):
        await pilot.pause()
        busy = [w for w in app.workers if w.is_running and not w.group.startswith("_")]
        if not busy:
            await pilot.pause()
            return
        await app.workers.wait_for_complete(busy)
    raise AssertionError("workers never settled")


def still(app: MusicrecApp) -> None:
    """Make the screen deterministic for snapshots: no toasts, no blinking cursors."""
    app.clear_notifications()
    for box in app.screen.query(Input):
        box.cursor_blink = False


def text_of(renderable) -> str:
    """Plain text of a Rich renderable (e.g. a Static's content)."""
    console = Console(width=200, file=io.StringIO())
    with console.capture() as captured:
        console.print(renderable)
    return captured.get()
