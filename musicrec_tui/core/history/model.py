"""The canonical history table and the import report that travels with it.

Canonical columns (one row per play, see ``CANONICAL_COLUMNS``):

==============  =========================  ==============================================
column          dtype                      meaning
==============  =========================  ==============================================
ts              datetime64[ns, UTC]        when the play ended (Spotify) or started (Last.fm/LB)
artist          category                   artist name as exported
track           category                   track title
album           category                   album title (may be missing)
track_uri       category                   ``spotify:track:…`` or missing
ms_played       Int64 (nullable)           ms actually played; missing for scrobble sources
reason_start    category                   Spotify reason code or missing
reason_end      category                   Spotify reason code or missing
skipped         boolean (nullable)         repaired skip flag (see docs/formats.md §1.5)
shuffle         boolean (nullable)         shuffle on
source          category                   which file (and zip member) the row came from
counted         bool                       ms_played ≥ min play length (or unknown)
artist_mbid     category                   MusicBrainz artist ID when the export gave one
==============  =========================  ==============================================

Feature columns added once by ``features.add_features`` (see ``FEATURE_COLUMNS``):
duration_ms (float32, estimated track length), engagement (float32 in [0, 1]),
local_ts (tz-aware in the user's zone), hour, dow (Monday=0), month ("YYYY-MM" period
as int: year*12+month-1), year, hour_sin, hour_cos, dow_sin, dow_cos (float32),
session (int32, increasing with time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

CANONICAL_COLUMNS = (
    "ts", "artist", "track", "album", "track_uri", "ms_played",
    "reason_start", "reason_end", "skipped", "shuffle", "source", "counted", "artist_mbid",
)
FEATURE_COLUMNS = (
    "duration_ms", "engagement", "local_ts", "hour", "dow", "month", "year",
    "hour_sin", "hour_cos", "dow_sin", "dow_cos", "session",
)

# Reasons a row is set aside rather than kept as a music play.
SET_ASIDE_REASONS = (
    "podcast", "audiobook", "video", "no_artist", "zero_length", "duplicate",
    "overlap", "duplicate_scrobble", "incognito", "malformed",
)


@dataclass
class FileReport:
    """What happened to one file or zip member."""

    path: str
    member: str | None = None
    format: str | None = None
    rows: int = 0
    kept: int = 0
    error: str | None = None

    @property
    def name(self) -> str:
        return f"{self.path} → {self.member}" if self.member else self.path


@dataclass
class ImportReport:
    rows_read: int = 0
    kept: int = 0
    counted: int = 0
    set_aside: dict[str, int] = field(default_factory=dict)
    files: list[FileReport] = field(default_factory=list)
    first: datetime | None = None
    last: datetime | None = None
    artists: int = 0
    tracks: int = 0
    from_cache: bool = False
    timezone: str = "UTC"
    # About this run (e.g. a damaged cache was rebuilt), not the files: not in to_dict, so
    # neither the cache nor an export keeps them.
    notes: list[str] = field(default_factory=list)

    @property
    def bad_files(self) -> list[FileReport]:
        """Files with a problem: unread ones, and read ones with rows set aside (the note)."""
        return [f for f in self.files if f.error]

    @property
    def unread_files(self) -> list[FileReport]:
        """Files nothing was kept from because of their problem."""
        return [f for f in self.bad_files if not f.kept]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "kept": self.kept,
            "counted": self.counted,
            "set_aside": dict(sorted(self.set_aside.items())),
            "files": [
                {"path": f.path, "member": f.member, "format": f.format,
                 "rows": f.rows, "kept": f.kept, "error": f.error}
                for f in self.files
            ],
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "artists": self.artists,
            "tracks": self.tracks,
            "from_cache": self.from_cache,
            "timezone": self.timezone,
        }


@dataclass
class History:
    """Plays (canonical + feature columns, sorted by ``ts``) plus the report."""

    plays: pd.DataFrame
    report: ImportReport
    tz: str = "UTC"

    def as_of(self, when: pd.Timestamp | datetime | None) -> History:
        """Only the plays at or before ``when`` (None = everything)."""
        if when is None:
            return self
        cutoff = pd.Timestamp(when)
        cutoff = cutoff.tz_localize("UTC") if cutoff.tzinfo is None else cutoff.tz_convert("UTC")
        end = self.plays["ts"].searchsorted(cutoff, side="right")
        return History(self.plays.iloc[:end], self.report, self.tz)

    @property
    def empty(self) -> bool:
        return self.plays.empty

    @property
    def counted_plays(self) -> pd.DataFrame:
        return self.plays[self.plays["counted"]]
