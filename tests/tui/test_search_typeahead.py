"""Keys typed ahead in one burst act in the order typed, across the focus moves between the
Artists search box and the table: what follows Enter or Escape is not typed into the box."""

from __future__ import annotations

from textual import messages
from textual.widgets import Input

from musicrec_tui.tui.app import make_app
from musicrec_tui.tui.screens.export import ExportScreen
from musicrec_tui.tui.screens.load import LoadScreen
from musicrec_tui.tui.widgets.artist_table import ArtistTable
from tests.helpers_tui import SIZE, burst, demo_app, settle


async def _pauses(pilot, n: int = 4) -> None:
    for _ in range(n):
        await pilot.pause()


async def test_keys_after_enter_and_escape_go_to_the_table():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        box = screen.query_one("#artists-search", Input)
        table = screen.query_one("#artists-table", ArtistTable)

        # Enter leaves the box: the arrows behind it move the table's cursor.
        burst(app, "slash", "b", "e", "enter", "down", "down")
        await _pauses(pilot)
        assert table.has_focus and box.value == "be"
        assert table.row_count > 3 and table.cursor_row == 2

        # "/" comes back to the box, where "y" is typed (over the query, which the box
        # selects when it gets the focus).
        burst(app, "slash", "y")
        await _pauses(pilot)
        assert box.has_focus and box.value == "y"

        # A backspace acts before the character typed after it.
        burst(app, "x", "backspace", "o")
        await _pauses(pilot)
        assert box.value == "yo"

        # Escape leaves the box: "e" behind it opens Export rather than being typed.
        burst(app, "escape", "e")
        await _pauses(pilot)
        assert box.value == "yo"
        assert isinstance(app.screen, ExportScreen)


async def test_the_detail_follows_a_cursor_moved_in_the_same_burst():
    """"/the⏎↓" in one burst: the detail shows the row the cursor went to, even once the
    timer started for the best hit while typing fires."""
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#artists-table", ArtistTable)
        burst(app, "slash", "t", "h", "e", "enter", "down")
        await _pauses(pilot)
        assert table.cursor_row == 1
        screen._show_pending()  # what the typing timer does when it fires
        await _pauses(pilot)
        assert screen.shown_artist == table.cursor_artist


async def test_typing_lays_nothing_out():
    """A keystroke in the search box repaints; it asks for no layout of the screen
    (textual_patches.FixedSizeInput)."""
    posted: list = []
    app = demo_app()
    async with app.run_test(size=SIZE, message_hook=posted.append) as pilot:
        await settle(pilot)
        box = app.screen.query_one("#artists-search", Input)
        await pilot.press("slash", "b")
        await _pauses(pilot)
        posted.clear()
        await pilot.press("e", "y")
        await _pauses(pilot)
        assert box.value == "bey"
        laid_out = [m.widget for m in posted if isinstance(m, messages.Layout)]
        assert box not in laid_out


async def test_keys_typed_behind_a_focus_move_go_to_the_new_box():
    """"o" then "demo" in one burst on Load: the letters queued at the tree before "o" moved
    the focus are typed into the path box, not run as keys ("d" would open the demo)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoadScreen)
        burst(app, "o", "d", "e", "m", "o")
        await _pauses(pilot)
        assert app.screen.query_one("#load-path", Input).value == "demo"
        assert app.session.history is None and not app.session.loading
        assert not [w for w in app.workers if w.group == "import"]
