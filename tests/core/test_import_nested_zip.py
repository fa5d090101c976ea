"""Zips inside zips (Spotify's download sometimes wraps the history zip in another zip)."""

from __future__ import annotations

import io
import json
import random
import zipfile

import pandas as pd
import pytest

from musicrec_tui.core.errors import InputError
from musicrec_tui.core.history import importer
from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.history.sources import MAX_NESTING, Source
from musicrec_tui.core.settings import load_settings
from tests.helpers_import import basic_extended, extended_record

INNER = "MyData/Spotify Extended Streaming History.zip"
FOLDER = "Spotify Extended Streaming History"


def _zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _history_members(files: int = 1) -> dict[str, bytes | str]:
    members: dict[str, bytes | str] = {f"{FOLDER}/ReadMeFirst_ExtendedStreamingHistory.pdf":
                                       b"%PDF-1.4 not data"}
    for i in range(files):
        recs = [dict(r, ts=r["ts"].replace("2024-03", f"2024-{i + 1:02d}"))
                for r in basic_extended()]
        members[f"{FOLDER}/Streaming_History_Audio_2024_{i}.json"] = json.dumps(recs)
    members[f"{FOLDER}/Streaming_History_Video_2024.json"] = json.dumps(
        [extended_record("2024-03-01T09:00:00Z", None, None, 5000)])
    return members


def _outer(tmp_path, inner: bytes, name: str = "my_spotify_data.zip"):
    path = tmp_path / name
    path.write_bytes(_zip_bytes({"MyData/ReadMe.txt": "hello", INNER: inner}))
    return path


def test_nested_history_zip_loads_in_place(tmp_path):
    outer = _outer(tmp_path, _zip_bytes(_history_members()))
    before = sorted(p.name for p in tmp_path.iterdir())
    history = load_history([outer], use_cache=False)
    assert history.report.kept == 6 and not history.report.bad_files
    assert history.report.set_aside == {"video": 1}
    members = {f.member for f in history.report.files}
    assert f"{INNER} → {FOLDER}/Streaming_History_Audio_2024_0.json" in members
    assert set(history.plays["source"].astype(str)) == {
        f"my_spotify_data.zip/{INNER}/{FOLDER}/Streaming_History_Audio_2024_0.json"}
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing extracted


def test_nested_zip_equals_the_plain_zip_and_the_cache_round_trips(tmp_path):
    inner = _zip_bytes(_history_members(3))
    plain = tmp_path / "plain.zip"
    plain.write_bytes(inner)
    nested = load_history([_outer(tmp_path, inner)])
    flat = load_history([plain], use_cache=False)
    cols = [c for c in flat.plays.columns if c != "source"]
    pd.testing.assert_frame_equal(nested.plays[cols], flat.plays[cols])
    assert load_history([_outer(tmp_path, inner)]).report.from_cache is False  # rewritten
    assert load_history([tmp_path / "my_spotify_data.zip"]).report.from_cache


def test_parallel_workers_read_nested_members(tmp_path, monkeypatch):
    outer = _outer(tmp_path, _zip_bytes(_history_members(4)))
    serial = load_history([outer], use_cache=False)
    monkeypatch.setattr(importer, "_start_method", lambda sources: "fork")
    parallel = load_history([outer], use_cache=False)
    pd.testing.assert_frame_equal(serial.plays, parallel.plays)
    assert parallel.report.kept == 24


def test_bad_member_inside_nested_zip_names_outer_inner_and_member(tmp_path):
    members = _history_members()
    members[f"{FOLDER}/Streaming_History_Audio_2024_9.json"] = '[{"ts": "2024'
    outer = _outer(tmp_path, _zip_bytes(members))
    history = load_history([outer], use_cache=False)
    (bad,) = history.report.bad_files
    assert bad.name == f"{outer} → {INNER} → {FOLDER}/Streaming_History_Audio_2024_9.json"
    assert "truncated JSON" in bad.error
    assert history.report.kept == 6
    only_bad = _outer(tmp_path, _zip_bytes({"x/endsong_0.json": "[{\"ts\": 1"}), "bad.zip")
    with pytest.raises(InputError) as info:
        load_history([only_bad], use_cache=False)
    assert f"bad.zip → {INNER} → x/endsong_0.json" in str(info.value)
    assert "\n" not in str(info.value)


def test_corrupt_inner_zip_is_reported(tmp_path):
    outer = tmp_path / "outer.zip"
    outer.write_bytes(_zip_bytes({"inner.zip": b"PK\x03\x04 not really a zip",
                                  "endsong_0.json": json.dumps(basic_extended())}))
    history = load_history([outer], use_cache=False)
    (bad,) = history.report.bad_files
    assert bad.member == "inner.zip" and "not a readable zip" in bad.error
    assert history.report.kept == 6


def test_nested_zip_bomb_limits(tmp_path):
    settings = load_settings({"import": {"max_member_mib": 1}})
    big = b"[" + b" " * (2 << 20) + b"]"
    # A member of the inner zip declaring more than the limit.
    inner = _zip_bytes({"a/Streaming_History_Audio_2024.json": big,
                        "a/endsong_0.json": json.dumps(basic_extended())})
    history = load_history([_outer(tmp_path, inner)], settings=settings, use_cache=False)
    (bad,) = history.report.bad_files
    assert bad.member == f"{INNER} → a/Streaming_History_Audio_2024.json"
    assert "declares more than 1 MiB" in bad.error and history.report.kept == 6
    # An inner zip that itself unpacks to more than the limit is not opened at all.
    noise = random.Random(0).randbytes(3 << 19)  # incompressible: the inner zip is 1.5 MiB
    huge_inner = _zip_bytes({"a/endsong_0.json": json.dumps(basic_extended()), "a/pad.bin":
                             noise})
    outer = _outer(tmp_path, huge_inner, "huge.zip")
    with pytest.raises(InputError) as info:
        load_history([outer], settings=settings, use_cache=False)
    assert f"huge.zip → {INNER}" in str(info.value) and "zip-bomb guard" in str(info.value)


def test_nested_member_counted_while_reading(tmp_path):
    """A forged small declared size inside the inner zip is caught by counting bytes."""
    outer = _outer(tmp_path, _zip_bytes({"a.json": b"[" + b" " * 50_000 + b"]"}))
    src = Source(str(outer), "a.json", "x", 10, True, (INNER,))
    with pytest.raises(InputError, match="unpacks to more than") as info:
        src.read(limit=30_000)
    assert info.value.member == f"{INNER} → a.json"


def test_nesting_depth_is_bounded(tmp_path):
    data = _zip_bytes({"endsong_0.json": json.dumps(basic_extended())})
    for level in range(MAX_NESTING + 1):
        data = _zip_bytes({f"level{level}.zip": data})
    outer = tmp_path / "deep.zip"
    outer.write_bytes(data)
    with pytest.raises(InputError, match=f"nested more than {MAX_NESTING} deep"):
        load_history([outer], use_cache=False)
    shallow = tmp_path / "shallow.zip"
    shallow.write_bytes(_zip_bytes({"l1.zip": _zip_bytes({"l2.zip": _zip_bytes(
        {"endsong_0.json": json.dumps(basic_extended())})})}))
    assert load_history([shallow], use_cache=False).report.kept == 6
