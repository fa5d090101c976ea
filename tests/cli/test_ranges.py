"""Out-of-range numbers and an --as-of after the last play: one line and exit code 2, the
same wording for every command (never an empty table, everything, or scores decayed to 0)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from musicrec_tui.cli import main
from tests.helpers_library import write_extended_export, yearly_plays

PLAYS = yearly_plays(days=120)
LAST_DAY = pd.Timestamp(PLAYS[-1][0]).strftime("%Y-%m-%d")


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return str(write_extended_export(tmp_path_factory.mktemp("export"), PLAYS))


@pytest.mark.parametrize(("argv", "problem"), [
    (["recommend", "--top", "-1"], "argument --top: must be 1 or more (got -1)"),
    (["recommend", "--top", "0"], "argument --top: must be 1 or more (got 0)"),
    (["artists", "--top", "0"], "argument --top: must be 1 or more (got 0)"),
    (["artists", "--top", "ten"], "argument --top: 'ten' is not a whole number"),
    (["contexts", "--k", "0"], "argument --k: must be 1 or more (got 0)"),
    (["contexts", "--k", "-3"], "argument --k: must be 1 or more (got -3)"),
])
def test_out_of_range_numbers_are_refused_in_one_line(capsys, export, argv, problem):
    command, *options = argv
    with pytest.raises(SystemExit) as stop:
        main([command, export, "--json", *options])
    out, err = capsys.readouterr()
    assert stop.value.code == 2 and out == ""
    assert err.splitlines() == [
        f"musicrec {command}: error: {problem} (see `musicrec {command} --help`)"]


def test_demo_streams_below_the_minimum_are_refused_before_generating(capsys, tmp_path):
    with pytest.raises(SystemExit) as stop:
        main(["demo", "--write", str(tmp_path / "demo"), "--streams", "10"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "musicrec demo: error: argument --streams: must be 500 or more (got 10) "
        "(see `musicrec demo --help`)"]
    assert not (tmp_path / "demo").exists()


@pytest.mark.parametrize("command", [
    ["recommend", "--offline", "--json"], ["contexts", "--json"],
    ["export", "--provider", "offline", "--out", "-"],
])
def test_as_of_after_the_last_play_is_refused_by_every_command(capsys, export, command):
    name, *options = command
    code = main([name, export, *options, "--as-of", "2099-01-01"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.splitlines()[-1:] == [
        f"error: --as-of 2099-01-01 is after your last play ({LAST_DAY}): leave --as-of "
        "out to use every play, or give an earlier date"]


def test_as_of_on_the_last_day_is_used(capsys, export):
    code = main(["contexts", export, "--json", "--as-of", LAST_DAY])
    assert code == 0 and json.loads(capsys.readouterr().out)["contexts"]
