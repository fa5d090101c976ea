"""Local imitations of MusicBrainz artist search and ListenBrainz Labs similar artists.

One aiohttp app serves both (``/ws/2/artist`` and ``/similar-artists/json``), each a
:class:`tests.fake_service.FakeService` with its own script, request log, arrival times and
concurrency counters, plus a gauge of the requests in flight across both. The shapes follow
docs/providers.md (ListenBrainz): search hits best first with an integer ``score``; Labs lists in no
particular order, with the seed itself and artists MusicBrainz no longer knows (null names)
mixed in.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from aiohttp import web

from musicrec_tui.core.similarity.names import normalise_name
from tests.fake_service import FakeService, Reply, VirtualTime, WallClock

ALGORITHM = "session_based_days_7500_session_300_contribution_3_threshold_10_limit_100_filter_True_skip_30"
_PHRASE = re.compile(r'^"((?:[^"\\]|\\.)*)"$')


def mbid_of(name: str) -> str:
    """A stable fake MBID per artist name."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"artist:{name}"))


class Gauge:
    """Requests in flight across several fakes, and the most seen at once."""

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0

    def add(self, delta: int) -> None:
        self.now += delta
        self.peak = max(self.peak, self.now)


class _Gauged(FakeService):
    gauge: Gauge | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.gauge is not None:
            self.gauge.add(1)
        try:
            return await super().handle(request)
        finally:
            if self.gauge is not None:
                self.gauge.add(-1)


class FakeMusicBrainz(_Gauged):
    """Knows the artists in ``catalogue``; each search also lists a weaker namesake."""

    def __init__(self, catalogue: list[str], **kw: Any) -> None:
        super().__init__(**kw)
        self.catalogue = {normalise_name(name): name for name in catalogue}

    def query(self, params: dict[str, str]) -> str:
        match = _PHRASE.match(params.get("query", ""))
        text = match.group(1) if match else params.get("query", "")
        return re.sub(r"\\(.)", r"\1", text)

    def answer(self, params: dict[str, str]) -> Reply:
        name = self.query(params)
        hits: list[dict[str, Any]] = []
        known = self.catalogue.get(normalise_name(name))
        if known is not None:
            hits.append({"id": mbid_of(known), "type": "Group", "score": 100, "name": known,
                         "sort-name": known, "aliases": [{"name": f"{known} (alias)"}]})
        hits.append({"id": mbid_of(f"{name} Tribute"), "score": 62, "name": f"{name} Tribute"})
        return Reply(body={"created": "2026-01-01T00:00:00.000Z", "count": len(hits),
                           "offset": 0, "artists": hits})


def labs_items(seed_name: str, seed: str, n: int = 12) -> list[dict[str, Any]]:
    """``n`` similar artists of a seed, scores unsorted, plus the seed and a null entry."""
    items = [{"artist_mbid": mbid_of(f"{seed_name} LB {i}"), "name": f"{seed_name} LB {i}",
              "comment": "", "type": "Group", "gender": None, "score": 10 * (i + 1),
              "reference_mbid": seed} for i in range(n)]
    items = items[1::2] + items[::2]  # no particular order, as the real host
    items.insert(3, {"artist_mbid": seed, "name": seed_name, "score": 10_000,
                     "reference_mbid": seed})
    items.insert(5, {"artist_mbid": mbid_of("gone"), "name": None, "comment": None,
                     "type": None, "gender": None, "score": 5_000, "reference_mbid": seed})
    return items


class FakeLabs(_Gauged):
    """Similar artists for every seed whose name it was told (``names``: MBID → name)."""

    def __init__(self, names: dict[str, str], **kw: Any) -> None:
        super().__init__(**kw)
        self.names = names

    def query(self, params: dict[str, str]) -> str:
        return params.get("artist_mbids", "")

    def answer(self, params: dict[str, str]) -> Reply:
        if params.get("algorithm") != ALGORITHM:
            return Reply(400, "<html><title>400 Bad Request</title></html>")
        seed = self.query(params)
        name = self.names.get(seed)
        return Reply(body=[] if name is None else labs_items(name, seed))


class ListenBrainzWorld:
    """MusicBrainz and Labs fakes for ``artists`` (all known to both) on one app."""

    def __init__(self, artists: list[str], *, clock=None, latency: float = 0.0,
                 labs_round: int = 0) -> None:
        self.gauge = Gauge()
        self.mb = FakeMusicBrainz(artists, clock=clock, latency=latency)
        self.labs = FakeLabs({mbid_of(a): a for a in artists}, clock=clock, latency=latency,
                             round_size=labs_round)
        self.mb.gauge = self.labs.gauge = self.gauge

    def app(self) -> web.Application:
        app = web.Application()
        self.mb.routes(app, "/ws/2/artist")
        return self.labs.routes(app, "/similar-artists/json")


def lb_settings(root: str, **values: Any):
    """Settings pointing both services at ``root``; other keys go to [providers]."""
    from musicrec_tui.core.settings import load_settings

    return load_settings({
        "listenbrainz": {"labs_url": root, "rate_per_second": 1000.0},
        "musicbrainz": {"base_url": root + "ws/2/"},
        "providers": {"read_timeout_seconds": 10.0, **values},
    })


def make_lb_provider(tmp_path, root: str, *, vt=None, wall: WallClock | None = None,
                     mbids: dict[str, str] | None = None, rng=None, **values: Any):
    """A ListenBrainzProvider on the fakes, in virtual time, caches under ``tmp_path``."""
    from musicrec_tui.core.similarity.cache import SimilarCache
    from musicrec_tui.core.similarity.listenbrainz import ListenBrainzProvider

    vt = vt or VirtualTime()
    wall = wall or WallClock()
    settings = lb_settings(root, **values)
    labs = SimilarCache(tmp_path / "listenbrainz.sqlite3", ttl_hours=24,
                        busy_timeout_seconds=0.2, now=wall)
    names = SimilarCache(tmp_path / "musicbrainz.sqlite3", ttl_hours=90 * 24,
                         busy_timeout_seconds=0.2, now=wall)
    return ListenBrainzProvider(settings, mbids=mbids or {}, labs_cache=labs, names_cache=names,
                                clocks=vt.clocks(wall, rng))
