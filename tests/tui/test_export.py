"""Pilot: export from any screen, with the overwrite prompt."""

from __future__ import annotations

import json

from textual.widgets import Input, Select

from musicrec_tui.tui.screens.export import ConfirmScreen, ExportScreen
from musicrec_tui.tui.textual_patches import notifications
from tests.helpers_tui import SIZE, demo_app, settle, show


async def _open_export(pilot, target) -> ExportScreen:
    await pilot.press("e")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ExportScreen)
    screen.query_one("#export-path", Input).value = str(target)
    return screen


async def test_export_confirms_before_overwriting(tmp_path):
    target = tmp_path / "recs.json"
    target.write_text("old", encoding="utf-8")
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")  # from another screen than Artists
        await settle(pilot)
        await _open_export(pilot, target)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep the old file
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert target.read_text(encoding="utf-8") == "old"
        await pilot.press("enter")
        await pilot.pause()
        await show(pilot, "y")
        assert not isinstance(app.screen, ExportScreen | ConfirmScreen), "the modal closed"
        data = json.loads(target.read_text(encoding="utf-8"))
        assert data["lists"]["mix"]["items"], data.keys()
        assert any(str(target) in str(n.message) for n in notifications(app))


async def test_format_follows_the_default_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        path = screen.query_one("#export-path", Input)
        assert path.value.endswith(".json")
        screen.query_one("#export-format", Select).value = "csv"
        await pilot.pause()
        assert path.value.endswith(".csv")
        await show(pilot, "enter")
        written = list(tmp_path.glob("musicrec-*.csv"))
        assert len(written) == 1 and written[0].read_text(encoding="utf-8").strip()
        await pilot.press("e", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)


async def test_export_uses_the_blend_shown_on_the_recommend_screen(tmp_path):
    target = tmp_path / "summary.json"
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(pilot, "5")
        shown = app.screen.order
        screen = await _open_export(pilot, target)
        screen.query_one("#export-format", Select).value = "summary"
        screen.query_one("#export-path", Input).value = str(target)
        await show(pilot, "enter")
    text = target.read_text(encoding="utf-8")
    assert shown and all(artist in text for artist in shown[:5])
