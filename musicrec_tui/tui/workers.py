"""Glue between Textual thread workers and the core's ``progress`` / ``cancel`` hooks."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from textual.message_pump import MessagePump
from textual.worker import Worker, get_current_worker

from musicrec_tui.tui.messages import Progress

# Progress is posted at most this often per job; the UI can't show more anyway.
_PROGRESS_INTERVAL_S = 0.05


class WorkerCancel:
    """A core ``CancelToken`` backed by the current worker's cancel flag (Escape sets it)."""

    def __init__(self, worker: Worker | None = None) -> None:
        self._worker = worker or get_current_worker()

    def is_set(self) -> bool:
        return self._worker.is_cancelled


def progress_poster(
    target: MessagePump, kind: type[Progress], label: str = ""
) -> Callable[[int, int], None]:
    """A core ``progress(done, total)`` callback that posts throttled ``kind`` messages."""
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= _PROGRESS_INTERVAL_S or (total and done >= total):
            last = now
            target.post_message(kind(int(done), int(total), label))

    return progress


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker while ``sys.stderr`` is still the real one.

    The importer may spawn decoding processes from a worker thread. Spawning starts the
    tracker on first use and hands it ``sys.stderr.fileno()``; inside a running Textual app
    stderr is a capture object whose fileno is -1, and the spawn fails with "bad value(s) in
    fds_to_keep". Started before the app, the tracker is simply reused.
    """
    if os.name != "posix":
        return
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
