"""Find the files to import: plain files, folders (recursively) and zips read in place.

Everything is opened read-only and nothing is extracted to disk: a zip inside the zip (Spotify
sometimes delivers ``my_spotify_data.zip/…/Spotify Extended Streaming History.zip``) is
unpacked in memory. Zip members, nested zips included, are guarded against zip bombs: by the
size and the compression ratio the archive declares, by counting bytes while reading (a
forged header cannot slip past) and by refusing a member that unpacks to blank space.
Paths are classified with ``stat`` before anything is opened (see :mod:`.files`).
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from musicrec_tui.core.errors import InputError
from musicrec_tui.core.history.files import not_regular, open_regular, os_problem, stat_path
from musicrec_tui.core.history.model import FileReport

# Inside folders and zips only these can hold listening history (PDFs, images… are ignored).
HISTORY_SUFFIXES = (".json", ".jsonl", ".csv")
_CHUNK = 1 << 20
# Spotify nests one zip in the download; deeper nesting is no export (maybe a zip quine).
MAX_NESTING = 3
# Exports pack 9-22:1 (Account Data, Extended, generated); one song on repeat all day packs
# ~100:1; DEFLATE's ceiling is ~1030:1. Above this ratio a big member is a bomb, not history.
MAX_RATIO = 400
RATIO_FROM_BYTES = 1 << 20  # small members may pack oddly and cost nothing anyway
# While unpacking, the start of every MiB is sampled: history is 15-30% blank (indentation);
# two MiB in a row sampled as nearly all blank are padding, and reading stops there.
_SAMPLE = 16 << 10
_BLANK_SHARE = 0.95
_BLANK = b" \t\r\n"


@dataclass(frozen=True)
class Source:
    """One file, or one member of a zip (possibly of a zip inside the zip), that may hold
    listening history."""

    path: str  # the file on disk (the outermost zip for members)
    member: str | None  # member name inside the (innermost) zip
    label: str  # short name recorded in the ``source`` column
    size: int  # bytes (uncompressed for members)
    found: bool  # found by walking a folder or zip, rather than named by the user
    nested: tuple[str, ...] = ()  # zips inside the zip at ``path`` holding ``member``, outer first

    @property
    def where(self) -> str | None:
        """The member as the user sees it: ``inner.zip → folder/file.json``."""
        return None if self.member is None else " → ".join((*self.nested, self.member))

    def read(self, limit: int) -> bytes:
        """The raw bytes; InputError for unreadable files and oversized members."""
        try:
            if self.member is None:
                with open_regular(self.path) as fh:
                    # read(limit + 1) would allocate the whole limit up front: ~4x slower.
                    size = os.fstat(fh.fileno()).st_size
                    data = fh.read(min(size, limit) + 1)
                if len(data) > limit:
                    raise InputError(self.path, f"file is larger than {limit >> 20} MiB "
                                     "(raise import.max_member_mib if it is genuine)")
                return data
            if not self.nested:
                with open_regular(self.path) as fh, zipfile.ZipFile(fh) as zf:
                    return _read_member(zf, self.member, limit, self.path, self.where)
            with zipfile.ZipFile(io.BytesIO(self._inner_zip(limit))) as zf:
                return _read_member(zf, self.member, limit, self.path, self.where)
        except InputError as exc:
            if exc.member is None and self.where is not None:
                raise InputError(self.path, exc.problem, self.where) from None
            raise
        except OSError as exc:
            raise InputError(self.path, os_problem(exc, self.path), self.where) from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError,
                NotImplementedError, RuntimeError) as exc:
            raise InputError(self.path, f"cannot read: {exc}", self.where) from None

    def _inner_zip(self, limit: int) -> bytes:
        """The bytes of the innermost nested zip, unpacked in memory (never to disk).

        Every member of a nested zip is a Source of its own, so the last inner zip a process
        unpacked is kept: its members are then read without unpacking it again each time.
        """
        st = os.stat(self.path)
        key = (self.path, self.nested, st.st_size, st.st_mtime_ns)
        if _INNER_ZIP.get("key") != key:
            _INNER_ZIP.clear()
            with open_regular(self.path) as fh, zipfile.ZipFile(fh) as zf:
                data = _read_member(zf, self.nested[0], limit, self.path, self.nested[0])
            for depth in range(1, len(self.nested)):
                with zipfile.ZipFile(io.BytesIO(data)) as zf:
                    data = _read_member(zf, self.nested[depth], limit, self.path,
                                        " → ".join(self.nested[:depth + 1]))
            _INNER_ZIP.update(key=key, data=data)
        return _INNER_ZIP["data"]

    @property
    def report(self) -> FileReport:
        return FileReport(self.path, self.where)


# This process's most recently unpacked nested zip (see Source._inner_zip).
_INNER_ZIP: dict = {}


def forget_inner_zip() -> None:
    """Drop the kept nested zip (call when an import is done)."""
    _INNER_ZIP.clear()


def _read_member(zf: zipfile.ZipFile, name: str, limit: int, path: str, where: str | None
                 ) -> bytes:
    """A member's bytes, counted while reading (a forged header cannot slip past), and
    refused as soon as it turns out to be blank padding."""
    with zf.open(name) as fh:
        parts, total, blank_run = [], 0, 0
        while chunk := fh.read(_CHUNK):
            total += len(chunk)
            if total > limit:
                raise InputError(path, _too_big(limit, "unpacks to"), where)
            sample = chunk[:_SAMPLE]
            blank = len(sample) - len(sample.translate(None, _BLANK))
            blank_run = blank_run + 1 if blank >= _BLANK_SHARE * len(sample) else 0
            if blank_run == 2:
                raise InputError(path, f"member is blank space from byte {total - 2 * _CHUNK:,} "
                                 "(MiBs of spaces and newlines): padding, not listening "
                                 "history; not unpacked further", where)
            parts.append(chunk)
        return b"".join(parts)


def _packed_too_well(info: zipfile.ZipInfo) -> str | None:
    """The zip-bomb problem of a member whose declared ratio no export reaches, else None."""
    if info.file_size < RATIO_FROM_BYTES:
        return None
    ratio = info.file_size / max(info.compress_size, 1)
    if ratio <= MAX_RATIO:
        return None
    return (f"member would unpack to {info.file_size / (1 << 20):,.0f} MiB from "
            f"{info.compress_size / (1 << 10):,.0f} KiB ({ratio:,.0f}:1; listening exports "
            f"pack about 10-25:1): not unpacked (zip-bomb guard)")


def _too_big(limit: int, verb: str) -> str:
    return (f"member {verb} more than {limit // (1 << 20)} MiB "
            "(zip-bomb guard; raise import.max_member_mib if it is genuine)")


def _wanted(name: str, suffixes: tuple[str, ...] = HISTORY_SUFFIXES) -> bool:
    base = name.rsplit("/", 1)[-1]
    return (base.lower().endswith(suffixes) and not base.startswith((".", "._"))
            and "__MACOSX/" not in name)


def _zip_sources(path: Path, label: str, limit: int, errors: list[FileReport]) -> list[Source]:
    try:
        with open_regular(path) as fh, zipfile.ZipFile(fh) as zf:
            out = _members(zf, str(path), label, (), limit, errors)
    except InputError as exc:
        errors.append(FileReport(str(path), error=exc.problem))
        return []
    except OSError as exc:
        errors.append(FileReport(str(path), error=os_problem(exc, path)))
        return []
    except (zipfile.BadZipFile, ValueError) as exc:
        errors.append(FileReport(str(path), error=f"not a readable zip: {exc}"))
        return []
    if not out and not any(e.path == str(path) for e in errors):
        errors.append(FileReport(str(path), error="zip has no listening history inside "
                                 "(no .json/.jsonl/.csv members)"))
    return out


def _members(zf: zipfile.ZipFile, path: str, label: str, nested: tuple[str, ...], limit: int,
             errors: list[FileReport]) -> list[Source]:
    """The history members of ``zf`` (the zip at ``path``, or a zip ``nested`` in it), with
    the zips inside it opened in memory, up to MAX_NESTING deep."""
    out = []
    for info in zf.infolist():
        name = info.filename
        is_zip = _wanted(name, (".zip",))
        if info.is_dir() or not (is_zip or _wanted(name)):
            continue
        where = " → ".join((*nested, name))
        if info.file_size > limit:
            errors.append(FileReport(path, where, error=_too_big(limit, "declares")))
        elif bomb := _packed_too_well(info):
            errors.append(FileReport(path, where, error=bomb))
        elif not is_zip:
            out.append(Source(path, name, f"{label}/{name}", info.file_size, True, nested))
        elif len(nested) >= MAX_NESTING:
            errors.append(FileReport(path, where, error=f"zip nested more than {MAX_NESTING} "
                                     "deep inside the zip: not opened"))
        else:
            try:
                data = _read_member(zf, name, limit, path, where)
                with zipfile.ZipFile(io.BytesIO(data)) as inner:
                    out.extend(_members(inner, path, f"{label}/{name}", (*nested, name), limit,
                                        errors))
            except InputError as exc:
                errors.append(FileReport(path, where, error=exc.problem))
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
                    NotImplementedError, RuntimeError) as exc:
                errors.append(FileReport(path, where, error=f"not a readable zip: {exc}"))
    return out


def _is_zip(path: Path) -> bool:
    if path.suffix.lower() == ".zip":
        return True
    try:
        with open_regular(path) as fh:
            return fh.read(4) == b"PK\x03\x04"
    except (OSError, InputError):
        return False  # reading it later gives the problem


def collect(paths: Iterable[str | os.PathLike], *, max_member_bytes: int
            ) -> tuple[list[Source], list[FileReport]]:
    """Every candidate source under ``paths`` plus reports for paths that failed outright."""
    sources: list[Source] = []
    errors: list[FileReport] = []
    for raw in paths:
        path = Path(raw).expanduser()
        st = stat_path(path)
        problem = st if isinstance(st, str) else not_regular(st.st_mode)
        if problem:
            errors.append(FileReport(str(raw), error=problem))
        elif stat.S_ISDIR(st.st_mode):
            _walk(path, str(raw), max_member_bytes, sources, errors)
        elif _is_zip(path):
            sources.extend(_zip_sources(path.resolve(), path.name, max_member_bytes, errors))
        else:
            sources.append(Source(str(path.resolve()), None, path.name, st.st_size, False))
    return sources, errors


def _walk(folder: Path, raw: str, limit: int, sources: list[Source],
          errors: list[FileReport]) -> None:
    """The history files under ``folder``; a subfolder, link or special file that cannot be
    read is one report line, and the rest still load."""
    root = folder.resolve()
    found_any = unread = False

    def cannot_list(exc: OSError) -> None:
        nonlocal unread
        unread = True
        errors.append(FileReport(exc.filename or str(root), error="folder not read: "
                                 f"{os_problem(exc)}; the files in it were skipped"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=cannot_list):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__MACOSX")))
        for name in sorted(filenames):
            is_zip = name.lower().endswith(".zip")
            if not (is_zip or _wanted(name)):
                continue
            file = Path(dirpath) / name
            found_any = True
            st = stat_path(file)
            problem = st if isinstance(st, str) else not_regular(st.st_mode)
            if problem:
                errors.append(FileReport(str(file), error=problem))
                continue
            rel = file.relative_to(root.parent).as_posix()
            if is_zip:
                sources.extend(_zip_sources(file, rel, limit, errors))
            else:
                sources.append(Source(str(file), None, rel, st.st_size, True))
    if not found_any and not unread:
        errors.append(FileReport(raw, error="folder has no .json/.jsonl/.csv/.zip files"))
