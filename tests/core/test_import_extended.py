"""Spotify Extended Streaming History: all three key generations."""

from __future__ import annotations

import pandas as pd
import pytest

from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.history.model import CANONICAL_COLUMNS, FEATURE_COLUMNS
from tests.helpers_import import basic_extended, extended_record, write_json


@pytest.mark.parametrize("generation", ["A", "B", "C"])
def test_each_generation_loads(tmp_path, generation):
    path = write_json(tmp_path / "Streaming_History_Audio_2024_0.json",
                      basic_extended(generation))
    history = load_history([path], use_cache=False)
    plays = history.plays
    assert list(plays.columns) == [*CANONICAL_COLUMNS, *FEATURE_COLUMNS]
    assert len(plays) == 6
    assert history.report.rows_read == 6
    assert history.report.files[0].format == "spotify-extended"
    assert set(plays["artist"]) == {"The B‐52’s", "宇多田ヒカル", "Northbound"}
    assert str(plays["ts"].dtype) == "datetime64[ns, UTC]"
    assert plays["ts"].is_monotonic_increasing
    assert plays["ms_played"].dtype == "Int64"
    assert plays["skipped"].dtype == "boolean"
    assert isinstance(plays["artist"].dtype, pd.CategoricalDtype)
    # The 10 s play is kept but not counted; its null skip flag is repaired from fwdbtn.
    short = plays[plays["track"] == "First Love"].iloc[0]
    assert not short["counted"]
    assert bool(short["skipped"]) is True
    assert history.report.counted == 5


def test_private_fields_never_reach_the_table(tmp_path):
    path = write_json(tmp_path / "endsong.json", basic_extended("A"))
    plays = load_history([path], use_cache=False).plays
    text = plays.astype(str).to_csv()
    for secret in ("someone", "203.0.113.9", "unknown", "android", "ZZ"):
        assert secret not in text
    assert not {"username", "ip_addr", "platform", "user_agent_decrypted"} & set(plays.columns)


def test_podcast_audiobook_video_no_artist_zero_length_set_aside(tmp_path):
    recs = [
        *basic_extended(),
        extended_record("2024-03-03T08:00:00Z", None, None, 60000, episode="Ep 1"),
        extended_record("2024-03-03T09:00:00Z", None, None, 60000, audiobook="Book"),
        extended_record("2024-03-03T10:00:00Z", None, None, 60000),
        extended_record("2024-03-03T11:00:00Z", "Northbound", "Glass", 0),
    ]
    audio = write_json(tmp_path / "x" / "Streaming_History_Audio_2024.json", recs)
    write_json(tmp_path / "x" / "Streaming_History_Video_2024.json",
               [extended_record("2024-03-03T12:00:00Z", None, None, 5000, episode="V")])
    history = load_history([audio.parent], use_cache=False)
    rep = history.report
    assert rep.set_aside == {"podcast": 1, "audiobook": 1, "no_artist": 1, "zero_length": 1,
                             "video": 1}
    assert rep.rows_read == 11
    assert rep.kept == 6
    assert {f.format for f in rep.files} == {"spotify-extended"}
    assert history.plays["source"].cat.categories.tolist() == [
        "x/Streaming_History_Audio_2024.json"]


def test_reason_codes_outside_the_known_list_are_kept(tmp_path):
    """Known codes decode as shared strings; a new code makes the file decode the slow way."""
    recs = [*basic_extended(),
            extended_record("2024-03-04T10:00:00Z", "Northbound", "Glass", 5000,
                            reason_start="spotify-dj-2030", reason_end="fwdbtn", skipped=None)]
    path = write_json(tmp_path / "endsong_0.json", recs)
    plays = load_history([path], use_cache=False).plays
    assert plays["reason_start"].iloc[-1] == "spotify-dj-2030"
    assert bool(plays["skipped"].iloc[-1]) is True
    assert set(plays["reason_end"].dropna()) == {"trackdone", "fwdbtn", "endplay"}
