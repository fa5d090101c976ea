"""Atomic file writes: readers see the old file or the new one, never half of either.

The data goes to a temporary file in the *same* folder (so ``os.replace`` is a rename on one
filesystem), is flushed and fsynced, then renamed over the target; the folder is fsynced
too so the rename itself survives a crash. On any failure the temporary file is removed
and the target is left exactly as it was.

A failed write is a :class:`WriteError` worded by us (full disk, read-only file system, a
folder in the way…): the one place where an ``OSError`` becomes the message a user reads.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

from musicrec_tui.core.errors import MusicrecError


class TargetExistsError(MusicrecError):
    """The target exists and the caller asked not to overwrite it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path}: already exists (use --force to overwrite)")


_REASONS = {
    getattr(errno, name): text for name, text in (
        ("ENOSPC", "the disk is full"),
        ("EDQUOT", "the disk quota is used up"),
        ("EFBIG", "the file is too large for this file system"),
        ("EROFS", "the file system is read-only"),
        ("EACCES", "permission denied"),
        ("EPERM", "permission denied"),
        ("EISDIR", "it is a folder"),
        ("ENOTDIR", "a part of the path is not a folder"),
        ("ENAMETOOLONG", "the name is too long"),
        ("EIO", "input/output error (a failing disk or a lost connection)"),
        ("EPIPE", "the reading end was closed"),
    ) if hasattr(errno, name)
}


def reason(exc: OSError) -> str:
    """What went wrong, in our words (the errno's text for anything we do not expect)."""
    known = _REASONS.get(exc.errno or 0)
    if known:
        return known
    text = exc.strerror or str(exc) or exc.__class__.__name__
    return text[:1].lower() + text[1:]


STDOUT = "standard output"
STDERR = "standard error"


class WriteError(MusicrecError, OSError):
    """A write that failed: ``cannot write WHERE: WHY`` plus what became of the old file.

    Also an OSError (same errno), so code that treats a failed cache write as "no cache"
    keeps doing so."""

    def __init__(self, where: str | Path, why: str, *, code: int | None = None,
                 kept: bool | None = None) -> None:
        tail = {True: f"; {where} was left as it was", False: "; nothing was written",
                None: ""}[kept]
        self.where = str(where)
        self.message = f"cannot write {where}: {why}{tail}"
        OSError.__init__(self, code or 0, self.message)

    @classmethod
    def from_os_error(cls, where: str | Path, exc: OSError, *,
                      kept: bool | None = None) -> WriteError:
        return cls(where, reason(exc), code=exc.errno, kept=kept)

    def __str__(self) -> str:
        return self.message


def check_target(path: str | os.PathLike[str], *, overwrite: bool = True,
                 create_folder: bool = True) -> Path:
    """Refuse a target that cannot be written before any work is done: an existing file
    without ``overwrite`` (TargetExistsError), a folder, a path through a file, or (without
    ``create_folder``) a folder that does not exist. Returns the path."""
    target = Path(path)
    if target.is_dir():
        raise WriteError(target, "it is a folder")
    folder = target.parent
    if not folder.is_dir():
        existing = next((p for p in folder.parents if p.exists()), None) \
            if not folder.exists() else folder
        if existing is not None and not existing.is_dir():
            raise WriteError(target, f"{existing} is not a folder")
        if not create_folder:
            raise WriteError(target, f"folder {folder} does not exist; create it first")
    if not overwrite and target.exists():
        raise TargetExistsError(target)
    return target


def private_folder(folder: Path) -> Path:
    """``folder``, created if missing, readable by its owner only (0700): missing parents
    are created 0700 too; parents that exist are left as they are."""
    missing = []
    while not folder.is_dir() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)
    leaf = missing[0] if missing else folder
    if leaf.stat().st_mode & 0o777 != 0o700:
        os.chmod(leaf, 0o700)  # ours, made before this rule (or under a looser umask)
    return leaf


def _fsync_dir(folder: Path) -> None:
    # Directory fsync is POSIX-only; Windows cannot open a folder for it.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open_temp(folder: Path, name: str, mode: int | None) -> tuple[int, Path]:
    """Create a fresh temp file. Without ``mode`` the kernel applies the umask to 0o666 (as
    for any new file); with ``mode`` the bits are set before a single byte is written."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(tmp, flags, 0o600 if mode is not None else 0o666)
        except FileExistsError:
            continue
        if mode is not None:
            # The umask can only narrow the bits; chmod makes them exactly ``mode``.
            os.chmod(tmp, mode)
        return fd, tmp
    raise MusicrecError(f"{folder}: could not create a temporary file")


def _publish(tmp: Path, target: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, target)
        return
    # link() fails if the target exists, so "don't overwrite" has no check-then-act race.
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise TargetExistsError(target) from None
    except OSError:
        # Filesystems without hard links: fall back to check + rename (tiny race window).
        if target.exists():
            raise TargetExistsError(target) from None
        os.replace(tmp, target)
        return
    tmp.unlink()


def atomic_write(
    path: str | os.PathLike[str],
    data: bytes | str,
    *,
    mode: int | None = None,
    overwrite: bool = True,
    create_folder: bool = True,
    folder_mode: int = 0o777,
    durable: bool = True,
) -> Path:
    """Write ``data`` (a str is UTF-8 encoded) to ``path`` atomically; return the path.

    ``mode`` (e.g. ``0o600`` for secrets) is applied to the temporary file before any data
    is written, so the content is never readable with looser bits. With
    ``overwrite=False`` an existing target raises :class:`TargetExistsError` and is left
    untouched. Missing folders are created (``folder_mode``, narrowed by the umask) unless
    ``create_folder`` is false. ``durable=False`` skips the fsyncs, for caches that can
    always be rebuilt (still atomic: a reader sees the old file or the new one). Any failure
    is a :class:`WriteError`.
    """
    target = check_target(path, overwrite=overwrite, create_folder=create_folder)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = target.parent
    existed = target.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=folder_mode)
        fd, tmp = _open_temp(folder, target.name, mode)
    except OSError as exc:
        raise WriteError.from_os_error(target, exc, kept=existed) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        _publish(tmp, target, overwrite)
        if durable:
            _fsync_dir(folder)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, MusicrecError):
            raise WriteError.from_os_error(target, exc, kept=existed) from None
        raise
    return target


__all__ = ["STDERR", "STDOUT", "TargetExistsError", "WriteError", "atomic_write", "check_target",
           "private_folder", "reason"]
