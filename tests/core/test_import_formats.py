"""Every supported format, detected by content, from files, folders and zips."""

from __future__ import annotations

import json
import zipfile

import pandas as pd

from musicrec_tui.core.history.importer import load_history
from tests.helpers_import import (
    account_music,
    account_podcast,
    basic_extended,
    lastfm_csv,
    lastfm_headerless_csv,
    lb_listen,
    write_json,
)


def _load(*paths):
    return load_history(list(paths), use_cache=False)


def test_account_data_music_and_podcast(tmp_path):
    folder = tmp_path / "Spotify Account Data"
    write_json(folder / "StreamingHistory_music_0.json", account_music())
    write_json(folder / "StreamingHistory_podcast_0.json", account_podcast())
    write_json(folder / "Userdata.json", {"username": "someone", "email": "x@example.com"})
    history = _load(folder)
    rep = history.report
    assert rep.rows_read == 5
    assert rep.set_aside == {"podcast": 1, "no_artist": 1, "zero_length": 1}
    plays = history.plays
    assert len(plays) == 2
    # endTime is UTC with minute precision.
    assert plays["ts"].iloc[0] == pd.Timestamp("2023-05-06 18:43", tz="UTC")
    assert plays["album"].isna().all() and plays["track_uri"].isna().all()
    assert plays["reason_end"].isna().all() and plays["skipped"].isna().all()
    formats = {f.path.rsplit("/", 1)[-1]: f.format for f in rep.files}
    assert formats == {
        "StreamingHistory_music_0.json": "spotify-account",
        "StreamingHistory_podcast_0.json": "spotify-account-podcast",
        "Userdata.json": "skipped: not listening history",
    }


def test_simple_schema_with_text_and_epoch_times(tmp_path):
    path = write_json(tmp_path / "mine.json", [
        {"ts": "2024-01-02T03:04:05Z", "artist": "A", "track": "x", "album": "L",
         "ms_played": 100000},
        {"ts": 1704164645, "artist": "B", "track": "y", "album": None, "ms_played": None},
        {"ts": 1704164646000, "artist": "C", "track": "z"},
    ])
    history = _load(path)
    plays = history.plays.set_index("artist")
    assert history.report.files[0].format == "simple-json"
    assert plays.loc["A", "ts"] == pd.Timestamp("2024-01-02T03:04:05Z")
    assert plays.loc["B", "ts"] == pd.Timestamp(1704164645, unit="s", tz="UTC")
    assert plays.loc["C", "ts"] == pd.Timestamp(1704164646, unit="s", tz="UTC")
    assert pd.isna(plays.loc["B", "ms_played"])
    assert plays.loc["B", "engagement"] == 1.0


def test_lastfm_csv_with_header(tmp_path):
    path = tmp_path / "scrobbles.txt"  # the name does not matter: content decides
    path.write_text(lastfm_csv(), encoding="utf-8")
    history = _load(path)
    plays = history.plays
    assert history.report.files[0].format == "lastfm-csv"
    assert list(plays["artist"]) == ["The B‐52’s", "Tyler, The Creator", "The Quiet Harbours"]
    assert plays["ts"].iloc[-1] == pd.Timestamp(1741986180, unit="s", tz="UTC")
    assert plays["ms_played"].isna().all()
    assert plays["counted"].all()
    assert (plays["engagement"] == 1.0).all()


