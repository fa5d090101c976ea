"""Fixture writers for the importer tests: small synthetic exports in every format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_PRIVATE_A = {"username": "someone", "ip_addr_decrypted": "203.0.113.9",
              "user_agent_decrypted": "unknown"}
_PRIVATE_B = {"ip_addr": "198.51.100.23"}
_AUDIOBOOK = {"audiobook_title": None, "audiobook_uri": None, "audiobook_chapter_uri": None,
              "audiobook_chapter_title": None}


def extended_record(ts: str, artist: str | None, track: str | None, ms: int, *,
                    generation: str = "C", uri: str | None = None,
                    reason_end: str | None = "trackdone", reason_start: str | None = "clickrow",
                    skipped: bool | None = False, shuffle: bool | None = False,
                    episode: str | None = None, audiobook: str | None = None,
                    album: str | None = "Album", incognito: bool = False) -> dict[str, Any]:
    rec: dict[str, Any] = {"ts": ts, "platform": "android", "ms_played": ms,
                           "conn_country": "ZZ"}
    rec.update(_PRIVATE_A if generation == "A" else _PRIVATE_B)
    rec.update({
        "master_metadata_track_name": track,
        "master_metadata_album_artist_name": artist,
        "master_metadata_album_album_name": album if artist else None,
        "spotify_track_uri": uri if uri is not None or not artist
        else f"spotify:track:{abs(hash((artist, track))) % 10**8:022d}",
        "episode_name": episode, "episode_show_name": "Show" if episode else None,
        "spotify_episode_uri": "spotify:episode:abc" if episode else None,
        "reason_start": reason_start, "reason_end": reason_end, "shuffle": shuffle,
        "skipped": skipped, "offline": False, "offline_timestamp": 1700000000,
        "incognito_mode": incognito,
    })
    if generation == "C":
        rec.update(_AUDIOBOOK)
        if audiobook:
            rec.update(audiobook_title=audiobook, audiobook_chapter_uri="spotify:episode:ch1",
                       audiobook_uri="spotify:show:ab")
    return rec


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def basic_extended(generation: str = "C") -> list[dict[str, Any]]:
    """Six plays: 3 artists (one curly apostrophe, one CJK), a skip, a short play."""
    return [
        extended_record("2024-03-01T10:03:00Z", "The B‐52’s", "Roam", 180000,
                        generation=generation),
        extended_record("2024-03-01T10:06:00Z", "The B‐52’s", "Roam", 179000,
                        generation=generation),
        extended_record("2024-03-01T10:06:10Z", "宇多田ヒカル", "First Love", 10000,
                        generation=generation, reason_end="fwdbtn", skipped=None),
        extended_record("2024-03-02T20:00:00Z", "Northbound", "Glass", 200000,
                        generation=generation),
        extended_record("2024-03-02T20:03:30Z", "Northbound", "Glass", 100000,
                        generation=generation, reason_end="endplay"),
        extended_record("2024-03-02T21:03:30Z", "Northbound", "Other", 120000,
                        generation=generation),
    ]
