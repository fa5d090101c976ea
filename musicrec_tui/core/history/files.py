"""The file system as the importer meets it: stat before opening, open only regular files,
and every OSError worded by us.

A FIFO or a device must never be opened for reading (the read blocks forever or never
ends), so paths are classified with ``stat`` first, and :func:`open_regular` opens without
blocking and checks the opened file again (the path may have changed in between).
The operating system's error text varies by platform and locale; the problem shown is ours,
chosen by errno.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

from musicrec_tui.core.errors import InputError

_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def os_problem(exc: OSError, path: str | os.PathLike | None = None) -> str:
    """What went wrong with ``path``, in our words."""
    code = exc.errno
    if code == errno.ENOENT:
        if path is not None and os.path.islink(path):
            return "dangling symlink: the file it points to does not exist"
        return "no such file or folder"
    if code == errno.ELOOP:
        return "symlink loop: the link never reaches a file"
    if code == errno.ENAMETOOLONG:
        return "the path is longer than this system allows"
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if code == errno.ENOTDIR:
        return "no such file or folder (a part of the path is not a folder)"
    if code == errno.EISDIR:
        return "is a folder, not a file"
    name = errno.errorcode.get(code or 0)
    return f"cannot read ({name})" if name else "cannot read"


def not_regular(mode: int) -> str | None:
    """Why a file of this mode is not read, or None for a regular file or a folder."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kind = next((what for test, what in _KINDS if test(mode)), "not a regular file")
    return f"not a regular file but {kind}: skipped without reading it"


def stat_path(path: str | os.PathLike) -> os.stat_result | str:
    """``os.stat`` (following symlinks), or the problem in our words."""
    try:
        return os.stat(path)
    except OSError as exc:
        return os_problem(exc, path)
    except ValueError:  # a NUL byte in the name
        return "not a valid path"


def open_regular(path: str | os.PathLike) -> BinaryIO:
    """Open a regular file for reading; InputError (our wording) for anything else.

    Opened non-blocking, so a FIFO put where the file was cannot stall the open; the
    descriptor's own fstat then decides.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(str(path), os_problem(exc, path)) from None
    try:
        mode = os.fstat(fd).st_mode
        problem = "is a folder, not a file" if stat.S_ISDIR(mode) else not_regular(mode)
        if problem:
            raise InputError(str(path), problem)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