def test_lastfm_headerless_variant_skips_now_playing(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(lastfm_headerless_csv(), encoding="utf-8")
    history = _load(path)
    assert history.report.rows_read == 3
    assert history.report.set_aside == {"malformed": 1}
    assert history.plays["ts"].iloc[-1] == pd.Timestamp("2025-03-14 21:03", tz="UTC")
    assert set(history.plays["album"]) == {"Low Tide Songs", "Weathervane"}


def test_listenbrainz_legacy_array(tmp_path):
    path = write_json(tmp_path / "export_lb-2024-07-01.json", [
        lb_listen(1741986180, "The Quiet Harbours", "Paper Lanterns", duration_played=200),
        lb_listen(1741986500, "Northbound Lights", "Glass Orchard", msid_top=False),
    ])
    history = _load(path)
    plays = history.plays
    assert history.report.files[0].format == "listenbrainz"
    assert len(plays) == 2
    assert plays["ms_played"].iloc[0] == 200_000
    assert pd.isna(plays["ms_played"].iloc[1])
    assert plays["track_uri"].iloc[0] == "spotify:track:4aBcDeFgHiJkLmNoPqRsTu"
    assert "someone" not in plays.astype(str).to_csv()


def test_listenbrainz_zip_of_monthly_jsonl(tmp_path):
    path = tmp_path / "listenbrainz_someone_1741986180.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("user.json", json.dumps({"user_id": 1, "username": "someone"}))
        zf.writestr("feedback.jsonl", json.dumps({"recording_msid": "x", "score": 1}) + "\n")
        zf.writestr("listens/2021/4.jsonl", "\n".join(json.dumps(rec) for rec in [
            lb_listen(1618500000.0, "A", "one", msid_top=False),
            lb_listen(1618500300.25, "B", "two"),
        ]) + "\n")
        zf.writestr("listens/2021/5.jsonl", json.dumps(lb_listen(1620000000, "A", "one")))
    history = _load(path)
    rep = history.report
    assert rep.kept == 3
    assert history.plays["ts"].iloc[1] == pd.Timestamp(1618500300.25, unit="s", tz="UTC")
    skipped = {f.member for f in rep.files if f.format == "skipped: not listening history"}
    assert skipped == {"user.json", "feedback.jsonl"}
    assert not rep.bad_files


def test_extended_zip_as_downloaded(tmp_path):
    path = tmp_path / "my_spotify_data.zip"
    folder = "Spotify Extended Streaming History/"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(folder + "ReadMeFirst_ExtendedStreamingHistory.pdf", b"%PDF-1.4 binary")
        zf.writestr(folder + "Streaming_History_Audio_2024.json", json.dumps(basic_extended()))
    history = _load(path)
    assert history.report.kept == 6
    assert [f.member for f in history.report.files] == [
        folder + "Streaming_History_Audio_2024.json"]
    assert history.plays["source"].iloc[0] == (
        "my_spotify_data.zip/" + folder + "Streaming_History_Audio_2024.json")


def test_mixed_exports_in_one_call(tmp_path):
    ext = write_json(tmp_path / "endsong_0.json", basic_extended("A"))
    csv_path = tmp_path / "scrobbles.csv"
    csv_path.write_text(lastfm_csv(), encoding="utf-8")
    history = _load(ext, csv_path)
    assert history.report.kept == 9
    assert history.plays["ts"].is_monotonic_increasing
    assert history.plays["source"].cat.categories.tolist() == ["endsong_0.json", "scrobbles.csv"]
    assert history.report.artists == 5  # The B‐52’s are in both


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "endsong_0.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(basic_extended()).encode())
    csv_path = tmp_path / "scrobbles.csv"
    csv_path.write_bytes(b"\xef\xbb\xbf" + lastfm_csv().encode())
    assert _load(path, csv_path).report.kept == 9


def test_progress_counts_bytes_and_cancel_stops(tmp_path):
    import threading

    import pytest

    from musicrec_tui.core.errors import Cancelled

    for i in range(3):
        write_json(tmp_path / "x" / f"endsong_{i}.json", basic_extended())
    calls = []
    load_history([tmp_path / "x"], use_cache=False, progress=lambda d, t: calls.append((d, t)))
    total = sum(p.stat().st_size for p in (tmp_path / "x").iterdir())
    assert calls[-1] == (total, total) and len(calls) == 3
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        load_history([tmp_path / "x"], use_cache=False, cancel=stop)


def test_other_iso_timestamp_shapes(tmp_path):
    recs = basic_extended()[:3]
    recs[0]["ts"] = "2024-03-01T10:03:00.250Z"
    recs[1]["ts"] = "2024-03-01T11:06:00+01:00"
    recs[2]["ts"] = "2024-03-01T10:06:10"
    history = _load(write_json(tmp_path / "endsong_0.json", recs))
    assert list(history.plays["ts"]) == [
        pd.Timestamp("2024-03-01T10:03:00.250Z"), pd.Timestamp("2024-03-01T10:06:00Z"),
        pd.Timestamp("2024-03-01T10:06:10Z")]


def test_fractional_seconds_in_every_row(tmp_path):
    recs = basic_extended()
    for rec in recs:
        rec["ts"] = rec["ts"].replace("Z", ".500Z")
    history = _load(write_json(tmp_path / "endsong_0.json", recs))
    assert history.report.kept == 6
    assert history.plays["ts"].iloc[0] == pd.Timestamp("2024-03-01T10:03:00.5Z")
