"""Writes that cannot happen are one line in our words, and what was there stays intact:
`export` (missing folder, a file in the path, a full device on stdout), `config set` and
`config set-key` (full disk, read-only file system, permission, a folder in the way).

Tests run as root, where permissions do not stop a write, so the failures are injected
where the OS would report them."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from musicrec_tui.cli import main
from musicrec_tui.core import atomic
from musicrec_tui.core.settings import secrets as sec
from tests.helpers_library import write_extended_export, yearly_plays
from tests.helpers_settings import API_KEY, FAST_KDF, PASSPHRASE

MUSICREC = Path(sys.executable).with_name("musicrec")
CONFIG = "# my settings\n[ensemble]\ntop = 5\n"


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return str(write_extended_export(tmp_path_factory.mktemp("export"), yearly_plays(days=60)))


def _one_line(capsys) -> str:
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1, err
    return err.rstrip("\n")


# ---- export --------------------------------------------------------------------------------

def test_export_to_a_missing_folder_is_refused_and_creates_nothing(capsys, export, tmp_path):
    out = tmp_path / "missing" / "folder" / "x.json"
    assert main(["export", export, "--out", str(out), "--provider", "offline"]) == 2
    assert _one_line(capsys) == (f"error: cannot write {out}: folder {out.parent} does not "
                                 "exist; create it first")
    assert not (tmp_path / "missing").exists()


def test_export_through_a_file_says_it_is_not_a_folder(capsys, export, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# notes\n")
    out = readme / "x.json"
    assert main(["export", export, "--out", str(out), "--provider", "offline"]) == 2
    assert _one_line(capsys) == f"error: cannot write {out}: {readme} is not a folder"
    assert readme.read_text() == "# notes\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_export_to_a_full_stdout_is_one_line(export):
    with open("/dev/full", "w") as full:
        done = subprocess.run([str(MUSICREC), "export", export, "--out", "-", "--format", "csv",
                               "--provider", "offline"], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=300)
    assert done.returncode == 2
    assert done.stderr == "error: cannot write standard output: the disk is full\n"


def test_any_command_to_a_full_stdout_is_one_line(capsys, monkeypatch):
    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sys, "stdout", Full())
    assert main(["config", "path", "--json"]) == 2
    assert capsys.readouterr().err == "error: cannot write standard output: the disk is full\n"


# ---- config set / set-key ------------------------------------------------------------------

@pytest.fixture
def config_file(monkeypatch) -> Path:
    path = Path(os.environ["MUSICREC_CONFIG_FILE"])
    path.write_text(CONFIG, encoding="utf-8")
    return path


def _fail_fsync(monkeypatch, code: int) -> None:
    def fsync(_fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomic.os, "fsync", fsync)


def _fail_create(monkeypatch, code: int) -> None:
    real_open = os.open

    def open_(path, flags, *args, **kwargs):
        if flags & os.O_CREAT:
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "open", open_)


@pytest.mark.parametrize(("inject", "code", "why"), [
    (_fail_fsync, errno.ENOSPC, "the disk is full"),
    (_fail_create, errno.EROFS, "the file system is read-only"),
    (_fail_create, errno.EACCES, "permission denied"),
])
def test_config_set_that_cannot_write_keeps_the_config(capsys, monkeypatch, config_file,
                                                       inject, code, why):
    inject(monkeypatch, code)
    assert main(["config", "set", "ensemble.top", "7"]) == 2
    assert _one_line(capsys) == (f"error: cannot write {config_file}: {why}; {config_file} "
                                 "was left as it was")
    assert config_file.read_text(encoding="utf-8") == CONFIG
    assert [p.name for p in config_file.parent.iterdir()] == [config_file.name]


def test_config_set_when_the_config_path_is_a_folder(capsys, monkeypatch, tmp_path):
    folder = tmp_path / "config.toml"
    (folder / "inside").mkdir(parents=True)
    monkeypatch.setenv("MUSICREC_CONFIG_FILE", str(folder))
    assert main(["config", "set", "ensemble.top", "7"]) == 2
    assert _one_line(capsys) == f"error: cannot write {folder}: it is a folder"
    assert [p.name for p in folder.iterdir()] == ["inside"]


def test_set_key_on_a_full_disk_writes_nothing(capsys, monkeypatch):
    monkeypatch.setattr(sec, "DEFAULT_KDF", FAST_KDF)
    monkeypatch.setenv("MUSICREC_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr(sys, "stdin", io.StringIO(API_KEY + "\n"))
    _fail_fsync(monkeypatch, errno.ENOSPC)
    assert main(["config", "set-key", "--stdin"]) == 2
    path = sec.secrets_path()
    assert _one_line(capsys) == f"error: cannot write {path}: the disk is full; nothing was written"
    assert not path.exists() and list(path.parent.iterdir()) == []
