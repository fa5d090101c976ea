"""Paths that are no plain file: symlinks that lead nowhere, FIFOs and devices, names too
long, folders that cannot be listed. Each is one report line, and the good file beside it
still loads.

Special files must never be opened for reading (a FIFO blocks the open forever): an audit
hook turns any open of them into an error, so a regression fails here instead of hanging.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from musicrec_tui.core.errors import InputError
from musicrec_tui.core.history.importer import load_history
from tests.helpers_audit import path_of, watching
from tests.helpers_import import basic_extended, write_json


@pytest.fixture
def never_open():
    """Paths (resolved) that nothing may open while the test runs."""
    forbidden: set[str] = set()

    def refuse(event: str, args: tuple) -> None:
        if event == "open" and path_of(args) in forbidden:
            raise RuntimeError(f"opened {args[0]} for reading")

    with watching(refuse):
        yield forbidden


def _good(tmp_path: Path) -> Path:
    return write_json(tmp_path / "good" / "endsong_0.json", basic_extended())


def _lines(history) -> list[str]:
    assert history.report.kept == 6  # the good file always loads
    return [f"{f.path}: {f.error}" for f in history.report.bad_files]


def test_dangling_symlink_and_loop_in_a_folder(tmp_path):
    folder = tmp_path / "export"
    write_json(folder / "endsong_0.json", basic_extended())
    (folder / "gone.json").symlink_to(tmp_path / "deleted.json")
    (folder / "loop.json").symlink_to("loop.json")
    lines = _lines(load_history([folder], use_cache=False))
    assert lines == [
        f"{folder / 'gone.json'}: dangling symlink: the file it points to does not exist",
        f"{folder / 'loop.json'}: symlink loop: the link never reaches a file"]


def test_dangling_symlink_and_loop_named_directly(tmp_path):
    (tmp_path / "gone.json").symlink_to(tmp_path / "deleted.json")
    (tmp_path / "loop.json").symlink_to("loop.json")
    history = load_history([_good(tmp_path), tmp_path / "gone.json", tmp_path / "loop.json"],
                           use_cache=False)
    assert _lines(history) == [
        f"{tmp_path / 'gone.json'}: dangling symlink: the file it points to does not exist",
        f"{tmp_path / 'loop.json'}: symlink loop: the link never reaches a file"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_in_a_folder_and_named_directly_is_never_opened(tmp_path, never_open):
    folder = tmp_path / "export"
    write_json(folder / "endsong_0.json", basic_extended())
    os.mkfifo(folder / "pipe.json")
    os.mkfifo(tmp_path / "named.json")
    never_open.update({str(folder / "pipe.json"), str(tmp_path / "named.json")})
    history = load_history([folder, tmp_path / "named.json"], use_cache=False)
    why = "not a regular file but a named pipe (FIFO): skipped without reading it"
    assert _lines(history) == [f"{folder / 'pipe.json'}: {why}",
                               f"{tmp_path / 'named.json'}: {why}"]
    with pytest.raises(InputError, match=r"named\.json: not a regular file but a named pipe"):
        load_history([tmp_path / "named.json"], use_cache=False)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_device_in_a_folder_and_named_directly_is_never_opened(tmp_path, never_open):
    folder = tmp_path / "export"
    write_json(folder / "endsong_0.json", basic_extended())
    (folder / "zeros.json").symlink_to("/dev/zero")
    never_open.update({"/dev/zero", "/dev/null"})
    history = load_history([folder, "/dev/null"], use_cache=False)
    why = "not a regular file but a character device: skipped without reading it"
    assert _lines(history) == [f"{folder / 'zeros.json'}: {why}", f"/dev/null: {why}"]


def test_path_longer_than_the_system_allows(tmp_path):
    long = tmp_path / ("x" * 300 + ".json")
    history = load_history([_good(tmp_path), long], use_cache=False)
    assert _lines(history) == [f"{long}: the path is longer than this system allows"]
    with pytest.raises(InputError, match="longer than this system allows"):
        load_history([long], use_cache=False)


def test_unreadable_subfolder_is_a_report_line(tmp_path, monkeypatch):
    """Listing a folder fails as it does without the read permission (tests may run as
    root, which chmod cannot stop): at the one call the folder walk makes."""
    folder = tmp_path / "export"
    write_json(folder / "endsong_0.json", basic_extended())
    locked = folder / "locked"
    write_json(locked / "endsong_1.json", basic_extended())
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert _lines(load_history([folder], use_cache=False)) == [
        f"{locked}: folder not read: permission denied; the files in it were skipped"]
