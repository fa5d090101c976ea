"""Pilot: switching back to a screen shows it as it was left, without rebuilding it.

Textual restyles a whole screen and its Footer rebuilds every key each time the screen is
shown again; the screens skip both when nothing they depend on changed (screens/base.py,
textual_patches.py).
These tests pin what must still change: the keys after a focus change, the colours after a
theme change made while the screen was hidden.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import App

from musicrec_tui.tui.textual_patches import footer_keys
from musicrec_tui.tui.widgets.artist_table import SHOWN_NAME_MAX, ArtistTable
from tests.helpers_tui import SIZE, demo_app, settle, show


def _keys(app) -> list:
    return footer_keys(app.screen)


def _descriptions(app) -> list[str]:
    return [key.description for key in _keys(app)]


async def test_a_screen_comes_back_as_it_was_left():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(pilot, "4")
        trends = app.screen
        rows = trends.query_one("#trends-rising", ArtistTable).rows
        keys = _keys(app)
        assert "Refit" in _descriptions(app)
        for key in "352":
            await pilot.press(key)
            await settle(pilot)
        assert "Refit" not in _descriptions(app)
        await show(pilot, "4")
        assert app.screen is trends
        assert trends.query_one("#trends-rising", ArtistTable).rows == rows
        assert _keys(app) == keys, "the same keys: the footer was not rebuilt"


async def test_the_footer_follows_a_focus_change():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(pilot, "1")
        assert "Type path" in _descriptions(app)
        await pilot.press("o")  # into the path box, whose keys hide the screen's letters
        await settle(pilot)
        inside = _descriptions(app)
        await show(pilot, "escape")
        assert _descriptions(app) != inside
        assert "Type path" in _descriptions(app)


def _styles(screen) -> list:
    """Every widget's style, and the cursor's of each table (it follows focus)."""
    return [(widget, widget.rich_style,
             widget.get_component_rich_style("artist-table--cursor")
             if isinstance(widget, ArtistTable) else None)
            for widget in screen.query("*")]


async def _as_restyled(pilot) -> list:
    """The styles a full restyle of the current screen gives."""
    pilot.app.screen.update_node_styles(animate=False)
    await pilot.pause()
    return _styles(pilot.app.screen)


async def test_a_change_made_while_a_screen_was_hidden_reaches_it():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(pilot, "4")
        table = app.screen.query_one("#trends-rising", ArtistTable)
        await show(pilot, "2")
        app.app_focus = False  # the terminal lost focus (the app's :blur)
        await show(pilot, "4")
        assert _styles(app.screen) == await _as_restyled(pilot)
        # A theme changed meanwhile: the rows are drawn again, in its colours.
        app.app_focus = True
        await show(pilot, "2")
        before = table.rich_style
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await settle(pilot)
        await show(pilot, "4")
        assert table.rich_style != before
        assert _styles(app.screen) == await _as_restyled(pilot)
        strip = table.render_line(1)
        assert all(seg.style is None or seg.style.bgcolor != before.bgcolor for seg in strip)


def _next_column_at(line: str, name: str) -> int:
    """The terminal cell where the text after ``name`` (the line's first column) starts."""
    after = line[len(name) + 1:]
    return cell_len(line[:len(name) + 1]) + len(after) - len(after.lstrip(" "))


async def test_short_lists_line_up_in_terminal_cells():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(pilot, "4")
        names = []
        for id_ in ("#trends-rising", "#trends-fading"):
            table = app.screen.query_one(id_, ArtistTable)
            shown = table.rows[:table.visible_rows]
            names += shown
            lines = ["".join(seg.text for seg in table.render_line(y))
                     for y in range(1 + len(shown))]
            starts = {_next_column_at(line, name)
                      for line, name in zip(lines, ["Artist", *shown], strict=True)}
            assert starts == {1 + max(cell_len(n) for n in table.rows) + 2}, id_
        assert any(cell_len(n) > len(n) for n in names), "the demo has wide (CJK) names"


async def test_a_long_name_is_cut_rather_than_pushing_the_columns_out():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(pilot, "4")
        table = app.screen.query_one("#trends-rising", ArtistTable)
        long = "The Extraordinarily Long-Named Orchestra of Everything"
        table.show({long: ("▁▂▃", "+10% a month"), "Short": ("▃▂▁", "-5% a month")})
        await pilot.pause()
        line = "".join(seg.text for seg in table.render_line(1))
        assert "…" in line and long not in line
        assert _next_column_at(line, long[:SHOWN_NAME_MAX - 1] + "…") == 1 + SHOWN_NAME_MAX + 2


async def test_only_a_first_visit_pauses_drawing(monkeypatch):
    """switch_mode hides a new screen's first layout for 50 ms; a revisit needs no mask."""
    app = demo_app()
    pauses: list[str] = []
    original = App.delay_update

    def counting(self, delay: float = 0.05) -> None:
        pauses.append(self.current_mode)
        original(self, delay)

    monkeypatch.setattr(App, "delay_update", counting)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = len(pauses)
        await show(pilot, "4")
        assert len(pauses) == first + 1, "a first visit keeps the pause"
        await show(pilot, "2")
        await show(pilot, "4")
        assert len(pauses) == first + 1, "going back to a screen shown before does not pause"
