"""choose_provider and the offline fallback (unreachable host = a closed local port)."""

from __future__ import annotations

import asyncio
import socket

import pytest

from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.settings import load_settings
from musicrec_tui.core.similarity import select
from musicrec_tui.core.similarity.base import Neighbour, SimilarityResult
from musicrec_tui.core.similarity.lastfm import LastfmProvider
from musicrec_tui.core.similarity.select import WithFallback, choose_provider
from tests.lastfm_fake import API_KEY, MaxRng, VirtualTime, make_provider


class StubOffline:
    name = "offline"

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def similar(self, artists, *, limit, progress=None, cancel=None):
        self.asked.append(list(artists))
        neighbours = {a: [Neighbour(f"{a} offline pal", 0.5)] for a in artists}
        return SimilarityResult("offline", neighbours, dict.fromkeys(artists, "offline"))


class Secret:
    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"



@pytest.fixture
def offline(monkeypatch):
    stub = StubOffline()
    monkeypatch.setattr(select, "offline_provider", lambda history, settings: stub)
    return stub


def closed_port_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now: connections are refused
    return f"http://127.0.0.1:{port}/2.0/"


def test_offline_kinds_and_missing_key(offline):
    settings = load_settings()
    assert choose_provider("offline", settings, history=object()) is offline
    assert choose_provider("auto", settings, history=object()) is offline  # no key anywhere
    assert choose_provider("lastfm", settings, object(), api_key=API_KEY, offline=True) is offline
    with pytest.raises(SettingsError, match=r"needs an API key.*set-key"):
        choose_provider("lastfm", settings, history=object())
    with pytest.raises(SettingsError, match="not one of"):
        choose_provider("spotify", settings, history=object())


def test_key_sources_argument_env_and_secrets_store(offline, monkeypatch):
    settings = load_settings()
    chosen = choose_provider("auto", settings, history=object(), api_key=Secret(API_KEY))
    assert isinstance(chosen, WithFallback) and isinstance(chosen.primary, LastfmProvider)
    assert API_KEY not in repr(chosen.primary)

    monkeypatch.setenv("LASTFM_API_KEY", API_KEY)
    assert isinstance(choose_provider("auto", settings, history=None), LastfmProvider)
    monkeypatch.delenv("LASTFM_API_KEY")

    monkeypatch.setattr("musicrec_tui.core.settings.secrets.get_api_key", lambda s: Secret(API_KEY))
    assert isinstance(choose_provider("lastfm", settings, history=object()), WithFallback)
    assert isinstance(choose_provider(None, settings, history=None), LastfmProvider)  # "auto"


def test_closed_port_falls_back_to_offline_per_artist(offline, tmp_path):
    vt = VirtualTime()
    lastfm = make_provider(tmp_path, closed_port_url(), vt=vt, rng=MaxRng(), max_retries=2,
                           backoff_base_seconds=0.5, concurrency=4)
    provider = WithFallback(lastfm, lambda: offline)
    artists = [f"A{i}" for i in range(20)]
    result = provider.similar(artists, limit=5)  # sync entry point: runs its own loop

    assert result.provider == "offline"  # nothing came from Last.fm
    assert result.counts() == {"failed": 20}
    assert result.neighbours["A7"] == [Neighbour("A7 offline pal", 0.5)]
    assert offline.asked == [artists]
    assert any("unreachable" in m for m in result.messages)
    assert any("offline co-listening" in m for m in result.messages)
    # The run stops once one artist exhausted its retries: at most the 4 in flight retried.
    backoffs = [s for s in vt.sleeps if s >= 0.5]
    assert 2 <= len(backoffs) <= 4 * 2
    assert all(API_KEY not in m for m in result.messages)


async def test_partial_failure_fills_only_failed_artists(offline, aiohttp_server, tmp_path):
    from tests.lastfm_fake import FakeLastfm, Reply

    fake = FakeLastfm()
    fake.queue("Bad", Reply(500, "x"), Reply(500, "x"))
    server = await aiohttp_server(fake.app(), host="127.0.0.1")
    lastfm = make_provider(tmp_path, str(server.make_url("/2.0/")), max_retries=1)
    provider = WithFallback(lastfm, lambda: offline)

    result = await provider.fetch_similar(["Good", "Bad"], limit=3)
    assert result.origin == {"Good": "network", "Bad": "failed"}
    assert result.provider == "lastfm"
    assert result.neighbours["Bad"] == [Neighbour("Bad offline pal", 0.5)]
    assert len(result.neighbours["Good"]) == 3 and offline.asked == [["Bad"]]

    # the sync API from inside a running loop still works (it uses a fresh thread)
    again = provider.similar(["Good"], limit=3)
    assert again.origin == {"Good": "cache"}


async def test_host_lost_mid_run_stops_after_a_round_of_connect_failures(offline, aiohttp_server,
                                                                          tmp_path):
    from tests.lastfm_fake import FakeLastfm

    fake = FakeLastfm()
    original = fake.handle
    servers = []

    async def handle_then_vanish(request):
        response = await original(request)
        if len(fake.requests) == 3:  # after the third answer the host goes away
            response.force_close()  # no keep-alive connection to sneak a 4th request through
            asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(servers[0].close()))
        return response

    fake.handle = handle_then_vanish  # before app(): the route binds the handler
    server = await aiohttp_server(fake.app(), host="127.0.0.1")
    servers.append(server)
    vt = VirtualTime()
    lastfm = make_provider(tmp_path, str(server.make_url("/2.0/")), vt=vt, concurrency=1,
                           max_retries=2)
    result = await WithFallback(lastfm, lambda: offline).fetch_similar(
        [f"A{i}" for i in range(30)], limit=5)
    assert result.counts() == {"network": 3, "failed": 27}
    assert len(fake.requests) == 3
    assert any("unreachable" in m for m in result.messages)
    assert len(offline.asked[0]) == 27
