"""Small synthetic histories (canonical + feature columns) for the engines-B tests.

Built by hand so these tests do not depend on the importer; the feature columns follow
``core/history/model.py`` closely enough for every engine.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from musicrec_tui.core.history.model import History, ImportReport

SESSION_GAP = pd.Timedelta(minutes=30)


def make_history(plays: Iterable[tuple[str, str]] | Iterable[tuple[str, str, str]],
                 *, tz: str = "UTC", ms_played: int = 200_000) -> History:
    """``plays`` = (iso timestamp, artist[, track]) tuples, in any order."""
    rows = []
    for play in plays:
        ts, artist, *rest = play
        rows.append((pd.Timestamp(ts, tz="UTC") if pd.Timestamp(ts).tzinfo is None
                     else pd.Timestamp(ts).tz_convert("UTC"), artist,
                     rest[0] if rest else f"{artist} song"))
    frame = pd.DataFrame(rows, columns=["ts", "artist", "track"])
    frame = frame.sort_values("ts", kind="stable").reset_index(drop=True)
    n = len(frame)
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True).astype("datetime64[ns, UTC]")
    for col in ("artist", "track"):
        frame[col] = frame[col].astype("category")
    frame["album"] = pd.Series([None] * n, dtype="object").astype("category")
    frame["track_uri"] = pd.Series([None] * n, dtype="object").astype("category")
    frame["ms_played"] = pd.array([ms_played] * n, dtype="Int64")
    frame["reason_start"] = pd.Series(["trackdone"] * n).astype("category")
    frame["reason_end"] = pd.Series(["trackdone"] * n).astype("category")
    frame["skipped"] = pd.array([False] * n, dtype="boolean")
    frame["shuffle"] = pd.array([False] * n, dtype="boolean")
    frame["source"] = pd.Series(["synthetic"] * n).astype("category")
    frame["counted"] = np.ones(n, dtype=bool)
    frame["duration_ms"] = np.full(n, ms_played, dtype="float32")
    frame["engagement"] = np.ones(n, dtype="float32")
    local = frame["ts"].dt.tz_convert(tz)
    frame["local_ts"] = local
    frame["hour"] = local.dt.hour.astype("int8")
    frame["dow"] = local.dt.day_of_week.astype("int8")
    frame["month"] = (local.dt.year * 12 + local.dt.month - 1).astype("int32")
    frame["year"] = local.dt.year.astype("int16")
    frame["hour_sin"] = np.sin(2 * np.pi * frame["hour"] / 24).astype("float32")
    frame["hour_cos"] = np.cos(2 * np.pi * frame["hour"] / 24).astype("float32")
    frame["dow_sin"] = np.sin(2 * np.pi * frame["dow"] / 7).astype("float32")
    frame["dow_cos"] = np.cos(2 * np.pi * frame["dow"] / 7).astype("float32")
    gaps = frame["ts"].diff() > SESSION_GAP
    frame["session"] = gaps.cumsum().astype("int32")
    report = ImportReport(kept=n, counted=n, artists=frame["artist"].nunique(),
                          first=frame["ts"].iloc[0].to_pydatetime() if n else None,
                          last=frame["ts"].iloc[-1].to_pydatetime() if n else None,
                          timezone=tz)
    return History(frame, report, tz)


def sessions_history(groups: list[list[str]], *, sessions_per_group: int = 20,
                     start: str = "2024-01-01", noise: list[str] | None = None,
                     seed: int = 0) -> History:
    """Each session plays 2–4 artists from one group (plus maybe one noise artist)."""
    rng = np.random.default_rng(seed)
    plays: list[tuple[str, str]] = []
    t = pd.Timestamp(start, tz="UTC")
    for s in range(sessions_per_group * len(groups)):
        group = groups[s % len(groups)]
        size = min(len(group), int(rng.integers(2, 5)))
        chosen = list(rng.choice(group, size=size, replace=False))
        if noise and rng.random() < 0.3:
            chosen.append(str(rng.choice(noise)))
        for i, artist in enumerate(chosen):
            plays.append(((t + pd.Timedelta(minutes=4 * i)).isoformat(), artist))
        t += pd.Timedelta(hours=5)
    return make_history(plays)


def yearly_history(*, days: int = 400, start: str = "2023-01-01", seed: int = 1) -> History:
    """A longer history with a stable core, a rising artist and a fading one."""
    rng = np.random.default_rng(seed)
    core = ["Portishead", "Massive Attack", "Tricky", "Björk", "Radiohead"]
    plays: list[tuple[str, str]] = []
    t0 = pd.Timestamp(start, tz="UTC")
    for day in range(days):
        frac = day / days
        for hour in (8, 19, 22):
            ts = t0 + pd.Timedelta(days=day, hours=hour)
            pool = list(core)
            if rng.random() < frac:
                pool.append("Rising Star")
            if rng.random() < 1 - frac:
                pool.append("Old Flame")
            if hour == 8:
                pool.append("Morning Jazz")
            for i, artist in enumerate(rng.choice(pool, size=3, replace=True)):
                plays.append(((ts + pd.Timedelta(minutes=4 * i)).isoformat(), str(artist)))
    return make_history(plays)


def write_extended_export(folder, plays: Iterable[tuple[str, str]]):
    """A minimal Spotify Extended Streaming History folder from (iso ts, artist) plays."""
    import json
    import zlib
    from pathlib import Path

    root = Path(folder) / "Spotify Extended Streaming History"
    root.mkdir(parents=True, exist_ok=True)
    records = [{
        "ts": pd.Timestamp(ts, tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
        "platform": "linux", "ms_played": 200_000, "conn_country": "ZZ",
        "master_metadata_track_name": f"{artist} song",
        "master_metadata_album_artist_name": artist,
        "master_metadata_album_album_name": "Album",
        "spotify_track_uri": f"spotify:track:{zlib.crc32(artist.encode()):022d}",
        "episode_name": None, "episode_show_name": None, "spotify_episode_uri": None,
        "reason_start": "trackdone", "reason_end": "trackdone", "shuffle": False,
        "skipped": False, "offline": False, "offline_timestamp": None, "incognito_mode": False,
    } for ts, artist in plays]
    (root / "Streaming_History_Audio_2023-2024_0.json").write_text(
        json.dumps(records), encoding="utf-8")
    return Path(folder)


def yearly_plays(*, days: int = 200, start: str = "2023-01-01", seed: int = 1):
    """The (ts, artist) plays of :func:`yearly_history`, for writing as an export."""
    history = yearly_history(days=days, start=start, seed=seed)
    return [(ts.isoformat(), str(a)) for ts, a in zip(history.plays["ts"],
                                                       history.plays["artist"], strict=True)]
