"""Scrobbles of plays a Spotify export already holds are set aside (the Spotify row wins)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.settings import load_settings
from tests.helpers_import import LASTFM_HEADER, extended_record, lb_listen, write_json


def _uts(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp())


def _lastfm(rows: list[tuple[str, str, str]]) -> str:
    """Last.fm CSV (newest first, like the exports) of (start time, artist, track)."""
    lines = [f'"{_uts(when)}","x","{artist}","","Album","","{track}",""'
             for when, artist, track in sorted(rows, reverse=True)]
    return LASTFM_HEADER + "\n".join(lines) + "\n"


SPOTIFY = [  # Spotify's ts is the END of the play; start = ts − ms_played
    extended_record("2024-03-01T10:03:00Z", "The B‐52’s", "Roam", 180_000),   # 10:00:00
    extended_record("2024-03-01T10:07:00Z", "Radiohead", "Creep", 240_000),   # 10:03:00
    extended_record("2024-03-01T10:11:00Z", "Radiohead", "Creep", 240_000),   # 10:07:00
    extended_record("2024-03-01T12:00:00Z", "Northbound", "Glass", 200_000),  # 11:56:40
]
SCROBBLES = [
    ("2024-03-01T10:00:05", "The B-52's", "Roam"),      # same play, ASCII spelling
    ("2024-03-01T10:03:00", "radiohead", "creep"),      # same play, other case
    ("2024-03-01T10:07:02", "Radiohead", "Creep"),      # the repeat, its own play
    ("2024-03-01T12:00:30", "Northbound", "Glass"),     # stamped at the end, not the start
    ("2024-03-01T10:15:00", "Radiohead", "Creep"),      # a third Creep Spotify never had
    ("2024-03-01T11:56:40", "Northbound", "Other"),     # same time, other track
    ("2024-03-01T11:56:41", "Somebody", "Glass"),       # same time and title, other artist
    ("2024-03-01T09:00:00", "Northbound", "Glass"),     # same track an hour earlier
]


def _export(tmp_path):
    ext = write_json(tmp_path / "ext" / "Streaming_History_Audio_2024_0.json", SPOTIFY)
    csv = tmp_path / "scrobbles.csv"
    csv.write_text(_lastfm(SCROBBLES), encoding="utf-8")
    return ext, csv


def test_scrobbles_of_spotify_plays_are_set_aside(tmp_path):
    ext, csv = _export(tmp_path)
    history = load_history([ext, csv], use_cache=False)
    rep = history.report
    assert rep.set_aside == {"duplicate_scrobble": 4}
    assert rep.rows_read == 12 and rep.kept == 8
    plays = history.plays
    scrobbled = plays[plays["ms_played"].isna()]
    assert sorted(zip(scrobbled["artist"].astype(str), scrobbled["track"].astype(str),
                      scrobbled["ts"].dt.strftime("%H:%M:%S"), strict=True)) == [
        ("Northbound", "Glass", "09:00:00"), ("Northbound", "Other", "11:56:40"),
        ("Radiohead", "Creep", "10:15:00"), ("Somebody", "Glass", "11:56:41")]
    assert plays["ms_played"].notna().sum() == 4  # every Spotify row stays
    assert [f.kept for f in rep.files] == [4, 4]


def test_one_scrobble_per_spotify_play(tmp_path):
    ext = write_json(tmp_path / "endsong_0.json", SPOTIFY[:1])
    csv = tmp_path / "scrobbles.csv"
    csv.write_text(_lastfm([("2024-03-01T10:00:05", "The B‐52’s", "Roam"),
                            ("2024-03-01T10:00:50", "The B‐52’s", "Roam")]), encoding="utf-8")
    history = load_history([ext, csv], use_cache=False)
    assert history.report.set_aside == {"duplicate_scrobble": 1}
    assert history.plays["ts"].dt.strftime("%H:%M:%S").tolist() == ["10:00:50", "10:03:00"]


def test_tolerance_is_a_setting(tmp_path):
    ext, csv = _export(tmp_path)
    exact = load_settings({"import": {"scrobble_match_seconds": 0}})
    history = load_history([ext, csv], settings=exact, use_cache=False)
    assert history.report.set_aside == {"duplicate_scrobble": 1}  # only the 10:03:00 one
    wide = load_settings({"import": {"scrobble_match_seconds": 600}})
    history = load_history([ext, csv], settings=wide, use_cache=False)
    # 10:15 now reaches the 10:11 end of the second Creep, which its own scrobble (10:07:02,
    # nearer) already claimed; 09:00 stays out of reach.
    assert history.report.set_aside == {"duplicate_scrobble": 4}


def test_listenbrainz_and_account_data(tmp_path):
    account = write_json(tmp_path / "acc" / "StreamingHistory_music_0.json", [
        {"endTime": "2023-05-06 18:43", "artistName": "The Quiet Harbours",
         "trackName": "Paper Lanterns", "msPlayed": 214880}])  # started ≈ 18:39:25
    listens = tmp_path / "listens.json"
    listens.write_text(json.dumps([
        lb_listen(_uts("2023-05-06T18:39:30"), "The Quiet Harbours", "Paper Lanterns"),
        lb_listen(_uts("2023-05-06T18:50:00"), "The Quiet Harbours", "Paper Lanterns"),
    ]), encoding="utf-8")
    history = load_history([account, listens], use_cache=False)
    assert history.report.set_aside == {"duplicate_scrobble": 1}
    assert history.report.kept == 2


def test_scrobbles_alone_are_untouched(tmp_path):
    _, csv = _export(tmp_path)
    history = load_history([csv], use_cache=False)
    assert history.report.set_aside == {} and history.report.kept == len(SCROBBLES)


def test_line_separator_characters_inside_a_name_keep_the_row_whole(tmp_path):
    """Records end at newlines only: U+2028, U+0085 or a form feed in a name are text."""
    odd = ["Line\u2028Separator", "Next\x85Line", "Form\x0cFeed"]
    rows = "".join(f'"{1741986180 - 60 * i}","14 Mar 2025, 21:03","{name}","","Album","",'
                   f'"Track {i}",""\n' for i, name in enumerate(odd))
    rows += '1741986000,"14 Mar 2025, 21:00",Un\u2028quoted,,Album,,Track 3,\n'
    path = tmp_path / "scrobbles.csv"
    path.write_text(LASTFM_HEADER + rows, encoding="utf-8")
    history = load_history([path], use_cache=False)
    assert history.report.kept == 4 and history.report.bad_files == []
    assert sorted(history.plays["artist"].astype(str)) == sorted([*odd, "Un\u2028quoted"])


def test_a_broken_listen_after_a_name_with_a_line_separator_is_placed_exactly(tmp_path):
    good = json.dumps(lb_listen(1741986180, "Line\u2028Separator", "Song"),
                      ensure_ascii=False).encode() + b"\n"
    path = tmp_path / "listens.jsonl"
    path.write_bytes(good + b'{"listened_at": 2, x}\n')
    history = load_history([path, *_export(tmp_path)], use_cache=False)
    (bad,) = history.report.bad_files
    assert bad.error == f"not valid JSON: unexpected input (byte {len(good) + 19})"
