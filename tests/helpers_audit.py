"""Watch what the code under test does to files, through Python's audit hooks (PEP 578):
every ``open`` (builtin, ``io``, ``os``) and every rename, removal or mode change is seen,
whoever runs the tests (root included, where permission bits stop nothing)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_WATCHERS: list[Callable[[str, tuple], None]] = []
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# Events that change a file or folder (first argument: the path).
_CHANGES = ("os.rename", "os.replace", "os.remove", "os.unlink", "os.rmdir", "os.mkdir",
            "os.chmod", "os.chown", "os.utime", "os.truncate", "os.link", "os.symlink")


def _dispatch(event: str, args: tuple) -> None:
    for watch in list(_WATCHERS):
        watch(event, args)


sys.addaudithook(_dispatch)


@contextmanager
def watching(watch: Callable[[str, tuple], None]) -> Iterator[None]:
    """Call ``watch(event, args)`` for every audit event while the block runs (it may raise
    to stop the operation)."""
    _WATCHERS.append(watch)
    try:
        yield
    finally:
        _WATCHERS.remove(watch)


def path_of(args: tuple) -> str | None:
    """The resolved path an event's first argument names, if it names one."""
    if args and isinstance(args[0], str | bytes | os.PathLike):
        try:
            return os.path.realpath(os.fsdecode(args[0]))
        except ValueError:  # not a path after all (NUL bytes)
            return None
    return None


def writes(event: str, args: tuple) -> bool:
    """Whether the event writes, creates or changes a file."""
    if event == "open":
        mode, flags = args[1], args[2] or 0
        return bool((isinstance(mode, str) and set(mode) & set("wax+")) or flags & _WRITE_FLAGS)
    return event in _CHANGES
