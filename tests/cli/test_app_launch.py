"""`musicrec [PATH…]` opens the app: without a terminal it says so in one line instead of
drawing into a file and waiting for keys forever; a mistyped command is not taken for a
path to open."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import musicrec_tui.cli as cli
from musicrec_tui.cli import tui_cmd

MUSICREC = Path(sys.executable).with_name("musicrec")
NO_TERMINAL = ("error: the app needs a terminal (keys on standard input, the screen on "
               "standard error); in scripts use `musicrec import`, `artists`, `recommend` or "
               "`export` (see `musicrec --help`)")


@pytest.mark.parametrize("argv", [[], ["demo", "--streams", "500"]])
def test_the_app_without_a_terminal_is_one_line(tmp_path, argv):
    done = subprocess.run([str(MUSICREC), *(argv or [str(tmp_path)])], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, cwd=tmp_path, timeout=120,
                          env={**os.environ, "MUSICREC_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [NO_TERMINAL]
    assert not list((tmp_path / "cache").glob("demo*")), "refused before generating"


def test_a_mistyped_command_is_not_opened_as_a_path(tmp_path, monkeypatch, capsys):
    opened = []
    monkeypatch.setattr(tui_cmd, "launch", lambda paths, **kw: opened.append(paths) or 0)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        cli.main(["recomend", "export.zip"])
    assert stop.value.code == 2 and opened == []
    assert capsys.readouterr().err.splitlines() == [
        "musicrec: error: 'recomend' is neither a command nor a file (did you mean "
        "`musicrec recommend`?)"]
    (tmp_path / "recomend").mkdir()  # a folder of that name is opened, as asked
    assert cli.main(["recomend"]) == 0 and opened == [["recomend"]]
