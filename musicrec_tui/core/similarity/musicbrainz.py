"""Artist name → MusicBrainz ID, by the MusicBrainz search API, on the shared service client.

MusicBrainz asks for at most one request per second and a User-Agent that names the app
(docs/providers.md, "Names → MBIDs"): the client sends one request at a time, spaced by
``musicbrainz.rate_per_second`` (≤ 1), and answers 503 (its "slow down") and 429 with the
usual backoff. Only a confident hit counts: a search score of at least
``musicbrainz.min_score`` and the same normalised name (or one of the artist's aliases).
Anything less is "no match", an answer that is cached like any other.
"""

from __future__ import annotations

import re
from typing import Any

from musicrec_tui.core.similarity.base import Neighbour
from musicrec_tui.core.similarity.names import normalise_name
from musicrec_tui.core.similarity.service import Policy, Reply, Retry, ServiceClient, json_reply

SERVICE = "MusicBrainz"
CANDIDATES = 5  # search hits read per name: the right one is first or nowhere near
MBID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def phrase(name: str) -> str:
    """``name`` as one Lucene phrase (quotes and backslashes escaped)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _score(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def best_match(payload: Any, name: str, min_score: int) -> list[Neighbour]:
    """``[the artist]`` for a confident hit in a search reply, else ``[]``.

    Hits come best first; the first with score ≥ ``min_score`` whose name or an alias
    normalises to ``name``'s wins (two artists sharing a name: the search's best).
    Raises ValueError when the reply is not a search result.
    """
    hits = payload.get("artists") if isinstance(payload, dict) else None
    if not isinstance(hits, list):
        raise ValueError("no artists list")
    want = normalise_name(name)
    for hit in hits:
        if not isinstance(hit, dict):
            continue
        mbid, score = str(hit.get("id") or "").lower(), _score(hit.get("score"))
        if score < min_score or not MBID.match(mbid):
            continue
        aliases = hit.get("aliases") if isinstance(hit.get("aliases"), list) else []
        names = [hit.get("name"), *(a.get("name") for a in aliases if isinstance(a, dict))]
        if want in {normalise_name(n) for n in names if isinstance(n, str)}:
            return [Neighbour(str(hit.get("name")), score / 100.0, mbid)]
    return []


class MusicBrainzClient(ServiceClient):
    """``async with MusicBrainzClient(settings) as c: await c.find_artist(name)``."""

    def __init__(self, settings, *, base_url: str | None = None, **client: Any) -> None:
        """``client``: ServiceClient's injectables (clock, sleep, rng, wall_clock, ...)."""
        url = base_url or settings.musicbrainz.base_url
        self.min_score = int(settings.musicbrainz.min_score)
        super().__init__(
            SERVICE, url if url.endswith("/") else url + "/",
            Policy.from_settings(settings, rate_per_second=settings.musicbrainz.rate_per_second,
                                 concurrency=1),
            **client)

    async def find_artist(self, name: str, cancel=None) -> list[Neighbour]:
        """``[the artist]`` (name as MusicBrainz spells it, score, MBID) or ``[]``."""
        params = {"query": phrase(name), "fmt": "json", "limit": str(CANDIDATES)}
        return await self.get(params, lambda reply: self._interpret(reply, name),
                              path="artist", cancel=cancel)

    def _interpret(self, reply: Reply, name: str) -> list[Neighbour]:
        payload = json_reply(reply, slow_down=(429, 503))  # MusicBrainz's "slow down" is 503
        try:
            return best_match(payload, name, self.min_score)
        except ValueError:
            raise Retry("unexpected reply shape") from None
