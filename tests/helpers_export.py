"""A small history with awkward artist names, and an analysis of it, for the export tests."""

from __future__ import annotations

import hashlib
import string
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from musicrec_tui.core.engines.base import EngineResult, Item, Recommendation
from musicrec_tui.core.engines.ranking import fit_ranking
from musicrec_tui.core.history.features import add_features
from musicrec_tui.core.history.model import FileReport, History, ImportReport
from musicrec_tui.core.settings import Settings, load_settings

# Names that break naive CSV / line-based writers.
COMMA = "Tyler, The Creator"
QUOTES = 'The "Quoted" Band'
NEWLINE = "Line\nBreak"
UNICODE = "Sigur Rós 東京"
PLAIN = ["Aurora Lane", "Basswood", "Cedar Choir"]
ARTISTS = [COMMA, QUOTES, NEWLINE, UNICODE, *PLAIN]
NO_URI_ARTIST = "Cedar Choir"  # its plays look like Last.fm scrobbles: no track URI
DISCOVERY = "New, \"Fresh\"\nFace"  # recommended but never played

_BASE62 = string.digits + string.ascii_letters


def track_id(artist: str, track: str) -> str:
    """A stable 22-character base62 id, like Spotify's."""
    n = int.from_bytes(hashlib.sha256(f"{artist}|{track}".encode()).digest(), "big")
    out = []
    for _ in range(22):
        n, r = divmod(n, 62)
        out.append(_BASE62[r])
    return "".join(out)


def make_history(settings: Settings | None = None, *, source: str = "Streaming_History_Audio_2024_0.json",
                 seed: int = 7) -> History:
    """~400 plays over a year: artist i gets more plays than artist i+1; 3 tracks each."""
    settings = settings or load_settings()
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2024-01-01T08:00:00Z")
    for i, artist in enumerate(ARTISTS):
        for j in range(80 - 10 * i):
            track = f"{artist} song {j % 3 + 1}" if j % 3 else f"Song, \"{i}\""
            ts = start + pd.Timedelta(hours=int(rng.integers(0, 24 * 360)))
            uri = None if artist == NO_URI_ARTIST else f"spotify:track:{track_id(artist, track)}"
            rows.append((ts, artist, track, "Album", uri, 200_000 if j % 5 else 10_000))
    frame = pd.DataFrame(rows, columns=["ts", "artist", "track", "album", "track_uri",
                                        "ms_played"])
    frame = frame.sort_values("ts", kind="stable").reset_index(drop=True)
    n = len(frame)
    frame["ts"] = frame["ts"].astype("datetime64[ns, UTC]")
    for col in ("artist", "track", "album", "track_uri"):
        frame[col] = frame[col].astype("category")
    frame["ms_played"] = frame["ms_played"].astype("Int64")
    for col in ("reason_start", "reason_end"):
        frame[col] = pd.Series(["trackdone"] * n).astype("category")
    frame["skipped"] = pd.array([False] * n, dtype="boolean")
    frame["shuffle"] = pd.array([False] * n, dtype="boolean")
    frame["source"] = pd.Series([source] * n).astype("category")
    frame["counted"] = (frame["ms_played"] >= 30_000).to_numpy(dtype=bool)
    frame = add_features(frame, tz="UTC", settings=settings)
    report = ImportReport(rows_read=n, kept=n, counted=int(frame["counted"].sum()),
                          files=[FileReport(source, None, "spotify_extended", n, n)],
                          first=frame["ts"].iloc[0].to_pydatetime(),
                          last=frame["ts"].iloc[-1].to_pydatetime(),
                          artists=len(ARTISTS), tracks=frame["track"].nunique())
    return History(frame, report, "UTC")


def _items(names: list[str], engine: str) -> list[Item]:
    return [Item(a, round(1 - k / 10, 3), f"{engine} likes {a}", {"k": k, "nested": [1]})
            for k, a in enumerate(names)]


def fake_analysis(history: History | None = None, settings: Settings | None = None) -> Any:
    """An Analysis-shaped object: real ranking, hand-made engine results and blend."""
    settings = settings or load_settings()
    history = history or make_history(settings)
    ranking = fit_ranking(history, settings)
    order = [str(a) for a in ranking.table.index]
    engines = ("recency", "temporal", "context", "ranking", "content")
    results = {e: EngineResult(e, _items(order[:4], e)) for e in engines[:-1]}
    results["content"] = EngineResult("content", _items([DISCOVERY, *order[4:]], "content"),
                                      meta={"tier": (1, 50)})
    ensemble = [
        Recommendation(a, 1 - k / 20, {e: round(0.1 + k / 100, 4) for e in engines},
                       f"because of {a}", in_library=a != DISCOVERY)
        for k, a in enumerate([*order, DISCOVERY])
    ]
    clusters = [
        SimpleNamespace(id=0, label="Weekday mornings", slots=[(1, 8), (0, 7)],
                        picks=_items(order[:3], "context"), plays=120),
        SimpleNamespace(id=1, label="Weekday mornings", slots=[(5, 22)],
                        picks=_items(order[3:5], "context"), plays=40),
    ]
    trends = SimpleNamespace(rising=_items(order[:2], "temporal"),
                             fading=_items(order[-2:], "temporal"),
                             next_favourites=_items(order[2:3], "temporal"))
    return SimpleNamespace(history=history, settings=settings, as_of=None, ranking=ranking,
                           trends=trends, contexts=SimpleNamespace(clusters=clusters),
                           results=results, ensemble=ensemble, similarity=None)
