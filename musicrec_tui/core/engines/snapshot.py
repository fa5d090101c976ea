"""Artist snapshot: the ranking table's rows in one small msgpack file per source set.

Opening a large export from the import cache still costs pandas, pyarrow, an Arrow read of
every play and a ranking fit. The Artists table needs none of that: only each artist's rank
and numbers. The snapshot holds those rows (about 1 MB for 18k artists), so the app paints
them at once and loads the full History behind them.

The key is built from file stats only, like the import cache's ``quick_key``, but without
importing the importer (which pulls in pandas and pyarrow, the very cost avoided here): every
file under the given paths with its size and mtime, the settings that shape the import and
the ranking, the timezone, the app version and this format's version. A changed file, a new
file in a folder or a changed setting gives a new key. Whoever paints from a snapshot still
loads the History and compares (:meth:`ArtistSnapshot.same_as`), so a snapshot that a stat
cannot tell is stale (a new system zone, an edited importer) is corrected, not kept.
Writes are atomic; a file that cannot be decoded or fails :func:`problem` is deleted and
rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from musicrec_tui import __version__
from musicrec_tui.core.atomic import atomic_write, private_folder
from musicrec_tui.core.locations import cache_dir
from musicrec_tui.core.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

FORMAT = 1
_COLUMNS = ("rank", "score", "plays", "counted_plays", "hours", "e_avg", "first", "last")
# Epoch seconds a datetime can hold in any zone (years 1 to 9999, a day inside).
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC).timestamp()
_LATEST = datetime(9999, 12, 30, tzinfo=UTC).timestamp()
# Snapshots kept (one per source set); older ones are pruned when a new one is written.
KEEP = 8


class ArtistSnapshot(msgspec.Struct, frozen=True):
    """The ranking table as columns, best first (``artists[i]`` has ``rank[i]``)."""

    tz: str
    artists: list[str]
    rank: list[int]
    score: list[float]
    plays: list[int]
    counted_plays: list[int]
    hours: list[float]
    e_avg: list[float]
    first: list[float]  # UTC epoch seconds; NaN when unknown
    last: list[float]

    @classmethod
    def from_table(cls, table: pd.DataFrame, tz: str) -> ArtistSnapshot:
        """From ``Ranking.table`` (indexed by artist, best first)."""

        def seconds(column: str) -> list[float]:
            values = table[column]
            return [v.timestamp() if v == v and v is not None else math.nan for v in values]

        return cls(
            tz=tz, artists=[str(a) for a in table.index],
            rank=[int(v) for v in table["rank"]], score=[float(v) for v in table["score"]],
            plays=[int(v) for v in table["plays"]],
            counted_plays=[int(v) for v in table["counted_plays"]],
            hours=[float(v) for v in table["hours"]], e_avg=[float(v) for v in table["e_avg"]],
            first=seconds("first"), last=seconds("last"))

    def __len__(self) -> int:
        return len(self.artists)

    def row(self, i: int) -> dict[str, Any]:
        """One artist's numbers under the ranking table's column names."""
        return {"rank": self.rank[i], "score": self.score[i], "plays": self.plays[i],
                "counted_plays": self.counted_plays[i], "hours": self.hours[i],
                "e_avg": self.e_avg[i], "first": _when(self.first[i]),
                "last": _when(self.last[i])}

    def same_as(self, other: ArtistSnapshot) -> bool:
        """Equal rows (floats to 1e-9, so a refit of the same data always matches)."""
        if (self.tz, self.artists, self.rank, self.plays, self.counted_plays) != (
                other.tz, other.artists, other.rank, other.plays, other.counted_plays):
            return False
        return all(_close(a, b) for mine, theirs in (
            (self.score, other.score), (self.hours, other.hours), (self.e_avg, other.e_avg),
            (self.first, other.first), (self.last, other.last))
            for a, b in zip(mine, theirs, strict=True))


def _when(seconds: float) -> datetime | None:
    return None if math.isnan(seconds) else datetime.fromtimestamp(seconds, UTC)


def _close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def snapshots_dir() -> Path:
    return cache_dir() / "snapshots"


def _file_stats(path: Path) -> list[list[Any]] | None:
    """(path, size, mtime) of ``path`` or of every file under it; None when it is missing."""
    try:
        if path.is_file():
            st = path.stat()
            return [[str(path), st.st_size, st.st_mtime_ns]]
        if not path.is_dir():
            return None
        out = []
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                st = os.stat(os.path.join(root, name))
                out.append([os.path.join(root, name), st.st_size, st.st_mtime_ns])
        return out
    except OSError:
        return None


def _zone_hint(tz: str | None) -> list[str]:
    """What decides the system zone when none is set (see features.resolve_timezone)."""
    if tz:
        return [tz]
    with contextlib.suppress(OSError):
        return [os.environ.get("TZ", ""), Path("/etc/timezone").read_text(encoding="utf-8"),
                os.path.realpath("/etc/localtime")]
    return [os.environ.get("TZ", ""), os.path.realpath("/etc/localtime")]


def snapshot_key(paths: list[str], settings: Settings, tz: str | None) -> str | None:
    """The key for these sources and settings, from file stats; None if a path is missing."""
    files: list[list[Any]] = []
    for p in paths:
        stats = _file_stats(Path(p).expanduser().resolve())
        if stats is None:
            return None
        files += stats
    parts = {
        "format": FORMAT, "version": __version__, "zone": _zone_hint(tz), "files": files,
        "import": msgspec.to_builtins(settings.import_),
        "ranking": msgspec.to_builtins(settings.ranking),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def _path(key: str) -> Path:
    return snapshots_dir() / f"{key}.msgpack"


def problem(snapshot: ArtistSnapshot) -> str | None:
    """Why a decoded snapshot cannot be painted (columns of other lengths, numbers out of
    range, an unknown zone…), or None. The file may be damaged or hand-edited: the screen
    indexes every column by row and turns every date into a datetime."""
    n = len(snapshot.artists)
    for name in _COLUMNS:
        if len(getattr(snapshot, name)) != n:
            return f"{name} has {len(getattr(snapshot, name))} values for {n} artists"
    if len(set(snapshot.artists)) != n:
        return "an artist appears twice"
    if any(r < 1 for r in snapshot.rank) or any(
            v < 0 for v in (*snapshot.plays, *snapshot.counted_plays)):
        return "a rank or play count below its range"
    if any(math.isinf(v) for v in (*snapshot.score, *snapshot.hours, *snapshot.e_avg)):
        return "an infinite number"
    if any(not _EARLIEST <= v <= _LATEST for v in (*snapshot.first, *snapshot.last) if v == v):
        return "a date out of range"
    try:
        ZoneInfo(snapshot.tz)
    except (ValueError, ZoneInfoNotFoundError):
        return f"unknown time zone {snapshot.tz!r}"
    return None


def load(key: str) -> ArtistSnapshot | None:
    """The snapshot stored under ``key``, or None (a damaged or inconsistent file is
    deleted, so the next load writes a good one)."""
    path = _path(key)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        snapshot = msgspec.msgpack.decode(data, type=ArtistSnapshot)
    except (msgspec.DecodeError, ValueError):
        snapshot = None
    if snapshot is None or problem(snapshot) is not None:
        path.unlink(missing_ok=True)
        return None
    return snapshot


def save(key: str, snapshot: ArtistSnapshot) -> None:
    """Store ``snapshot`` under ``key`` and prune the oldest beyond :data:`KEEP`."""
    with contextlib.suppress(OSError):  # a snapshot we cannot write only costs speed
        # Owner-only, like the import cache: it is a summary of someone's listening.
        private_folder(snapshots_dir())
        atomic_write(_path(key), msgspec.msgpack.encode(snapshot), mode=0o600)
        kept = sorted(snapshots_dir().glob("*.msgpack"), key=lambda p: p.stat().st_mtime_ns,
                      reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
