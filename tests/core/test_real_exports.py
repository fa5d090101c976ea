"""The public sample exports in ../shared/data (skipped when that folder is absent).

Expected counts come from the data README: the Extended zip holds 22,677 audio + 25 video
rows, the Account Data folder 24,502 music + 112 podcast rows, the Last.fm CSV 11,622 rows.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from musicrec_tui.core.history.importer import load_history

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="no shared sample data")


def _check_report(history) -> None:
    rep = history.report
    assert not rep.bad_files
    assert rep.kept == len(history.plays)
    assert rep.rows_read == rep.kept + sum(rep.set_aside.values())
    assert rep.counted == int(history.plays["counted"].sum())
    assert history.plays["ts"].is_monotonic_increasing


def test_extended_zip():
    path = DATA / "spotify_extended_2021-2025.zip"
    history = load_history([path], use_cache=False)
    rep = history.report
    _check_report(history)
    assert rep.rows_read == 22_677 + 25
    assert rep.set_aside["video"] == 25
    # Count what the files hold, independently of the importer.
    with zipfile.ZipFile(path) as zf:
        rows = [r for n in zf.namelist() if "Audio" in n for r in json.loads(zf.read(n))]
    zero = sum(r["ms_played"] == 0 for r in rows)
    unique = {json.dumps(r, sort_keys=True) for r in rows if r["ms_played"] != 0}
    assert rep.set_aside["zero_length"] == zero
    assert rep.kept == len(unique)
    assert rep.first.year == 2021 and rep.last.year == 2025
    plays = history.plays
    assert plays["skipped"].notna().all()
    assert "Don’t Blame Me" in set(plays["track"])  # curly apostrophes survive
    assert "攬佬SKAI ISYOURGOD" in set(plays["artist"])  # and CJK


def test_account_data_folder():
    folder = DATA / "spotify_account_2023-2024"
    history = load_history([folder], use_cache=False)
    rep = history.report
    _check_report(history)
    assert rep.rows_read == 24_502 + 112
    assert rep.set_aside["podcast"] == 112
    music = [r for f in sorted(folder.rglob("StreamingHistory_music_*.json"))
             for r in json.loads(f.read_text(encoding="utf-8"))]
    unknown = sum(r["artistName"] == "Unknown Artist" for r in music)
    assert rep.set_aside["no_artist"] == unknown > 0
    assert rep.set_aside["zero_length"] == sum(r["msPlayed"] == 0 for r in music)
    assert "Unknown Artist" not in set(history.plays["artist"])


def test_lastfm_csv():
    history = load_history([DATA / "lastfm_scrobbles_2024.csv"], use_cache=False)
    _check_report(history)
    assert history.report.rows_read == 11_622
    assert history.report.kept == 11_622
    assert history.plays["ms_played"].isna().all()


def _by_format(history) -> tuple[dict[str, int], dict[str, int]]:
    """Rows read and plays kept per source format (summed over its files and members)."""
    rows: dict[str, int] = {}
    kept: dict[str, int] = {}
    for f in history.report.files:
        rows[f.format] = rows.get(f.format, 0) + f.rows
        kept[f.format] = kept.get(f.format, 0) + f.kept
    return rows, kept


def test_all_three_together_extended_wins_the_overlap():
    history = load_history([DATA], use_cache=False)
    rep = history.report
    assert not rep.bad_files
    rows, kept = _by_format(history)
    assert rows == {"spotify-extended": 22_677 + 25, "spotify-account": 24_502,
                    "spotify-account-podcast": 112, "lastfm-csv": 11_622}
    # Independently of the importer: the Extended plays (distinct, not zero-length), and the
    # Account Data plays, all inside the Extended span (2021-09 → 2025-12), which Extended wins.
    with zipfile.ZipFile(DATA / "spotify_extended_2021-2025.zip") as zf:
        audio = [r for n in zf.namelist() if "Audio" in n for r in json.loads(zf.read(n))]
    extended = len({json.dumps(r, sort_keys=True) for r in audio if r["ms_played"] != 0})
    music = [r for f in sorted((DATA / "spotify_account_2023-2024").rglob(
        "StreamingHistory_music_*.json")) for r in json.loads(f.read_text(encoding="utf-8"))]
    inside = sum(r["artistName"] != "Unknown Artist" and r["msPlayed"] != 0 for r in music)
    assert kept == {"spotify-extended": extended, "spotify-account": 0,
                    "spotify-account-podcast": 0, "lastfm-csv": 11_622}
    assert rep.set_aside["overlap"] == inside == 24_457
    # The Last.fm export is another person's (2024-01 → 07): none of its scrobbles is a play
    # of the Spotify exports, so reconciling scrobbles with Spotify plays sets none aside.
    assert rep.set_aside.get("duplicate_scrobble", 0) == 0
    counts = history.plays["source"].astype(str).str.rsplit("/", n=1).str[-1].value_counts()
    assert counts["lastfm_scrobbles_2024.csv"] == 11_622
    assert rep.kept == len(history.plays) == extended + 11_622
    assert rep.rows_read == rep.kept + sum(rep.set_aside.values())
