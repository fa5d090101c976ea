"""The one client discipline every remote similarity service gets (Last.fm, MusicBrainz,
ListenBrainz Labs): what makes a slow, failing or hostile server cost seconds, not minutes.

Per service: a cap on requests in flight, start times spaced by the service's minimum
interval, connect/read/total timeouts, retries with full-jitter backoff that honour
``Retry-After`` and ``X-RateLimit-Reset-In``, a circuit breaker that stops asking after a
few failures in a row, and no redirect off the configured origin (a redirect elsewhere
would carry the query, and Last.fm's key, to another host). Each service only says how to
read a reply (``interpret``). Clock, sleep, RNG and wall clock are injectable, so tests run
retries and rate limits in virtual time. A secret never appears in a message: every text
taken from a server or aiohttp goes through :func:`redact`.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import json
import random
import re
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, TypeVar

import aiohttp
from yarl import URL

from musicrec_tui import __version__
from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.progress import CancelToken, check
from musicrec_tui.core.wording import plural

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


def _homepage() -> str:
    """The project's URL from the package metadata: the contact MusicBrainz asks for."""
    try:
        for entry in metadata.metadata("musicrec-tui").get_all("Project-URL") or []:
            label, _, url = entry.partition(",")
            if label.strip().lower() == "homepage" and url.strip():
                return url.strip()
    except metadata.PackageNotFoundError:
        pass
    return "https://pypi.org/project/musicrec-tui/"


# Names the app, its version and a contact URL (MusicBrainz blocks anonymous clients).
# Nothing about the user: no account, address or machine.
USER_AGENT = f"musicrec_tui/{__version__} ( {_homepage()} )"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_HOPS = 3
# Replies are a few KiB (100 similar artists, 5 search hits); a larger one is not read, so a
# broken or hostile server cannot fill the memory.
MAX_BODY = 4 * 2**20
_CHUNK = 64 * 1024
_SECRET_IN_URL = re.compile(r"(api_key=|token=)[^&\s'\"]*", re.IGNORECASE)
# delay-seconds is digits only (RFC 9110 §10.2.3); a fraction is tolerated, but "inf",
# "nan", "-1" and "1e9" are not numbers a server means here.
_DELAY_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def redact(text: str, secret: str | None) -> str:
    """``text`` with the secret removed, both verbatim and as a URL query value."""
    text = _SECRET_IN_URL.sub(r"\1***", text)
    return text.replace(secret, "***") if secret else text


class CallFailed(MusicrecError):
    """One query could not be answered (after any retries); the run goes on."""

    def __init__(self, reason: str, *, connect: bool = False) -> None:
        self.reason = reason
        self.connect = connect  # never reached the host
        super().__init__(reason)


class NotFound(MusicrecError):
    """The service knows nothing for this query: an answer (cached as an empty list)."""


class StopRun(MusicrecError):
    """Every further query would fail the same way (a rejected key, a setting the service
    refuses): the run stops asking this service, with this message."""


class ServiceDown(StopRun):
    """The circuit breaker opened: the service failed several times in a row."""


