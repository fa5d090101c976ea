"""Pilot: the Load screen — a bad file shows in the report, cancel, recent sources, help."""

from __future__ import annotations

import json
import os
import stat

import pytest
from textual.widgets import Input, OptionList, Static

import musicrec_tui.tui.loading as loading
from musicrec_tui.core.locations import config_dir
from musicrec_tui.tui.app import make_app
from musicrec_tui.tui.recent import load_recent, recent_file, remember
from musicrec_tui.tui.screens.help import HelpScreen
from musicrec_tui.tui.screens.load import LoadScreen
from musicrec_tui.tui.textual_patches import notifications
from musicrec_tui.tui.widgets.files import SourceTree
from tests.helpers_tui import SIZE, Gate, demo_root, settle, show, text_of


async def _load(pilot, value: str) -> LoadScreen:
    screen = pilot.app.screen
    assert isinstance(screen, LoadScreen)
    box = screen.query_one("#load-path", Input)
    box.value = value
    box.focus()
    await show(pilot, "enter")
    return screen


async def test_bad_file_error_shows_in_the_report(tmp_path):
    bad = tmp_path / "StreamingHistory_music_9.json"
    bad.write_text('[{"endTime": "2024-01-01 10:00", "artistName": ', encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await _load(pilot, f"{demo_root()} ; {bad}")
        assert isinstance(app.screen, LoadScreen), "an interactive load stays on the report"
        report = app.session.history.report
        assert [f.path for f in report.bad_files] == [str(bad)]
        shown = text_of(screen.query_one("#load-report-body", Static).content)
        assert bad.name in shown
        assert report.bad_files[0].error.split()[0] in shown
        assert f"{report.kept:,}" in shown
        assert any("could not be read" in str(n.message) for n in notifications(app))


async def test_nothing_loaded_is_an_error_not_a_crash(tmp_path):
    missing = tmp_path / "nope.zip"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await _load(pilot, str(missing))
        assert app.session.history is None
        shown = text_of(screen.query_one("#load-report-body", Static).content)
        assert "Nothing loaded" in shown and "nope.zip" in shown
        assert any(n.severity == "error" for n in notifications(app))
        assert app.is_running


async def test_escape_cancels_the_import(monkeypatch):
    gate = Gate(monkeypatch)

    def slow(paths, *, cancel=None, **kwargs):
        gate.wait(cancel)  # raises Cancelled once Escape cancels the worker

    monkeypatch.setattr(loading, "load_history", slow)
    app = make_app()
    with gate:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            screen.start_import([str(demo_root())])
            await gate.reached()
            await pilot.pause()
            assert not screen.query_one("#load-progress").has_class("hidden")
            await show(pilot, "escape")
            assert screen.query_one("#load-progress").has_class("hidden")
            assert app.session.history is None
            assert any("cancelled" in str(n.message) for n in notifications(app))
            shown = text_of(screen.query_one("#load-report-body", Static).content)
            assert "Import cancelled" in shown
            assert "Error" not in shown


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_recent_list_is_private(tmp_path):
    """The paths of your exports say who you are: 0600 in a 0700 folder, even under a 022
    umask and in a config folder made 0755 before the rule."""
    old = os.umask(0o022)
    try:
        config_dir().chmod(0o755)
        remember([str(tmp_path / "my_spotify_data.zip")])
    finally:
        os.umask(old)
    assert stat.S_IMODE(recent_file().stat().st_mode) == 0o600
    assert stat.S_IMODE(config_dir().stat().st_mode) == 0o700


async def test_recent_sources_are_remembered_and_reopen():
    root = str(demo_root())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _load(pilot, root)
        assert load_recent() == [[root]]
        assert json.loads(recent_file().read_text(encoding="utf-8")) == [[root]]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        recent = app.screen.query_one("#load-recent", OptionList)
        assert recent.option_count == 1
        recent.focus()
        await show(pilot, "enter")
        assert app.session.history is not None and app.session.sources == [root]
        assert app.screen.query_one("#load-path", Input).value == root, "what was opened"


async def test_help_and_palette_list_the_actions():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = text_of(app.screen.query_one("#help-keys", Static).content)
        for words in ("Demo", "Export", "Help", "Artists", "Recommend", "Quit"):
            assert words in keys
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LoadScreen)
        from musicrec_tui.tui.commands import MusicrecCommands

        provider = MusicrecCommands(app.screen)
        names = [name for name, *_ in provider._commands()]
        for expected in ("Demo", "Export", "Help", "Load", "Artists", "Contexts", "Trends",
                         "Recommend", "Settings"):
            assert expected in names


async def test_enter_on_a_file_in_the_tree_opens_it(tmp_path, monkeypatch):
    """Enter on a file opens it (it only filled the path box); on a folder, the folder goes
    into the path box and the focus stays in the tree."""
    export = next(demo_root().rglob("Streaming_History_Audio_*.json"))
    root = tmp_path / "browse"
    (root / "exports").mkdir(parents=True)
    (root / "exports" / export.name).write_bytes(export.read_bytes())
    monkeypatch.chdir(root)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        tree = screen.query_one("#load-tree", SourceTree)
        for _ in range(50):
            await pilot.pause()
            if tree.root.children:
                break
        tree.focus()
        [folder] = tree.root.children
        tree.move_cursor(folder)
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause()
            if folder.children:
                break
        assert screen.query_one("#load-path", Input).value == str(root / "exports")
        assert tree.has_focus and app.session.history is None
        [file] = folder.children
        tree.move_cursor(file)
        await show(pilot, "enter")
        opened = str(root / "exports" / export.name)
        assert app.session.sources == [opened]
        assert app.session.history is not None and app.session.history.report.kept > 0
        assert screen.query_one("#load-path", Input).value == opened


async def test_paths_opened_from_the_command_line_show_in_the_path_box():
    """The Load screen, first shown after a launch with paths, says what is open, also when
    a reopen painted Artists from the snapshot and loaded behind it (no import on Load)."""
    for launch in ("first", "reopen"):
        app = make_app([str(demo_root())])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.session.sources == [str(demo_root())]
            await show(pilot, "1")
            assert isinstance(app.screen, LoadScreen)
            assert app.screen.query_one("#load-path", Input).value == str(demo_root()), launch
