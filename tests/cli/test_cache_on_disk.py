"""The import cache is on disk when a CLI command's process ends: the real console script,
run as a user runs it, in fresh subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers_import import extended_record, write_json

# The console script pip installs beside this interpreter (pyproject's [project.scripts]).
MUSICREC = Path(sys.executable).with_name("musicrec")


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """Enough plays that converting them to Arrow uses pyarrow's thread pool (the pool that
    interpreter shutdown stops), over a few weeks so every engine has something to fit."""
    artists = [f"Artist {n}" for n in range(40)]
    plays = [extended_record(f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
                             artists[(i * 7) % 40], f"Track {i % 90}", 150_000 + i % 60_000)
             for i in range(6000)]
    return write_json(tmp_path / "export" / "Streaming_History_Audio_2024.json", plays)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    assert MUSICREC.exists(), f"console script not installed at {MUSICREC}"
    return subprocess.run([str(MUSICREC), *args], capture_output=True, text=True,
                          env=os.environ.copy(), timeout=300)


def _import(export: Path) -> dict:
    done = _run("import", str(export), "--json", "--tz", "UTC")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def test_second_import_reads_the_cache_the_first_wrote(export):
    assert _import(export)["from_cache"] is False
    assert _import(export)["from_cache"] is True


@pytest.mark.parametrize("command", [["artists", "--top", "5"], ["recommend", "--top", "5"]])
def test_other_commands_leave_the_cache_on_disk(export, command):
    done = _run(command[0], str(export), *command[1:], "--json", "--tz", "UTC")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert _import(export)["from_cache"] is True
