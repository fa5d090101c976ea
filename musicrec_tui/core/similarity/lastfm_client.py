"""Async Last.fm ``artist.getSimilar`` client: rate limit, concurrency cap, retries.

The clock, sleep, RNG and wall clock are injectable so tests run the retry and
rate-limit logic in virtual time. The API key never appears in an exception or message: error texts are
built here, and anything taken from aiohttp or the server goes through :func:`redact`.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import json
import random
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from musicrec_tui import __version__
from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.progress import CancelToken, check
from musicrec_tui.core.similarity.base import Neighbour
from musicrec_tui.core.similarity.names import normalise_name

USER_AGENT = f"musicrec_tui/{__version__} (terminal music recommender; python-aiohttp)"

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Last.fm error codes (docs/providers.md, "Error codes").
NOT_FOUND = 6
KEY_ERRORS = {10: "Invalid API key", 26: "Suspended API key"}
RETRYABLE = {8: "operation failed", 11: "service offline", 16: "temporary error", 29: "rate limit exceeded"}
RATE_LIMITED = 29

_KEY_IN_URL = re.compile(r"(api_key=)[^&\s'\"]*", re.IGNORECASE)
# delay-seconds is digits only (RFC 9110 §10.2.3); a fraction is tolerated, but "inf",
# "nan", "-1" and "1e9" are not numbers a server means here.
_DELAY_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def redact(text: str, key: str | None) -> str:
    """``text`` with the API key removed, both verbatim and as a URL query value."""
    text = _KEY_IN_URL.sub(r"\1***", text)
    return text.replace(key, "***") if key else text


def reveal(api_key: Any) -> str:
    """A plain str from a str or a masked ``Secret`` (anything with ``reveal()``)."""
    value = api_key.reveal() if hasattr(api_key, "reveal") else api_key
    return str(value or "").strip()


class KeyRejected(MusicrecError):
    """Errors 10/26: the key is bad or suspended; every further call would fail too."""

    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(
            f"Last.fm rejected the API key (error {code}: {KEY_ERRORS[code]}) — set a valid"
            " key with `musicrec config set-key`"
        )


class CallFailed(MusicrecError):
    """One artist could not be fetched (after any retries)."""

    def __init__(self, reason: str, *, unreachable: bool = False) -> None:
        self.reason = reason
        self.unreachable = unreachable  # could not even connect
        super().__init__(reason)


class NotFound(MusicrecError):
    """Error 6: Last.fm does not know the artist (cached as "no similar artists")."""


class _Retryable(Exception):
    def __init__(self, reason: str, *, retry_after: float | None = None,
                 rate_limited: bool = False, connect: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.rate_limited = rate_limited
        self.connect = connect


class RateLimiter:
    """Spaced start times: request n starts no earlier than first + n / rate.

    Spacing (rather than a bursty token bucket) keeps the average at or below ``rate`` over
    any window, which is what Last.fm's "5 per second averaged" asks for.
    """

    def __init__(self, rate_per_second: float, *, clock: Clock, sleep: Sleep) -> None:
        self.interval = 1.0 / rate_per_second if rate_per_second > 0 else 0.0
        self.clock = clock
        self.sleep = sleep
        self._next = float("-inf")

    async def wait(self) -> None:
        now = self.clock()
        slot = max(now, self._next)
        self._next = slot + self.interval  # reserve before awaiting: no two share a slot
        if slot > now:
            await self.sleep(slot - now)

    def defer(self, seconds: float) -> None:
        """After a rate-limit reply, hold every request back, not just the one retrying."""
        self._next = max(self._next, self.clock() + seconds)


def parse_similar(payload: Any, query: str) -> list[Neighbour]:
    """``similarartists.artist[]`` → neighbours; raises ValueError on a wrong shape."""
    root = payload.get("similarartists") if isinstance(payload, dict) else None
    if not isinstance(root, dict):
        raise ValueError("no similarartists object")
    items = root.get("artist") or []
    if isinstance(items, dict):  # XML→JSON conversion turns a one-item list into an object
        items = [items]
    if not isinstance(items, list):
        raise ValueError("similarartists.artist is not a list")
    attr = root.get("@attr") if isinstance(root.get("@attr"), dict) else {}
    skip = {normalise_name(query), normalise_name(str(attr.get("artist") or query))}
    out: list[Neighbour] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        name = str(item.get("name") or "").strip()
        try:
            score = float(item.get("match"))
        except (TypeError, ValueError):
            continue
        key = normalise_name(name)
        if not name or key in skip:
            continue
        skip.add(key)  # first spelling wins on duplicates
        out.append(Neighbour(name, min(1.0, max(0.0, score))))
    return out


def parse_retry_after(value: str | None, *, now: float, max_seconds: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, or None to use our own backoff.

    RFC 9110 allows delay-seconds (``120``) or an HTTP-date (``Wed, 21 Oct 2026 07:28:00
    GMT``, or the obsolete RFC 850 and asctime forms it says to accept too). ``now`` is the
    wall-clock time (epoch seconds) the date is measured from; a date in the past means
    "retry now". The result is clamped to ``max_seconds`` so a wild value (a date years
    ahead) cannot park a run.
    """
    text = (value or "").strip()
    if not text:
        return None
    if _DELAY_SECONDS.fullmatch(text):
        seconds = float(text)
    else:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # "-0000" and asctime give naive datetimes; HTTP dates are UTC
            when = when.replace(tzinfo=datetime.UTC)
        seconds = when.timestamp() - now
    return min(max(0.0, seconds), max(0.0, max_seconds))


