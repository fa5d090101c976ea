"""The import cache: round trip, keys, corruption, atomic writes."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

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
    assert [p.name for p in imports_dir().glob("*.arrow")] and not list(
        imports_dir().glob("*.tmp"))


def test_a_missing_path_of_one_run_is_not_replayed_by_the_next(tmp_path):
    """Path problems belong to the paths asked for, not to the files in the cache."""
    folder = _export(tmp_path)
    first = load_history([folder, tmp_path / "bogus"])
    assert [f.error for f in first.report.bad_files] == ["no such file or folder"]
    wait()
    again = load_history([folder])
    assert again.report.from_cache and again.report.bad_files == []
    other = load_history([folder, tmp_path / "gone"])
    assert other.report.from_cache
    assert [Path(f.path).name for f in other.report.bad_files] == ["gone"]


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
    before = sorted(p.name for p in imports_dir().glob("*.arrow"))
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert not load_history([path]).report.from_cache
    wait()
    assert sorted(p.name for p in imports_dir().glob("*.arrow")) == before
    assert load_history([path]).report.from_cache


def test_corrupt_cache_is_ignored_and_rebuilt(tmp_path):
    folder = _export(tmp_path)
    load_history([folder])
    wait()
    (cached,) = imports_dir().glob("*.arrow")
    cached.write_bytes(b"garbage")
    again = load_history([folder])
    assert not again.report.from_cache and again.report.kept == 9
    assert load_history([folder]).report.from_cache
    (imports_dir() / "index.json").write_text("{not json", encoding="utf-8")
    assert load_history([folder]).report.kept == 9


def test_no_cache_flag_and_setting(tmp_path):
    folder = _export(tmp_path)
    load_history([folder], use_cache=False)
    assert not list(imports_dir().glob("*.arrow"))
    settings = load_settings({"import": {"use_cache": False}})
    load_history([folder], settings=settings)
    assert not list(imports_dir().glob("*.arrow"))


def test_cache_holds_no_private_fields(tmp_path):
    folder = tmp_path / "export"
    write_json(folder / "endsong_0.json", basic_extended("A"))
    load_history([folder])
    wait()
    (cached,) = imports_dir().glob("*.arrow")
    blob = cached.read_bytes()
    for secret in (b"someone", b"203.0.113.9"):
        assert secret not in blob
    index = json.loads((imports_dir() / "index.json").read_text(encoding="utf-8"))
    assert all(len(v) == 3 for v in index.values())


def _flip(path, needle: bytes) -> None:
    """Change one byte inside ``needle`` where it sits in the file (a column page)."""
    blob = bytearray(path.read_bytes())
    at = blob.index(needle) + 1
    blob[at] ^= 0x01
    path.write_bytes(bytes(blob))


def test_a_flipped_byte_in_a_column_page_is_never_served(tmp_path):
    folder = _export(tmp_path)
    cold = load_history([folder])
    wait()
    (cached,) = imports_dir().glob("*.arrow")
    _flip(cached, b"Northbound")  # the artist column's dictionary page
    again = load_history([folder])
    assert not again.report.from_cache
    assert set(again.plays["artist"]) == set(cold.plays["artist"])
    assert again.report.notes == [
        "the import cache of these files was damaged (its checksum does not match): they "
        "were read again and the cache rebuilt"]
    wait()
    warm = load_history([folder])
    assert warm.report.from_cache and warm.report.notes == []
    pd.testing.assert_frame_equal(warm.plays, cold.plays)


def test_only_the_newest_damaged_file_is_kept(tmp_path, monkeypatch):
    folder = _export(tmp_path)
    for second in (1_000, 2_000, 3_000):
        load_history([folder])
        wait()
        (cached,) = imports_dir().glob("*.arrow")
        cached.write_bytes(b"garbage")
        monkeypatch.setattr(time, "time", lambda second=second: float(second))
        assert "damaged" in load_history([folder]).report.notes[0]
    aside = [p.name for p in imports_dir().glob("*.corrupt-*")]
    assert aside == [f"{cached.name}.corrupt-3000"]


def test_files_about_the_user_are_owner_only(tmp_path):
    folder = _export(tmp_path)
    old = os.umask(0o022)
    try:
        load_history([folder])
        wait()
    finally:
        os.umask(old)
    assert imports_dir().stat().st_mode & 0o777 == 0o700
    written = list(imports_dir().iterdir())
    assert {p.name for p in written} >= {"index.json"} and len(written) == 2
    assert {p.name: p.stat().st_mode & 0o777 for p in written} == dict.fromkeys(
        (p.name for p in written), 0o600)


def test_an_existing_loose_cache_folder_is_narrowed(tmp_path):
    imports_dir().mkdir(parents=True)
    imports_dir().chmod(0o755)
    load_history([_export(tmp_path)])
    wait()
    assert imports_dir().stat().st_mode & 0o777 == 0o700


def test_cache_files_of_the_parquet_format_are_removed(tmp_path):
    imports_dir().mkdir(parents=True)
    (imports_dir() / "0123abcd.parquet").write_bytes(b"PAR1 an older cache PAR1")
    load_history([_export(tmp_path)])
    wait()
    assert not list(imports_dir().glob("*.parquet")) and list(imports_dir().glob("*.arrow"))
