"""The Parquet import cache: round trip, keys, corruption, atomic writes."""

from __future__ import annotations

import json
import os

import pandas as pd

from musicrec_tui.core.background import wait
from musicrec_tui.core.history.cache import imports_dir
from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.settings import load_settings
from tests.helpers_import import basic_extended, lastfm_csv, write_json


def _export(tmp_path):
    folder = tmp_path / "export"
    write_json(folder / "endsong_0.json", basic_extended())
    (folder / "scrobbles.csv").write_text(lastfm_csv(), encoding="utf-8")
    return folder


def test_round_trip_is_identical(tmp_path):
    folder = _export(tmp_path)
    cold = load_history([folder])
    warm = load_history([folder])
    assert not cold.report.from_cache and warm.report.from_cache
    pd.testing.assert_frame_equal(cold.plays, warm.plays)
    cold_report = cold.report.to_dict() | {"from_cache": True}
    assert warm.report.to_dict() == cold_report
    assert warm.tz == cold.tz
    wait()
    assert [p.name for p in imports_dir().glob("*.parquet")] and not list(
        imports_dir().glob("*.tmp"))


def test_key_follows_bytes_and_settings(tmp_path):
    folder = _export(tmp_path)
    load_history([folder])
    assert load_history([folder]).report.from_cache
    assert not load_history([folder], tz="Asia/Tokyo").report.from_cache
    settings = load_settings({"import": {"session_gap_minutes": 5}})
    assert not load_history([folder], settings=settings).report.from_cache
    # Changed bytes (same size, so only the content hash can tell) mean a fresh parse.
    path = folder / "endsong_0.json"
    text = path.read_text(encoding="utf-8").replace("Roam", "Raom")
    path.write_text(text, encoding="utf-8")
    fresh = load_history([folder])
    assert not fresh.report.from_cache
    assert "Raom" in set(fresh.plays["track"])


def test_key_is_the_content_not_the_timestamp(tmp_path):
    """A touched file is re-read (its stamp changed), but its bytes give the same key."""
    path = write_json(tmp_path / "endsong_0.json", basic_extended())
    load_history([path])
    wait()
    before = sorted(p.name for p in imports_dir().glob("*.parquet"))
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert not load_history([path]).report.from_cache
    wait()
    assert sorted(p.name for p in imports_dir().glob("*.parquet")) == before
    assert load_history([path]).report.from_cache


def test_corrupt_cache_is_ignored_and_rebuilt(tmp_path):
    folder = _export(tmp_path)
    load_history([folder])
    wait()
    (cached,) = imports_dir().glob("*.parquet")
    cached.write_bytes(b"garbage")
    again = load_history([folder])
    assert not again.report.from_cache and again.report.kept == 9
    assert load_history([folder]).report.from_cache
    (imports_dir() / "index.json").write_text("{not json", encoding="utf-8")
    assert load_history([folder]).report.kept == 9


def test_no_cache_flag_and_setting(tmp_path):
    folder = _export(tmp_path)
    load_history([folder], use_cache=False)
    assert not list(imports_dir().glob("*.parquet"))
    settings = load_settings({"import": {"use_cache": False}})
    load_history([folder], settings=settings)
    assert not list(imports_dir().glob("*.parquet"))


def test_cache_holds_no_private_fields(tmp_path):
    folder = tmp_path / "export"
    write_json(folder / "endsong_0.json", basic_extended("A"))
    load_history([folder])
    wait()
    (cached,) = imports_dir().glob("*.parquet")
    blob = cached.read_bytes()
    for secret in (b"someone", b"203.0.113.9"):
        assert secret not in blob
    index = json.loads((imports_dir() / "index.json").read_text(encoding="utf-8"))
    assert all(len(v) == 3 for v in index.values())
