"""The artist snapshot: the cache the Artists screen paints from at launch, and the app's
loading state while the full history loads behind it."""

from __future__ import annotations

import math
import os

import pandas as pd
import pytest

import musicrec_tui.tui.loading as loading
from musicrec_tui.core.engines import snapshot as snapshots
from musicrec_tui.core.engines.snapshot import ArtistSnapshot
from musicrec_tui.core.errors import InputError
from musicrec_tui.core.settings import load_settings
from musicrec_tui.tui.screens.artists import ArtistsScreen
from musicrec_tui.tui.textual_patches import notifications
from musicrec_tui.tui.widgets.artist_table import ArtistTable
from musicrec_tui.tui.widgets.detail import ArtistDetail
from tests.helpers_tui import SIZE, Gate, demo_app, demo_root, settle, text_of


def _table() -> pd.DataFrame:
    ts = pd.to_datetime(["2024-01-02 23:30", "2023-05-06 10:00", None], utc=True)
    table = pd.DataFrame({
        "rank": [1, 2, 3], "score": [0.9, 0.5, 0.1], "plays": [10, 6, 1],
        "counted_plays": [9, 5, 0], "hours": [1.5, 0.25, 0.0], "e_total": [8.0, 4.0, 0.1],
        "e_avg": [0.8, 0.6, 0.1], "first": ts, "last": ts,
    }, index=pd.Index(["Beyoncé", "Sigur Rós", "Unknown"], name="artist"))
    return table


def _export(folder):
    folder.mkdir()
    (folder / "a.json").write_text("[]", encoding="utf-8")
    return folder


def test_round_trip(tmp_path):
    snap = ArtistSnapshot.from_table(_table(), "Europe/Berlin")
    key = snapshots.snapshot_key([str(_export(tmp_path / "x"))], load_settings(), None)
    snapshots.save(key, snap)
    back = snapshots.load(key)
    assert back is not None and back.same_as(snap)
    assert (snapshots.snapshots_dir() / f"{key}.msgpack").stat().st_mode & 0o077 == 0
    assert back.artists == ["Beyoncé", "Sigur Rós", "Unknown"]
    row = back.row(0)
    assert (row["rank"], row["counted_plays"], row["plays"]) == (1, 9, 10)
    assert row["first"].isoformat() == "2024-01-02T23:30:00+00:00"
    assert math.isnan(back.last[2]) and back.row(2)["last"] is None
    changed = ArtistSnapshot.from_table(_table().assign(score=[0.9, 0.5, 0.2]), "Europe/Berlin")
    assert not back.same_as(changed)
    assert not back.same_as(ArtistSnapshot.from_table(_table(), "UTC"))


def test_key_changes_with_the_files_and_settings(tmp_path):
    folder = _export(tmp_path / "export")
    settings = load_settings()
    key = snapshots.snapshot_key([str(folder)], settings, None)
    assert key == snapshots.snapshot_key([str(folder)], settings, None)
    snapshots.save(key, ArtistSnapshot.from_table(_table(), "UTC"))
    # A changed file, a new file, another setting or zone: another key, so nothing is found.
    (folder / "a.json").write_text("[ ]", encoding="utf-8")
    stale = snapshots.snapshot_key([str(folder)], settings, None)
    assert stale != key and snapshots.load(stale) is None
    (folder / "b.json").write_text("[]", encoding="utf-8")
    assert snapshots.snapshot_key([str(folder)], settings, None) not in (key, stale)
    other = load_settings({"import": {"min_play_seconds": 5}})
    assert snapshots.snapshot_key([str(folder)], other, None) != snapshots.snapshot_key(
        [str(folder)], settings, None)
    assert snapshots.snapshot_key([str(folder)], settings, "Asia/Tokyo") != \
        snapshots.snapshot_key([str(folder)], settings, None)
    assert snapshots.snapshot_key([str(tmp_path / "missing")], settings, None) is None


def test_a_damaged_snapshot_is_dropped_and_rebuilt(tmp_path):
    key = snapshots.snapshot_key([str(_export(tmp_path / "x"))], load_settings(), None)
    snapshots.save(key, ArtistSnapshot.from_table(_table(), "UTC"))
    path = snapshots.snapshots_dir() / f"{key}.msgpack"
    path.write_bytes(path.read_bytes()[:40])
    assert snapshots.load(key) is None
    assert not path.exists()
    snapshots.save(key, ArtistSnapshot.from_table(_table(), "UTC"))
    assert snapshots.load(key) is not None


def test_old_snapshots_are_pruned(tmp_path):
    snap = ArtistSnapshot.from_table(_table(), "UTC")
    for i in range(snapshots.KEEP + 3):
        snapshots.save(f"key{i}", snap)
        os.utime(snapshots.snapshots_dir() / f"key{i}.msgpack", ns=(i * 10**9, i * 10**9))
    snapshots.save("newest", snap)
    assert len(list(snapshots.snapshots_dir().glob("*.msgpack"))) == snapshots.KEEP
    assert snapshots.load("newest") is not None and snapshots.load("key0") is None


def _held_load(monkeypatch) -> Gate:
    """Make the load behind the snapshot wait at a gate until the test lets it through."""
    gate = Gate(monkeypatch)
    real = loading.load

    def held(*args, **kwargs):
        gate.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(loading, "load", held)
    return gate


async def _first_run() -> None:
    """A normal launch, which writes the snapshot."""
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.session.snapshot is not None


