"""Where the history came from, told without leaking the user's machine or identity.

Exports name source files by their *base name* only: full paths carry the home folder
(and with it the OS user name). ListenBrainz names its archives
``listenbrainz_<username>_<unix-seconds>.zip``, so that user name is masked too. The bytes
are identified by SHA-256, never copied.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePath
from typing import Any

from musicrec_tui.core.history.model import ImportReport

_CHUNK = 1 << 20
# Greedy up to the last "_<digits>" so user names containing "_" are masked whole.
_LISTENBRAINZ_USER = re.compile(r"(listenbrainz_).+(_\d+)")


def public_name(path: str | None) -> str | None:
    """The base name of ``path`` (or of a zip member path kept as-is), user names masked."""
    if path is None:
        return None
    return _LISTENBRAINZ_USER.sub(r"\1…\2", str(path))


def file_name(path: str) -> str:
    return public_name(PurePath(path).name) or ""


def sha256_of(path: str, cache: dict[str, str | None]) -> str | None:
    """SHA-256 of the file's bytes (streamed), or None if it is gone; one read per path."""
    if path not in cache:
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(_CHUNK):
                    digest.update(chunk)
            cache[path] = digest.hexdigest()
        except OSError:
            cache[path] = None
    return cache[path]


def source_files(report: ImportReport) -> list[dict[str, Any]]:
    """One entry per file or zip member the importer looked at, sorted by name then member.

    ``sha256`` is the hash of the file called ``name`` (for a zip member: of the zip).
    """
    hashes: dict[str, str | None] = {}
    out = [
        {
            "name": file_name(f.path),
            "member": public_name(f.member),
            "sha256": sha256_of(f.path, hashes) if Path(f.path).is_file() else None,
            "format": f.format,
            "rows": int(f.rows),
            "kept": int(f.kept),
        }
        for f in report.files
    ]
    return sorted(out, key=lambda e: (e["name"], e["member"] or ""))


def _scrub(text: str | None, path: str) -> str | None:
    """An importer error message with the file's folder and the home folder taken out."""
    if text is None:
        return None
    text = text.replace(path, PurePath(path).name)
    for secret in (str(PurePath(path).parent), str(Path.home())):
        if secret not in (".", "/", ""):
            text = text.replace(secret, "…")
    return public_name(text)


def public_report(report: ImportReport) -> dict[str, Any]:
    """``ImportReport.to_dict()`` with file paths reduced as in :func:`source_files`."""
    data = report.to_dict()
    data["files"] = sorted(
        (
            {**entry, "path": file_name(f.path), "member": public_name(f.member),
             "error": _scrub(f.error, f.path)}
            for entry, f in zip(data["files"], report.files, strict=True)
        ),
        key=lambda e: (e["path"], e["member"] or ""),
    )
    return data
