"""`musicrec import`: report table, --json, --strict, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from musicrec_tui.cli import main
from musicrec_tui.core.history.cache import imports_dir
from tests.helpers_import import basic_extended, write_json


def test_json_report(tmp_path, capsys):
    path = write_json(tmp_path / "endsong_0.json", basic_extended())
    assert main(["import", str(path), "--json", "--tz", "Europe/Berlin"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kept"] == 6 and data["rows_read"] == 6 and data["counted"] == 5
    assert data["timezone"] == "Europe/Berlin"
    assert data["files"][0]["format"] == "spotify-extended"


def test_table_report_and_cache(tmp_path, capsys):
    path = write_json(tmp_path / "endsong_0.json", basic_extended())
    assert main(["import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Import report" in out and "plays kept" in out and "endsong_0.json" in out
    assert re.search(r"from cache\W+no\b", out)
    assert main(["import", str(path)]) == 0
    assert re.search(r"from cache\W+yes\b", capsys.readouterr().out)
    assert main(["import", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["from_cache"] is True
    assert main(["import", str(path), "--json", "--no-cache"]) == 0
    assert json.loads(capsys.readouterr().out)["from_cache"] is False


def test_problem_file_exit_codes(tmp_path, capsys):
    good = write_json(tmp_path / "endsong_0.json", basic_extended())
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"[{")
    assert main(["import", str(good), str(bad), "--no-cache"]) == 0
    assert "truncated JSON" in capsys.readouterr().out
    assert main(["import", str(good), str(bad), "--no-cache", "--strict"]) == 1


def test_nothing_loaded_is_one_line_on_stderr(tmp_path, capsys):
    assert main(["import", str(tmp_path / "missing.zip")]) == 2
    err = " ".join(capsys.readouterr().err.split())  # Rich wraps long lines
    assert "missing.zip: no such file" in err and "Traceback" not in err


def test_bad_timezone_is_a_settings_error(tmp_path, capsys):
    path = write_json(tmp_path / "endsong_0.json", basic_extended())
    assert main(["import", str(path), "--tz", "Nowhere/Special"]) == 2
    assert "Nowhere/Special" in " ".join(capsys.readouterr().err.split())


def test_nothing_loaded_still_prints_the_report(tmp_path, capsys):
    """`import --json` printed nothing when no file loaded: the report (each file's problem)
    goes to stdout, the one error line to stderr, and the exit code is not 0."""
    (tmp_path / "bad.json").write_bytes(b"[{")
    (tmp_path / "notes.json").write_text('{"hello": "world"}', encoding="utf-8")
    assert main(["import", str(tmp_path), "--json", "--no-cache"]) == 2
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["kept"] == 0
    problems = {Path(f["path"]).name: f["error"] for f in data["files"]}
    assert set(problems) == {"bad.json", "notes.json"} and "truncated JSON" in problems["bad.json"]
    assert len(err.splitlines()) == 1 and err.startswith("error: ")
    assert main(["import", str(tmp_path), "--no-cache"]) == 2
    out, err = capsys.readouterr()
    assert "Import report" in out and "bad.json" in out and "truncated JSON" in out
    assert len(err.splitlines()) == 1


def test_a_damaged_cache_is_a_note_not_a_problem(tmp_path, capsys):
    path = write_json(tmp_path / "endsong_0.json", basic_extended())
    assert main(["import", str(path), "--json"]) == 0
    (cached,) = imports_dir().glob("*.arrow")
    cached.write_bytes(cached.read_bytes()[:-1] + b"!")
    capsys.readouterr()
    assert main(["import", str(path), "--json", "--strict"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["from_cache"] is False and data["kept"] == 6
    assert data["notes"] == ["the import cache of these files was damaged (its checksum does "
                             "not match): they were read again and the cache rebuilt"]
    assert main(["import", str(path)]) == 0
    assert "note:" not in capsys.readouterr().out
