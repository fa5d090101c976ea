"""Snapshots of every screen at 120×36 on the small demo (fixed seed, frozen clock, offline).

Regenerate after an intended change with ``pytest tests/tui/test_screen_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from importlib.metadata import version

import pytest

from tests.helpers_tui import SIZE, demo_app, settle, still

# The release the SVGs were drawn with: another release may draw the same screen differently.
DRAWN_WITH = "8.2.8"
pytestmark = pytest.mark.skipif(
    version("textual") != DRAWN_WITH,
    reason=f"snapshots were drawn with Textual {DRAWN_WITH}; redraw them with --snapshot-update")


@pytest.fixture
def browse_dir(tmp_path, monkeypatch):
    """The Load screen's tree shows the current folder: make it a fixed one."""
    folder = tmp_path / "browse"
    (folder / "Spotify Extended Streaming History").mkdir(parents=True)
    (folder / "my_spotify_data.zip").write_bytes(b"")
    (folder / "scrobbles.csv").write_text("", encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def _driver(*keys: str, path: str | None = None):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            # Toasts (some give timings) are drawn per screen: clear them before moving on.
            still(pilot.app)
            await pilot.pause()
            await pilot.press(key)
            await settle(pilot)
        if path is not None:
            pilot.app.screen.query_one("#export-path").value = path
        still(pilot.app)
        await pilot.pause()

    return run_before


def test_load_screen(snap_compare, browse_dir):
    assert snap_compare(demo_app([]), terminal_size=SIZE, run_before=_driver())


def test_artists_screen(snap_compare, browse_dir):
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=_driver())


def test_artists_search(snap_compare, browse_dir):
    driver = _driver("slash", *"beyon", "enter", "enter")
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=driver)


def test_contexts_screen(snap_compare, browse_dir):
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=_driver("3"))


def test_trends_screen(snap_compare, browse_dir):
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=_driver("4"))


def test_recommend_screen(snap_compare, browse_dir):
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=_driver("5"))


def test_export_modal(snap_compare, browse_dir):
    driver = _driver("e", path="musicrec-recommendations.json")
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=driver)


def test_settings_screen(snap_compare, browse_dir):
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=_driver("6"))


def test_help_screen(snap_compare, browse_dir):
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=_driver("question_mark"))


def test_artists_at_80x24(snap_compare, browse_dir):
    assert snap_compare(demo_app(), terminal_size=(80, 24), run_before=_driver())
