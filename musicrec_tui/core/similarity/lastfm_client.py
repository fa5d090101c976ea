"""Last.fm ``artist.getSimilar`` on the shared service client: its query and its replies.

Last.fm's HTTP status is not reliable (error bodies come with 200), so every reply's body is
read (docs/providers.md, "Error codes"): error 6 is "no such artist" (an answer), 10/26 a rejected key (stop
the run), 8/11/16/29 worth retrying, 429/5xx retried, anything unreadable retried too. The
API key travels in the query string and never in a message (see ``service.redact``).
"""

from __future__ import annotations

from typing import Any

from musicrec_tui.core.similarity.base import Neighbour
from musicrec_tui.core.similarity.names import normalise_name
from musicrec_tui.core.similarity.service import (
    CallFailed,
    NotFound,
    Policy,
    Reply,
    Retry,
    ServiceClient,
    StopRun,
    json_or_none,
    not_json,
    redact,
)

SERVICE = "Last.fm"
# Last.fm error codes (docs/providers.md, "Error codes").
NOT_FOUND = 6
KEY_ERRORS = {10: "Invalid API key", 26: "Suspended API key"}
RETRYABLE = {8: "operation failed", 11: "service offline", 16: "temporary error", 29: "rate limit exceeded"}
RATE_LIMITED = 29


def reveal(api_key: Any) -> str:
    """A plain str from a str or a masked ``Secret`` (anything with ``reveal()``)."""
    value = api_key.reveal() if hasattr(api_key, "reveal") else api_key
    return str(value or "").strip()


class KeyRejected(StopRun):
    """Errors 10/26: the key is bad or suspended; every further call would fail too."""

    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(
            f"Last.fm rejected the API key (error {code}: {KEY_ERRORS[code]}) — set a valid"
            " key with `musicrec config set-key`"
        )


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
        mbid = item.get("mbid")
        out.append(Neighbour(name, min(1.0, max(0.0, score)),
                             mbid.strip() if isinstance(mbid, str) else ""))
    return out


class LastfmClient(ServiceClient):
    """``async with LastfmClient(settings, key) as c: await c.get_similar(artist, limit)``."""

    def __init__(self, settings, api_key: Any, *, base_url: str | None = None,
                 **client: Any) -> None:
        """``client``: ServiceClient's injectables (clock, sleep, rng, wall_clock, ...)."""
        self._key = reveal(api_key)
        super().__init__(
            SERVICE, base_url or settings.lastfm.base_url,
            Policy.from_settings(settings, rate_per_second=settings.lastfm.rate_per_second),
            secret=self._key, **client)

    async def get_similar(self, artist: str, limit: int, cancel=None) -> list[Neighbour]:
        """Neighbours of ``artist``; raises NotFound, KeyRejected, CallFailed, ServiceDown."""
        params = {"method": "artist.getsimilar", "artist": artist, "autocorrect": "1",
                  "limit": str(int(limit)), "api_key": self._key, "format": "json"}
        return await self.get(params, lambda reply: self._interpret(reply, artist),
                              cancel=cancel)

    def _interpret(self, reply: Reply, artist: str) -> list[Neighbour]:
        status, payload = reply.status, json_or_none(reply.body)
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
                raise Retry(f"Last.fm error {code} ({RETRYABLE.get(code, f'HTTP {status}')})",
                            rate_limited=code == RATE_LIMITED or status == 429)
            message = redact(str(payload.get("message") or ""), self._key)[:200]
            raise CallFailed(f"Last.fm error {code}: {message}".rstrip(": "))
        if status == 429:
            raise Retry("HTTP 429 (rate limited)", rate_limited=True)
        if status >= 500:
            raise Retry(f"HTTP {status}")
        if status >= 400:
            raise CallFailed(f"HTTP {status}")
        if payload is None:
            raise not_json(reply.body)
        try:
            return parse_similar(payload, artist)
        except (KeyError, ValueError, TypeError):
            raise Retry("unexpected reply shape") from None
