"""Pilot: load the demo → search "beyon" → pick the hit → its detail; sort; clear the search."""

from __future__ import annotations

from textual.widgets import Input, Static

from musicrec_tui.tui.app import make_app
from musicrec_tui.tui.screens.artists import ArtistsScreen
from musicrec_tui.tui.textual_patches import footer_keys, notifications
from musicrec_tui.tui.widgets.artist_table import ArtistTable
from musicrec_tui.tui.widgets.detail import ArtistDetail
from tests.helpers_import import lastfm_csv
from tests.helpers_tui import FROZEN_NOW, SIZE, burst, demo_app, settle, show, text_of


def _rows(table: ArtistTable) -> list[str]:
    return list(table.rows)


async def test_demo_search_pick_and_detail():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ArtistsScreen), "a path on the command line lands on Artists"
        table = screen.query_one("#artists-table", ArtistTable)
        full = _rows(table)
        assert full[0] == app.session.ranking.table.index[0]
        # Move down a few rows so we can check the selection survives the search.
        await pilot.press("down", "down", "down")
        before = full[3]
        await pilot.press("slash", *"beyon")
        assert screen.query_one("#artists-search", Input).has_focus
        await pilot.pause()
        hits = _rows(table)
        assert hits and hits[0] == "Beyoncé"
        status = text_of(screen.query_one("#artists-status", Static).content)
        assert f"“beyon”: {len(hits)} match{'' if len(hits) == 1 else 'es'} of" in status
        assert len(hits) < len(full)
        # Matched characters are highlighted in the name cell: "Beyon" drawn in its own style.
        match = table.get_component_rich_style("artist-table--match")
        drawn = [seg for seg in table.render_line(1) if seg.style and seg.style.underline]
        assert "".join(seg.text for seg in drawn) == "Beyon"
        assert all(seg.style.color == match.color for seg in drawn)
        await pilot.press("enter")  # leaves the search box for the results
        assert table.has_focus
        await pilot.press("enter")  # picks the highlighted result
        await settle(pilot)
        assert screen.shown_artist == "Beyoncé"
        detail = screen.query_one(ArtistDetail)
        assert "Beyoncé" in str(detail.query_one("#detail-title", Static).content)
        assert "Top tracks" in text_of(detail.query_one("#detail-tracks", Static).content)
        assert "offline" in text_of(detail.query_one("#detail-similar", Static).content)
        # Escape clears the search; the picked artist stays selected in the full list.
        await pilot.press("escape")
        await pilot.pause()
        assert len(_rows(table)) == len(full)
        assert _rows(table)[table.cursor_row] == "Beyoncé"
        assert before != "Beyoncé"


async def test_clearing_a_search_restores_the_selection_and_sorting():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#artists-table", ArtistTable)
        await pilot.press(*(["down"] * 5))
        selected = _rows(table)[table.cursor_row]
        await pilot.press("slash", *"radio")
        await pilot.pause()
        assert _rows(table)[0] == "Radiohead"
        await pilot.press("escape", "escape")  # leave the box, then clear it
        await pilot.pause()
        assert screen.query_one("#artists-search", Input).value == ""
        assert _rows(table)[table.cursor_row] == selected
        # Sort keys: s moves to plays, r reverses.
        ranking = app.session.ranking.table
        await pilot.press("s")
        await pilot.pause()
        plays = [int(ranking.loc[a, "counted_plays"]) for a in _rows(table)[:50]]
        assert plays == sorted(plays, reverse=True)
        await pilot.press("r")
        await pilot.pause()
        plays = [int(ranking.loc[a, "counted_plays"]) for a in _rows(table)[:50]]
        assert plays == sorted(plays)
        assert "plays ↑" in str(screen.query_one("#artists-status", Static).content)


async def test_keys_typed_right_after_slash_reach_the_search_box():
    # A fast typist's keys are all queued before the app handles "/": none may be lost to
    # the screen while the focus moves.
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "slash", "b", "e", "y")
        await pilot.pause()
        await pilot.pause()
        box = app.screen.query_one("#artists-search", Input)
        assert box.has_focus
        assert box.value == "bey"
        burst(app, "escape")
        await pilot.pause()
        burst(app, "j")
        await pilot.pause()
        assert app.screen.query_one("#artists-table", ArtistTable).has_focus
        assert box.value == "bey"


async def test_lines_drawn_last_are_kept_when_the_cache_is_full(monkeypatch):
    """The line cache drops the lines drawn longest ago, not all of them: a screen just
    drawn is drawn again from the cache even when the cache filled up while drawing it."""
    import musicrec_tui.tui.widgets.artist_table as artist_table

    cached = 45  # more than one screen of lines at this size, less than two
    monkeypatch.setattr(artist_table, "LINES_CACHED", cached)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#artists-table", ArtistTable)
        height = table.scrollable_content_region.height
        assert height < cached < 2 * height
        table.cursor_row = 3 * height  # a screen further down, drawn by the next frame
        await pilot.pause()
        drawn: list[tuple] = []
        real = table._draw
        monkeypatch.setattr(table, "_draw", lambda key: drawn.append(key) or real(key))
        for y in range(height):
            table.render_line(y)
        assert drawn == [], "the screen just drawn comes from the cache"


async def test_a_search_without_a_match_empties_the_detail_pane():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        shown = screen.shown_artist
        assert shown is not None
        burst(app, "slash", *"qqqzzz")  # in one burst: the hits of "q" come and go unseen
        await settle(pilot)
        assert screen.query_one("#artists-table", ArtistTable).row_count == 0
        assert screen.shown_artist is None
        detail = screen.query_one(ArtistDetail)
        title = text_of(detail.query_one("#detail-title", Static).content)
        assert "No artist matches" in title and shown not in title
        assert shown not in text_of(detail.query_one("#detail-tracks", Static).content)
        assert not detail.query_one("#detail-spark").display, "no flat line for no artist"


async def test_the_footer_names_what_escape_does():
    """In the box Escape leaves it; out of it, with a query, Escape clears the search (the
    footer said "Leave search" after the box was left)."""
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        def escape() -> list[str]:
            return [key.description for key in footer_keys(app.screen) if key.key == "escape"]

        assert escape() == []
        await pilot.press("slash", *"be")
        await settle(pilot)
        assert escape() == ["Leave search"]
        await show(pilot, "enter")
        assert escape() == ["Clear search"]
        await show(pilot, "escape")
        assert escape() == []
        assert app.screen.query_one("#artists-search", Input).value == ""


async def test_landing_on_artists_does_not_say_press_2():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ArtistsScreen)
        done = [n.message for n in notifications(app) if n.title == "Import done"]
        assert done and not any("press 2" in message for message in done)


async def test_estimated_hours_are_marked(tmp_path):
    """Scrobbles carry no listening time: their hours and engagement read "~" (as estimates),
    also when the launch paints the rows from the snapshot before the history is in."""
    csv = tmp_path / "scrobbles.csv"
    csv.write_text(lastfm_csv(), encoding="utf-8")
    for launch in ("import", "snapshot"):
        app = make_app([str(csv)], now=FROZEN_NOW)
        assert (app.session.snapshot is not None) == (launch == "snapshot")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ArtistsScreen) and app.session.history is not None
            table = screen.query_one("#artists-table", ArtistTable)
            for artist in table.rows:
                cells = table._cells(artist)
                assert cells[3].startswith("~") and cells[4].startswith("~"), (launch, cells)
            stats = text_of(screen.query_one(ArtistDetail).query_one("#detail-stats",
                                                                      Static).content)
            assert "(estimated)" in stats, launch
