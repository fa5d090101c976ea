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


def account_music() -> list[dict[str, Any]]:
    return [
        {"endTime": "2023-05-06 18:43", "artistName": "The Quiet Harbours",
         "trackName": "Paper Lanterns", "msPlayed": 214880},
        {"endTime": "2023-05-06 18:44", "artistName": "Northbound Lights",
         "trackName": "Glass Orchard", "msPlayed": 4102},
        {"endTime": "2023-05-06 18:50", "artistName": "Unknown Artist",
         "trackName": "Unknown Track", "msPlayed": 25000},
        {"endTime": "2023-05-06 19:00", "artistName": "Northbound Lights",
         "trackName": "Glass Orchard", "msPlayed": 0},
    ]


def account_podcast() -> list[dict[str, Any]]:
    return [{"endTime": "2023-05-07 07:41", "podcastName": "Coastal Science Hour",
             "episodeName": "Episode 88", "msPlayed": 1830455}]


LASTFM_HEADER = "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"


def lastfm_csv() -> str:
    return LASTFM_HEADER + (
        '"1741986180","14 Mar 2025, 21:03","The Quiet Harbours","","Low Tide Songs","",'
        '"Paper Lanterns",""\n'
        '"1741985940","14 Mar 2025, 20:59","Tyler, The Creator","","Igor","","Earfquake",""\n'
        '"1741985700","14 Mar 2025, 20:55","The B‐52’s","","Cosmic Thing","","Roam",""\n'
    )


def lastfm_headerless_csv() -> str:
    return ("Now Playing Band,Album,Song,\n"
            "The Quiet Harbours,Low Tide Songs,Paper Lanterns,14 Mar 2025 21:03\n"
            "Northbound Lights,Weathervane,Glass Orchard,14 Mar 2025 20:59\n")


def lb_listen(ts: float, artist: str, track: str, *, msid_top: bool = True,
              duration_played: int | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {"music_service": "spotify.com",
                            "spotify_id": "https://open.spotify.com/track/4aBcDeFgHiJkLmNoPqRsTu",
                            "submission_client": "ListenBrainz Archive Importer"}
    if duration_played is not None:
        info["duration_played"] = duration_played
    meta: dict[str, Any] = {"artist_name": artist, "track_name": track,
                            "release_name": "Low Tide Songs", "additional_info": info,
                            "mbid_mapping": None}
    listen: dict[str, Any] = {"listened_at": ts, "inserted_at": ts + 100.5,
                              "track_metadata": meta}
    if msid_top:
        listen["recording_msid"] = "0c9f3a7e-5b1d-4e2a-8f6c-2d4b1a9e7c55"
        listen["user_name"] = "someone"
    else:
        meta["recording_msid"] = "0c9f3a7e-5b1d-4e2a-8f6c-2d4b1a9e7c55"
    return listen
