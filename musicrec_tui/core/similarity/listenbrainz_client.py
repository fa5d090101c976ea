"""ListenBrainz Labs ``similar-artists/json`` on the shared service client.

The reply is a flat list of similar artists with an integer co-occurrence ``score`` in no
guaranteed order (docs/providers.md, "Similar artists"): it is sorted here, best first, and scores are divided
by the seed's best so each seed's list runs from 1 down. Artists MusicBrainz no longer
knows come back with null names and are dropped; a seed without data gives ``[]``. An HTTP
400 for a well-formed MBID means the algorithm setting names no dataset the host serves,
which every request would hit: the run stops with a message naming the setting.
"""

from __future__ import annotations

from typing import Any

from musicrec_tui.core.similarity.base import Neighbour
from musicrec_tui.core.similarity.musicbrainz import MBID
from musicrec_tui.core.similarity.service import (
    CallFailed,
    Policy,
    Reply,
    Retry,
    ServiceClient,
    StopRun,
    json_reply,
)

SERVICE = "ListenBrainz"


def parse_similar(payload: Any, seed: str) -> list[Neighbour]:
    """The Labs reply for ``seed`` (an MBID) → neighbours, best first, scores in (0, 1]."""
    if not isinstance(payload, list):
        raise ValueError("not a list")
    best: dict[str, tuple[float, str]] = {}
    for item in payload:
        if not isinstance(item, dict):
            continue
        name, mbid, score = item.get("name"), item.get("artist_mbid"), item.get("score")
        reference = item.get("reference_mbid")
        if reference not in (None, seed) or not isinstance(name, str) or not name.strip():
            continue
        if not isinstance(mbid, str) or mbid == seed or isinstance(score, bool):
            continue
        if not isinstance(score, int | float) or not score > 0:
            continue
        if mbid not in best or score > best[mbid][0]:
            best[mbid] = (float(score), name.strip())
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[1][1], kv[0]))
    top = ranked[0][1][0] if ranked else 1.0
    return [Neighbour(name, score / top, mbid) for mbid, (score, name) in ranked]


class LabsClient(ServiceClient):
    """``async with LabsClient(settings) as c: await c.similar(mbid)``."""

    def __init__(self, settings, *, base_url: str | None = None, **client: Any) -> None:
        """``client``: ServiceClient's injectables (clock, sleep, rng, wall_clock, ...)."""
        url = base_url or settings.listenbrainz.labs_url
        self.algorithm = settings.listenbrainz.algorithm
        super().__init__(
            SERVICE, url if url.endswith("/") else url + "/",
            Policy.from_settings(settings,
                                 rate_per_second=settings.listenbrainz.rate_per_second),
            **client)

    async def similar(self, mbid: str, cancel=None) -> list[Neighbour]:
        """Similar artists of the artist ``mbid``, best first."""
        if not MBID.match(mbid):
            raise CallFailed(f"not a MusicBrainz ID: {mbid[:40]!r}")
        params = {"artist_mbids": mbid, "algorithm": self.algorithm}
        return await self.get(params, lambda reply: self._interpret(reply, mbid),
                              path="similar-artists/json", cancel=cancel)

    def _interpret(self, reply: Reply, mbid: str) -> list[Neighbour]:
        if reply.status == 400:
            raise StopRun(
                f"ListenBrainz refused the request (HTTP 400): listenbrainz.algorithm ="
                f" {self.algorithm!r} may not be a dataset it serves")
        payload = json_reply(reply)
        try:
            return parse_similar(payload, mbid)
        except ValueError:
            raise Retry("unexpected reply shape") from None
