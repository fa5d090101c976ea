"""Shared pieces of the TUI tests (not a conftest: only the TUI tests import it)."""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from textual import events
from textual.worker import Worker

from musicrec_tui.core.demo import demo_paths
from musicrec_tui.core.errors import Cancelled
from musicrec_tui.tui.app import MusicrecApp, make_app
from musicrec_tui.tui.testing import settle, still

# Small enough to import and fit in well under a second, big enough for every engine.
DEMO_STREAMS = 6000
DEMO_SEED = 7
# The demo ends 2025-12-31; a fixed Wednesday evening makes the "now" context stable.
FROZEN_NOW = datetime(2025, 12, 31, 20, 30, tzinfo=UTC)
SIZE = (120, 36)
# Waits end on events; this bound is reached only when the code under test hangs.
HANG_S = 120.0

__all__ = ["DEMO_SEED", "DEMO_STREAMS", "FROZEN_NOW", "HANG_S", "SIZE", "Gate", "demo_app",
           "demo_root", "settle", "show", "still", "text_of"]


def demo_root() -> Path:
    return demo_paths(DEMO_STREAMS, DEMO_SEED)


def demo_app(paths: list[str] | None = None) -> MusicrecApp:
    """The app opened on the small demo (or on ``paths``), with a frozen clock."""
    return make_app(paths if paths is not None else [str(demo_root())], now=FROZEN_NOW)


def text_of(renderable) -> str:
    """Plain text of a Rich renderable (e.g. a Static's content)."""
    console = Console(width=200, file=io.StringIO())
    with console.capture() as captured:
        console.print(renderable)
    return captured.get()


async def show(pilot, key: str) -> None:
    """Press a key (a screen's, usually) and wait until what it started has finished."""
    await pilot.press(key)
    await settle(pilot)


def burst(app: MusicrecApp, *keys: str) -> None:
    """Queue keys as the terminal driver does, with no wait between them (a fast typist)."""
    for key in keys:
        char = key if len(key) == 1 else {"slash": "/"}.get(key)
        event = events.Key(key, char)
        event.set_sender(app)
        app.post_message(event)


class Gate:
    """A slow step for a worker thread to park at until the test opens the gate (``go``) or
    the worker is cancelled. Either wakes it at once: ``Worker.cancel`` is wrapped to signal
    (a worker's cancel flag is a plain attribute), so nothing polls. Use it around the test
    body (``with Gate(monkeypatch) as gate:``): leaving opens it, so a failing test never
    leaves a thread parked."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._cond = threading.Condition()
        self._open = False
        self.arrived = threading.Event()
        real_cancel = Worker.cancel

        def cancel(worker: Worker) -> None:
            real_cancel(worker)
            with self._cond:
                self._cond.notify_all()

        monkeypatch.setattr(Worker, "cancel", cancel)

    def go(self) -> None:
        with self._cond:
            self._open = True
            self._cond.notify_all()

    def wait(self, cancel=None) -> None:
        """Park until the gate opens (return) or ``cancel`` is set first (raise Cancelled)."""
        self.arrived.set()
        with self._cond:
            woken = self._cond.wait_for(
                lambda: self._open or (cancel is not None and cancel.is_set()), HANG_S)
        assert woken, f"the gate stayed shut for {HANG_S:.0f} s"
        if not self._open:
            raise Cancelled("cancelled")

    async def reached(self) -> None:
        """Until a thread parks at the gate (waited for off the event loop)."""
        assert await asyncio.to_thread(self.arrived.wait, HANG_S), "nothing reached the gate"

    def __enter__(self) -> Gate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.go()
