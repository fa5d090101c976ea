"""What the app has loaded so far, shared by every screen (plain data, no widgets)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from musicrec_tui.core.settings import Settings

if TYPE_CHECKING:
    from musicrec_tui.core.analysis import Analysis
    from musicrec_tui.core.engines.context import Contexts
    from musicrec_tui.core.engines.ranking import Ranking
    from musicrec_tui.core.engines.search import ArtistSearch
    from musicrec_tui.core.engines.snapshot import ArtistSnapshot
    from musicrec_tui.core.engines.temporal import Trends
    from musicrec_tui.core.history.model import History
    from musicrec_tui.core.settings.secrets import Secret
    from musicrec_tui.core.similarity.base import SimilarityProvider
    from musicrec_tui.tui.loading import Loaded
    from musicrec_tui.tui.messages import ContextsFitted


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
    # The Artists rows: from the snapshot cache at launch, while ``history`` still loads
    # behind it (``loading``), else from the ranking.
    snapshot: ArtistSnapshot | None = None
    loading: bool = False
    # (paths, snapshot key) computed at launch, for the launch's own import to reuse.
    launch_key: tuple[list[str], str | None] | None = None
    load_error: str | None = None
    history: History | None = None
    ranking: Ranking | None = None
    search: ArtistSearch | None = None
    trends: Trends | None = None
    contexts: Contexts | None = None
    artist_contexts: dict[str, int] = field(default_factory=dict)  # artist → context id
    analysis: Analysis | None = None
    generation: int = 0
    passphrase: Secret | None = field(default=None, repr=False)  # kept in memory only
    _providers: dict[str, SimilarityProvider] = field(default_factory=dict, repr=False)
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

    def loaded(self, loaded: Loaded) -> None:
        """A new history (and what the import fitted from it) replaces everything."""
        self.history, self.ranking, self.search = loaded.history, loaded.ranking, loaded.search
        self.sources, self.snapshot = loaded.sources, loaded.snapshot
        self.loading, self.load_error = False, None
        self.trends = self.contexts = self.analysis = None
        self.artist_contexts = {}
        with self._provider_lock:
            self._providers.clear()
        self.generation += 1

    def take_contexts(self, fitted: ContextsFitted) -> bool:
        """Keep a context fit unless a newer history replaced the one it was fitted on."""
        if fitted.generation != self.generation:
            return False
        self.contexts, self.artist_contexts = fitted.contexts, fitted.owners
        return True

    def provider(self, kind: str | None = None) -> SimilarityProvider:
        """The similarity provider for this history: ``kind`` ("auto", "lastfm",
        "listenbrainz", "offline"; None = the setting), built once per kind, from a worker
        thread."""
        from musicrec_tui.core.settings.secrets import get_api_key
        from musicrec_tui.core.similarity.select import choose_provider

        kind = kind or self.settings.providers.similar
        with self._provider_lock:
            if kind not in self._providers:
                settings = self.settings
                key = get_api_key(settings, passphrase=self.passphrase)
                self._providers[kind] = choose_provider(kind, settings, self.history,
                                                        api_key=key)
            return self._providers[kind]

    def forget_provider(self) -> None:
        """Settings or the key changed: build the provider again on next use."""
        with self._provider_lock:
            self._providers.clear()
