"""Exact duplicates, Account Data vs Extended overlap, private sessions."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.settings import load_settings
from tests.helpers_import import (
    account_music,
    basic_extended,
    extended_record,
    lastfm_csv,
    lb_listen,
    write_json,
)


def test_duplicates_inside_a_file_are_dropped_once(tmp_path):
    recs = basic_extended()
    path = write_json(tmp_path / "endsong_0.json", [*recs, recs[0], recs[3], recs[3]])
    history = load_history([path], use_cache=False)
    assert history.report.set_aside == {"duplicate": 3}
    assert history.report.kept == 6
    assert history.report.files[0].kept == 6


def test_same_export_twice_folder_and_zip(tmp_path):
    folder = tmp_path / "MyData"
    write_json(folder / "endsong_0.json", basic_extended())
    zipped = tmp_path / "my_spotify_data.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("MyData/endsong_0.json", json.dumps(basic_extended()))
    history = load_history([folder, zipped], use_cache=False)
    assert history.report.kept == 6
    assert history.report.set_aside == {"duplicate": 6}
    assert [f.kept for f in history.report.files] == [6, 0]


def test_same_second_different_plays_are_not_duplicates(tmp_path):
    recs = [extended_record("2024-03-01T10:00:00Z", "A", "x", 1000, reason_end="fwdbtn"),
            extended_record("2024-03-01T10:00:00Z", "A", "y", 1000, reason_end="fwdbtn"),
            extended_record("2024-03-01T10:00:00Z", "A", "x", 2000, reason_end="fwdbtn")]
    path = write_json(tmp_path / "endsong_0.json", recs)
    assert load_history([path], use_cache=False).report.kept == 3


def test_extended_wins_where_account_data_overlaps(tmp_path):
    ext = [extended_record("2023-05-06T18:43:10Z", "The Quiet Harbours", "Paper Lanterns",
                           214880),
           extended_record("2023-05-06T19:30:00Z", "Northbound Lights", "Glass Orchard",
                           100000)]
    ext_path = write_json(tmp_path / "ext" / "Streaming_History_Audio_2023.json", ext)
    account = [*account_music(),
               {"endTime": "2023-05-06 20:00", "artistName": "Later Band", "trackName": "t",
                "msPlayed": 60000},
               {"endTime": "2023-05-06 18:00", "artistName": "Earlier Band", "trackName": "t",
                "msPlayed": 60000}]
    acc_path = write_json(tmp_path / "acc" / "StreamingHistory_music_0.json", account)
    history = load_history([acc_path, ext_path], use_cache=False)
    # 18:43 and 18:44 fall inside the Extended span (18:43 → 19:30); the rest stay.
    assert history.report.set_aside == {"overlap": 2, "no_artist": 1, "zero_length": 1}
    assert set(history.plays["artist"]) == {"The Quiet Harbours", "Northbound Lights",
                                            "Later Band", "Earlier Band"}
    assert history.report.kept == 4


def test_the_overlap_rule_is_for_account_data_only(tmp_path):
    """Extended wins over Account Data inside its span; scrobbles (Last.fm, ListenBrainz)
    and simple JSON in that span are other listening and all stay, each source's rows
    counted (the rule applied to every lower-priority source set them all aside)."""
    ext = [extended_record("2025-03-14T20:00:00Z", "The Quiet Harbours", "Paper Lanterns",
                           214880),
           extended_record("2025-03-14T22:00:00Z", "Northbound Lights", "Glass Orchard",
                           100000)]
    write_json(tmp_path / "ext" / "Streaming_History_Audio_2025.json", ext)
    write_json(tmp_path / "acc" / "StreamingHistory_music_0.json", [
        {"endTime": "2025-03-14 21:00", "artistName": "Inside Band", "trackName": "t",
         "msPlayed": 60000},
        {"endTime": "2025-03-15 09:00", "artistName": "After Band", "trackName": "t",
         "msPlayed": 60000}])
    (tmp_path / "scrobbles.csv").write_text(lastfm_csv(), encoding="utf-8")  # 20:55-21:03
    write_json(tmp_path / "listens.json", [lb_listen(1741986000, "Other Band", "Other Song")])
    write_json(tmp_path / "simple.json", [
        {"ts": "2025-03-14T21:30:00Z", "artist": "Simple Band", "track": "s",
         "ms_played": 90000}])
    history = load_history([tmp_path], use_cache=False)
    assert history.report.set_aside == {"overlap": 1}
    kept = {Path(f.path).name: f.kept for f in history.report.files}
    assert kept == {"Streaming_History_Audio_2025.json": 2, "StreamingHistory_music_0.json": 1,
                    "listens.json": 1, "scrobbles.csv": 3, "simple.json": 1}
    assert "Inside Band" not in set(history.plays["artist"])


def test_incognito_plays_dropped_only_when_asked(tmp_path):
    recs = [*basic_extended(),
            extended_record("2024-03-05T10:00:00Z", "Secret", "s", 200000, incognito=True)]
    path = write_json(tmp_path / "endsong_0.json", recs)
    assert load_history([path], use_cache=False).report.kept == 7
    settings = load_settings({"import": {"drop_incognito": True}})
    history = load_history([path], settings=settings, use_cache=False)
    assert history.report.kept == 6
    assert history.report.set_aside == {"incognito": 1}
    assert "Secret" not in set(history.plays["artist"])


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_parallel_workers_give_the_same_table(tmp_path, monkeypatch, method):
    """Worker processes with their own string dictionaries merge into the serial result."""
    import pandas as pd

    from musicrec_tui.core.history import importer

    folder = tmp_path / "export"
    recs = basic_extended()
    for i in range(5):
        part = [dict(r, ts=r["ts"].replace("2024-03", f"2024-0{i + 4}")) for r in recs]
        part.append(extended_record(f"2024-0{i + 4}-09T10:00:00Z", f"Only in {i}", "t", 90000))
        write_json(folder / f"endsong_{i}.json", part)
    (folder / "bad.json").write_text("[{", encoding="utf-8")
    serial = load_history([folder], use_cache=False)
    monkeypatch.setattr(importer, "_start_method", lambda sources: method)
    parallel = load_history([folder], use_cache=False)
    pd.testing.assert_frame_equal(serial.plays, parallel.plays)
    assert serial.report.to_dict() == parallel.report.to_dict()
    assert len(parallel.plays) == 35


def test_tracks_count_distinct_artist_and_track_pairs(tmp_path):
    """An "Intro" by two artists is two tracks; a row without a track name is none."""
    recs = [extended_record(f"2024-03-01T10:0{i}:00Z", artist, track, 60000)
            for i, (artist, track) in enumerate([("A", "Intro"), ("B", "Intro"), ("A", "Intro"),
                                                 ("B", "Outro"), ("C", "Intro"), ("C", None)])]
    path = write_json(tmp_path / "endsong_0.json", recs)
    report = load_history([path], use_cache=False).report
    assert report.kept == 6
    assert report.tracks == 4  # (A, Intro), (B, Intro), (B, Outro), (C, Intro)
    assert report.artists == 3
