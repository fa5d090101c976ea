"""SQLite cache of a provider's answers, one file per provider, keyed by (query, limit).

Last.fm and ListenBrainz lists are keyed by the normalised artist (or MBID and algorithm);
the MusicBrainz file maps normalised names to the matched artist, "no match" included (an
empty list), with a long TTL. Only public data is stored, never keys or user agents; the
files are still about the user's taste, so they are 0600 in a 0700 folder. Each entry is
one autocommitted statement, so a cancelled or crashed run leaves whole rows or none. WAL
mode lets a concurrent run read while another writes, and a writer waits for another (up to
the busy timeout, then that one write is skipped with a note). A corrupt file is renamed
aside (``.corrupt-<ts>``, only the newest kept) and rebuilt with a warning: the cache is an
optimisation and must never stop a run.

Size cap (Last.fm's terms ask apps to keep stored data reasonable, ~100 MB): the live data
(pages in use, not free ones) is measured when the file is opened and every
``_CHECK_EVERY`` writes. Over the cap, the oldest-written rows go first, down to
``_TRIM_TO`` of the cap. Oldest-written rather than least-read: with a TTL every entry in
use is re-fetched (re-written) once per TTL, so write order tracks use, and rowid order is
write order (``INSERT OR REPLACE`` gives a replaced row a new rowid), so evicting is a
contiguous range of the table whose pages really come free and get reused. VACUUM runs
only when most of the file is free pages (e.g. after the cap was lowered).
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from musicrec_tui.core.locations import cache_dir
from musicrec_tui.core.similarity.base import Neighbour

FILENAME = "lastfm.sqlite3"
# Per provider: the file name and what its messages call it.
KINDS = {
    "lastfm": ("lastfm.sqlite3", "similar-artist cache"),
    "listenbrainz": ("listenbrainz.sqlite3", "ListenBrainz similar-artist cache"),
    "musicbrainz": ("musicbrainz.sqlite3", "MusicBrainz name cache"),
}
_CHUNK = 500  # keys per IN (...) query, well under SQLite's bound-parameter limit
_MIB = 1024 * 1024
# Size checks are two PRAGMA reads, but a run writes hundreds of rows: check every 50th
# write (at ~2 KB a row that overshoots the cap by ~100 KB at most).
_CHECK_EVERY = 50
_TRIM_TO = 0.9  # trim below the cap, so the next few writes do not trim again at once
_TRIM_ROUNDS = 8  # each round re-measures; contiguous deletes converge in one or two
_VACUUM_FREE_SHARE = 0.5  # VACUUM when at least this share of the file is free pages
_FIRST_PAUSE, _MAX_PAUSE = 0.002, 0.1  # seconds between tries while another run holds the file
_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (primary result codes)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS similar (
    artist     TEXT    NOT NULL,   -- the query key: normalise_name() of the artist, or an MBID
    lim        INTEGER NOT NULL,   -- the `limit` sent to the API
    neighbours TEXT    NOT NULL,   -- JSON [[display name, score(, mbid)], ...]
    fetched_at REAL    NOT NULL,   -- unix seconds
    PRIMARY KEY (artist, lim)
)
"""


@dataclass(frozen=True)
class CacheEntry:
    neighbours: list[Neighbour]
    fetched_at: float
    fresh: bool


