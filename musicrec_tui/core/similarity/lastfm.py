"""Last.fm similarity provider: cache first, then the network, then stale cache.

``LastfmProvider.similar`` is the synchronous :class:`SimilarityProvider` entry point (it
runs its own event loop, so a TUI thread worker can call it); ``fetch_similar`` is the same
work as a coroutine for async callers. One run = one aiohttp session.

Per artist the origin is "cache" (fresh entry, no request), "network", "stale" (the network
failed and an expired entry was served) or "failed". A rejected key (errors 10/26) or a
service that keeps failing (the circuit breaker) stops every further call of the run at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from musicrec_tui.core.progress import CancelToken, Progress, check, report
from musicrec_tui.core.similarity.base import SimilarityResult
from musicrec_tui.core.similarity.cache import SimilarCache
from musicrec_tui.core.similarity.fetching import NetworkProvider, fetch_cached, query_keys
from musicrec_tui.core.similarity.lastfm_client import SERVICE, LastfmClient, reveal
from musicrec_tui.core.similarity.service import Clocks


class LastfmProvider(NetworkProvider):
    """Similar artists from Last.fm ``artist.getSimilar``, cached in SQLite."""

    name = "lastfm"
    service = SERVICE

    def __init__(self, settings, api_key: Any, cache: SimilarCache | None = None, *,
                 base_url: str | None = None, clocks: Clocks | None = None,
                 on_first_request: Callable[[], None] | None = None) -> None:
        if not reveal(api_key):
            raise ValueError("LastfmProvider needs an API key")
        super().__init__(settings, clocks, on_first_request)
        self._api_key = api_key  # kept as given (a masked Secret stays masked)
        self.cache = cache if cache is not None else SimilarCache.from_settings(settings)
        self.base_url = base_url or settings.lastfm.base_url
        self.last_client: LastfmClient | None = None  # the latest run's, for tests/benchmarks

    def __repr__(self) -> str:
        return f"LastfmProvider(base_url={self.base_url!r}, cache={str(self.cache.path)!r})"

    def request_limit(self, limit: int) -> int:
        """Ask for at least the configured limit so different callers share cache rows."""
        return max(int(limit), int(self.settings.lastfm.limit))

    async def fetch_similar(self, artists: Sequence[str], *, limit: int,
                            progress: Progress | None = None,
                            cancel: CancelToken | None = None) -> SimilarityResult:
        check(cancel)
        req_limit = self.request_limit(limit)
        keys, queries = query_keys(artists)
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            report(progress, done, len(queries))

        report(progress, 0, len(queries))
        client = LastfmClient(self.settings, self._api_key, base_url=self.base_url,
                              **self.client_options())
        self.last_client = client
        async with client:
            fetched = await fetch_cached(
                queries, self.cache, req_limit,
                lambda artist: client.get_similar(artist, req_limit, cancel),
                service=SERVICE, tick=tick, cancel=cancel)
        neighbours = {a: fetched.neighbours.get(keys[a], [])[:limit] for a in artists}
        origin = {a: fetched.origin.get(keys[a], "failed") for a in artists}
        return SimilarityResult(self.name, neighbours, origin, fetched.messages,
                                requested=self.name, fallback_reason=fetched.stopped)
