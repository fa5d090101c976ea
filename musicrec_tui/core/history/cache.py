"""Import cache: the finished History as an Arrow IPC file in ``cache_dir()/imports/``.

The key is a SHA-256 over the SHA-256 of every source's file (the zip, for zip members) plus
everything else that shapes the table (importer version, source labels, timezone, minimum
play length, session gap, incognito rule, scrobble matching). Hashing the exports costs CPU,
so it happens in the background after the History is returned (re-reading the files, which
are in the page cache by then), and ``index.json`` remembers each source's digest under its
file's (size, mtime) — the way git's index does — so a warm reopen only stats the files.
A file whose (size, mtime) changed while it was being imported is not cached.

Each cache file is the Arrow bytes followed by their SHA-256 and a marker: a file that
fails the check (a flipped bit on disk) or cannot be read is never served; it is set aside
as ``.corrupt-<time>`` (the newest one kept, for a look) and the export is read again, with a
note in the report. Everything here describes someone's listening: files 0600 in a 0700
folder, written atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from musicrec_tui.core import background
from musicrec_tui.core.atomic import atomic_write, private_folder
from musicrec_tui.core.errors import InputError
from musicrec_tui.core.history.features import DERIVED, restore_derived
from musicrec_tui.core.history.files import open_regular
from musicrec_tui.core.history.model import FileReport, History, ImportReport
from musicrec_tui.core.history.sources import Source
from musicrec_tui.core.locations import cache_dir
from musicrec_tui.core.settings import Settings

# 4: the checksum trailer; 5: the artist_mbid column; 6: Arrow IPC instead of Parquet
IMPORTER_VERSION = "6"
_META_KEY = b"musicrec.import"
_CHUNK = 1 << 20
_MARK = b"MRSHA256"  # ends every cache file, after the payload's 32-byte digest
_TRAILER = 32 + len(_MARK)


def imports_dir() -> Path:
    return cache_dir() / "imports"


def _write(path: Path, data: bytes | str) -> None:
    """Atomic, owner-only, in an owner-only folder; no fsync: the cache can always be
    rebuilt from the export."""
    private_folder(path.parent)
    atomic_write(path, data, mode=0o600, durable=False)


def _read_index(folder: Path | None = None) -> dict[str, list]:
    try:
        data = json.loads(((folder or imports_dir()) / "index.json").read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _id(src: Source) -> str:
    return f"{src.path}\0{src.where}" if src.member is not None else src.path


def stamps(sources: list[Source]) -> dict[str, list[int]]:
    """(size, mtime) of each source's file on disk, taken before it is read."""
    out: dict[str, list[int]] = {}
    for path in dict.fromkeys(src.path for src in sources):
        try:
            st = os.stat(path)
        except OSError:
            continue
        out[path] = [st.st_size, st.st_mtime_ns]
    return out


