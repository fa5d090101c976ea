"""Pilot: run the recommendations, cancel a run, re-run; change the Mix's shares and see the
order move; each list in its tab; Discover's provider changed without refitting."""

from __future__ import annotations

from textual.widgets import Input, Select, Static, Tabs

import musicrec_tui.core.analysis as analysis_mod
from musicrec_tui.core.lists import TITLES
from musicrec_tui.core.settings import load_settings
from musicrec_tui.tui.app import make_app
from musicrec_tui.tui.screens.recommend import RecommendScreen
from musicrec_tui.tui.textual_patches import notifications
from musicrec_tui.tui.widgets.artist_table import ArtistTable
from tests.fake_service import serving_in_thread
from tests.helpers_tui import (
    FROZEN_NOW,
    SIZE,
    Gate,
    burst,
    demo_app,
    demo_root,
    settle,
    show,
    text_of,
)
from tests.lastfm_fake import API_KEY, FakeLastfm, error


def _slow_temporal(monkeypatch) -> Gate:
    """Make the temporal engine wait at a gate until cancelled or let through."""
    gate = Gate(monkeypatch)
    real = analysis_mod.analyse

    def analyse(history, settings, *, engines=None, cancel=None, **kwargs):
        if list(engines or []) == ["temporal"]:
            gate.wait(cancel)
        return real(history, settings, engines=engines, cancel=cancel, **kwargs)

    monkeypatch.setattr(analysis_mod, "analyse", analyse)
    return gate


async def test_run_cancel_and_run_again(monkeypatch):
    app = demo_app()
    with _slow_temporal(monkeypatch) as gate:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("5")  # the first visit starts a run
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RecommendScreen)
            assert screen._state["temporal"] == "running"
            await show(pilot, "escape")
            assert screen._state["temporal"] == "cancelled"
            assert app.session.analysis is None, "a cancelled run blends nothing"
            # Run again, twice: the second start replaces the first.
            gate.go()
            await pilot.press("g", "g")
            await settle(pilot)
            assert all(state == "done" for state in screen._state.values())
            analysis = app.session.analysis
            assert analysis is not None and analysis.mix
            assert set(analysis.results) == set(analysis_mod.ENGINES)
            table = screen.query_one("#recommend-table", ArtistTable)
            assert table.rows == [r.artist for r in analysis.mix]


async def test_a_replaced_run_does_not_mark_the_new_one_cancelled(monkeypatch):
    app = demo_app()
    with _slow_temporal(monkeypatch) as gate:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("5")  # run 1: temporal waits
            await pilot.pause()
            await pilot.press("g")  # run 2 replaces it while run 1's temporal is still going
            await pilot.pause()
            screen = app.screen
            # Run 1's temporal has now ended as cancelled; run 2's is still running.
            assert screen._state["temporal"] == "running"
            gate.go()
            await settle(pilot)
            assert all(state == "done" for state in screen._state.values()), screen._state
            assert set(app.session.analysis.results) == set(analysis_mod.ENGINES)


async def test_changing_a_share_reblends_without_refitting():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(pilot, "5")
        screen = app.screen
        before = screen.order
        fitted = app.session.analysis.results
        # The whole Mix from Rediscover (shares are relative: 2 becomes 1.0).
        for key in ("play_next", "rediscover", "discover"):
            screen.query_one(f"#share-{key}", Input).value = "2" if key == "rediscover" else "0"
        screen.query_one("#share-rediscover", Input).focus()
        await show(pilot, "enter")
        after = screen.order
        assert after != before
        analysis = app.session.analysis
        assert analysis.shares["rediscover"] == 1.0
        assert analysis.results["temporal"] is fitted["temporal"], "no refit"
        assert after == [r.artist for r in analysis.mix]
        assert {r.list for r in analysis.mix} == {"rediscover"}
        assert screen.query_one("#share-play_next", Input).value == "0.00"


async def test_the_status_says_the_engines_run(monkeypatch):
    """While a run goes on a loaded history, the status line says so (it said "No history
    loaded")."""
    app = demo_app()
    with _slow_temporal(monkeypatch) as gate:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("5")
            await gate.reached()
            status = text_of(app.screen.query_one("#recommend-status", Static).content)
            assert "No history" not in status
            assert "Running every engine" in status
            gate.go()
            await settle(pilot)


async def test_a_run_keeps_the_tier_in_the_box():
    """g runs with the tier the box shows, as b blends with it (g used the settings' tier)."""
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(pilot, "5")
        screen = app.screen
        assert app.session.analysis.tier == "1-50"
        screen.query_one("#tier-input", Input).value = "20-40"
        await show(pilot, "b")
        assert app.session.analysis.tier == "20-40"
        await show(pilot, "g")
        assert app.session.analysis.tier == "20-40"
        assert "tier 20-40" in text_of(screen.query_one("#recommend-status", Static).content)
        # A box that holds no tier runs nothing and says why.
        screen.query_one("#tier-input", Input).value = "forty"
        before = app.session.analysis
        await show(pilot, "g")
        assert app.session.analysis is before
        assert any(n.severity == "error" and "forty" in n.message for n in notifications(app))


