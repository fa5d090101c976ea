"""`musicrec` and `musicrec PATH…` open the app through a parser of its own (a fast launch):
the command names it routes by must be exactly the full parser's."""

from __future__ import annotations

import argparse
import subprocess
import sys

import musicrec_tui.cli as cli
from musicrec_tui.cli import tui_cmd


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def test_fast_path_knows_every_command():
    assert _commands(cli.build_parser()) == list(cli.COMMANDS)


def test_command_names_come_from_the_one_table(monkeypatch, tmp_path):
    """A name is written once: the parser and the fast path's routing both follow the table."""
    monkeypatch.setitem(cli.COMMANDS, "sample", "demo_cmd.register")
    assert _commands(cli.build_parser())[-1] == "sample"
    monkeypatch.delitem(cli.COMMANDS, "sample")
    monkeypatch.delitem(cli.COMMANDS, "demo")
    assert "demo" not in _commands(cli.build_parser())
    opened = []
    monkeypatch.setattr(tui_cmd, "launch", lambda paths, **kw: opened.append(paths) or 0)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo").mkdir()
    assert cli.main(["demo"]) == 0 and opened == [["demo"]]  # now a path to open


def test_paths_open_the_app_without_the_other_commands(monkeypatch, tmp_path):
    opened = []
    monkeypatch.setattr(tui_cmd, "launch", lambda paths, **kw: opened.append((paths, kw)) or 0)
    assert cli.main([str(tmp_path), "--tz", "UTC"]) == 0
    assert cli.main([]) == 0
    assert opened == [([str(tmp_path)], {"tz": "UTC"}), (None, {"tz": None})]


def test_the_app_launch_imports_no_pandas():
    code = ("import sys, musicrec_tui.cli as c, musicrec_tui.cli.tui_cmd as t\n"
            "t.launch = lambda *a, **k: 0\n"
            "c.main(['.'])\n"
            "print(sorted(m for m in ('pandas', 'pyarrow', 'numpy', 'sklearn') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
