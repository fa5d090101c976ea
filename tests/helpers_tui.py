"""Shared pieces of the TUI tests (not a conftest: only the TUI tests import it)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from textual import events

from musicrec_tui.core.demo import demo_paths
from musicrec_tui.tui.app import MusicrecApp, make_app
from musicrec_tui.tui.testing import settle, still

# Small enough to import and fit in well under a second, big enough for every engine.
DEMO_STREAMS = 6000
DEMO_SEED = 7
# The demo ends 2025-12-31; a fixed Wednesday evening makes the "now" context stable.
FROZEN_NOW = datetime(2025, 12, 31, 20, 30, tzinfo=UTC)
SIZE = (120, 36)

__all__ = ["DEMO_SEED", "DEMO_STREAMS", "FROZEN_NOW", "SIZE", "demo_app", "demo_root", "settle",
           "still", "text_of"]


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


def burst(app: MusicrecApp, *keys: str) -> None:
    """Queue keys as the terminal driver does, with no wait between them (a fast typist)."""
    for key in keys:
        char = key if len(key) == 1 else {"slash": "/"}.get(key)
        event = events.Key(key, char)
        event.set_sender(app)
        app.post_message(event)
