"""Progress and cancellation hooks shared by every long step.

Core loops call ``report(done, total)`` and ``check(cancel)`` between chunks, so the TUI can
drive a progress bar from a worker and the CLI a Rich bar, with no UI code in the core.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from musicrec_tui.core.errors import Cancelled

Progress = Callable[[int, int], None]


class CancelToken(Protocol):
    """Anything with ``is_set()``: ``threading.Event``, or a Textual worker's cancel flag."""

    def is_set(self) -> bool: ...


def check(cancel: CancelToken | None) -> None:
    """Raise :class:`Cancelled` if the user asked to stop."""
    if cancel is not None and cancel.is_set():
        raise Cancelled("cancelled")


def report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