class SimilarCache:
    """Thread-safe (one lock) wrapper around one SQLite connection, opened lazily."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        ttl_hours: float,
        busy_timeout_seconds: float,
        max_mib: float = 0.0,
        now: Callable[[], float] = time.time,
        label: str = "similar-artist cache",
    ) -> None:
        self.path = Path(path) if path is not None else cache_dir() / FILENAME
        self.label = label
        self.ttl_seconds = ttl_hours * 3600.0
        self.busy_timeout = busy_timeout_seconds
        self.max_bytes = max(0, int(max_mib * _MIB))  # 0: no cap
        self.now = now
        self._writes = 0
        self.skipped = 0  # operations given up on because another run held the file
        # Warnings for the run's SimilarityResult.messages; the caller drains them.
        self.messages: list[str] = []
        self._conn: sqlite3.Connection | None = None
        self._disabled = False
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings, kind: str = "lastfm", *,
                      now: Callable[[], float] = time.time) -> SimilarCache:
        """The cache file of provider ``kind`` (one of :data:`KINDS`) in ``cache_dir()``."""
        filename, label = KINDS[kind]
        ttl = (settings.cache.mbid_ttl_days * 24.0 if kind == "musicbrainz"
               else settings.cache.similar_ttl_hours)
        return cls(
            cache_dir() / filename,
            ttl_hours=ttl,
            busy_timeout_seconds=settings.cache.busy_timeout_seconds,
            max_mib=settings.cache.similar_max_mib,
            now=now,
            label=label,
        )

    # -- public API ---------------------------------------------------------------------
    def get(self, artist_key: str, limit: int) -> CacheEntry | None:
        return self.get_many([artist_key], limit).get(artist_key)

    def get_many(self, artist_keys: Sequence[str], limit: int) -> dict[str, CacheEntry]:
        """Entries found for ``artist_keys`` (one query per chunk, not one per artist)."""
        keys = list(dict.fromkeys(artist_keys))
        rows: list[tuple[str, str, float]] = []
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found = self._run(
                lambda c, chunk=chunk, marks=marks: c.execute(
                    "SELECT artist, neighbours, fetched_at FROM similar"
                    f" WHERE lim = ? AND artist IN ({marks})",
                    (limit, *chunk),
                ).fetchall()
            )
            rows.extend(found or [])
        now = self.now()
        out: dict[str, CacheEntry] = {}
        for artist, payload, fetched_at in rows:
            try:
                neighbours = [Neighbour(str(n), float(s), str(m[0]) if m else "")
                              for n, s, *m in json.loads(payload)]
            except (ValueError, TypeError):
                continue  # an unreadable row is a miss; the next put overwrites it
            fresh = now - float(fetched_at) < self.ttl_seconds
            out[artist] = CacheEntry(neighbours, float(fetched_at), fresh)
        return out

    def put(self, artist_key: str, limit: int, neighbours: Sequence[Neighbour]) -> None:
        payload = json.dumps([[n.name, n.score, n.mbid] if n.mbid else [n.name, n.score]
                              for n in neighbours], ensure_ascii=False)

        def write(c: sqlite3.Connection) -> None:
            c.execute(
                "INSERT OR REPLACE INTO similar (artist, lim, neighbours, fetched_at)"
                " VALUES (?, ?, ?, ?)",
                (artist_key, limit, payload, self.now()),
            )
            self._writes += 1
            if self._writes % _CHECK_EVERY == 0:
                self._trim(c)

        self._run(write)

    def trim(self) -> int:
        """Evict the oldest-written rows while the data is over the cap; rows removed."""
        return self._run(self._trim) or 0

    def data_bytes(self) -> int:
        """Bytes of the pages in use (the file minus its free pages)."""
        return self._run(_data_bytes) or 0

    def count(self) -> int:
        row = self._run(lambda c: c.execute("SELECT COUNT(*) FROM similar").fetchone())
        return int(row[0]) if row else 0

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- internals ----------------------------------------------------------------------
    def _run(self, op):
        """Run ``op(conn)``; a busy file is waited for, a corrupt one set aside and rebuilt.

        Another run holding the file is not damage: its file is never moved. ``op`` is retried
        until the busy timeout, then skipped with one message (the cache is an optimisation).
        """
        with self._lock:
            deadline = time.monotonic() + self.busy_timeout
            pause = _FIRST_PAUSE
            rebuilt = False
            while not self._disabled:
                try:
                    return op(self._connect())
                except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
                    raise  # our bug, not the file's
                except sqlite3.DatabaseError as exc:
                    if _is_busy(exc):
                        if time.monotonic() < deadline:
                            # SQLite answers some lock upgrades (the switch to WAL, a write
                            # after a read) at once, without its own busy handler's wait.
                            time.sleep(pause)
                            pause = min(2 * pause, _MAX_PAUSE)
                            continue
                        self._note_busy()
                        return None
                    self._set_aside(exc, final=rebuilt)
                    rebuilt = True
            return None

    def _note_busy(self) -> None:
        self.skipped += 1
        if self.skipped == 1:
            self.messages.append(f"{self.label} busy (another musicrec run holds it):"
                                 " some lists were not cached this run")

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            _private_file(self.path)
            # isolation_level=None: autocommit, so every statement is its own transaction.
            conn = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            try:
                conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
                if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute(_SCHEMA)
                self._trim(conn)  # the cap may have been lowered since the last run
            except sqlite3.DatabaseError:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _trim(self, conn: sqlite3.Connection) -> int:
        if self.max_bytes <= 0:
            return 0
        used = _data_bytes(conn)
        if used <= self.max_bytes:
            return 0
        target = self.max_bytes * _TRIM_TO
        evicted = 0
        for _ in range(_TRIM_ROUNDS):
            rows = conn.execute("SELECT COUNT(*) FROM similar").fetchone()[0]
            if used <= target or rows == 0:
                break
            # Rows to drop, assuming rows are of similar size; re-measured next round.
            n = max(1, math.ceil(rows * (used - target) / used))
            conn.execute(
                "DELETE FROM similar WHERE rowid IN"
                " (SELECT rowid FROM similar ORDER BY rowid LIMIT ?)",
                (n,),
            )
            evicted += min(n, rows)
            used = _data_bytes(conn)
        self._vacuum_if_mostly_free(conn)
        return evicted

    @staticmethod
    def _vacuum_if_mostly_free(conn: sqlite3.Connection) -> None:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        if not pages or free < pages * _VACUUM_FREE_SHARE:
            return
        try:
            conn.execute("VACUUM")
            # In WAL mode VACUUM writes the whole file through the WAL: give that space back.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            pass  # another run is busy with the file: shrinking can wait for a later run

    def _set_aside(self, exc: sqlite3.DatabaseError, *, final: bool) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if final:
            # Rebuilt once already this run and still failing: run without a cache.
            self._disabled = True
            self.messages.append(f"{self.label} disabled for this run ({exc})")
            return
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(self.now())}")
        try:
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    side.replace(aside.with_name(aside.name + suffix))
            if self.path.exists():
                self.path.replace(aside)
        except OSError as move_exc:
            self._disabled = True
            self.messages.append(f"{self.label} unusable ({exc}; {move_exc})")
            return
        _drop_older_copies(self.path, keep=aside)
        self.messages.append(
            f"{self.label} was unreadable ({exc}); moved it to {aside.name} and started"
            " a new one"
        )

    def drain_messages(self) -> list[str]:
        out, self.messages = self.messages, []
        return out


def _private_file(path: Path) -> None:
    """Create ``path`` 0600 (SQLite gives its -wal/-shm files the same mode) in a 0700 folder.

    A folder we create is 0700; an existing one we own is tightened, unless it is a shared
    sticky folder such as /tmp. A file left wider by an older version is narrowed.
    """
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
    try:
        st = folder.stat()
        if (st.st_uid == os.getuid() and st.st_mode & 0o077
                and not st.st_mode & stat.S_ISVTX):
            folder.chmod(stat.S_IMODE(st.st_mode) & 0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
                os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
    except OSError:
        pass  # sqlite3.connect reports a folder or file we cannot use


def _drop_older_copies(path: Path, *, keep: Path) -> None:
    """Delete set-aside copies older than ``keep`` (one corrupt copy is enough to look at)."""
    for old in path.parent.glob(f"{path.name}.corrupt-*"):
        if not old.name.startswith(keep.name):  # keep.name and its -wal/-shm stay
            old.unlink(missing_ok=True)


def _is_busy(exc: sqlite3.DatabaseError) -> bool:
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in _BUSY


def _data_bytes(conn: sqlite3.Connection) -> int:
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    return (pages - free) * page_size
