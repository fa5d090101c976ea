"""Pilot: open Contexts, pick one; the heatmap and picks follow; +/- refit with another k."""

from __future__ import annotations

from textual.widgets import OptionList, Static

from musicrec_tui.tui.screens.contexts import ContextsScreen
from musicrec_tui.tui.widgets.artist_table import ArtistTable
from musicrec_tui.tui.widgets.heatmap import ContextHeatmap
from tests.helpers_tui import FROZEN_NOW, SIZE, burst, demo_app, settle, show, text_of


async def test_open_contexts_pick_one_and_refit():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(pilot, "3")
        screen = app.screen
        assert isinstance(screen, ContextsScreen)
        contexts = app.session.contexts
        options = screen.query_one("#contexts-list", OptionList)
        assert options.option_count == len(contexts.clusters) >= 2
        heatmap = screen.query_one(ContextHeatmap)
        # Every (weekday, hour) slot belongs to some context, and "now" is marked.
        assert len(heatmap.slots) == 7 * 24
        assert heatmap.now_slot == (FROZEN_NOW.weekday(), FROZEN_NOW.hour)
        now = contexts.at(FROZEN_NOW)
        assert contexts.clusters[options.highlighted].id == now.id, "starts on the now context"
        # Pick another context.
        target = (options.highlighted + 1) % options.option_count
        options.focus()
        await pilot.press("down" if target else "home")
        await pilot.pause()
        assert options.highlighted == target
        cluster = contexts.clusters[target]
        assert heatmap.selected == target
        picks = screen.query_one("#contexts-picks", ArtistTable)
        assert picks.rows == [i.artist for i in cluster.picks]
        # Beside the picks, what the context is about (they differ from one to the next).
        typical = screen.query_one("#contexts-typical", ArtistTable)
        assert typical.rows == [i.artist for i in cluster.typical] != []
        assert cluster.label in str(typical.border_title)
        assert screen.selected_context is cluster
        # n jumps back to the context of now.
        await pilot.press("n")
        await pilot.pause()
        assert contexts.clusters[options.highlighted].id == now.id

        # + and - refit with one context more, then fewer.
        k = len(contexts.clusters)
        await show(pilot, "plus")
        assert len(app.session.contexts.clusters) == k + 1
        assert screen.query_one("#contexts-list", OptionList).option_count == k + 1
        await show(pilot, "minus")
        assert len(app.session.contexts.clusters) == k


async def test_plus_pressed_twice_in_a_row_asks_for_two_more():
    """The second + counts from the refit it interrupts, not from the contexts shown."""
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(pilot, "3")
        k = len(app.session.contexts.clusters)
        burst(app, "plus", "plus")
        await settle(pilot)
        assert len(app.session.contexts.clusters) == k + 2
        burst(app, "minus", "minus")
        await settle(pilot)
        assert len(app.session.contexts.clusters) == k


async def test_now_in_a_slot_you_rarely_play_says_nearest():
    """Every moment has a context, but a label names only the slots it had sessions in: now
    elsewhere reads "→ nearest: <label>", not a label that seems to contradict the clock."""
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(pilot, "3")
        screen, contexts = app.screen, app.session.contexts
        current = contexts.at(FROZEN_NOW)
        status = screen.query_one("#contexts-status", Static)
        assert current.listened_at(FROZEN_NOW)
        assert f"now is Wed 20:30 → {current.label} ·" in text_of(status.content)
        current.listened = frozenset()
        screen.contexts_changed()
        await pilot.pause()
        assert f"now is Wed 20:30 → nearest: {current.label} ·" in text_of(status.content)


async def test_labels_and_reasons_fit_at_120_columns():
    """No label wraps in the list, and the Why column is not cut (it scrolled off)."""
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(pilot, "3")
        screen = app.screen
        options = screen.query_one("#contexts-list", OptionList)
        for index in range(options.option_count):
            options.highlighted = index
            await pilot.pause()
            for table in screen.query(ArtistTable):
                assert table.virtual_size.width <= table.scrollable_content_region.width, \
                    screen.selected_context.label
        room = options.scrollable_content_region.width
        for cluster in app.session.contexts.clusters:
            assert len("██ ") + len(cluster.label) <= room, cluster.label
        # A reason cut to the width is read whole in the status line.
        picks = screen.query_one("#contexts-picks", ArtistTable)
        picks.focus()
        await pilot.press("down")
        await pilot.pause()
        pick = screen.selected_context.picks[1]
        status = text_of(screen.query_one("#contexts-status", Static).content)
        assert f"{pick.artist}: {pick.why}" in " ".join(status.split())
        screen.query_one("#contexts-typical", ArtistTable).focus()
        await pilot.press("down")
        await pilot.pause()
        usual = screen.selected_context.typical[1]
        status = text_of(screen.query_one("#contexts-status", Static).content)
        assert f"{usual.artist}: {usual.why}" in " ".join(status.split())
