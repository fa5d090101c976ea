"""Writes that run beside the work (the import cache), and waiting for them.

A write is started in a thread so the caller gets its result at once; whoever ends the
process (the CLI, after a command or when the app quits) calls :func:`wait` first. Waiting
at interpreter exit would be too late: by then Python has stopped the thread pools such a
write uses (pyarrow's), so the write would fail and the file would never exist.
This module imports nothing heavy, so a command that started no write pays nothing to wait.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

_pending: list[threading.Thread] = []
_lock = threading.Lock()


def start(name: str, write: Callable[[], None]) -> None:
    """Run ``write`` in a thread that :func:`wait` joins."""
    thread = threading.Thread(target=write, name=name)
    thread.start()
    with _lock:
        _pending.append(thread)


def wait() -> None:
    """Return when every write started by :func:`start` has finished."""
    while True:
        with _lock:
            if not _pending:
                return
            thread = _pending[0]
        thread.join()
        with _lock:
            if _pending and _pending[0] is thread:
                _pending.pop(0)
