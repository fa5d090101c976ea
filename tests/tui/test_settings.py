"""Pilot: settings are saved to the user config; the Last.fm key is stored encrypted."""

from __future__ import annotations

import tomllib

import pytest
from textual.widgets import Input, Select, Static

from musicrec_tui.core.settings.layers import user_config_path
from musicrec_tui.core.settings.secrets import get_api_key, secrets_path
from musicrec_tui.tui.app import make_app
from musicrec_tui.tui.screens.recommend import RecommendScreen
from musicrec_tui.tui.screens.settings import SettingsScreen
from musicrec_tui.tui.textual_patches import notifications
from tests.helpers_tui import SIZE, show, text_of


async def test_settings_are_saved_to_the_user_config():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        screen.query_one("#set-import-min-play-seconds", Input).value = "45"
        screen.query_one("#set-share-play-next", Input).value = "3"
        screen.query_one("#set-share-rediscover", Input).value = "1"
        screen.query_one("#set-share-discover", Input).value = "0"
        screen.query_one("#set-provider", Select).value = "offline"
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = tomllib.loads(user_config_path().read_text(encoding="utf-8"))
        assert saved["import"]["min_play_seconds"] == 45
        assert saved["ensemble"]["shares"]["play_next"] == 0.75
        assert saved["providers"]["similar"] == "offline"
        assert app.session.settings.import_.min_play_seconds == 45
        assert app.session.settings.ensemble.shares["rediscover"] == 0.25


async def test_discover_view_weights_are_saved_like_the_shares():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#set-view-content", Input).value == "0.5"
        screen.query_one("#set-view-content", Input).value = "2"
        screen.query_one("#set-view-temporal", Input).value = "1"
        screen.query_one("#set-view-context", Input).value = "1"
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = tomllib.loads(user_config_path().read_text(encoding="utf-8"))
        assert saved["discover"]["weights"] == {"content": 0.5, "temporal": 0.25,
                                                "context": 0.25}
        assert "shares" not in saved.get("ensemble", {})  # untouched boxes are not saved
        assert app.session.settings.discover.weights["temporal"] == 0.25
        for box in ("content", "temporal", "context"):
            screen.query_one(f"#set-view-{box}", Input).value = "0"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert any(n.severity == "error" and n.message.startswith("Discover views: ")
                   and "at least one weight above 0" in n.message for n in notifications(app))


async def test_an_emptied_box_means_the_default():
    """Every box says "(default)" when empty. Seen under tmux: an emptied Discover view box
    was saved as weight 0, and an emptied number box was an error."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#set-view-context", Input).value = ""
        screen.query_one("#set-view-temporal", Input).value = "0.5"
        screen.query_one("#set-import-min-play-seconds", Input).value = ""
        screen.query_one("#set-context-k", Input).value = "5"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not [n for n in notifications(app) if n.severity == "error"]
        saved = tomllib.loads(user_config_path().read_text(encoding="utf-8"))
        weights = saved["discover"]["weights"]
        assert weights["context"] == pytest.approx(weights["content"] * 0.2 / 0.5, rel=1e-3)
        assert saved["context"]["k"] == 5 and "import" not in saved


async def test_a_bad_value_is_a_notification():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await pilot.pause()
        app.screen.query_one("#set-content-tier", Input).value = "fifty"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert any(n.severity == "error" and "tier" in n.message for n in notifications(app))
        assert not user_config_path().exists()


async def test_lastfm_key_is_stored_encrypted():
    key = "0123456789abcdef0123456789abcdef"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await pilot.pause()
        screen = app.screen
        key_box = screen.query_one("#set-key", Input)
        assert key_box.password, "the key is typed into a masked input"
        key_box.value = key
        passphrase = screen.query_one("#set-passphrase", Input)
        passphrase.value = "correct horse"
        passphrase.focus()
        await show(pilot, "enter")
        assert key_box.value == ""
        blob = secrets_path().read_bytes()
        assert key.encode() not in blob
        assert get_api_key(passphrase="correct horse").reveal() == key
        assert app.session.passphrase is not None
        # Right after storing it, the key reads as set (it said "encrypted store (locked)").
        status = text_of(screen.query_one("#set-key-status", Static).content)
        assert "set (encrypted store)" in status and "locked" not in status


async def test_escape_leaves_a_text_box_so_screen_keys_work_again():
    """"5" typed after Escape in the passphrase box switches to Recommend (it was typed
    into the box)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await pilot.pause()
        screen = app.screen
        assert not isinstance(screen.focused, Input)
        passphrase = screen.query_one("#set-passphrase", Input)
        passphrase.focus()
        await pilot.press("x", "escape", "5")
        await pilot.pause()
        assert passphrase.value == "x"
        assert isinstance(app.screen, RecommendScreen)
