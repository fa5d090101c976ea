"""Output that is not on a terminal is plain: no line is wrapped, cut or ellipsised, so an
error stays one line and a setting name or key can be pasted back (#12 §7)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from musicrec_tui.cli import main
from musicrec_tui.cli.common import run_command
from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.settings import explain_settings
from tests.helpers_settings import API_KEY

MUSICREC = Path(sys.executable).with_name("musicrec")
LONG = "a problem worded at length, " * 8 + "and the end"


def _fail(_args: argparse.Namespace) -> int:
    raise MusicrecError(LONG)


def test_an_error_is_one_line_when_stderr_is_not_a_terminal(capsys):
    assert run_command(argparse.Namespace(func=_fail)) == 2
    assert capsys.readouterr().err == f"error: {LONG}\n"


def _rows(out: str) -> dict[str, str]:
    """First cell of each table row → the whole row."""
    rows = [line.strip("│ ").split("│") for line in out.splitlines() if line.startswith("│")]
    return {cells[0].strip(): "│".join(cells) for cells in rows}


def test_config_show_keeps_every_name_and_the_revealed_key_whole(capsys, monkeypatch):
    monkeypatch.setenv("LASTFM_API_KEY", API_KEY * 3)  # longer than any terminal column
    monkeypatch.setenv("MUSICREC_IMPORT_TIMEZONE", "America/Argentina/ComodRivadavia")
    assert main(["config", "show", "--reveal"]) == 0
    out = capsys.readouterr().out
    assert "…" not in out
    rows = _rows(out)
    assert {e.key for e in explain_settings()} <= set(rows)
    assert API_KEY * 3 in rows["lastfm_api_key"]
    assert '"America/Argentina/ComodRivadavia"' in rows["import.timezone"]


def test_the_console_script_writes_plain_lines_to_a_pipe(tmp_path):
    """The real process, stdout and stderr pipes, a narrow COLUMNS in the environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    env["COLUMNS"] = "40"
    shown = subprocess.run([str(MUSICREC), "config", "show"], capture_output=True, text=True,
                           env=env, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "…" not in shown.stdout and "\x1b[" not in shown.stdout
    assert {e.key for e in explain_settings()} <= set(_rows(shown.stdout))
    missing = tmp_path / ("a folder with a long name " * 4).strip() / "export.zip"
    failed = subprocess.run([str(MUSICREC), "artists", str(missing)], capture_output=True,
                            text=True, env=env, timeout=120)
    assert failed.returncode == 2 and failed.stdout == ""
    assert len(failed.stderr.splitlines()) == 1 and str(missing) in failed.stderr
