"""What the app has loaded so far, shared by every screen (plain data, no widgets)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from musicrec_tui.core.settings import Settings

if TYPE_CHECKING:
    from musicrec_tui.core.history.model import History


@dataclass
class Session:
    """The loaded history and the fitted models derived from it.

    ``generation`` goes up each time a new history is loaded, so a screen can tell that
    what it shows is stale when it is resumed.
    """

    settings: Settings
    tz: str | None = None
    now: datetime | None = None  # frozen clock for tests and screenshots; None = real time
    sources: list[str] = field(default_factory=list)
    # The Artists rows (core.engines.snapshot.ArtistSnapshot): from the snapshot cache at
    # launch, while ``history`` still loads behind it (``loading``), else from the ranking.
    snapshot: Any = None
    loading: bool = False
    # (paths, snapshot key) computed at launch, for the launch's own import to reuse.
    launch_key: tuple[list[str], str | None] | None = None
    load_error: str | None = None
    history: History | None = None
    ranking: Any = None  # core.engines.ranking.Ranking
    search: Any = None  # core.engines.search.ArtistSearch
    trends: Any = None  # core.engines.temporal.Trends
    contexts: Any = None  # core.engines.context.Contexts
    artist_contexts: dict[str, int] = field(default_factory=dict)  # artist → context id
    analysis: Any = None  # core.analysis.Analysis
    generation: int = 0
    passphrase: Any = field(default=None, repr=False)  # secrets.Secret, kept in memory only
    _provider: Any = field(default=None, repr=False)
    _provider_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def clock(self) -> datetime:
        """'Now' in the history's zone (frozen when the app was built with ``now=``)."""
        zone = ZoneInfo(self.history.tz if self.history is not None else "UTC")
        if self.now is not None:
            return self.now.astimezone(zone)
        return datetime.now(zone)

    def missing_history(self) -> str:
        """Why there is no history to work on yet (a status line or a notification)."""
        if self.loading:
            return "Loading the history…"
        if self.load_error:
            return f"Could not load the history: {self.load_error} (press 1 to open one)"
        return "No history loaded: press 1 to open one"

    def loaded(self, history: History, ranking: Any, search: Any, sources: list[str],
               snapshot: Any) -> None:
        self.history, self.ranking, self.search = history, ranking, search
        self.sources, self.snapshot = sources, snapshot
        self.loading, self.load_error = False, None
        self.trends = self.contexts = self.analysis = None
        self.artist_contexts = {}
        with self._provider_lock:
            self._provider = None
        self.generation += 1

    def set_contexts(self, contexts: Any, owners: dict[str, int]) -> None:
        self.contexts, self.artist_contexts = contexts, owners

    def provider(self) -> Any:
        """The similarity provider for this history (built once, from a worker thread)."""
        from musicrec_tui.core.settings.secrets import get_api_key
        from musicrec_tui.core.similarity.select import choose_provider

        with self._provider_lock:
            if self._provider is None:
                settings = self.settings
                key = get_api_key(settings, passphrase=self.passphrase)
                self._provider = choose_provider(settings.lastfm.provider, settings,
                                                 self.history, api_key=key)
            return self._provider

    def forget_provider(self) -> None:
        """Settings or the key changed: build the provider again on next use."""
        with self._provider_lock:
            self._provider = None
