"""Last.fm similarity provider: cache first, then the network, then stale cache.

``LastfmProvider.similar`` is the synchronous :class:`SimilarityProvider` entry point (it
runs its own event loop, so a TUI thread worker can call it); ``fetch_similar`` is the same
work as a coroutine for async callers. One run = one aiohttp session.

Per artist the origin is "cache" (fresh entry, no request), "network", "stale" (the network
failed and an expired entry was served) or "failed". A rejected key (errors 10/26) or a
host that cannot be reached at all stops every further call of the run at once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from musicrec_tui.core.errors import Cancelled
from musicrec_tui.core.progress import CancelToken, Progress, check, report
from musicrec_tui.core.similarity.base import Neighbour, SimilarityResult
from musicrec_tui.core.similarity.cache import CacheEntry, SimilarCache
from musicrec_tui.core.similarity.lastfm_client import (
    CallFailed,
    Clock,
    KeyRejected,
    LastfmClient,
    NotFound,
    Sleep,
    reveal,
)
from musicrec_tui.core.similarity.names import normalise_name

# How often a running fetch looks at a thread-side cancel token (it has no awaitable form).
_CANCEL_POLL_SECONDS = 0.05


class _StopRun(Exception):
    """Raised inside the task group to cancel every pending call of the run."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class _Run:
    """State of one fetch: what each normalised artist resolved to."""

    limit: int
    total: int
    progress: Progress | None
    done: int = 0
    neighbours: dict[str, list[Neighbour]] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    stale: dict[str, CacheEntry] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    any_success: bool = False
    unreachable_streak: int = 0  # artists in a row that failed to connect at all

    def resolve(self, key: str, origin: str, neighbours: list[Neighbour]) -> None:
        self.origin[key] = origin
        self.neighbours[key] = neighbours
        self.done += 1
        report(self.progress, self.done, self.total)


class LastfmProvider:
    """Similar artists from Last.fm ``artist.getSimilar``, cached in SQLite."""

    name = "lastfm"

    def __init__(
        self,
        settings,
        api_key: Any,
        cache: SimilarCache | None = None,
        *,
        base_url: str | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        wall_clock: Clock = time.time,
    ) -> None:
        if not reveal(api_key):
            raise ValueError("LastfmProvider needs an API key")
        self.settings = settings
        self._api_key = api_key  # kept as given (a masked Secret stays masked)
        self.cache = cache if cache is not None else SimilarCache.from_settings(settings)
        self.base_url = base_url or settings.lastfm.base_url
        self._clock, self._sleep, self._rng = clock, sleep, rng
        self._wall_clock = wall_clock

    def __repr__(self) -> str:
        return f"LastfmProvider(base_url={self.base_url!r}, cache={str(self.cache.path)!r})"

    def request_limit(self, limit: int) -> int:
        """Ask for at least the configured limit so different callers share cache rows."""
        return max(int(limit), int(self.settings.lastfm.limit))

    # -- sync entry point ---------------------------------------------------------------
    def similar(
        self,
        artists: Sequence[str],
        *,
        limit: int,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> SimilarityResult:
        coro = self.fetch_similar(artists, limit=limit, progress=progress, cancel=cancel)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(coro)
        # Called from inside a running loop (sync code under async): use a fresh thread.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coro).result()

    # -- async entry point --------------------------------------------------------------
    async def fetch_similar(
        self,
        artists: Sequence[str],
        *,
        limit: int,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> SimilarityResult:
        check(cancel)
        req_limit = self.request_limit(limit)
        keys = {a: normalise_name(a) for a in artists}
        queries: dict[str, str] = {}  # normalised key → first display spelling
        for artist, key in keys.items():
            if key:
                queries.setdefault(key, artist)
        run = _Run(limit=req_limit, total=len(queries), progress=progress)
        report(progress, 0, run.total)

        pending: list[str] = []
        cached = self.cache.get_many(list(queries), req_limit)
        for key in queries:
            entry = cached.get(key)
            if entry is not None and entry.fresh:
                run.resolve(key, "cache", entry.neighbours)
            else:
                if entry is not None:
                    run.stale[key] = entry
                pending.append(key)
        if pending:
            await self._fetch_network(run, pending, queries, cancel)
        self._settle_failures(run, [k for k in pending if k not in run.origin])
        return self._result(run, artists, keys, limit)

    async def _fetch_network(self, run: _Run, pending: list[str], queries: dict[str, str],
                             cancel: CancelToken | None) -> None:
        cap = max(1, int(self.settings.lastfm.concurrency))
        client = LastfmClient(self.settings.lastfm, self._api_key, base_url=self.base_url,
                              clock=self._clock, sleep=self._sleep, rng=self._rng,
                              wall_clock=self._wall_clock)
        async with client:

            async def one(key: str) -> None:
                try:
                    neighbours = await client.get_similar(queries[key], run.limit, cancel)
                except NotFound:
                    neighbours = []
                except KeyRejected as exc:
                    raise _StopRun(str(exc)) from None
                except CallFailed as exc:
                    run.unreachable_streak = run.unreachable_streak + 1 if exc.unreachable else 0
                    # Never reached it, or lost it for a whole round of artists: stop now
                    # rather than let every queued artist spend its retries.
                    if exc.unreachable and (not run.any_success or run.unreachable_streak >= cap):
                        raise _StopRun(f"Last.fm is unreachable ({exc.reason})") from None
                    run.failures[key] = exc.reason
                    return
                run.any_success = True
                run.unreachable_streak = 0
                self.cache.put(key, run.limit, neighbours)  # own transaction per entry
                run.resolve(key, "network", neighbours)

            try:
                async with asyncio.TaskGroup() as group:
                    watcher = group.create_task(_watch(cancel)) if cancel is not None else None
                    workers = [group.create_task(one(k)) for k in pending]
                    if watcher is not None:
                        await asyncio.gather(*workers, return_exceptions=True)
                        watcher.cancel()
            except* _StopRun as stop:
                run.messages.append(stop.exceptions[0].message)  # one message, first cause
            except* Cancelled:
                raise Cancelled("cancelled") from None

    def _settle_failures(self, run: _Run, unresolved: list[str]) -> None:
        """Artists the network did not answer: stale cache if any, else failed."""
        stale = failed = 0
        for key in unresolved:
            entry = run.stale.get(key)
            if entry is not None:
                run.resolve(key, "stale", entry.neighbours)
                stale += 1
            else:
                run.resolve(key, "failed", [])
                failed += 1
        if run.failures:
            first = next(iter(run.failures.values()))
            run.messages.append(
                f"Last.fm failed for {len(run.failures)} artist(s) (first: {first})"
            )
        if stale:
            run.messages.append(f"served {stale} artist(s) from the expired cache (stale)")
        if failed:
            run.messages.append(f"no Last.fm answer for {failed} artist(s)")

    def _result(self, run: _Run, artists: Sequence[str], keys: dict[str, str],
                limit: int) -> SimilarityResult:
        neighbours: dict[str, list[Neighbour]] = {}
        origin: dict[str, str] = {}
        for artist in artists:
            key = keys[artist]
            neighbours[artist] = run.neighbours.get(key, [])[:limit]
            origin[artist] = run.origin.get(key, "failed")
        messages = self.cache.drain_messages() + run.messages
        return SimilarityResult("lastfm", neighbours, origin, messages)


async def _watch(cancel: CancelToken) -> None:
    """Turn a thread-side cancel token into task cancellation, so a hung request stops too."""
    while not cancel.is_set():
        await asyncio.sleep(_CANCEL_POLL_SECONDS)
    raise Cancelled("cancelled")
