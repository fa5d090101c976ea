"""Export formats: schemas, round trips, determinism, atomic writes and overwrite refusal."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import jsonschema
import pytest

from musicrec_tui.core import export as export_mod
from musicrec_tui.core.atomic import TargetExistsError
from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.export import (
    FORMATS,
    default_export_path,
    export,
    load_schema,
    render,
    track_list,
)
from musicrec_tui.core.export.documents import CONFIG_ALLOW_LIST
from musicrec_tui.core.settings import load_settings
from tests.helpers_export import (
    ARTISTS,
    COMMA,
    DISCOVERY,
    NEWLINE,
    NO_URI_ARTIST,
    QUOTES,
    fake_analysis,
    real_analysis,
)

NOW = datetime(2025, 3, 14, 21, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def analysis():
    """Hand-made engine results: duplicate context labels, an awkward discovery."""
    return fake_analysis()


@pytest.fixture(scope="module", params=["fake", "real"])
def any_analysis(request):
    """Both the hand-made analysis and the real ``analyse`` of the same small history."""
    return fake_analysis() if request.param == "fake" else real_analysis()


@pytest.fixture
def outdir(tmp_path):
    """An empty folder for outputs (tmp_path also holds the isolated config and cache)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def _validator(fmt):
    schema = load_schema(fmt)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("fmt", ["comprehensive", "summary"])
def test_json_exports_match_their_schema(any_analysis, fmt):
    data = json.loads(render(any_analysis, fmt, now=NOW))
    errors = list(_validator(fmt).iter_errors(data))
    assert errors == []


@pytest.mark.parametrize(("fmt", "breakage"), [
    ("summary", lambda d: d.pop("tier_used")),
    ("summary", lambda d: d.update(surprise=1)),
    ("summary", lambda d: d.update(tier_used="top fifty")),
    ("summary", lambda d: d["top_recommendations"][0].update(score="high")),
    ("comprehensive", lambda d: d["export_metadata"].pop("source_files")),
    ("comprehensive", lambda d: d["export_metadata"]["source_files"][0].update(
        name="/home/someone/export.json")),
    ("comprehensive", lambda d: d["system_configuration"].update(secrets={"api_key": "x"})),
    ("comprehensive", lambda d: d["lists"]["mix"]["items"][0].pop("contributions")),
    ("comprehensive", lambda d: d["lists"]["mix"]["items"][0].update(list="mix")),
    ("comprehensive", lambda d: d["lists"].pop("rediscover")),
    ("summary", lambda d: d["top_recommendations"][0].pop("list")),
    ("summary", lambda d: d["lists"]["discover"].pop("notes")),
    ("comprehensive", lambda d: d["listening_analysis"]["trends"].pop("rising")),
])
def test_schemas_catch_mistakes(any_analysis, fmt, breakage):
    data = json.loads(render(any_analysis, fmt, now=NOW))
    broken = copy.deepcopy(data)
    breakage(broken)
    assert not _validator(fmt).is_valid(broken)


def test_comprehensive_content(analysis):
    data = json.loads(render(analysis, "comprehensive", now=NOW))
    meta = data["export_metadata"]
    assert meta["timestamp"] == "2025-03-14T21:03:00Z"
    assert meta["engines"] == sorted(analysis.results)
    mixed = analysis.lists["mix"].items
    assert [e["artist"] for e in data["lists"]["mix"]["items"]] == [r.artist for r in mixed]
    assert data["lists"]["mix"]["items"][0]["contributions"] == mixed[0].engines
    for name, found in analysis.lists.items():
        entries = data["lists"][name]["items"]
        assert [(e["artist"], e["list"]) for e in entries] == [(r.artist, r.list)
                                                               for r in found.items]
    assert {e["list"] for e in data["lists"]["mix"]["items"]} == {"play-next", "rediscover",
                                                                "discover"}
    # Two clusters share a label: both survive, the second keyed with its id.
    assert set(data["ai_ml_recommendations"]["context_aware"]) == {
        "Weekday mornings", "Weekday mornings (1)"}
    slots = data["ai_ml_recommendations"]["context_aware"]["Weekday mornings"]["slots"]
    assert slots == [{"day": "Mon", "hour": 7}, {"day": "Tue", "hour": 8}]
    assert data["ai_ml_recommendations"]["content_based"][0]["artist"] == DISCOVERY
    # Non-scalar extras are engine internals and stay out.
    assert data["ai_ml_recommendations"]["content_based"][0]["details"] == {"k": 0}
    totals = data["listening_analysis"]["totals"]
    assert totals["plays"] == len(analysis.history.plays)
    assert totals["artists"] == len(ARTISTS)
    top = data["listening_analysis"]["top_artists"]
    assert [t["artist"] for t in top] == list(analysis.ranking.table.index)
    assert data["system_configuration"]["effective"]["tier"] == "1-50"
    assert data["system_configuration"]["effective"]["k"] == 2
    assert data["system_configuration"]["effective"]["shares"] == {
        "play-next": 0.5, "rediscover": 0.25, "discover": 0.25}
    assert data["system_configuration"]["effective"]["play_next_half_lives"] == [14, 60, 365]


