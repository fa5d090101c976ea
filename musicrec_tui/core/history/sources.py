"""Find the files to import: plain files, folders (recursively) and zips read in place.

Everything is opened read-only and nothing is extracted to disk. Zip members are guarded
against zip bombs twice: by the size the archive declares and by counting bytes while
reading (a forged header cannot slip past the second check).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from musicrec_tui.core.errors import InputError
from musicrec_tui.core.history.model import FileReport

# Inside folders and zips only these can hold listening history (PDFs, images… are ignored).
HISTORY_SUFFIXES = (".json", ".jsonl", ".csv")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Source:
    """One file, or one member of a zip, that may hold listening history."""

    path: str  # the file on disk (the zip for members)
    member: str | None  # member name inside the zip
    label: str  # short name recorded in the ``source`` column
    size: int  # bytes (uncompressed for members)
    found: bool  # found by walking a folder or zip, rather than named by the user

    def read(self, limit: int) -> bytes:
        """The raw bytes; InputError for unreadable files and oversized members."""
        try:
            if self.member is None:
                with open(self.path, "rb") as fh:
                    # read(limit + 1) would allocate the whole limit up front: ~4x slower.
                    size = os.fstat(fh.fileno()).st_size
                    data = fh.read(min(size, limit) + 1)
                if len(data) > limit:
                    raise InputError(self.path, f"file is larger than {limit >> 20} MiB "
                                     "(raise import.max_member_mib if it is genuine)")
                return data
            with zipfile.ZipFile(self.path) as zf, zf.open(self.member) as fh:
                parts, total = [], 0
                while chunk := fh.read(_CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise InputError(self.path, _too_big(limit, "unpacks to"), self.member)
                    parts.append(chunk)
                return b"".join(parts)
        except InputError:
            raise
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError,
                NotImplementedError, RuntimeError) as exc:
            raise InputError(self.path, f"cannot read: {exc}", self.member) from None

    @property
    def report(self) -> FileReport:
        return FileReport(self.path, self.member)


def _too_big(limit: int, verb: str) -> str:
    return (f"member {verb} more than {limit // (1 << 20)} MiB "
            "(zip-bomb guard; raise import.max_member_mib if it is genuine)")


def _wanted(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return (base.lower().endswith(HISTORY_SUFFIXES) and not base.startswith((".", "._"))
            and "__MACOSX/" not in name)


def _zip_sources(path: Path, label: str, limit: int, errors: list[FileReport]) -> list[Source]:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir() and _wanted(i.filename)]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        errors.append(FileReport(str(path), error=f"not a readable zip: {exc}"))
        return []
    out = []
    for info in infos:
        if info.file_size > limit:
            errors.append(FileReport(str(path), info.filename, error=_too_big(limit, "declares")))
            continue
        out.append(Source(str(path), info.filename, f"{label}/{info.filename}",
                          info.file_size, True))
    if not out and not any(e.path == str(path) for e in errors):
        errors.append(FileReport(str(path), error="zip has no listening history inside "
                                 "(no .json/.jsonl/.csv members)"))
    return out


def _is_zip(path: Path) -> bool:
    if path.suffix.lower() == ".zip":
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def collect(paths: Iterable[str | os.PathLike], *, max_member_bytes: int
            ) -> tuple[list[Source], list[FileReport]]:
    """Every candidate source under ``paths`` plus reports for paths that failed outright."""
    sources: list[Source] = []
    errors: list[FileReport] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            errors.append(FileReport(str(raw), error="no such file or folder"))
            continue
        if path.is_dir():
            root = path.resolve()
            found_any = False
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__MACOSX")))
                for name in sorted(filenames):
                    file = Path(dirpath) / name
                    rel = file.relative_to(root.parent).as_posix()
                    if name.lower().endswith(".zip"):
                        sources.extend(_zip_sources(file, rel, max_member_bytes, errors))
                        found_any = True
                    elif _wanted(name):
                        sources.append(Source(str(file), None, rel, file.stat().st_size, True))
                        found_any = True
            if not found_any:
                errors.append(FileReport(str(raw), error="folder has no .json/.jsonl/.csv/.zip "
                                         "files"))
        elif _is_zip(path):
            sources.extend(_zip_sources(path.resolve(), path.name, max_member_bytes, errors))
        else:
            try:
                size = path.stat().st_size
            except OSError as exc:
                errors.append(FileReport(str(raw), error=f"cannot read: {exc}"))
                continue
            sources.append(Source(str(path.resolve()), None, path.name, size, False))
    return sources, errors
