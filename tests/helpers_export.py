"""A small history with awkward artist names, and an analysis of it, for the export tests."""

from __future__ import annotations

import hashlib
import json
import string
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from musicrec_tui.core.engines.base import EngineResult, Item, RankedList, Recommendation
from musicrec_tui.core.engines.ensemble import mix
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


def _listed(name: str, artists: list[str], engines: dict[str, float]) -> RankedList:
    return RankedList(name, [
        Recommendation(a, round(1 - k / 20, 4), {e: round(v * (1 - k / 20), 4)
                                                  for e, v in engines.items()},
                       f"because of {a}", in_library=a != DISCOVERY, list=name)
        for k, a in enumerate(artists)])


def fake_analysis(history: History | None = None, settings: Settings | None = None) -> Any:
    """An Analysis-shaped object: real ranking, hand-made engine results and lists."""
    settings = settings or load_settings()
    history = history or make_history(settings)
    ranking = fit_ranking(history, settings)
    order = [str(a) for a in ranking.table.index]
    engines = ("recency", "temporal", "context", "ranking", "content")
    results = {e: EngineResult(e, _items(order[:4], e)) for e in engines[:-1]}
    results["content"] = EngineResult("content", _items([DISCOVERY, *order[4:]], "content"),
                                      meta={"tier": (1, 50)})
    results["recency"].meta["half_lives"] = [14.0, 60.0, 365.0]
    lists = {"play-next": _listed("play-next", order[:4], {"recency": 1.0}),
             "rediscover": _listed("rediscover", order[4:], {"recency": 0.6, "temporal": 0.4}),
             "discover": _listed("discover", [DISCOVERY], {"content": 1.0})}
    lists = {"mix": mix(lists, settings.ensemble.shares, top=20), **lists}
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
                           trends=trends,
                           contexts=SimpleNamespace(clusters=clusters, meta={"slot_tilt": 0.0}),
                           results=results, lists=lists, similarity=None,
                           provider="offline", tier="1-50", shares=dict(settings.ensemble.shares))


# Values planted in a Spotify export that must never reach an export file.
PLANTED_USERNAME = "zz_private_user_9137"
PLANTED_IP = "203.0.113.77"
PLANTED_IP_V6 = "2001:db8::beef:42"
PLANTED_AGENT = "Mozilla%2F5.0%20(PlantedAgent%2F7.7)"


def write_spotify_export(folder: Path, *, plays: int = 600, seed: int = 3) -> Path:
    """An Extended Streaming History folder (generation A and B files) with personal fields.

    Returns the folder. Artists include the awkward names above; every play carries a
    username, an IP address and a user agent, as real exports do.
    """
    rng = np.random.default_rng(seed)
    root = Path(folder) / "Spotify Extended Streaming History"
    root.mkdir(parents=True, exist_ok=True)
    weights = np.array([len(ARTISTS) - i for i in range(len(ARTISTS))], dtype=float)
    start = pd.Timestamp("2024-01-01T00:00:00Z")
    records = []
    for n in range(plays):
        artist = ARTISTS[int(rng.choice(len(ARTISTS), p=weights / weights.sum()))]
        track = f"{artist} song {int(rng.integers(1, 5))}"
        ts = start + pd.Timedelta(minutes=int(n * 450 + rng.integers(0, 60)))
        records.append({
            "ts": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "platform": "linux",
            "ms_played": int(rng.choice([15_000, 180_000, 240_000])),
            "conn_country": "SE",
            "master_metadata_track_name": track,
            "master_metadata_album_artist_name": artist,
            "master_metadata_album_album_name": "Album",
            "spotify_track_uri": f"spotify:track:{track_id(artist, track)}",
            "episode_name": None, "episode_show_name": None, "spotify_episode_uri": None,
            "reason_start": "trackdone", "reason_end": "trackdone",
            "shuffle": False, "skipped": None, "offline": False, "offline_timestamp": None,
            "incognito_mode": False,
        })
    half = len(records) // 2
    older = [{**r, "username": PLANTED_USERNAME, "ip_addr_decrypted": PLANTED_IP,
              "user_agent_decrypted": PLANTED_AGENT} for r in records[:half]]
    newer = [{**r, "ip_addr": PLANTED_IP_V6} for r in records[half:]]
    (root / "Streaming_History_Audio_2024_0.json").write_text(json.dumps(older, indent=1),
                                                              encoding="utf-8")
    (root / "Streaming_History_Audio_2024-2025_1.json").write_text(json.dumps(newer),
                                                                   encoding="utf-8")
    return Path(folder)


def real_analysis(settings: Settings | None = None) -> Any:
    """The real ``analyse`` (offline co-listening provider) on :func:`make_history`."""
    from musicrec_tui.core.analysis import analyse

    settings = settings or load_settings()
    return analyse(make_history(settings), settings)
