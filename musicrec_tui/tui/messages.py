"""Messages posted from worker threads to the UI (the only thread-safe way in)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class WorkProgress(Message):
    """A long step moved on: ``done`` of ``total`` units (0 total = unknown)."""

    group: str
    done: int
    total: int
    label: str = ""

    def can_replace(self, message: Message) -> bool:
        # A burst of progress from one job collapses into the newest.
        return (isinstance(message, WorkProgress) and message.group == self.group
                and message.label == self.label)


@dataclass
class WorkDone(Message):
    """A worker finished with a result the screen should show."""

    group: str
    result: Any
    seconds: float = 0.0
