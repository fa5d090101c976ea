"""A local imitation of Last.fm's ``artist.getSimilar`` for tests and the benchmark.

Replies are scripted per artist (see :class:`tests.fake_service.FakeService`), with the
shapes and failures the real service shows: error bodies with HTTP 200, 429 + Retry-After,
5xx, hung responses, malformed JSON and dropped connections.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web

from musicrec_tui.core.similarity.base import Neighbour
from musicrec_tui.core.similarity.lastfm_client import parse_similar
from musicrec_tui.core.similarity.names import normalise_name
from tests.fake_service import (  # noqa: F401  (re-exported for the Last.fm tests)
    DROP,
    HANG,
    NORMAL,
    FakeService,
    MaxRng,
    Reply,
    VirtualTime,
    WallClock,
)


def error(code: int, status: int = 200, **headers: str) -> Reply:
    return Reply(status, {"error": code, "message": f"fake error {code}", "links": []}, headers)


def similar_payload(artist: str, limit: int) -> dict[str, Any]:
    """Deterministic neighbours; lists the artist itself first, as the real API may."""
    items: list[dict[str, Any]] = [{"name": artist, "match": "1", "mbid": ""}]
    for i in range(limit):
        item: dict[str, Any] = {"name": f"{artist} Friend {i}", "match": f"{1 - i / (limit + 1):.6f}",
                                "url": "", "image": [], "streamable": "0"}
        if i % 2:
            item["mbid"] = ""  # blank and missing MBIDs are both normal
        items.append(item)
    return {"similarartists": {"artist": items[:limit], "@attr": {"artist": artist}}}


def expected_neighbours(artist: str, limit: int) -> list[Neighbour]:
    return parse_similar(similar_payload(artist, limit), artist)


_FIRST = ("Velvet", "Paper", "Silver", "Hollow", "Neon", "Quiet", "Amber", "Glass", "Northern",
          "Midnight", "Golden", "Wild", "Lunar", "Crimson", "Echo", "Saffron", "Marble",
          "Distant", "Static", "Coral")
_SECOND = ("Harbour", "Lanterns", "Orchard", "Parade", "Tides", "Choir", "Monsoon", "Atlas",
           "Gardens", "Signal", "Rivers", "Kites", "Satellites", "Caravan", "Meadow", "Archive",
           "Fables", "Comets", "Bazaar", "Winters")
# Made-up artists on a ring: neighbours are near each other on it.
RING = [f"{a} {b}" for b in _SECOND for a in _FIRST]
_REACH = 26  # ring steps at which the match reaches its floor (as if the limit were 50)


def ring_payload(artist: str, limit: int, ring: Sequence[str] = RING) -> dict[str, Any]:
    """Plausible neighbours for any artist, overlapping across artists: each artist sits at a
    point of ``ring`` (a hash of its normalised name) and its neighbours are the ring's
    names nearest that point, the match falling with the distance."""
    centre = zlib.crc32(normalise_name(artist).encode("utf-8")) % len(ring)
    items = []
    for i in range(min(limit, len(ring))):
        offset = (i + 1) // 2 * (1 if i % 2 else -1)  # 0, +1, -1, +2, -2, …
        match = 0.02 + 0.98 * max(0.0, 1 - abs(offset) / _REACH) ** 1.5
        items.append({"name": ring[(centre + offset) % len(ring)], "match": f"{match:.6f}",
                      "mbid": "", "url": "", "image": [], "streamable": "0"})
    return {"similarartists": {"artist": items, "@attr": {"artist": artist}}}


class FakeLastfm(FakeService):
    """``similar``: the normal reply for (artist, limit); :func:`similar_payload` (each artist
    its own "Friend" names) unless told otherwise (:func:`ring_payload`)."""

    def __init__(self, *, similar: Callable[[str, int], dict[str, Any]] = similar_payload,
                 **kw: Any) -> None:
        super().__init__(**kw)
        self.similar = similar

    def query(self, params: dict[str, str]) -> str:
        return params.get("artist", "")

    def answer(self, params: dict[str, str]) -> Reply:
        artist = params.get("artist", "")
        return Reply(body=self.similar(artist, int(params.get("limit", "30"))))

    def app(self) -> web.Application:
        return self.routes(web.Application(), "/2.0/")


API_KEY = "k3y-0123456789abcdef"  # fake; asserted never to leak into messages or the cache
_LASTFM_KEYS = {"base_url", "limit", "rate_per_second"}


def test_settings(base_url: str, ttl_hours: float = 24.0, **values: Any):
    """Settings for a fake: Last.fm's own keys to [lastfm], the rest to [providers]."""
    from musicrec_tui.core.settings import load_settings

    lastfm = {"base_url": base_url, "rate_per_second": 1000.0,
              **{k: v for k, v in values.items() if k in _LASTFM_KEYS}}
    providers = {"read_timeout_seconds": 5.0,
                 **{k: v for k, v in values.items() if k not in _LASTFM_KEYS}}
    return load_settings({"lastfm": lastfm, "providers": providers,
                          "cache": {"similar_ttl_hours": ttl_hours}})


test_settings.__test__ = False  # a helper, not a test


def make_provider(tmp_path, base_url: str, *, vt: VirtualTime | None = None,
                  wall: WallClock | None = None, rng=None, ttl_hours: float = 24.0,
                  **values: Any):
    """A LastfmProvider on the fake server, virtual time, and a cache under ``tmp_path``."""
    from musicrec_tui.core.similarity.cache import SimilarCache
    from musicrec_tui.core.similarity.lastfm import LastfmProvider

    vt = vt or VirtualTime()
    wall = wall or WallClock()
    settings = test_settings(base_url, ttl_hours, **values)
    cache = SimilarCache(tmp_path / "lastfm.sqlite3", ttl_hours=ttl_hours,
                         busy_timeout_seconds=0.2, now=wall)
    return LastfmProvider(settings, API_KEY, cache, clocks=vt.clocks(wall, rng))


async def serve(aiohttp_server) -> tuple[FakeLastfm, str]:
    """A fresh fake on 127.0.0.1 and its API root URL (for a test module's fixture)."""
    fake = FakeLastfm()
    server = await aiohttp_server(fake.app(), host="127.0.0.1")
    return fake, str(server.make_url("/2.0/"))
