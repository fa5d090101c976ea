"""Write demo records as Spotify Extended Streaming History files (generation C keys).

Rows are described by columns (numpy/object arrays); each file's slice becomes a list of
``msgspec`` structs, encoded in one C call and pretty-printed like Spotify's 2024+ exports
(4-space indent). That keeps Python work per record to one struct construction.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import msgspec
import numpy as np

HISTORY_DIRNAME = "Spotify Extended Streaming History"
RECORDS_PER_FILE = 15_000


class Record(msgspec.Struct, gc=False):
    """Generation C record: 23 keys in the order Spotify writes them (docs/formats.md §1.3)."""

    ts: str
    platform: str
    ms_played: int
    conn_country: str
    ip_addr: None  # never invented: real exports' IPs are personal data
    master_metadata_track_name: str | None
    master_metadata_album_artist_name: str | None
    master_metadata_album_album_name: str | None
    spotify_track_uri: str | None
    episode_name: str | None
    episode_show_name: str | None
    spotify_episode_uri: str | None
    audiobook_title: None
    audiobook_uri: None
    audiobook_chapter_uri: None
    audiobook_chapter_title: None
    reason_start: str
    reason_end: str
    shuffle: bool
    skipped: bool
    offline: bool
    offline_timestamp: int
    incognito_mode: bool


RECORD_KEYS = tuple(Record.__struct_fields__)
_NULL_FIELDS = {"ip_addr", "audiobook_title", "audiobook_uri", "audiobook_chapter_uri",
                "audiobook_chapter_title"}


def iso_utc(epoch_s: np.ndarray) -> np.ndarray:
    """``%Y-%m-%dT%H:%M:%SZ`` strings for epoch seconds, vectorised."""
    return np.datetime_as_string(epoch_s.astype("datetime64[s]"), unit="s", timezone="UTC")


def year_span(epoch_s: np.ndarray) -> str:
    years = epoch_s[[0, -1]].astype("datetime64[s]").astype("datetime64[Y]").astype(int) + 1970
    return str(years[0]) if years[0] == years[1] else f"{years[0]}-{years[1]}"


def encode(columns: dict[str, np.ndarray | list], start: int, stop: int, *,
           pretty: bool) -> bytes:
    """Encode rows ``start:stop`` of ``columns`` (every non-null key) as a JSON array."""
    parts = []
    for key in RECORD_KEYS:
        if key in _NULL_FIELDS:
            parts.append([None] * (stop - start))
        else:
            col = columns[key][start:stop]
            parts.append(col.tolist() if isinstance(col, np.ndarray) else col)
    records = [Record(*row) for row in zip(*parts, strict=True)]
    data = msgspec.json.encode(records)
    return msgspec.json.format(data, indent=4) if pretty else data


def write_files(folder: Path, prefix: str, columns: dict, epoch_s: np.ndarray, *,
                per_file: int | None, pretty: bool,
                after_file: Callable[[int], None] | None = None) -> list[str]:
    """Write ``columns`` (sorted by time) in files of ``per_file`` rows named like
    Spotify's: ``<prefix>_<YEARS>_<N>.json``; ``per_file=None`` writes one file without
    ``_N`` (as Spotify does for video). Returns the file names.

    One background thread does the disk writes (which release the GIL) while the next
    file is encoded; at most one write is pending, so memory stays bounded.
    """
    total = len(epoch_s)
    step = per_file or max(total, 1)
    written = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future | None = None
        for index, start in enumerate(range(0, total, step)):
            stop = min(start + step, total)
            span = year_span(epoch_s[start:stop])
            name = f"{prefix}_{span}_{index}.json" if per_file else f"{prefix}_{span}.json"
            data = encode(columns, start, stop, pretty=pretty)
            if pending is not None:
                pending.result()
            pending = pool.submit((folder / name).write_bytes, data)
            written.append(name)
            if after_file is not None:
                after_file(stop)
        if pending is not None:
            pending.result()
    return written
