"""At launch the snapshot key (a stat of every input file) is computed once: the launch's
own import reuses the key make_app computed, whether it paints from a snapshot or not."""

from __future__ import annotations

from musicrec_tui.core.engines import snapshot as snapshots
from musicrec_tui.core.settings import load_settings
from tests.helpers_tui import SIZE, demo_app, demo_root, settle


def _count_walks(monkeypatch) -> list[str]:
    walked: list[str] = []
    real = snapshots._file_stats

    def counted(path):
        walked.append(str(path))
        return real(path)

    monkeypatch.setattr(snapshots, "_file_stats", counted)
    return walked


async def test_the_launch_walks_the_files_once(monkeypatch):
    walked = _count_walks(monkeypatch)
    root = str(demo_root())
    # First launch: no snapshot yet, so the Load screen imports and writes one.
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.session.history is not None
    assert walked == [root]
    key = snapshots.snapshot_key([root], load_settings(), None)
    assert snapshots.load(key) is not None, "the snapshot is saved under the launch's key"

    # Second launch: painted from the snapshot, the history loads behind it.
    walked.clear()
    app = demo_app()
    assert app.session.snapshot is not None
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.session.history is not None and not app.session.loading
        assert walked == [root]
        # A later import of the same files keys them afresh (they may have changed).
        app.switch_mode("load")
        await pilot.pause()
        app.screen.start_import([root])
        await settle(pilot)
    assert walked == [root, root]