def test_system_configuration_is_the_allow_list_only(analysis):
    config = json.loads(render(analysis, "comprehensive", now=NOW))["system_configuration"]
    assert set(config) == {*CONFIG_ALLOW_LIST, "effective"}
    for section, keys in CONFIG_ALLOW_LIST.items():
        assert set(config[section]) == set(keys)
    assert "base_url" not in json.dumps(config)


def test_summary_content(analysis):
    data = json.loads(render(analysis, "summary", now=NOW))
    assert data["tier_used"] == "1-50"
    assert data["total_artists_in_library"] == len(ARTISTS)
    mixed = analysis.lists["mix"].items
    assert [r["rank"] for r in data["top_recommendations"]] == list(range(1, len(mixed) + 1))
    new = next(r for r in data["top_recommendations"] if r["artist"] == DISCOVERY)
    assert new == {"rank": mixed.index(next(m for m in mixed if m.artist == DISCOVERY)) + 1,
                   "artist": DISCOVERY, "score": 1.0, "list": "discover",
                   "why": f"because of {DISCOVERY}", "in_library": False}
    assert set(data["lists"]) == {"play-next", "rediscover", "discover"}
    assert [e["artist"] for e in data["lists"]["rediscover"]["items"]] == [
        r.artist for r in analysis.lists["rediscover"].items]


