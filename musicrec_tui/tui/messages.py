"""Messages that more than one screen sends or handles; each says what happened.

Workers post them (the only thread-safe way into the UI). A message that only one screen
sends is nested in that screen (``LoadScreen.ImportDone``, ``RecommendScreen.EngineDone``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from musicrec_tui.core.engines.context import Contexts
    from musicrec_tui.core.engines.search import ArtistSearch
    from musicrec_tui.tui.loading import Loaded


@dataclass
class Progress(Message):
    """A long step moved on: ``done`` of ``total`` units (0 total = unknown) of ``label``."""

    done: int
    total: int
    label: str = ""

    def can_replace(self, message: Message) -> bool:
        # A burst of progress of one step collapses into the newest.
        return type(message) is type(self) and message.label == self.label  # type: ignore[attr-defined]


class ImportProgress(Progress):
    """The import read more plays (``label``: "Reading", "Generating demo")."""


class ContextsProgress(Progress):
    """The context fit tried another k."""


class TrendsProgress(Progress):
    """The trend fit moved on."""


class EngineProgress(Progress):
    """The engine named ``label`` moved on."""


@dataclass
class ContextsFitted(Message):
    """Listening contexts were fitted for the history of session ``generation``."""

    contexts: Contexts
    owners: dict[str, int]  # artist → id of its dominant context
    generation: int


@dataclass
class SearchReady(Message):
    """The search index over the launch snapshot's names is built (the history still loads)."""

    search: ArtistSearch


@dataclass
class HistoryLoaded(Message):
    """The history behind the launch snapshot is loaded."""

    loaded: Loaded