class LastfmClient:
    """One aiohttp session per run: ``async with LastfmClient(...) as c: await c.get_similar(..)``."""

    def __init__(
        self,
        lastfm_settings,
        api_key: Any,
        *,
        base_url: str | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        wall_clock: Clock = time.time,
    ) -> None:
        self.cfg = lastfm_settings
        self._key = reveal(api_key)
        self.base_url = base_url or lastfm_settings.base_url
        self.clock = clock
        self.sleep = sleep
        self.wall_clock = wall_clock  # epoch seconds, for HTTP-date Retry-After values
        self.rng = rng or random.Random()
        self.limiter = RateLimiter(lastfm_settings.rate_per_second, clock=clock, sleep=sleep)
        self._sem = asyncio.Semaphore(max(1, int(lastfm_settings.concurrency)))
        self._session: aiohttp.ClientSession | None = None
        self.requests = 0  # attempts actually sent, for messages and tests

    def __repr__(self) -> str:  # never show the key
        return f"LastfmClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> LastfmClient:
        self._session = aiohttp.ClientSession(
            headers={"User-Agent": USER_AGENT},
            timeout=aiohttp.ClientTimeout(total=self.cfg.timeout_seconds),
            connector=aiohttp.TCPConnector(limit=max(1, int(self.cfg.concurrency))),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def backoff(self, retry: int) -> float:
        """Full jitter: uniform in [0, min(max, base·2^retry)]."""
        cap = min(self.cfg.backoff_max_seconds, self.cfg.backoff_base_seconds * 2**retry)
        return self.rng.uniform(0.0, cap)

    async def get_similar(self, artist: str, limit: int,
                          cancel: CancelToken | None = None) -> list[Neighbour]:
        """Neighbours of ``artist``; raises NotFound, KeyRejected, CallFailed or Cancelled.

        The concurrency slot is held across retries and backoff: a struggling server then
        sees at most ``concurrency`` artists retrying, not every queued one.
        """
        async with self._sem:
            started = self.clock()
            retry = 0
            while True:
                check(cancel)  # between attempts: queued and retrying artists stop at once
                try:
                    return await self._attempt(artist, limit)
                except _Retryable as exc:
                    delay = self._retry_delay(exc, retry, started)
                    if exc.rate_limited:
                        self.limiter.defer(delay)
                    await self.sleep(delay)
                    retry += 1

    def _retry_delay(self, exc: _Retryable, retry: int, started: float) -> float:
        """The wait before the next attempt, or CallFailed when count or budget is used up."""
        reason = redact(exc.reason, self._key)
        if retry >= self.cfg.max_retries:
            raise CallFailed(f"{reason} (gave up after {retry + 1} attempts)",
                             unreachable=exc.connect)
        delay = exc.retry_after if exc.retry_after is not None else self.backoff(retry)
        if self.clock() - started + delay > self.cfg.retry_budget_seconds:
            raise CallFailed(f"{reason} (retry time budget used up)", unreachable=exc.connect)
        return delay

    async def _attempt(self, artist: str, limit: int) -> list[Neighbour]:
        assert self._session is not None, "use LastfmClient as an async context manager"
        params = {
            "method": "artist.getsimilar",
            "artist": artist,
            "autocorrect": "1",
            "limit": str(int(limit)),
            "api_key": self._key,
            "format": "json",
        }
        await self.limiter.wait()
        self.requests += 1
        try:
            async with self._session.get(self.base_url, params=params) as resp:
                status = resp.status
                retry_after = parse_retry_after(
                    resp.headers.get("Retry-After"), now=self.wall_clock(),
                    max_seconds=self.cfg.retry_after_max_seconds)
                body = await resp.read()
        except TimeoutError:
            raise _Retryable("request timed out") from None
        except aiohttp.ClientConnectorError as exc:
            raise _Retryable(f"cannot connect ({exc.os_error or exc})", connect=True) from None
        except aiohttp.ClientError as exc:
            raise _Retryable(f"connection error ({type(exc).__name__})") from None
        return self._interpret(status, retry_after, body, artist)

    def _interpret(self, status: int, retry_after: float | None, body: bytes,
                   artist: str) -> list[Neighbour]:
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if isinstance(payload, dict) and "error" in payload:
            try:
                code = int(payload["error"])
            except (TypeError, ValueError):
                code = -1
            if code == NOT_FOUND:
                raise NotFound(artist)
            if code in KEY_ERRORS:
                raise KeyRejected(code)
            if code in RETRYABLE or status == 429 or status >= 500:
                raise _Retryable(
                    f"Last.fm error {code} ({RETRYABLE.get(code, f'HTTP {status}')})",
                    retry_after=retry_after,
                    rate_limited=code == RATE_LIMITED or status == 429,
                )
            message = redact(str(payload.get("message") or ""), self._key)[:200]
            raise CallFailed(f"Last.fm error {code}: {message}".rstrip(": "))
        if status == 429:
            raise _Retryable("HTTP 429 (rate limited)", retry_after=retry_after, rate_limited=True)
        if status >= 500:
            raise _Retryable(f"HTTP {status}", retry_after=retry_after)
        if status >= 400:
            raise CallFailed(f"HTTP {status}")
        if payload is None:
            raise _Retryable("malformed JSON in the reply")
        try:
            return parse_similar(payload, artist)
        except (KeyError, ValueError, TypeError):
            raise _Retryable("unexpected reply shape") from None