async def test_launch_paints_the_snapshot_then_loads_the_history(monkeypatch):
    await _first_run()
    app = demo_app()
    assert app.session.loading and app.session.history is None
    with _held_load(monkeypatch) as gate:
        async with app.run_test(size=SIZE) as pilot:
            # The search index comes first, from the names alone: it is posted before the load.
            await gate.reached()
            for _ in range(50):
                await pilot.pause()
                if app.session.search is not None:
                    break
            assert app.session.search is not None
            screen = app.screen
            assert isinstance(screen, ArtistsScreen), "the snapshot lands on Artists at once"
            table = screen.query_one("#artists-table", ArtistTable)
            assert table.row_count == len(app.session.snapshot) > 50
            first = table.rows[0]
            # The numbers are there; what needs the history says it is loading.
            detail = screen.query_one(ArtistDetail)
            assert first in str(detail.query_one("#detail-title").content)
            assert "Loading the history" in text_of(detail.query_one("#detail-spark-caption").content)
            assert "loading details" in str(screen.query_one("#artists-status").content)
            # Search works before the history is in.
            await pilot.press("slash", *"beyon")
            await pilot.pause()
            assert table.rows[0] == "Beyoncé"
            # Other screens wait with a message, not a crash.
            await pilot.press("escape", "3")
            await pilot.pause()
            assert "Loading the history" in str(app.screen.query_one("#contexts-status").content)
            await pilot.press("2")
            shown = app.session.snapshot
            gate.go()
            await settle(pilot)
            assert app.session.history is not None and not app.session.loading
            assert app.session.snapshot is shown, "an up-to-date snapshot stays on screen"
            assert table.rows[0] == "Beyoncé", "the search survives the load"
            await pilot.press("enter")  # into the hits, where the pane follows the cursor
            await settle(pilot)
            assert "Top tracks" in text_of(detail.query_one("#detail-tracks").content)


async def test_the_loading_note_goes_when_the_history_is_in(monkeypatch):
    await _first_run()
    app = demo_app()
    with _held_load(monkeypatch) as gate:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            status = app.screen.query_one("#artists-status")
            assert "loading details" in str(status.content)
            gate.go()
            await settle(pilot)
            assert app.session.history is not None
            assert "loading" not in str(status.content)


async def test_a_stale_snapshot_is_corrected():
    await _first_run()
    settings = load_settings()
    key = snapshots.snapshot_key([str(demo_root())], settings, None)
    good = snapshots.load(key)
    # Same key, wrong numbers (as after an importer change the stats cannot see).
    wrong = ArtistSnapshot(**{f: getattr(good, f) for f in good.__struct_fields__} | {
        "counted_plays": [p + 1000 for p in good.counted_plays]})
    snapshots.save(key, wrong)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.session.snapshot.same_as(good)
        top = app.session.snapshot.artists[0]
        assert app.screen._cells[top][2] == f"{good.counted_plays[0]:,}"
    assert snapshots.load(key).same_as(good), "the corrected snapshot is saved"


async def test_a_failed_load_behind_the_snapshot_is_a_notification(monkeypatch):
    await _first_run()

    def broken(*args, **kwargs):
        raise InputError("export", "gone")

    monkeypatch.setattr(loading, "load", broken)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running and app.session.history is None and not app.session.loading
        assert any(n.severity == "error" and "gone" in str(n.message)
                   for n in notifications(app))
        detail = app.screen.query_one(ArtistDetail)
        assert "Could not load" in text_of(detail.query_one("#detail-spark-caption").content)


def _poisoned(good: ArtistSnapshot, **changes) -> ArtistSnapshot:
    """``good`` with some columns replaced (a Struct does not check its values)."""
    return ArtistSnapshot(**{f: getattr(good, f) for f in good.__struct_fields__} | changes)


@pytest.mark.parametrize("changes", [
    {"score": [0.9, 0.5]},  # a column shorter than the names
    {"first": [1e300, 0.0, math.nan]},  # a date no datetime can hold
    {"last": [-1e20, 0.0, math.nan]},
    {"rank": [1, 0, 3]},
    {"plays": [10, -6, 1]},
    {"hours": [math.inf, 0.25, 0.0]},
    {"artists": ["Beyoncé", "Beyoncé", "Unknown"]},
    {"tz": "Nowhere/Special"},
])
def test_an_inconsistent_snapshot_is_dropped(tmp_path, changes):
    key = snapshots.snapshot_key([str(_export(tmp_path / "x"))], load_settings(), None)
    snapshots.save(key, _poisoned(ArtistSnapshot.from_table(_table(), "UTC"), **changes))
    assert snapshots.load(key) is None
    assert not (snapshots.snapshots_dir() / f"{key}.msgpack").exists()


def test_the_snapshot_folder_is_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        snapshots.save("k", ArtistSnapshot.from_table(_table(), "UTC"))
    finally:
        os.umask(old)
    assert snapshots.snapshots_dir().stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("changes", [
    lambda good: {"score": good.score[:-5]},
    lambda good: {"first": [1e300, *good.first[1:]]},
])
async def test_a_poisoned_snapshot_does_not_stop_the_launch(changes):
    """Launch after launch, an inconsistent snapshot crashed the app before it drew a row:
    it is dropped, the history loads, and a good snapshot replaces it."""
    await _first_run()
    key = snapshots.snapshot_key([str(demo_root())], load_settings(), None)
    good = snapshots.load(key)
    snapshots.save(key, _poisoned(good, **changes(good)))
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running and app.session.history is not None
        assert isinstance(app.screen, ArtistsScreen)
        assert app.screen.query_one("#artists-table", ArtistTable).row_count == len(good)
    assert snapshots.load(key).same_as(good), "a good snapshot is written in its place"
