"""Small synthetic histories for the engine tests (canonical + feature columns, no files).

``make_history`` turns a list of (local time, artist[, ms_played[, track]]) plays into a
History with the importer's own ``add_features``. ``planted_history`` plants known structure
(rising, fading and context artists) for the engine tests to find; ``demo_history`` loads a
small demo export and its ``ground_truth.json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from musicrec_tui.core.demo import HISTORY_DIRNAME, generate_demo, read_ground_truth
from musicrec_tui.core.history.features import add_features
from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.history.model import CANONICAL_COLUMNS, History, ImportReport
from musicrec_tui.core.settings import Settings, load_settings

TRACK_MS = 200_000


def make_history(
    plays: Iterable[Sequence], *, tz: str = "UTC", settings: Settings | None = None
) -> History:
    """History from ``(local time, artist[, ms_played[, track]])`` tuples (local to ``tz``)."""
    settings = settings or load_settings()
    rows = [tuple(p) for p in plays]
    frame = pd.DataFrame({
        "ts": pd.to_datetime([r[0] for r in rows]).tz_localize(tz).tz_convert("UTC")
        if rows else pd.Series([], dtype="datetime64[ns, UTC]"),
        "artist": [r[1] for r in rows],
        "ms_played": [r[2] if len(r) > 2 else TRACK_MS for r in rows],
        "track": [r[3] if len(r) > 3 else f"{r[1]} song" for r in rows],
    })
    frame["ts"] = frame["ts"].astype("datetime64[ns, UTC]")
    frame = frame.sort_values("ts", kind="stable").reset_index(drop=True)
    frame["album"] = pd.NA
    frame["track_uri"] = pd.NA
    frame["ms_played"] = frame["ms_played"].astype("Int64")
    frame["reason_start"] = pd.NA
    frame["reason_end"] = pd.NA
    frame["skipped"] = pd.array(frame["ms_played"] < 30_000, dtype="boolean")
    frame["shuffle"] = pd.array([False] * len(frame), dtype="boolean")
    frame["source"] = "synthetic"
    frame["counted"] = (frame["ms_played"] >= settings.import_.min_play_seconds * 1000).astype(bool)
    frame["artist_mbid"] = pd.NA
    for col in ("artist", "track", "album", "track_uri", "reason_start", "reason_end", "source",
                "artist_mbid"):
        frame[col] = frame[col].astype("category")
    frame = add_features(frame[list(CANONICAL_COLUMNS)], tz=tz, settings=settings)
    report = ImportReport(kept=len(frame), counted=int(frame["counted"].sum()), timezone=tz)
    return History(frame, report, tz)


@lru_cache(maxsize=4)  # engines never mutate a History; build each fixture once per run
def planted_history(seed: int = 0, months: int = 24, background: int = 40) -> History:
    """Two years of listening with planted structure.

    - "Rising Star": absent, then growing fast over the last 6 months.
    - "Old Flame": a top artist that winds down over the last 6 months.
    - "Morning Coffee": weekday mornings (Mon–Fri, 07–09 h) only.
    - "Night Owl": weekend late nights (Sat/Sun, 00–03 h) only.
    - "Steady": a big artist played evenly at all times.
    - ``background`` small artists played at random times.
    """
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2022-01-03")  # a Monday
    plays: list[tuple] = []

    def session(day: pd.Timestamp, hour: int, artists: list[str], n: int) -> None:
        t = day + pd.Timedelta(hours=hour, minutes=int(rng.integers(0, 20)))
        for _ in range(n):
            plays.append((t, str(rng.choice(artists))))
            t += pd.Timedelta(minutes=3)

    bg = [f"Band {i:02d}" for i in range(background)]
    for d in range(months * 30):
        day = start + pd.Timedelta(days=d)
        month = d // 30
        weekend = day.day_of_week >= 5
        if not weekend:
            session(day, int(rng.integers(7, 9)), ["Morning Coffee"] * 3 + ["Steady"], 6)
        else:
            session(day, int(rng.integers(0, 3)), ["Night Owl"] * 3 + ["Steady"], 6)
        session(day, int(rng.integers(12, 22)), bg + ["Steady"] * 4, 8)
        late = month - (months - 6)  # months into the final half-year (negative before)
        session(day, 19, ["Old Flame"], 5 - max(late, 0))
        if late >= 0:
            session(day, 20, ["Rising Star"], 1 + 2 * late)
    return make_history(plays)


# Small enough to generate and import in about a second; planted structure still shows.
DEMO_STREAMS = 30_000
DEMO_SEED = 7
_demos: dict[tuple[int, int], tuple[History, dict[str, Any]]] = {}


def demo_history(root: Path, streams: int = DEMO_STREAMS,
                 seed: int = DEMO_SEED) -> tuple[History, dict[str, Any]]:
    """A demo export written under ``root`` (once per run), imported, with its ground truth."""
    key = (streams, seed)
    if key not in _demos:
        generate_demo(root, streams=streams, seed=seed, pretty=False)
        truth = read_ground_truth(root)
        history = load_history([root / HISTORY_DIRNAME], tz=truth["timezone"], use_cache=False)
        _demos[key] = (history, truth)
    return _demos[key]
