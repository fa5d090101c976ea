"""Driving the app headless (tests, screenshots, benchmarks): wait for work, hold still."""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input


async def settle(pilot: Pilot) -> None:
    """Wait until none of our workers runs (the directory tree's loader never ends)."""
    app = pilot.app
    quiet = 0
    for _ in range(200):
        await pilot.pause()
        busy = [w for w in app.workers
                if not w.is_finished and not w.group.startswith("_")]
        if busy:
            quiet = 0
            await app.workers.wait_for_complete(busy)
            continue
        # A finished worker's message may start the next one: only quiet twice counts.
        quiet += 1
        if quiet == 3:
            return
    raise RuntimeError("workers never settled")


def still(app: App) -> None:
    """A deterministic screen: no toasts (some give timings), no blinking cursors."""
    app.clear_notifications()
    for box in app.screen.query(Input):
        box.cursor_blink = False