@pytest.mark.parametrize("fmt", FORMATS)
def test_renders_are_deterministic_apart_from_the_timestamp(any_analysis, fmt):
    first = render(any_analysis, fmt, now=NOW)
    assert render(any_analysis, fmt, now=NOW) == first
    later = render(any_analysis, fmt, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert later.replace("2030-01-01T00:00:00Z", "2025-03-14T21:03:00Z") == first


def test_csv_round_trips_awkward_names_and_tags_each_list(any_analysis):
    text = render(any_analysis, "csv")
    assert "\r\n" in text  # RFC 4180 line ends
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    lists = any_analysis.lists
    assert len(rows) == sum(len(found.items) for found in lists.values())
    header = next(csv.reader(io.StringIO(text, newline="")))
    assert header[:5] == ["list", "rank", "artist", "score", "in_library"]
    assert header[-1] == "why" and header[5] == "recency"
    assert {COMMA, QUOTES, NEWLINE} <= {r["artist"] for r in rows}
    mixed = [r for r in rows if r["list"].startswith("mix:")]
    assert [r["artist"] for r in mixed] == [r.artist for r in lists["mix"].items]
    assert [r["list"] for r in mixed] == [f"mix:{r.list}" for r in lists["mix"].items]
    for name in ("play-next", "rediscover", "discover"):
        own = [r for r in rows if r["list"] == name]
        for rank, (row, rec) in enumerate(zip(own, lists[name].items, strict=True), start=1):
            assert int(row["rank"]) == rank and row["artist"] == rec.artist
            assert float(row["score"]) == pytest.approx(rec.score, abs=1e-6)
            assert float(row["recency"] or 0) == pytest.approx(rec.engines.get("recency", 0.0),
                                                               abs=1e-6)
            assert row["in_library"] == ("true" if rec.in_library else "false")
            assert row["why"] == rec.why


def test_track_list_round_trip(any_analysis):
    per_artist = any_analysis.settings.export.tracks_per_artist
    listed = track_list(any_analysis)
    lines = render(any_analysis, "tracks").splitlines()
    assert lines == [t.uri for t in listed.tracks]
    assert all(re.fullmatch(r"spotify:track:[0-9A-Za-z]{22}", line) for line in lines)
    in_library = [r.artist for r in any_analysis.lists["mix"].items if r.in_library]
    with_uri = [a for a in in_library if a != NO_URI_ARTIST]
    assert len(lines) == per_artist * len(with_uri)
    # Order: Mix order, then each artist's best tracks best first.
    expected = []
    for artist in with_uri:
        expected += [(artist, t) for t, _ in any_analysis.ranking.top_tracks(artist, per_artist)]
    assert [(t.artist, t.title) for t in listed.tracks] == expected
    # The scrobble-only artist's best tracks have no URI.
    assert listed.missing_uri == per_artist * (NO_URI_ARTIST in in_library)
    assert DISCOVERY not in {t.artist for t in listed.tracks}
    # Which lists gave tracks, and which cannot (new artists have no tracks).
    assert listed.lists[0] == "play-next" and "discover" not in listed.lists
    if any(not r.in_library for r in any_analysis.lists["mix"].items):
        assert listed.without_tracks == ("discover",)
        assert "Discover: new artists have no tracks" in listed.describe()


def test_track_list_as_links(analysis):
    linked = copy.copy(analysis)
    linked.settings = load_settings({"export": {"track_links": True}})
    lines = render(linked, "tracks").splitlines()
    ids = [t.uri.rsplit(":", 1)[1] for t in track_list(analysis).tracks]
    assert lines == [f"https://open.spotify.com/track/{i}" for i in ids]


def test_m3u_round_trip(any_analysis):
    lines = render(any_analysis, "m3u").split("\n")
    assert lines[0] == "#EXTM3U" and lines[-1] == ""
    assert lines[1] == "#PLAYLIST:musicrec Mix"
    assert lines[2] == f"# {track_list(any_analysis).describe()}"
    assert lines[2].startswith("# tracks from Play next")
    body = lines[3:-1]
    tracks = track_list(any_analysis).tracks
    assert len(body) == 2 * len(tracks)
    for (info, url), track in zip(zip(body[::2], body[1::2], strict=True), tracks, strict=True):
        assert info.startswith("#EXTINF:-1,")
        assert url == track.url
    assert "#EXTINF:-1,Line Break - Line Break song 2" in body  # newline folded, one entry


def test_unknown_format_is_a_clear_error(analysis):
    with pytest.raises(MusicrecError, match="unknown export format 'xml'"):
        render(analysis, "xml")


def test_export_writes_and_refuses_to_overwrite(analysis, outdir):
    out = outdir / "recs.json"
    assert export(analysis, "summary", out, now=NOW) == out
    first = out.read_bytes()
    assert json.loads(first)["timestamp"] == "2025-03-14T21:03:00Z"
    with pytest.raises(TargetExistsError) as err:
        export(analysis, "csv", out)
    assert str(out) in str(err.value) and "--force" in str(err.value)
    assert out.read_bytes() == first
    export(analysis, "csv", out, force=True)
    assert out.read_text(encoding="utf-8").startswith("list,rank,artist,score")
    assert sorted(p.name for p in outdir.iterdir()) == ["recs.json"]


def test_export_to_stdout(analysis, outdir, capsys, monkeypatch):
    monkeypatch.chdir(outdir)
    assert export(analysis, "tracks", "-") == Path("-")
    assert capsys.readouterr().out == render(analysis, "tracks")
    assert list(outdir.iterdir()) == []


def test_export_to_a_folder_is_refused(analysis, tmp_path):
    with pytest.raises(MusicrecError, match="is a folder"):
        export(analysis, "csv", tmp_path, force=True)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_failed_rename_keeps_the_old_file(analysis, outdir, monkeypatch):
    out = outdir / "recs.json"
    out.write_text("old export\n")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(MusicrecError,
                       match=r"cannot write .*: the disk is full; .* was left as it was"):
        export(analysis, "comprehensive", out, force=True)
    assert out.read_text() == "old export\n"
    assert _leftovers(outdir) == ["recs.json"]


def test_failure_in_the_middle_of_the_write_keeps_the_old_file(analysis, outdir, monkeypatch):
    out = outdir / "recs.csv"
    out.write_text("old export\n")
    real_fdopen = os.fdopen

    class HalfWriter:
        """Writes half the bytes to the temp file, then fails like a full disk."""

        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    with pytest.raises(MusicrecError, match=r"cannot write .*: input/output error"):
        export(analysis, "csv", out, force=True)
    assert out.read_text() == "old export\n"
    assert _leftovers(outdir) == ["recs.csv"]


def test_failed_first_write_leaves_no_file(analysis, outdir, monkeypatch):
    out = outdir / "new.m3u"
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O error")))
    with pytest.raises(MusicrecError):
        export(analysis, "m3u", out)
    assert _leftovers(outdir) == []


@pytest.mark.parametrize(("fmt", "name"), [
    ("comprehensive", "musicrec-recommendations-20250314.json"),
    ("summary", "musicrec-summary-20250314.json"),
    ("csv", "musicrec-recommendations-20250314.csv"),
    ("tracks", "musicrec-tracks-20250314.txt"),
    ("m3u", "musicrec-tracks-20250314.m3u"),
])
def test_default_export_path(tmp_path, monkeypatch, fmt, name):
    assert default_export_path(fmt, tmp_path, today=date(2025, 3, 14)) == tmp_path / name
    monkeypatch.chdir(tmp_path)
    assert default_export_path(fmt, today=date(2025, 3, 14)) == tmp_path / name


def test_every_format_has_a_default_name():
    assert set(export_mod._FILE_NAMES) == set(FORMATS)
    assert load_settings().export.format in FORMATS


def test_comprehensive_lists_are_capped(analysis):
    short = copy.copy(analysis)
    short.settings = load_settings({"export": {"list_length": 2}})
    data = json.loads(render(short, "comprehensive", now=NOW))
    trends = data["listening_analysis"]["trends"]
    assert len(data["listening_analysis"]["top_artists"]) == 2
    assert len(data["ai_ml_recommendations"]["content_based"]) == 2
    assert all(len(trends[name]) <= 2 for name in trends)
    assert all(len(found["items"]) <= 2 for found in data["lists"].values())


def test_source_files_are_names_and_hashes(tmp_path):
    import hashlib
    import zipfile

    from musicrec_tui.core.export.sources import source_files
    from musicrec_tui.core.history.model import FileReport, ImportReport

    archive = tmp_path / "deep" / "my_spotify_data.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Spotify Extended Streaming History/a.json", '[{"secret": "content"}]')
    loose = tmp_path / "deep" / "scrobbles.csv"
    loose.write_text("artist,track\n")
    member = "Spotify Extended Streaming History/a.json"
    report = ImportReport(files=[
        FileReport(str(loose), None, "lastfm-csv", 1, 1),
        FileReport(str(archive), member, "spotify-extended", 1, 1),
        FileReport(str(tmp_path / "gone.json"), None, None, 0, 0, "vanished"),
    ])
    entries = source_files(report)
    assert [(e["name"], e["member"]) for e in entries] == [
        ("gone.json", None), ("my_spotify_data.zip", member), ("scrobbles.csv", None)]
    by_name = {e["name"]: e for e in entries}
    assert by_name["my_spotify_data.zip"]["sha256"] == hashlib.sha256(
        archive.read_bytes()).hexdigest()
    assert by_name["scrobbles.csv"]["sha256"] == hashlib.sha256(b"artist,track\n").hexdigest()
    assert by_name["gone.json"]["sha256"] is None
    assert "deep" not in json.dumps(entries) and "content" not in json.dumps(entries)


def test_tier_is_normalised(analysis):
    odd = copy.copy(analysis)
    odd.results = {k: v for k, v in analysis.results.items() if k != "content"}
    odd.tier = "200 – 300"
    assert json.loads(render(odd, "summary", now=NOW))["tier_used"] == "200-300"
