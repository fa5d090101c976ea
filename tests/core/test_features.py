"""Import-time features: duration estimate, engagement, local time, cycles, sessions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.history.features import add_features, resolve_timezone
from musicrec_tui.core.history.model import FEATURE_COLUMNS
from musicrec_tui.core.settings import load_settings


def _plays(rows):
    frame = pd.DataFrame(rows, columns=["ts", "artist", "track", "track_uri", "ms_played",
                                        "reason_end"])
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    for col in ("artist", "track", "track_uri", "reason_end"):
        frame[col] = frame[col].astype("category")
    frame["ms_played"] = frame["ms_played"].astype("Int64")
    return frame


def test_duration_is_p95_of_completed_plays_else_longest():
    rows = [(f"2024-01-01T{h:02d}:00:00Z", "A", "x", "u1", ms, "trackdone")
            for h, ms in enumerate([200_000] * 19 + [900_000])]
    rows += [("2024-01-02T00:00:00Z", "A", "x", "u1", 50_000, "fwdbtn"),
             ("2024-01-02T01:00:00Z", "B", "y", None, 120_000, "fwdbtn"),
             ("2024-01-02T02:00:00Z", "B", "y", None, 60_000, "endplay"),
             ("2024-01-02T03:00:00Z", "C", "z", None, None, None)]
    out = add_features(_plays(rows), tz="UTC", settings=load_settings())
    expected_p95 = np.quantile([200_000] * 19 + [900_000], 0.95)
    assert out["duration_ms"].iloc[0] == pytest.approx(expected_p95)
    assert out["duration_ms"].iloc[20] == pytest.approx(expected_p95)  # same URI
    # B never finished: its longest play is the estimate (keyed by artist+track).
    assert out["duration_ms"].iloc[21] == out["duration_ms"].iloc[22] == 120_000
    assert out["engagement"].iloc[22] == pytest.approx(0.5)
    assert out["engagement"].iloc[19] == 1.0  # the looped play is clipped
    assert np.isnan(out["duration_ms"].iloc[23]) and out["engagement"].iloc[23] == 1.0
    assert out["engagement"].between(0, 1).all()
    assert out["engagement"].dtype == np.float32 and out["duration_ms"].dtype == np.float32


def test_local_time_calendar_and_cycles_in_the_user_zone():
    rows = [("2024-03-30T23:30:00Z", "A", "x", "u", 1000, "trackdone"),   # Sat UTC
            ("2024-03-31T01:30:00Z", "A", "x", "u", 1000, "trackdone"),   # DST switch
            ("2024-12-31T23:59:59Z", "A", "x", "u", 1000, "trackdone")]
    out = add_features(_plays(rows), tz="Europe/Berlin", settings=load_settings())
    assert list(out.columns[-len(FEATURE_COLUMNS):]) == list(FEATURE_COLUMNS)
    assert str(out["local_ts"].dt.tz) == "Europe/Berlin"
    assert list(out["hour"]) == [0, 3, 0]  # +1 h before the switch, +2 h after
    assert list(out["dow"]) == [6, 6, 2]  # Sunday, Sunday, Wednesday (Monday = 0)
    assert list(out["year"]) == [2024, 2024, 2025]
    assert list(out["month"]) == [2024 * 12 + 2, 2024 * 12 + 2, 2025 * 12 + 0]
    assert out["hour_sin"].iloc[1] == pytest.approx(np.sin(2 * np.pi * 3 / 24), abs=1e-6)
    assert out["dow_cos"].iloc[2] == pytest.approx(np.cos(2 * np.pi * 2 / 7), abs=1e-6)
    assert all(out[c].dtype == np.float32
               for c in ("hour_sin", "hour_cos", "dow_sin", "dow_cos"))


def test_sessions_split_on_silence_between_end_and_next_start():
    rows = [("2024-01-01T10:00:00Z", "A", "x", "u", 180_000, "trackdone"),
            # starts 10:28 (ends 10:30 after 2 min): 28 min of silence → same session
            ("2024-01-01T10:30:00Z", "A", "x", "u", 120_000, "trackdone"),
            # a 40-minute play ending 11:40 started at 11:00: 30 min silence → same session
            ("2024-01-01T11:40:00Z", "A", "x", "u", 2_400_000, "trackdone"),
            ("2024-01-01T12:20:00Z", "A", "x", "u", 60_000, "trackdone"),  # 39 min → new
            ("2024-01-01T12:21:00Z", "B", "y", None, None, None)]
    out = add_features(_plays(rows), tz="UTC", settings=load_settings())
    assert list(out["session"]) == [0, 0, 0, 1, 1]
    assert out["session"].dtype == np.int32
    short = load_settings({"import": {"session_gap_minutes": 5}})
    assert list(add_features(_plays(rows), tz="UTC", settings=short)["session"]) == [
        0, 1, 2, 3, 3]


def test_resolve_timezone(monkeypatch):
    assert resolve_timezone("Europe/Berlin") == "Europe/Berlin"
    assert resolve_timezone("europe/berlin") == "Europe/Berlin"
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert resolve_timezone("") == "Asia/Tokyo"
    assert resolve_timezone(None) == "Asia/Tokyo"
    with pytest.raises(SettingsError, match="Mars/Olympus"):
        resolve_timezone("Mars/Olympus")


def test_minimal_frame_gets_features():
    frame = pd.DataFrame({"ts": pd.to_datetime(["2024-01-01T10:00:00Z", "2024-01-01T12:00:00Z"]),
                          "artist": ["A", "B"], "track": ["x", "y"]})
    out = add_features(frame, tz="UTC", settings=load_settings())
    assert list(out["engagement"]) == [1.0, 1.0]
    assert list(out["session"]) == [0, 1]
    assert out["duration_ms"].isna().all()
