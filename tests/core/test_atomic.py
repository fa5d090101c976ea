"""atomic_write: content, modes, no-overwrite, no temp files left behind."""

from __future__ import annotations

import os
import stat

import pytest

from musicrec_tui.core.atomic import TargetExistsError, atomic_write, private_folder
from musicrec_tui.core.errors import MusicrecError


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_writes_bytes_and_text_and_creates_parent(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    assert atomic_write(target, "héllo") == target
    assert target.read_bytes() == "héllo".encode()
    atomic_write(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]


def test_durable_writes_fsync_and_cache_writes_do_not(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real(fd))
    atomic_write(tmp_path / "cache.bin", b"x", durable=False)
    assert synced == [] and (tmp_path / "cache.bin").read_bytes() == b"x"
    atomic_write(tmp_path / "config.toml", "x = 1")
    assert len(synced) == 2  # the file, then the folder's entry


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_private_folder_creates_0700_and_narrows_its_own(tmp_path):
    parent = tmp_path / "existing"
    parent.mkdir(mode=0o755)
    old = os.umask(0o022)
    try:
        made = private_folder(parent / "a" / "b")
    finally:
        os.umask(old)
    assert made == parent / "a" / "b"
    assert [_mode(p) for p in (parent, parent / "a", made)] == [0o755, 0o700, 0o700]
    made.chmod(0o755)
    private_folder(made)
    assert _mode(made) == 0o700 and _mode(parent) == 0o755


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_mode_0600_and_default_follows_umask(tmp_path):
    secret = atomic_write(tmp_path / "s.bin", b"x", mode=0o600)
    assert _mode(secret) == 0o600
    old = os.umask(0o022)
    try:
        plain = atomic_write(tmp_path / "p.txt", b"x")
    finally:
        os.umask(old)
    assert _mode(plain) == 0o644


def test_no_overwrite_raises_and_keeps_file(tmp_path):
    tmp_path = tmp_path / "w"
    tmp_path.mkdir()
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(TargetExistsError) as err:
        atomic_write(target, "new", overwrite=False)
    assert isinstance(err.value, MusicrecError)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    fresh = atomic_write(tmp_path / "fresh.txt", "new", overwrite=False)
    assert fresh.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.txt", "out.txt"]


def test_failure_leaves_target_and_no_temp(tmp_path, monkeypatch):
    tmp_path = tmp_path / "w"
    tmp_path.mkdir()
    target = tmp_path / "out.txt"
    target.write_text("old")

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
