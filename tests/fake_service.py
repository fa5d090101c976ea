"""Shared machinery of the local fake web services (Last.fm, MusicBrainz, ListenBrainz Labs).

A fake answers from a per-query script (consumed in order, then its default, then the
normal reply) with the failures real services show: error bodies, 429/503 with wait
headers, 5xx, hung responses, malformed JSON, dropped connections. It records every
request with the time it arrived (on an injectable clock, so tests assert rates without
waiting), the User-Agents seen, and concurrency: ``max_in_flight`` and, with
``round_size``, the number of "rounds" (batches held until ``round_size`` are in flight
together) — a time-free measure of parallelism.

:class:`VirtualClockLoop` runs a whole scenario, server and client, on a clock that jumps to
the next timer whenever nothing is ready: aiohttp's timeouts, backoff and rate limits take
virtual seconds, and the tests assert those seconds.
"""

from __future__ import annotations

import asyncio
import json
import random
import selectors
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")
HANG = "hang"  # never answer (the client must time out)
DROP = "drop"  # close the connection without an answer
NORMAL = "normal"  # the normal reply (to script it before other replies)


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list → JSON, str → raw text
    headers: dict[str, str] = field(default_factory=dict)


class FakeService:
    """Subclasses say which query a request is for (``query``) and its normal ``answer``."""

    def __init__(self, *, latency: float = 0.0, round_size: int = 0,
                 clock: Callable[[], float] | None = None) -> None:
        self.script: dict[str, list[Reply | str]] = {}
        self.default: Reply | str | None = None  # None → the normal reply
        self.latency = latency  # an injected service time (benchmarks, rate tests)
        self.round_size = round_size
        self.clock = clock  # None: the running loop's time
        self.requests: list[dict[str, str]] = []
        self.times: list[float] = []  # arrival time of each request, on ``clock``
        self.finished: list[float] = []  # when each reply was handed back, same clock
        self.user_agents: set[str] = set()
        self.in_flight = 0
        self.max_in_flight = 0
        self.rounds = 0
        self._waiting: list[asyncio.Future[None]] = []
        self._never = asyncio.Event()
        self.arrived = asyncio.Event()  # set by every request: lets tests wait without sleeping

    def query(self, params: dict[str, str]) -> str:
        raise NotImplementedError

    def answer(self, params: dict[str, str]) -> Reply:
        raise NotImplementedError

    def routes(self, app: web.Application, path: str) -> web.Application:
        """Serve this fake at ``path`` of ``app``; hung replies end when the server stops."""
        app.router.add_get(path, self.handle)

        async def release(_app: web.Application) -> None:
            self._never.set()

        app.on_shutdown.append(release)
        return app

    def queue(self, query: str, *replies: Reply | str) -> None:
        self.script.setdefault(query, []).extend(replies)

    def count(self, query: str) -> int:
        return sum(1 for r in self.requests if self.query(r) == query)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        params = dict(request.query)
        self.requests.append(params)
        self.times.append(self._now())
        self.user_agents.add(request.headers.get("User-Agent", ""))
        self.arrived.set()
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await self._hold_for_round()
            if self.latency:
                await asyncio.sleep(self.latency)
            script = self.script.get(self.query(params))
            reply = script.pop(0) if script else self.default
            if reply == HANG:
                await self._never.wait()
                return web.Response(status=503)  # the server is stopping
            if reply == DROP:
                assert request.transport is not None
                request.transport.close()
                return web.Response()
            if reply is None or reply == NORMAL:
                reply = self.answer(params)
            assert isinstance(reply, Reply)
            text = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
            headers = dict(reply.headers)
            chunked = headers.pop("Transfer-Encoding", "") == "chunked"  # no Content-Length
            response = web.Response(status=reply.status, text=text, headers=headers,
                                    content_type="application/json")
            if chunked:
                response.enable_chunked_encoding()
            return response
        finally:
            self.in_flight -= 1
            self.finished.append(self._now())

    def _now(self) -> float:
        return self.clock() if self.clock else asyncio.get_running_loop().time()

    async def _hold_for_round(self) -> None:
        if self.round_size <= 0:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(fut)
        if len(self._waiting) >= self.round_size:
            self.rounds += 1
            for waiter in self._waiting:
                if not waiter.done():
                    waiter.set_result(None)
            self._waiting = []
        await fut


