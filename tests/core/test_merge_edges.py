"""Edges of the merge step (core/history/clean.py), each found by a mutant that survived the
import tests (scripts/mutation.py clean): the counted boundary, three-state flags, values
no kept row uses, ties in time, files that keep nothing, and distinct track counting."""

from __future__ import annotations

import pandas as pd

from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.settings import load_settings
from tests.helpers_import import extended_record, write_json


def _load(tmp_path, records, *, name="Streaming_History_Audio_2024.json", **overrides):
    settings = load_settings(overrides={"import": overrides}) if overrides else None
    path = write_json(tmp_path / name, records)
    return load_history([path], settings=settings, use_cache=False, tz="UTC")


def test_a_play_of_exactly_the_threshold_is_counted(tmp_path):
    threshold_ms = load_settings().import_.min_play_seconds * 1000
    plays = _load(tmp_path, [
        extended_record("2024-03-01T10:00:00Z", "A", "At", threshold_ms),
        extended_record("2024-03-01T11:00:00Z", "A", "Under", threshold_ms - 1),
    ]).plays
    assert plays.set_index("track")["counted"].to_dict() == {"At": True, "Under": False}


def test_skipped_and_shuffle_keep_three_states(tmp_path):
    plays = _load(tmp_path, [
        extended_record("2024-03-01T10:00:00Z", "A", "Yes", 90_000, shuffle=True, skipped=True),
        extended_record("2024-03-01T11:00:00Z", "A", "No", 90_000, shuffle=False, skipped=False),
        extended_record("2024-03-01T12:00:00Z", "A", "Unknown", 90_000, shuffle=None,
                        skipped=None, reason_end=None),  # no reason to repair skipped from
    ]).plays.set_index("track")
    for column in ("shuffle", "skipped"):
        assert plays[column].tolist()[:2] == [True, False]
        assert plays[column].isna().tolist() == [False, False, True]


def test_values_only_set_aside_rows_used_leave_no_category_and_missing_stays_missing(tmp_path):
    plays = _load(tmp_path, [
        extended_record("2024-03-01T10:00:00Z", "A", "Kept", 90_000, album=None,
                        reason_start=None),
        extended_record("2024-03-01T11:00:00Z", "Private", "Secret", 90_000,
                        album="Secret Album", reason_start="trackdone", incognito=True),
    ], drop_incognito=True).plays
    assert list(plays["artist"].cat.categories) == ["A"]
    assert list(plays["album"].cat.categories) == []
    assert plays["album"].isna().all() and plays["reason_start"].isna().all()


def test_rows_at_the_same_moment_keep_their_file_order(tmp_path):
    """Sorting by time is stable: ties stay in the order the export lists them (more than 16
    rows, so an unstable sort would really reorder them)."""
    names = [f"T{i:02d}" for i in range(40)]
    records = [extended_record("2024-03-01T10:00:00Z", "A", "Later", 90_000),
               *(extended_record("2024-03-01T09:00:00Z", "A", n, 90_000) for n in names)]
    assert _load(tmp_path, records).plays["track"].tolist() == [*names, "Later"]
    # With a row set aside first (the sort then takes the kept rows only).
    records.append(extended_record("2024-03-01T08:00:00Z", "P", "Private", 90_000,
                                   incognito=True))
    plays = _load(tmp_path, records, drop_incognito=True).plays
    assert plays["track"].tolist() == [*names, "Later"]


def test_a_file_that_keeps_nothing_reports_zero(tmp_path):
    empty = write_json(tmp_path / "Streaming_History_Audio_2023.json", [])
    good = write_json(tmp_path / "Streaming_History_Audio_2024.json", [
        extended_record("2024-03-01T10:00:00Z", "A", "One", 90_000),
        extended_record("2024-03-01T11:00:00Z", "A", "Two", 90_000),
    ])
    report = load_history([empty, good], use_cache=False, tz="UTC").report
    assert {f.path: f.kept for f in report.files} == {str(empty): 0, str(good): 2}


def test_distinct_tracks_count_each_artist_and_name_pair_once(tmp_path):
    """Names shared by several artists ("Intro") are different tracks; repeats are not."""
    records = [extended_record(f"2024-03-01T{h:02d}:00:00Z", artist, name, 90_000)
               for h, (artist, name) in enumerate(
                   [(a, n) for a in ("A", "B", "C", "D") for n in ("Intro", "Outro")]
                   + [("A", "Solo"), ("A", "Solo"), ("B", "Intro")])]
    history = _load(tmp_path, records)
    pairs = history.plays[["artist", "track"]].astype(str).drop_duplicates()
    assert history.report.tracks == len(pairs) == 9
    assert isinstance(history.plays["track"].dtype, pd.CategoricalDtype)


def _extended_and_account(tmp_path, **overrides):
    write_json(tmp_path / "Streaming_History_Audio_2024.json", [
        extended_record("2024-03-01T10:00:00Z", "A", "First", 90_000),
        extended_record("2024-03-01T10:02:00Z", "Private", "Secret", 90_000, incognito=True),
        extended_record("2024-03-01T10:05:00Z", "A", "Last", 90_000),
    ])
    write_json(tmp_path / "StreamingHistory_music_0.json", [
        {"endTime": "2024-03-01 10:05", "artistName": "A", "trackName": "Last",
         "msPlayed": 90_000},
        {"endTime": "2024-03-01 10:06", "artistName": "A", "trackName": "After",
         "msPlayed": 90_000},
    ])
    settings = load_settings(overrides={"import": overrides}) if overrides else None
    return load_history([tmp_path], settings=settings, use_cache=False, tz="UTC")


def test_an_account_row_at_the_last_extended_moment_is_overlap(tmp_path):
    history = _extended_and_account(tmp_path)
    assert history.report.set_aside == {"overlap": 1}
    assert history.plays["track"].tolist() == ["First", "Secret", "Last", "After"]


def test_the_overlap_rule_keeps_private_sessions_out(tmp_path):
    history = _extended_and_account(tmp_path, drop_incognito=True)
    assert history.report.set_aside == {"overlap": 1, "incognito": 1}
    assert "Secret" not in history.plays["track"].tolist()