class Retry(Exception):
    """Raised by an ``interpret`` function: a reply worth asking again for."""

    def __init__(self, reason: str, *, rate_limited: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.rate_limited = rate_limited
        self.wait: float | None = None  # from the reply's headers, set by the client
        self.connect = False
        self.timed_out = False


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Clocks:
    """What a client waits and draws jitter with; tests pass virtual ones."""

    clock: Clock = time.monotonic
    sleep: Sleep = asyncio.sleep
    wall_clock: Clock = time.time  # epoch seconds, for HTTP-date Retry-After values
    rng: random.Random = field(default_factory=random.Random)


@dataclass(frozen=True)
class Policy:
    """How hard one service may be asked (the ``[providers]`` settings plus its own rate)."""

    concurrency: int
    rate_per_second: float
    connect_timeout: float
    read_timeout: float
    total_timeout: float
    max_retries: int
    backoff_base: float
    backoff_max: float
    retry_budget: float
    retry_after_max: float
    breaker_failures: int

    @classmethod
    def from_settings(cls, settings, *, rate_per_second: float,
                      concurrency: int | None = None) -> Policy:
        p = settings.providers
        return cls(
            concurrency=max(1, int(p.concurrency if concurrency is None else concurrency)),
            rate_per_second=float(rate_per_second),
            connect_timeout=p.connect_timeout_seconds, read_timeout=p.read_timeout_seconds,
            total_timeout=p.total_timeout_seconds, max_retries=p.max_retries,
            backoff_base=p.backoff_base_seconds, backoff_max=p.backoff_max_seconds,
            retry_budget=p.retry_budget_seconds, retry_after_max=p.retry_after_max_seconds,
            breaker_failures=max(1, int(p.breaker_failures)),
        )


class RateLimiter:
    """Spaced start times: request n starts no earlier than first + n / rate.

    Spacing (rather than a bursty token bucket) keeps the average at or below ``rate`` over
    any window: Last.fm's "5 per second averaged", MusicBrainz's "1 per second".
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


def header_wait(headers: Mapping[str, str], *, now: float, max_seconds: float) -> float | None:
    """The wait a reply asks for: ``Retry-After``, else ListenBrainz's ``X-RateLimit-Reset-In``
    (seconds until the rate-limit window resets), clamped to ``max_seconds``."""
    wait = parse_retry_after(headers.get("Retry-After"), now=now, max_seconds=max_seconds)
    if wait is None:
        reset_in = (headers.get("X-RateLimit-Reset-In") or "").strip()
        if _DELAY_SECONDS.fullmatch(reset_in):
            wait = min(float(reset_in), max(0.0, max_seconds))
    return wait


class Breaker:
    """Opens after ``threshold`` failed attempts in a row (any success closes the count)."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.streak = 0
        self.opened: str | None = None  # the message, once open

    def check(self) -> None:
        if self.opened is not None:
            raise ServiceDown(self.opened)

    def success(self) -> None:
        self.streak = 0

    def failure(self, message: Callable[[int], str]) -> None:
        """Count one failure; at the threshold open with ``message(streak)`` and raise."""
        self.streak += 1
        if self.opened is None and self.streak >= self.threshold:
            self.opened = message(self.streak)
        self.check()


class ServiceClient:
    """One aiohttp session to one service: ``async with ServiceClient(...) as c: c.get(...)``."""

    def __init__(
        self,
        service: str,
        base_url: str,
        policy: Policy,
        *,
        secret: str = "",
        clocks: Clocks | None = None,
        on_first_request: Callable[[], None] | None = None,
    ) -> None:
        self.service = service  # "Last.fm", "MusicBrainz": for messages
        self.base_url = URL(base_url)
        self.policy = policy
        self._secret = secret
        clocks = clocks or Clocks()
        self.clock, self.sleep, self.rng = clocks.clock, clocks.sleep, clocks.rng
        self.wall_clock = clocks.wall_clock
        self.limiter = RateLimiter(policy.rate_per_second, clock=self.clock, sleep=self.sleep)
        self.breaker = Breaker(policy.breaker_failures)
        self._sem = asyncio.Semaphore(policy.concurrency)
        self._session: aiohttp.ClientSession | None = None
        self._first_request = on_first_request
        self._started: float | None = None
        self.requests = 0  # attempts actually sent, for messages and tests

    def __repr__(self) -> str:  # never show the secret
        return f"ServiceClient({self.service!r}, {str(self.base_url)!r})"

    async def __aenter__(self) -> ServiceClient:
        p = self.policy
        self._session = aiohttp.ClientSession(
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            timeout=aiohttp.ClientTimeout(total=p.total_timeout, connect=p.connect_timeout,
                                          sock_read=p.read_timeout),
            connector=aiohttp.TCPConnector(limit=p.concurrency),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def backoff(self, retry: int) -> float:
        """Full jitter: uniform in [0, min(max, base·2^retry)]."""
        cap = min(self.policy.backoff_max, self.policy.backoff_base * 2**retry)
        return self.rng.uniform(0.0, cap)

    async def get(self, params: Mapping[str, str], interpret: Callable[[Reply], T], *,
                  path: str = "", cancel: CancelToken | None = None) -> T:
        """``interpret(reply)`` of a GET of ``base_url + path``, retried as the policy says.

        Raises CallFailed, NotFound, StopRun (ServiceDown when the breaker opened) or
        Cancelled. The concurrency slot is held across retries and backoff: a struggling
        server then sees at most ``concurrency`` queries retrying, not every queued one.
        """
        url = self.base_url.join(URL(path)) if path else self.base_url
        async with self._sem:
            started = self.clock()
            retry = 0
            while True:
                check(cancel)  # between attempts: queued and retrying queries stop at once
                self.breaker.check()
                try:
                    result = await self._attempt(url, params, interpret)
                except Retry as exc:
                    self._failed(exc.reason, exc.connect)
                    delay = self._retry_delay(exc, retry, started)
                    if exc.rate_limited or exc.wait is not None:
                        self.limiter.defer(delay)  # every query holds back, not just this one
                    await self.sleep(delay)
                    retry += 1
                    continue
                except CallFailed as exc:
                    self._failed(exc.reason, exc.connect)
                    raise
                except NotFound:
                    self.breaker.success()  # an answer, just an empty one
                    raise
                self.breaker.success()
                return result

    def _failed(self, reason: str, connect: bool) -> None:
        def message(streak: int) -> str:
            elapsed = self.clock() - (self._started or self.clock())
            what = "is unreachable" if connect else "kept failing"
            return (f"{self.service} {what} ({redact(reason, self._secret)}; {streak} failures"
                    f" in a row): stopped asking after {plural(self.requests, 'request')} in"
                    f" {elapsed:.1f} s")

        self.breaker.failure(message)

    def _retry_delay(self, exc: Retry, retry: int, started: float) -> float:
        """The wait before the next attempt, or CallFailed when count or budget is used up."""
        reason = redact(exc.reason, self._secret)
        if retry >= self.policy.max_retries:
            raise CallFailed(f"{reason} (gave up after {retry + 1} attempts)",
                             connect=exc.connect)
        delay = exc.wait if exc.wait is not None else self.backoff(retry)
        # After a timeout, the next attempt may take as long again: it must fit too.
        cost = self.policy.read_timeout if exc.timed_out else 0.0
        if self.clock() - started + delay + cost > self.policy.retry_budget:
            raise CallFailed(f"{reason} (retry time budget used up)", connect=exc.connect)
        return delay

    async def _attempt(self, url: URL, params: Mapping[str, str],
                       interpret: Callable[[Reply], T]) -> T:
        reply = await self._fetch(url, params)
        try:
            return interpret(reply)
        except Retry as exc:
            exc.wait = header_wait(reply.headers, now=self.wall_clock(),
                                   max_seconds=self.policy.retry_after_max)
            raise

    async def _fetch(self, url: URL, params: Mapping[str, str] | None) -> Reply:
        """One request, following redirects only within the configured origin."""
        assert self._session is not None, "use ServiceClient as an async context manager"
        for _hop in range(_MAX_HOPS + 1):
            await self.limiter.wait()
            if self._first_request is not None:
                self._first_request()
                self._first_request = None
            if self._started is None:
                self._started = self.clock()
            self.requests += 1
            try:
                async with self._session.get(url, params=params,
                                             allow_redirects=False) as resp:
                    location = resp.headers.get("Location")
                    if resp.status not in _REDIRECTS or not location:
                        return Reply(resp.status, resp.headers, await _read_capped(resp))
                    target = resp.url.join(URL(location))
            except aiohttp.ClientConnectorError as exc:
                raise _connect_failed(exc) from None
            except TimeoutError as exc:
                raise _timed_out(exc, self.policy) from None
            except aiohttp.ClientError as exc:
                raise Retry(f"connection error ({type(exc).__name__})") from None
            except ValueError:  # a Location aiohttp/yarl cannot parse
                raise CallFailed("redirected to an unreadable address; not followed") from None
            if target.origin() != self.base_url.origin():
                raise CallFailed(f"redirected to another origin ({target.origin()});"
                                 " not followed")
            url, params = target, None  # the redirect target carries its own query
        raise CallFailed(f"more than {_MAX_HOPS} redirects; not followed")


async def _read_capped(resp: aiohttp.ClientResponse) -> bytes:
    """The body, or CallFailed once it passes :data:`MAX_BODY` (not read further)."""
    body = bytearray()
    while chunk := await resp.content.read(_CHUNK):
        body += chunk
        if len(body) > MAX_BODY:
            raise CallFailed(f"a reply larger than {MAX_BODY // 2**20} MiB; not read")
    return bytes(body)


def _connect_failed(exc: aiohttp.ClientConnectorError) -> Retry:
    retry = Retry(f"cannot connect ({exc.os_error or type(exc).__name__})")
    retry.connect = True
    return retry


def _timed_out(exc: BaseException, policy: Policy) -> Retry:
    connect_timeout = getattr(aiohttp, "ConnectionTimeoutError", ())
    if isinstance(exc, connect_timeout):
        retry = Retry(f"no connection within {policy.connect_timeout:g} s")
        retry.connect = True
    elif isinstance(exc, aiohttp.ServerTimeoutError):
        retry = Retry(f"no answer within {policy.read_timeout:g} s")
    else:
        retry = Retry(f"reply not complete within {policy.total_timeout:g} s")
    retry.timed_out = True
    return retry


def json_or_none(body: bytes) -> Any:
    """The parsed JSON body, or None when it is not JSON (an HTML error page, a cut body)."""
    try:
        return json.loads(body)
    except ValueError:
        return None


def not_json(body: bytes) -> Retry:
    """The retry for a body that is not JSON, saying whether it was a web page."""
    page = body.lstrip()[:1] == b"<"
    return Retry("an HTML page instead of JSON" if page else "malformed JSON in the reply")


def json_reply(reply: Reply, *, slow_down: Collection[int] = (429,)) -> Any:
    """The JSON body of a reply to read; Retry for ``slow_down`` statuses (rate limiting),
    5xx and unreadable bodies, CallFailed for other 4xx."""
    status = reply.status
    if status in slow_down:
        raise Retry(f"HTTP {status} (rate limited)", rate_limited=True)
    if status >= 500:
        raise Retry(f"HTTP {status}")
    if status >= 400:
        raise CallFailed(f"HTTP {status}")
    payload = json_or_none(reply.body)
    if payload is None:
        raise not_json(reply.body)
    return payload