def key_of(digests: list[str], labels: list[str], settings: Settings, tz: str) -> str:
    s = settings.import_
    parts = {
        "version": IMPORTER_VERSION, "tz": tz, "labels": labels, "files": digests,
        "min_play_seconds": s.min_play_seconds, "session_gap_minutes": s.session_gap_minutes,
        "drop_incognito": s.drop_incognito, "max_member_mib": s.max_member_mib,
        "scrobble_match_seconds": s.scrobble_match_seconds,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def quick_key(sources: list[Source], stamp: dict[str, list[int]], labels: list[str],
              settings: Settings, tz: str) -> str | None:
    """The key from remembered digests, or None when any file is new or changed."""
    background.wait()  # a cache write still hashing is about to update the index
    index = _read_index()
    found: list[str] = []
    for src in sources:
        entry = index.get(_id(src))
        if not entry or src.path not in stamp or entry[:2] != stamp[src.path]:
            return None
        found.append(entry[2])
    return key_of(found, labels, settings, tz)


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open_regular(path) as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def digests(sources: list[Source], stamp: dict[str, list[int]]) -> list[str] | None:
    """SHA-256 of each source's file, or None when a file changed since ``stamp`` was taken
    (then the bytes hashed may not be the bytes imported)."""
    by_path: dict[str, str] = {}
    try:
        for path in dict.fromkeys(src.path for src in sources):
            if path not in stamp:
                return None
            by_path[path] = _file_digest(path)
    except (OSError, InputError):
        return None
    if stamps(sources) != stamp:
        return None
    return [by_path[src.path] for src in sources]


def remember(sources: list[Source], stamp: dict[str, list[int]], found: list[str],
             folder: Path) -> None:
    """Store each source's digest under its file's (size, mtime) for the next quick_key."""
    index = _read_index(folder)
    index.update({_id(src): [*stamp[src.path], digest]
                  for src, digest in zip(sources, found, strict=True)})
    with contextlib.suppress(OSError):  # a cache we cannot write only costs speed
        _write(folder / "index.json", json.dumps(index))


def _report_from_dict(data: dict[str, Any]) -> ImportReport:
    def when(v: str | None) -> datetime | None:
        return datetime.fromisoformat(v) if v else None

    return ImportReport(
        rows_read=data["rows_read"], kept=data["kept"], counted=data["counted"],
        set_aside=dict(data["set_aside"]),
        files=[FileReport(**f) for f in data["files"]],
        first=when(data["first"]), last=when(data["last"]),
        artists=data["artists"], tracks=data["tracks"], from_cache=True,
        timezone=data["timezone"],
    )


def _path(key: str, folder: Path | None = None) -> Path:
    return (folder or imports_dir()) / f"{key}.arrow"


def _payload(path: Path) -> pa.Buffer:
    """The Arrow bytes of a cache file (memory-mapped), after checking their digest."""
    data = pa.memory_map(str(path)).read_buffer()
    body = data.slice(0, max(data.size - _TRAILER, 0))
    trailer = data.slice(body.size).to_pybytes()
    if trailer[32:] != _MARK or hashlib.sha256(body).digest() != trailer[:32]:
        raise _Damaged("its checksum does not match")
    return body


class _Damaged(Exception):
    """A cache file that must not be served."""


def _set_aside(path: Path) -> None:
    """Keep the damaged file for a look as ``.corrupt-<time>``: only the newest one."""
    with contextlib.suppress(OSError):
        aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
        os.replace(path, aside)
        for old in path.parent.glob("*.corrupt-*"):
            if old != aside:
                old.unlink(missing_ok=True)


def load(key: str, early: list[FileReport]) -> tuple[History | None, str | None]:
    """The cached History for ``key`` (plus this call's path problems), or None; and a note
    when a damaged cache file was found (and set aside)."""
    background.wait()
    path = _path(key)
    if not path.exists():
        return None, None
    try:
        table = pa.ipc.open_file(_payload(path)).read_all()
        meta = json.loads(table.schema.metadata[_META_KEY])
        plays = restore_derived(_string_categories(table.to_pandas()), meta["tz"])
        report = _report_from_dict(meta["report"])
    except Exception as exc:  # any damage at all means: rebuild it, never serve it
        _set_aside(path)
        why = str(exc) if isinstance(exc, _Damaged) else "it cannot be read"
        return None, (f"the import cache of these files was damaged ({why}): they were read "
                      "again and the cache rebuilt")
    report.files = early + report.files
    return History(plays, report, meta["tz"]), None


def _string_categories(plays: pd.DataFrame) -> pd.DataFrame:
    """A category column with no values (e.g. no artist MBIDs in the export) comes back
    with object categories; the import makes them strings: make them match."""
    for name, column in plays.items():
        if isinstance(column.dtype, pd.CategoricalDtype) and not len(column.cat.categories):
            plays[name] = column.cat.set_categories(pd.Index([], dtype="str"))
    return plays


def save(history: History, sources: list[Source], early: list[FileReport],
         stamp: dict[str, list[int]], labels: list[str], settings: Settings, tz: str,
         key: str | None) -> None:
    """Write the cache in the background (:mod:`core.background`); the caller already has
    its History, and whoever ends the process waits for the write first.

    ``key`` is the quick key when every digest was known, else None: the sources are hashed
    first. The frame to store is taken here (copy-on-write makes it a cheap snapshot that
    later changes to the History's DataFrame cannot reach); converting it to Arrow, hashing
    and writing (hashlib and pyarrow release the GIL) run in the thread. Arrow IPC,
    uncompressed, rather than Parquet: about twice the size, but written ~5x and read back
    ~3x faster (docs/benchmarks.md), and a warm reopen is mostly that read.
    """
    frame = history.plays.drop(columns=list(DERIVED))
    report = history.report.to_dict()
    # This call's path problems (a missing path, a loop) belong to the paths asked for this
    # time, not to the files cached: ``load`` adds the next call's own.
    asked = {(f.path, f.member, f.error) for f in early}
    report["files"] = [f for f in report["files"]
                       if (f["path"], f["member"], f["error"]) not in asked]
    meta = json.dumps({"report": report, "tz": history.tz})
    folder = imports_dir()  # now: the thread may run after the cache dir setting changed

    def write() -> None:
        nonlocal key
        if key is None:
            found = digests(sources, stamp)
            if found is None:
                return
            remember(sources, stamp, found, folder)
            key = key_of(found, labels, settings, tz)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               _META_KEY: meta})
        sink = pa.BufferOutputStream()
        with pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        body = sink.getvalue()
        _write(_path(key, folder), b"".join((body, hashlib.sha256(body).digest(), _MARK)))
        for old in folder.glob("*.parquet"):  # the format before IMPORTER_VERSION 6
            old.unlink(missing_ok=True)

    def write_or_skip() -> None:
        with contextlib.suppress(Exception):  # a cache we cannot write only costs speed
            write()

    background.start("musicrec-cache-write", write_or_skip)
