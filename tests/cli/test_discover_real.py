"""`musicrec recommend --list discover` on the shared Extended export against the local fake
Last.fm (skipped when ../shared is absent): every item carries its three views, most more than
one, the moment (`--at`) changes the list, and the library never appears."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from musicrec_tui.cli import main
from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.similarity.names import normalise_name
from tests.core.test_context_labels import holds
from tests.fake_service import serving_in_thread
from tests.lastfm_fake import API_KEY, RING, FakeLastfm, ring_payload

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
EXTENDED = DATA / "spotify_extended_2021-2025.zip"
pytestmark = pytest.mark.skipif(not EXTENDED.is_file(), reason="no shared sample data")

WEEKDAY_EVENING = "2025-12-03 20:00"  # a Wednesday
WEEKEND_MORNING = "2025-12-06 10:00"  # a Saturday


def test_discover_on_the_extended_export(capsys, monkeypatch):
    library = load_history([EXTENDED], use_cache=False).plays["artist"].cat.categories
    # The fake's made-up artists, with one in eight of the library's own artists among them
    # (spelled in capitals): the list must leave those out.
    ring = [name.upper() if i % 8 == 0 else RING[i % len(RING)]
            for i, name in enumerate(library[:len(RING)])]
    fake = FakeLastfm(similar=lambda artist, limit: ring_payload(artist, limit, ring))
    with serving_in_thread(fake.app()) as root:
        monkeypatch.setenv("MUSICREC_LASTFM_BASE_URL", root + "2.0/")
        monkeypatch.setenv("MUSICREC_LASTFM_RATE_PER_SECOND", "1000")
        monkeypatch.setenv("LASTFM_API_KEY", API_KEY)
        runs = {}
        for at in (WEEKDAY_EVENING, WEEKEND_MORNING):
            code = main(["recommend", str(EXTENDED), "--list", "discover", "--provider",
                         "lastfm", "--json", "--at", at])
            out, err = capsys.readouterr()
            assert code == 0, err
            runs[at] = json.loads(out)
    known = {normalise_name(str(a)) for a in library}
    for data in runs.values():
        items = data["recommendations"]
        assert len(items) == 20 and data["provider"] == "lastfm"
        assert all(set(r["engines"]) == {"content", "temporal", "context"} for r in items)
        several = [r for r in items if sum(1 for v in r["engines"].values() if v) > 1]
        assert len(several) > len(items) / 2
        assert not {normalise_name(r["artist"]) for r in items} & known
        assert data["seeds"]["content"] == 50 and data["seeds"]["context"] > 0
    evening, morning = (runs[at] for at in (WEEKDAY_EVENING, WEEKEND_MORNING))
    assert holds(evening["context"], WEEKDAY_EVENING) and holds(morning["context"], WEEKEND_MORNING)
    top = [[r["artist"] for r in data["recommendations"][:10]] for data in (evening, morning)]
    assert top[0] != top[1]
    # The second moment asked only what the first had not (the cache answered the rest).
    assert morning["origins"].get("cache", 0) >= 50