class _Timeline:
    """A clock and a sleep a client can be given (see ``clocks``)."""

    sleeps: list[float]

    def clock(self) -> float:
        raise NotImplementedError

    async def sleep(self, seconds: float) -> None:
        raise NotImplementedError

    def clocks(self, wall: Callable[[], float] | None = None, rng: random.Random | None = None):
        from musicrec_tui.core.similarity.service import Clocks

        return Clocks(clock=self.clock, sleep=self.sleep, wall_clock=wall or WallClock(),
                      rng=rng or random.Random())


class VirtualTime(_Timeline):
    """Injected clock + sleep: sleeping advances the clock instantly and records the delay."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)  # still yield, like a real sleep


class LoopTime(_Timeline):
    """The running loop's clock and sleep: on a VirtualClockLoop, virtual seconds that
    aiohttp's timeouts share (VirtualTime's clock does not move while a request hangs)."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(seconds)


class WallClock:
    """Injected wall clock for cache TTLs and HTTP-date ``Retry-After`` values."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


class MaxRng(random.Random):
    """Full jitter at its upper bound, so the backoff bounds themselves are asserted."""

    def uniform(self, a: float, b: float) -> float:
        return b


class _JumpingSelector(selectors.DefaultSelector):
    """Polls; when nothing is ready, moves the loop's clock to the next timer instead of
    waiting (unless a worker thread may still wake the loop: then it really waits)."""

    loop: VirtualClockLoop

    def select(self, timeout: float | None = None):
        ready = super().select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None or self.loop.threads:
            ready = super().select(30.0 if timeout is None else timeout)
            if not ready and timeout is None and not self.loop.threads:
                raise RuntimeError("virtual clock: nothing scheduled and nothing to wait for")
            return ready
        self.loop.offset += timeout
        return []


class VirtualClockLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self.offset = 0.0
        self.threads = 0  # executor jobs running (their results wake the loop for real)
        selector = _JumpingSelector()
        selector.loop = self
        super().__init__(selector)

    def time(self) -> float:
        return super().time() + self.offset

    def run_in_executor(self, executor, func, *args):
        self.threads += 1
        future = super().run_in_executor(executor, func, *args)

        def done(_f: asyncio.Future) -> None:
            self.threads -= 1

        future.add_done_callback(done)
        return future


def run_virtual(scenario: Callable[[], Awaitable[T]]) -> tuple[T, float, float]:
    """(result, virtual seconds, real seconds) of ``scenario()`` on a VirtualClockLoop."""
    with asyncio.Runner(loop_factory=VirtualClockLoop) as runner:
        loop = runner.get_loop()
        real, start = time.perf_counter(), loop.time()
        result = runner.run(scenario())
        return result, loop.time() - start, time.perf_counter() - real


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """``app`` on 127.0.0.1 (any free port) for the block; yields its root URL."""
    runner = web.AppRunner(app, shutdown_timeout=0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        await runner.cleanup()


@contextmanager
def serving_in_thread(app: web.Application) -> Iterator[str]:
    """``app`` on 127.0.0.1 in a thread with its own loop, for code that blocks the caller's
    thread (the CLI's ``main``); yields its root URL."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    url: list[str] = []

    async def run() -> None:
        async with serving(app) as root:
            url.append(root)
            started.set()
            await asyncio.Event().wait()  # until the loop is stopped

    def thread_main() -> None:
        task = loop.create_task(run())
        loop.run_forever()
        task.cancel()
        loop.run_until_complete(asyncio.gather(task, return_exceptions=True))
        loop.close()

    thread = threading.Thread(target=thread_main, daemon=True)
    thread.start()
    if not started.wait(30):
        raise RuntimeError("the fake server did not start")
    try:
        yield url[0]
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