async def test_the_status_says_why_another_provider_answered(monkeypatch):
    """A rejected Last.fm key: the status names who answered instead and why (it said
    "provider lastfm (50 failed)" with no reason)."""
    fake = FakeLastfm()
    fake.default = error(10, status=403)
    with serving_in_thread(fake.app()) as root:
        monkeypatch.setenv("MUSICREC_LASTFM_BASE_URL", root + "2.0/")
        monkeypatch.setenv("LASTFM_API_KEY", API_KEY)
        settings = load_settings(cli={"providers": {"similar": "lastfm"}})
        app = make_app([str(demo_root())], settings=settings, now=FROZEN_NOW)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await show(pilot, "5")
            status = " ".join(text_of(
                app.screen.query_one("#recommend-status", Static).content).split())
    assert "asked lastfm, but Last.fm rejected the API key" in status
    assert API_KEY not in status


async def test_each_list_has_its_tab():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        analysis = app.session.analysis
        status = screen.query_one("#recommend-status", Static)
        assert screen.order == [r.artist for r in analysis.mix]
        assert "Mix:" in text_of(status.content) and "Play next 67%" in text_of(status.content)
        shown = {}
        for name in ("play-next", "rediscover", "discover", "mix"):
            await pilot.press("right_square_bracket")
            await settle(pilot)
            shown[name] = screen.order
            assert text_of(status.content).startswith(f"{TITLES[name]}:")
        assert shown["play-next"] == [r.artist for r in analysis.lists["play-next"].items[:20]]
        assert shown["rediscover"] == [r.artist for r in analysis.lists["rediscover"].items[:20]]
        assert shown["mix"] == [r.artist for r in analysis.mix]
        # Offline, Discover is empty and says how to turn a provider on.
        assert shown["discover"] == []
        await pilot.press("left_square_bracket")
        await settle(pilot)
        why = " ".join(text_of(screen.query_one("#recommend-why", Static).content).split())
        assert why == ("New artists need a similarity provider: offline co-listening only "
                       "knows your own artists. Press p to turn one on (what it is sent is "
                       "shown first), or pick one in “Discover from” above.")
        status = text_of(screen.query_one("#recommend-status", Static).content)
        assert "seed artists" not in status  # offline, nothing was asked of anyone


async def test_keys_pressed_in_a_row_each_move_one_list():
    """Three ] before the screen has redrawn land on the third list, not the first (each
    step counted from the list shown, which only changed after the tab's message)."""
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(pilot, "5")
        screen = app.screen
        burst(app, *("right_square_bracket",) * 3)
        await settle(pilot)
        assert screen.query_one("#recommend-lists", Tabs).active == "list-discover"
        burst(app, *("left_square_bracket",) * 2)
        await settle(pilot)
        assert screen.query_one("#recommend-lists", Tabs).active == "list-play-next"
        assert text_of(screen.query_one("#recommend-status", Static).content).startswith(
            "Play next:")


async def test_the_provider_applies_to_discover_without_refitting(monkeypatch):
    from tests.core.test_lists import FakeProvider

    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        fitted = app.session.analysis.results
        top = list(fitted["ranking"].items)[:50]
        fake = FakeProvider({it.artist: [(f"{it.artist} Friend", 0.9)] for it in top})
        real = type(app.session).provider
        monkeypatch.setattr(type(app.session), "provider",
                            lambda self, kind=None: fake if kind == "lastfm"
                            else real(self, kind))
        screen.query_one("#provider-select", Select).value = "lastfm"
        await settle(pilot)
        analysis = app.session.analysis
        assert analysis.results["temporal"] is fitted["temporal"], "no refit"
        assert fake.asked and analysis.provider == "lastfm"
        new = analysis.lists["discover"].items
        assert new and all(not r.in_library for r in new)
        assert "discover" in {r.list for r in analysis.mix}
        assert "similar artists from lastfm" in text_of(
            screen.query_one("#recommend-status", Static).content)


def _ring_app(monkeypatch):
    """The demo app whose similarity provider is the tests' ring (made-up neighbours)."""
    from tests.core.test_analysis import RingProvider

    monkeypatch.setattr(type(demo_app().session), "provider",
                        lambda self, kind=None: RingProvider())
    return demo_app()


async def test_discover_gets_its_views_from_the_other_workers(monkeypatch):
    """Content waits for the temporal and context workers and ranks new artists with their
    fits: the app's Discover equals one analyse over every engine."""
    app = _ring_app(monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        analysis = app.session.analysis
        assert all(state == "done" for state in app.screen._state.values())
        whole = analysis_mod.analyse(app.session.history, app.session.settings,
                                     at=app.session.clock(), provider=app.session.provider())
        assert [(r.artist, r.engines) for r in analysis.lists["discover"].items] == [
            (r.artist, r.engines) for r in whole.lists["discover"].items]
        assert any(r.engines.get("temporal") or r.engines.get("context")
                   for r in analysis.lists["discover"].items)


async def test_the_discover_tab_shows_each_items_views_and_its_seeds(monkeypatch):
    """Each new artist with its content, temporal and context parts (as the Mix shows its
    engines); the status says who served it, from where, and how many seeds of each view."""
    app = _ring_app(monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        for _ in range(3):
            await pilot.press("right_square_bracket")
            await settle(pilot)
        screen = app.screen
        table = screen.query_one("#recommend-table", ArtistTable)
        views = [table._cells(artist)[3] for artist in table.rows]
        assert len(views) == 20 and all(v.startswith("content:") for v in views)
        assert sum(" temporal:" in v or " context:" in v for v in views) > len(views) / 2
        status = " ".join(text_of(screen.query_one("#recommend-status", Static).content).split())
        assert status.startswith("Discover: 20 recommendations")
        assert "similar artists from lastfm (" in status and " network)" in status
        seeds = app.session.analysis.results["content"].meta["seeds"]
        assert (f"{seeds['asked']} seed artists: 50 of the tier, 10 rising, "
                f"{seeds['context']} of ") in status
