"""Atomic file writes: readers see the old file or the new one, never half of either.

The data goes to a temporary file in the *same* folder (so ``os.replace`` is a rename on one
filesystem), is flushed and fsynced, then renamed over the target; the folder is fsynced
too so the rename itself survives a crash. On any failure the temporary file is removed
and the target is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from musicrec_tui.core.errors import MusicrecError


class TargetExistsError(MusicrecError):
    """The target exists and the caller asked not to overwrite it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path}: already exists (use --force to overwrite)")


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
) -> Path:
    """Write ``data`` (a str is UTF-8 encoded) to ``path`` atomically; return the path.

    ``mode`` (e.g. ``0o600`` for secrets) is applied to the temporary file before any data
    is written, so the content is never readable with looser bits. With
    ``overwrite=False`` an existing target raises :class:`TargetExistsError` and is left
    untouched.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    if not overwrite and target.exists():
        raise TargetExistsError(target)

    fd, tmp = _open_temp(folder, target.name, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        _publish(tmp, target, overwrite)
        _fsync_dir(folder)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return target


__all__ = ["TargetExistsError", "atomic_write"]
