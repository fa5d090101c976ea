"""SQLite cache of similar-artist lists, keyed by (normalised artist, requested limit).

Only public similar-artist data is stored (never keys or user data). Each entry is one
autocommitted statement, so a cancelled or crashed run leaves whole rows or none. WAL mode
lets a concurrent run read while another writes; a file that is corrupt, or still locked
after the busy timeout, is renamed aside (``.corrupt-<ts>``) and rebuilt with a warning:
the cache is an optimisation and must never stop a run.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from musicrec_tui.core.locations import cache_dir
from musicrec_tui.core.similarity.base import Neighbour

FILENAME = "lastfm.sqlite3"
_CHUNK = 500  # keys per IN (...) query, well under SQLite's bound-parameter limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS similar (
    artist     TEXT    NOT NULL,   -- normalise_name() of the queried artist
    lim        INTEGER NOT NULL,   -- the `limit` sent to the API
    neighbours TEXT    NOT NULL,   -- JSON [[display name, score], ...]
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
        now: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path) if path is not None else cache_dir() / FILENAME
        self.ttl_seconds = ttl_hours * 3600.0
        self.busy_timeout = busy_timeout_seconds
        self.now = now
        # Warnings for the run's SimilarityResult.messages; the caller drains them.
        self.messages: list[str] = []
        self._conn: sqlite3.Connection | None = None
        self._disabled = False
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings, *, now: Callable[[], float] = time.time) -> SimilarCache:
        return cls(
            ttl_hours=settings.cache.similar_ttl_hours,
            busy_timeout_seconds=settings.cache.busy_timeout_seconds,
            now=now,
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
                neighbours = [Neighbour(str(n), float(s)) for n, s in json.loads(payload)]
            except (ValueError, TypeError):
                continue  # an unreadable row is a miss; the next put overwrites it
            fresh = now - float(fetched_at) < self.ttl_seconds
            out[artist] = CacheEntry(neighbours, float(fetched_at), fresh)
        return out

    def put(self, artist_key: str, limit: int, neighbours: Sequence[Neighbour]) -> None:
        payload = json.dumps([[n.name, n.score] for n in neighbours], ensure_ascii=False)
        self._run(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO similar (artist, lim, neighbours, fetched_at)"
                " VALUES (?, ?, ?, ?)",
                (artist_key, limit, payload, self.now()),
            )
        )

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
        """Run ``op(conn)``; on corruption/lock, set the file aside, rebuild, retry once."""
        with self._lock:
            for attempt in range(2):
                if self._disabled:
                    return None
                try:
                    return op(self._connect())
                except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
                    raise  # our bug, not the file's
                except sqlite3.DatabaseError as exc:  # corrupt file, or locked past timeout
                    self._set_aside(exc, final=attempt == 1)
            return None

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: autocommit, so every statement is its own transaction.
            conn = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            try:
                conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute(_SCHEMA)
            except sqlite3.DatabaseError:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _set_aside(self, exc: sqlite3.DatabaseError, *, final: bool) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if final:
            # Rebuilt once already this run and still failing: run without a cache.
            self._disabled = True
            self.messages.append(f"similar-artist cache disabled for this run ({exc})")
            return
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        try:
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    side.replace(aside.with_name(aside.name + suffix))
            if self.path.exists():
                self.path.replace(aside)
        except OSError as move_exc:
            self._disabled = True
            self.messages.append(f"similar-artist cache unusable ({exc}; {move_exc})")
            return
        self.messages.append(
            f"similar-artist cache was unreadable ({exc}); moved it to {aside.name} and started"
            " a new one"
        )

    def drain_messages(self) -> list[str]:
        out, self.messages = self.messages, []
        return out
