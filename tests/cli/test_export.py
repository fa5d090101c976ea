"""`musicrec export` end to end on a small Spotify export written by the test."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest

from musicrec_tui.cli import main
from musicrec_tui.core.export import FORMATS, default_export_path, load_schema
from tests.helpers_export import COMMA, NEWLINE, QUOTES, write_spotify_export


@pytest.fixture
def spotify(tmp_path):
    return write_spotify_export(tmp_path / "data")


@pytest.fixture
def outdir(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def _export(paths, *extra):
    return main(["export", *map(str, paths), "--provider", "offline", "--no-cache", *extra])


@pytest.mark.parametrize("fmt", ["comprehensive", "summary"])
def test_json_formats_validate(spotify, outdir, fmt, capsys):
    out = outdir / f"{fmt}.json"
    assert _export([spotify], "--format", fmt, "--out", str(out)) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(load_schema(fmt)).validate(data)
    assert str(out) in capsys.readouterr().err
    if fmt == "comprehensive":
        names = {f["name"] for f in data["export_metadata"]["source_files"]}
        assert names == {"Streaming_History_Audio_2024_0.json",
                         "Streaming_History_Audio_2024-2025_1.json"}
        assert data["export_metadata"]["provider"] == "offline"
        assert data["listening_analysis"]["totals"]["plays"] > 0


def test_csv_to_stdout_round_trips(spotify, outdir, capsys, monkeypatch):
    monkeypatch.chdir(outdir)
    assert _export([spotify], "--format", "csv", "--out", "-") == 0
    text = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows, "the lists are empty"
    mixed = [r for r in rows if r["list"].startswith("mix:")]
    assert [int(r["rank"]) for r in mixed] == list(range(1, len(mixed) + 1))
    assert {r["list"] for r in rows} >= {"play-next", "mix:play-next"}
    assert {COMMA, QUOTES, NEWLINE} <= {r["artist"] for r in rows}
    assert list(outdir.iterdir()) == []


def test_tracks_reports_the_count_on_stderr(spotify, outdir, capsys):
    out = outdir / "tracks.txt"
    assert _export([spotify], "--format", "tracks", "--out", str(out)) == 0
    lines = out.read_text().splitlines()
    assert lines and all(line.startswith("spotify:track:") for line in lines)
    assert f"{len(lines)} tracks from Play next" in capsys.readouterr().err
    out_links = outdir / "links.txt"
    assert _export([spotify], "--format", "tracks", "--links", "--out", str(out_links)) == 0
    links = out_links.read_text().splitlines()
    assert links == [f"https://open.spotify.com/track/{u.rsplit(':', 1)[1]}" for u in lines]


def test_refuses_to_overwrite_without_force(spotify, outdir, capsys):
    out = outdir / "recs.json"
    out.write_text("keep me\n")
    assert _export([spotify], "--format", "summary", "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert str(out) in err and "already exists" in err and "--force" in err
    assert "Traceback" not in err
    assert out.read_text() == "keep me\n"
    assert _export([spotify], "--format", "summary", "--out", str(out), "--force") == 0
    assert json.loads(out.read_text())["total_artists_in_library"] > 0


def test_default_out_is_dated_in_the_current_folder(spotify, outdir, monkeypatch):
    monkeypatch.chdir(outdir)
    assert _export([spotify], "--format", "m3u") == 0
    expected = default_export_path("m3u", outdir)
    assert [p.name for p in outdir.iterdir()] == [expected.name]
    assert expected.read_text().startswith("#EXTM3U\n")


def test_bad_as_of_is_one_line(spotify, outdir, capsys):
    assert _export([spotify], "--as-of", "someday", "--out", str(outdir / "x.json")) == 2
    err = capsys.readouterr().err
    assert "--as-of" in err and "Traceback" not in err


def test_as_of_and_tier_reach_the_export(spotify, outdir):
    out = outdir / "recs.json"
    assert _export([spotify], "--as-of", "2024-03-31", "--tier", "2-5", "--out", str(out)) == 0
    data = json.loads(out.read_text())
    assert data["export_metadata"]["as_of"].startswith("2024-03-31")
    assert data["listening_analysis"]["date_range"]["last"] <= "2024-03-31T23:59:59Z"
    assert data["system_configuration"]["effective"]["tier"] == "2-5"


def test_help_lists_formats_and_examples(capsys):
    with pytest.raises(SystemExit) as done:
        main(["export", "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "examples:" in text and "--force" in text
    assert all(fmt in text for fmt in FORMATS)
