"""Cache first, then the network, then stale cache: how every remote provider answers queries.

:func:`fetch_cached` resolves a batch of queries (cache key → what to ask) against one
provider cache and one service. A fresh entry costs no request; the rest are asked
concurrently (the service client caps and paces them); an answer is cached at once, in
its own transaction, so a cancelled run keeps what it got. When the network fails, an
expired entry is served ("stale"), else the query is "failed". A :class:`StopRun` (a
rejected key, the circuit breaker) cancels every pending query and becomes the run's one
note about it, and its ``stopped`` reason.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from musicrec_tui.core.errors import Cancelled
from musicrec_tui.core.progress import CancelToken, Progress, check
from musicrec_tui.core.similarity.base import Neighbour, SimilarityResult
from musicrec_tui.core.similarity.cache import CacheEntry, SimilarCache
from musicrec_tui.core.similarity.names import normalise_name
from musicrec_tui.core.similarity.service import CallFailed, Clocks, NotFound, StopRun
from musicrec_tui.core.wording import plural

# How often a running fetch looks at a thread-side cancel token (it has no awaitable form).
_CANCEL_POLL_SECONDS = 0.05
T = TypeVar("T")


@dataclass
class Fetched:
    """What each query key resolved to, with the notes worth showing."""

    neighbours: dict[str, list[Neighbour]] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # cache, network, stale, failed
    messages: list[str] = field(default_factory=list)
    stopped: str = ""  # why the run stopped asking the service ("" = it did not)


class _Stop(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def fetch_cached(
    queries: Mapping[str, str],
    cache: SimilarCache,
    limit: int,
    ask: Callable[[str], Awaitable[list[Neighbour]]],
    *,
    service: str,
    tick: Callable[[], None] | None = None,
    cancel: CancelToken | None = None,
) -> Fetched:
    """Resolve ``queries`` (cache key → the query sent) with ``ask``; ``tick`` per key done.

    ``ask`` raises NotFound (an answer: cached as an empty list), CallFailed (this query
    failed) or StopRun (stop asking: the message becomes ``stopped``).
    """
    check(cancel)
    out = Fetched()
    stale: dict[str, CacheEntry] = {}
    failures: dict[str, str] = {}

    def resolve(key: str, origin: str, neighbours: list[Neighbour]) -> None:
        out.origin[key] = origin
        out.neighbours[key] = neighbours
        if tick is not None:
            tick()

    pending: list[str] = []
    cached = cache.get_many(list(queries), limit)
    for key in queries:
        entry = cached.get(key)
        if entry is not None and entry.fresh:
            resolve(key, "cache", entry.neighbours)
        else:
            if entry is not None:
                stale[key] = entry
            pending.append(key)

    async def one(key: str) -> None:
        try:
            neighbours = await ask(queries[key])
        except NotFound:
            neighbours = []
        except StopRun as exc:
            raise _Stop(str(exc)) from None
        except CallFailed as exc:
            failures[key] = exc.reason
            return
        cache.put(key, limit, neighbours)  # own transaction per entry
        resolve(key, "network", neighbours)

    if pending:
        try:
            async with asyncio.TaskGroup() as group:
                watcher = group.create_task(_watch(cancel)) if cancel is not None else None
                workers = [group.create_task(one(k)) for k in pending]
                if watcher is not None:
                    await asyncio.gather(*workers, return_exceptions=True)
                    watcher.cancel()
        except* _Stop as stop:
            out.stopped = stop.exceptions[0].message  # one message, the first cause
            out.messages.append(out.stopped)
        except* Cancelled:
            raise Cancelled("cancelled") from None
    _settle(out, [k for k in pending if k not in out.origin], stale, failures, service, resolve)
    out.messages[:0] = cache.drain_messages()
    return out


def _settle(out: Fetched, unresolved: list[str], stale: dict[str, CacheEntry],
            failures: dict[str, str], service: str,
            resolve: Callable[[str, str, list[Neighbour]], None]) -> None:
    """Queries the network did not answer: stale cache if any, else failed."""
    served = failed = 0
    for key in unresolved:
        entry = stale.get(key)
        if entry is not None:
            resolve(key, "stale", entry.neighbours)
            served += 1
        else:
            resolve(key, "failed", [])
            failed += 1
    if failures:
        first = next(iter(failures.values()))
        out.messages.append(f"{service} failed for {plural(len(failures), 'artist')}"
                            f" (first: {first})")
    if served:
        out.messages.append(f"served {plural(served, 'artist')} from the expired cache (stale)")
    if failed:
        out.messages.append(f"no {service} answer for {plural(failed, 'artist')}")


async def _watch(cancel: CancelToken) -> None:
    """Turn a thread-side cancel token into task cancellation, so a hung request stops too."""
    while not cancel.is_set():
        await asyncio.sleep(_CANCEL_POLL_SECONDS)
    raise Cancelled("cancelled")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to the end from synchronous code, even when called under a running loop
    (then in a fresh thread: one loop per thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def query_keys(artists: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(artist → normalised key, key → its first spelling): one query per key."""
    keys = {a: normalise_name(a) for a in artists}
    queries: dict[str, str] = {}
    for artist, key in keys.items():
        if key:
            queries.setdefault(key, artist)
    return keys, queries


class NetworkProvider:
    """What every network provider shares: the synchronous entry point, the clocks its
    clients run on, and the notice called once before its first request leaves."""

    name = ""
    service = ""

    def __init__(self, settings, clocks: Clocks | None,
                 on_first_request: Callable[[], None] | None) -> None:
        self.settings = settings
        self.clocks = clocks or Clocks()
        self.on_first_request = on_first_request

    def similar(self, artists: Sequence[str], *, limit: int, progress: Progress | None = None,
                cancel: CancelToken | None = None) -> SimilarityResult:
        return run_sync(self.fetch_similar(artists, limit=limit, progress=progress,
                                           cancel=cancel))

    async def fetch_similar(self, artists: Sequence[str], *, limit: int,
                            progress: Progress | None = None,
                            cancel: CancelToken | None = None) -> SimilarityResult:
        raise NotImplementedError

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for this provider's service clients."""
        return {"clocks": self.clocks, "on_first_request": self._first_request}

    def _first_request(self) -> None:
        if self.on_first_request is not None:
            self.on_first_request()
            self.on_first_request = None
