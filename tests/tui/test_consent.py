"""Pilot: the consent step says what is sent to which host, and its answer is remembered."""

from __future__ import annotations

import tomllib

import pytest
from textual.widgets import Static

from musicrec_tui.core.settings import load_settings
from musicrec_tui.core.settings.layers import user_config_path
from musicrec_tui.core.similarity.consent import sendings
from musicrec_tui.tui.app import make_app
from musicrec_tui.tui.screens.consent import ConsentScreen, record
from tests.helpers_tui import SIZE, text_of


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
