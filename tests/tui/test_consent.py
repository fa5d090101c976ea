"""Pilot: the consent step says what is sent to which host, and its answer is remembered; on
an empty Discover the app points at it, a yes asks ListenBrainz (a local fake on 127.0.0.1)
at once, a no stays offline and is asked again only when the user asks."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

import pytest
from textual.widgets import Select, Static

from musicrec_tui.core.settings import load_settings
from musicrec_tui.core.settings.layers import user_config_path
from musicrec_tui.core.similarity.consent import sendings
from musicrec_tui.core.similarity.names import normalise_name
from musicrec_tui.tui.app import make_app
from musicrec_tui.tui.screens.consent import ConsentScreen, record
from musicrec_tui.tui.textual_patches import notifications
from tests.fake_service import serving_in_thread
from tests.helpers_tui import SIZE, demo_app, settle, text_of
from tests.listenbrainz_fake import ListenBrainzWorld, mbid_of


async def ask(key: str, kind: str = "listenbrainz") -> tuple[bool | None, str]:
    """The answer the modal gives for ``key``, and what it said."""
    settings = load_settings()
    answers: list[bool | None] = []
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(ConsentScreen(kind, sendings(kind, settings), "1-50"), answers.append)
        await pilot.pause()
        said = text_of(app.screen.query_one("#consent-text", Static).content)
        said += app.screen.query_one("#consent-dialog").border_title or ""
        await pilot.press(key)
        await pilot.pause()
    return answers[0], said


async def test_it_says_what_goes_to_which_host():
    answer, said = await ask("y")
    assert answer is True
    assert "Ask ListenBrainz for similar artists?" in said
    assert "artist names to musicbrainz.org" in said
    assert "MusicBrainz IDs to labs.api.listenbrainz.org" in said
    assert "your tier (1-50)" in said and "no plays, no account, no files" in said


async def test_lastfm_says_the_key_goes_too():
    _, said = await ask("n", "lastfm")
    assert "artist names and your API key to ws.audioscrobbler.com" in said


@pytest.mark.parametrize("key,expected", [("n", False), ("escape", None)])
async def test_no_and_not_now(key, expected):
    answer, _ = await ask(key)
    assert answer is expected


def saved() -> dict:
    return tomllib.loads(user_config_path().read_text(encoding="utf-8"))


def test_a_yes_turns_listenbrainz_on_for_good():
    record(True, "listenbrainz", load_settings())
    assert saved()["providers"] == {"allow_listenbrainz": True}
    assert load_settings().providers.allow_listenbrainz


def test_a_no_is_remembered_and_a_later_yes_undoes_it():
    record(False, "listenbrainz", load_settings())
    assert saved()["providers"]["similar"] == "offline"
    record(True, "listenbrainz", load_settings())
    assert saved()["providers"] == {"similar": "auto", "allow_listenbrainz": True}


def test_a_yes_for_lastfm_lets_auto_use_the_key():
    record(False, "lastfm", load_settings())
    record(True, "lastfm", load_settings())
    assert saved()["providers"] == {"similar": "auto"}


# -- on the Recommend screen, against a local ListenBrainz ---------------------------------

@pytest.fixture
def world(monkeypatch) -> Iterator[ListenBrainzWorld]:
    """MusicBrainz and Labs on 127.0.0.1; they know the artists the test tells them. Only the
    content view, on a tier of two, so MusicBrainz's one lookup a second costs two."""
    fake = ListenBrainzWorld([])
    with serving_in_thread(fake.app()) as root:
        monkeypatch.setenv("MUSICREC_LISTENBRAINZ_LABS_URL", root)
        monkeypatch.setenv("MUSICREC_MUSICBRAINZ_BASE_URL", root + "ws/2/")
        monkeypatch.setenv("MUSICREC_DISCOVER_WEIGHTS", "content=1")
        monkeypatch.setenv("MUSICREC_CONTENT_TIER", "1-2")
        yield fake


def know(world: ListenBrainzWorld, artists) -> None:
    for name in artists:
        world.mb.catalogue[normalise_name(name)] = name
        world.labs.names[mbid_of(name)] = name


def sent(world: ListenBrainzWorld) -> int:
    return len(world.mb.requests) + len(world.labs.requests)


async def open_discover(pilot) -> None:
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)
    for _ in range(3):  # Mix → Play next → Rediscover → Discover
        await pilot.press("right_square_bracket")
        await settle(pilot)


def offered(app) -> bool:
    return any("press p to see what it would be sent" in n.message for n in notifications(app))


async def test_a_yes_asks_listenbrainz_at_once_and_is_remembered(world):
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_discover(pilot)
        screen = app.screen
        know(world, app.session.ranking.table.index[:2])
        assert app.session.analysis.lists["discover"].items == [] and offered(app)
        assert screen.check_action("consent", ()) and sent(world) == 0
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ConsentScreen)
        said = text_of(app.screen.query_one("#consent-text", Static).content)
        assert "artist names to 127.0.0.1" in said
        assert "Discover starts from (2 now): your tier (1-2)" in said
        await pilot.press("y")
        await settle(pilot)
        analysis = app.session.analysis
        assert analysis.provider == "listenbrainz" and len(world.labs.requests) == 2
        assert analysis.lists["discover"].items
        assert all(not r.in_library for r in analysis.lists["discover"].items)
        status = " ".join(text_of(screen.query_one("#recommend-status", Static).content).split())
        assert "similar artists from listenbrainz (2 network)" in status
        assert "2 seed artists: 2 of the tier, 0 rising, 0 of" in status
        assert not screen.check_action("consent", ())
        # It was asked as the content engine, with the provider's progress (2 MBIDs looked
        # up, 2 lists of neighbours), not the first run's.
        assert screen._state["content"] == "done" and screen._progress["content"] == (4, 4)
        assert "content ✓" in text_of(screen.query_one("#recommend-engines", Static).content)
    assert saved()["providers"] == {"allow_listenbrainz": True}
    # The next run asks ListenBrainz without a question (its answers are cached by now).
    again = demo_app()
    async with again.run_test(size=SIZE) as pilot:
        await open_discover(pilot)
        assert again.session.analysis.provider == "listenbrainz" and not offered(again)
        assert len(world.labs.requests) == 2


async def test_a_no_stays_offline_and_asks_again_only_when_asked(world):
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_discover(pilot)
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.query_one("#provider-select", Select).value == "offline"
    assert saved()["providers"] == {"similar": "offline"} and sent(world) == 0
    again = demo_app()
    async with again.run_test(size=SIZE) as pilot:
        await open_discover(pilot)
        assert not offered(again) and not isinstance(again.screen, ConsentScreen)
        await pilot.press("p")  # the user asks
        await pilot.pause()
        assert isinstance(again.screen, ConsentScreen)
        await pilot.press("escape")
        await settle(pilot)
    assert saved()["providers"] == {"similar": "offline"} and sent(world) == 0


async def test_picking_listenbrainz_asks_first_and_a_no_puts_the_box_back(world):
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_discover(pilot)
        box = app.screen.query_one("#provider-select", Select)
        box.value = "listenbrainz"
        await pilot.pause()
        assert isinstance(app.screen, ConsentScreen)
        await pilot.press("n")
        await settle(pilot)
        assert box.value == "auto" and app.session.analysis.provider == "offline"
    assert not user_config_path().exists() and sent(world) == 0
