"""The demo generator: determinism, Spotify layout and record shape, counts, planted truth."""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from musicrec_tui.cli import main
from musicrec_tui.core import demo
from musicrec_tui.core.demo.write import RECORD_KEYS
from musicrec_tui.core.errors import Cancelled, MusicrecError

STREAMS = 20_000
AUDIO_NAME = re.compile(r"^Streaming_History_Audio_(\d{4})(?:-(\d{4}))?_(\d+)\.json$")
VIDEO_NAME = re.compile(r"^Streaming_History_Video_(\d{4})(?:-(\d{4}))?\.json$")
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
TRACK_URI = re.compile(r"^spotify:track:[0-9A-Za-z]{22}$")
EPISODE_URI = re.compile(r"^spotify:episode:[0-9A-Za-z]{22}$")


def _records(root: Path) -> list[dict]:
    truth = demo.read_ground_truth(root)
    out: list[dict] = []
    for name in truth["files"]:
        out += json.loads((root / demo.HISTORY_DIRNAME / name).read_text(encoding="utf-8"))
    return out


def _ts(record: dict) -> datetime:
    return datetime.fromisoformat(record["ts"])


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, dict, list[dict]]:
    root = demo.generate_demo(tmp_path_factory.mktemp("demo"), streams=STREAMS, seed=11)
    return root, demo.read_ground_truth(root), _records(root)


@pytest.fixture(scope="module")
def music(made) -> list[dict]:
    """Music rows without the planted exact duplicates, in time order."""
    seen: set[str] = set()
    out = []
    for record in made[2]:
        key = json.dumps(record, sort_keys=True)
        if record["master_metadata_album_artist_name"] is None or key in seen:
            continue
        seen.add(key)
        out.append(record)
    return out


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_history(tmp_path):
    a = _files(demo.generate_demo(tmp_path / "a", streams=3000, seed=5))
    b = _files(demo.generate_demo(tmp_path / "b", streams=3000, seed=5))
    c = _files(demo.generate_demo(tmp_path / "c", streams=3000, seed=6))
    assert a == b
    assert len(a) >= 3
    audio = [k for k in a if "Audio" in k]
    assert all(a[k] != c.get(k) for k in audio)
    assert json.loads(a[demo.GROUND_TRUTH])["rising"] != json.loads(c[demo.GROUND_TRUTH])["rising"]


def test_layout_and_file_names_follow_spotify(made):
    root, truth, records = made
    folder = root / demo.HISTORY_DIRNAME
    names = sorted(p.name for p in folder.iterdir())
    assert sorted([*truth["files"], truth["video_file"]]) == names
    assert not (folder / demo.GROUND_TRUTH).exists()  # kept out of the history folder
    start = 0
    for index, name in enumerate(truth["files"]):
        match = AUDIO_NAME.match(name)
        assert match, name
        assert int(match.group(3)) == index  # running index across all audio files
        rows = json.loads((folder / name).read_text(encoding="utf-8"))
        expected = min(demo.RECORDS_PER_FILE, len(records) - start)
        assert len(rows) == expected
        years = {_ts(rows[0]).year, _ts(rows[-1]).year}
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        assert years == {first, last}
        start += len(rows)
    assert VIDEO_NAME.match(truth["video_file"])
    text = (folder / truth["files"][0]).read_text(encoding="utf-8")
    assert text.startswith('[\n    {\n        "ts": "')  # pretty-printed like 2024+ exports


def test_records_have_generation_c_shape(made):
    _, _, records = made
    kinds = Counter()
    for r in records:
        assert tuple(r) == RECORD_KEYS
        assert TS.match(r["ts"])
        assert isinstance(r["ms_played"], int) and r["ms_played"] >= 0
        assert r["ip_addr"] is None  # never invented
        assert all(r[k] is None for k in RECORD_KEYS if k.startswith("audiobook_"))
        for key in ("shuffle", "skipped", "offline", "incognito_mode"):
            assert isinstance(r[key], bool)
        assert isinstance(r["offline_timestamp"], int)
        assert abs(r["offline_timestamp"] - (_ts(r).timestamp() - r["ms_played"] / 1000)) <= 1
        assert isinstance(r["platform"], str) and len(r["conn_country"]) == 2
        if r["master_metadata_album_artist_name"] is not None:
            kinds["music"] += 1
            assert TRACK_URI.match(r["spotify_track_uri"])
            assert r["master_metadata_track_name"] and r["master_metadata_album_album_name"]
            assert r["episode_name"] is r["episode_show_name"] is r["spotify_episode_uri"] is None
        else:
            kinds["podcast"] += 1
            assert r["master_metadata_track_name"] is r["spotify_track_uri"] is None
            assert r["episode_name"] and r["episode_show_name"]
            assert EPISODE_URI.match(r["spotify_episode_uri"])
    assert kinds["podcast"] > 0 and kinds["music"] > 0


def test_counts_match_ground_truth(made, music):
    root, truth, records = made
    counts = truth["records"]
    assert len(records) == counts["audio"] == truth["streams"] == STREAMS
    podcast = sum(r["master_metadata_album_artist_name"] is None for r in records)
    assert podcast == counts["podcast"]
    copies = Counter(json.dumps(r, sort_keys=True) for r in records)
    assert sum(n - 1 for n in copies.values()) == counts["duplicates"] > 0
    assert len(music) == counts["music"] == STREAMS - counts["podcast"] - counts["duplicates"]
    assert sum(r["ms_played"] == 0 for r in music) == counts["zero_length"]
    assert sum(0 < r["ms_played"] < 30_000 for r in music) == counts["short"]
    assert sum(r["skipped"] for r in music) == counts["skipped"]
    assert sum(r["incognito_mode"] for r in music) == counts["incognito"]
    video = json.loads((root / demo.HISTORY_DIRNAME / truth["video_file"]).read_text("utf-8"))
    assert len(video) == counts["video"]
    assert all(v["spotify_track_uri"] is None and v["episode_name"] for v in video)
    artists = {r["master_metadata_album_artist_name"] for r in music}
    assert len(artists) == truth["artists"]
    assert len({r["spotify_track_uri"] for r in music}) == truth["tracks"]
    plays = Counter(r["master_metadata_album_artist_name"] for r in music)
    assert all(plays[name] == n for name, n in truth["plays"].items())
    assert truth["timezone"] == "UTC"
    assert truth["first_ts"] == music[0]["ts"] and truth["last_ts"] == music[-1]["ts"]
    assert truth["start"] <= truth["first_ts"] and truth["last_ts"] <= truth["end"]


def test_names_are_international_and_search_targets_exist(made, music):
    _, truth, _ = made
    artists = {r["master_metadata_album_artist_name"] for r in music}
    assert set(truth["search_names"]) == {"Beyoncé", "Sigur Rós", "Radiohead"} <= artists
    assert all(truth["search_queries"][q] in artists for q in ("beyon", "sigur ros", "radiohed"))
    assert any(not a.isascii() for a in artists)
    assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]", a) for a in artists)
    # The planted names are the only ones a prefix search for them could hit.
    assert [a for a in artists if a.casefold().startswith("beyon")] == ["Beyoncé"]


def test_plays_are_sequential_with_matching_reasons(made, music):
    # ts is the END of a play: each music play starts after the previous one ended.
    ends = np.array([_ts(r).timestamp() for r in music])
    starts = ends - np.array([r["ms_played"] for r in music]) / 1000
    assert np.all(starts[1:] >= ends[:-1] - 1)
    by_reason: dict[str, list[dict]] = {}
    for r in music:
        by_reason.setdefault(r["reason_end"], []).append(r)
    assert {"trackdone", "fwdbtn", "backbtn", "endplay"} <= set(by_reason)
    assert all(r["skipped"] == (r["reason_end"] == "fwdbtn") for r in music)
    fwd = [r["ms_played"] for r in by_reason["fwdbtn"]]
    assert np.median(fwd) < 30_000
    # A finished track lasts its duration: all trackdone plays of a URI agree within 1.5 s.
    done: dict[str, list[int]] = {}
    for r in by_reason["trackdone"]:
        done.setdefault(r["spotify_track_uri"], []).append(r["ms_played"])
    spread = [max(v) - min(v) for v in done.values() if len(v) > 1]
    assert spread and max(spread) <= 1500
    minutes = np.median([v[0] for v in done.values()]) / 60_000
    assert 2.5 < minutes < 5
    assert 0.2 < np.mean([r["shuffle"] for r in music]) < 0.9


def _monthly(music, artist) -> Counter:
    return Counter(r["ts"][:7] for r in music if r["master_metadata_album_artist_name"] == artist)


def _months_back(last: str, k: int) -> str:
    year, month = map(int, last.split("-"))
    index = year * 12 + month - 1 - k
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def test_rising_and_fading_artists_show_in_monthly_counts(made, music):
    _, truth, _ = made
    last = truth["end"][:7]
    ramp = truth["trend"]["ramp_months"]
    late = [_months_back(last, k) for k in range(ramp // 2)]
    early = [_months_back(last, k) for k in range(ramp // 2, ramp)]
    older = [_months_back(last, k) for k in range(ramp + 1, ramp + 5)]
    assert early[-1] == truth["trend"]["ramp_start_month"]
    for artist in truth["rising"]:
        monthly = _monthly(music, artist)
        assert sum(monthly[m] for m in late) > 1.5 * sum(monthly[m] for m in early) > 0
        assert min(monthly) >= truth["trend"]["ramp_start_month"]  # nothing before the ramp
    for artist in truth["fading"]:
        monthly = _monthly(music, artist)
        assert sum(monthly[m] for m in late) < 0.5 * sum(monthly[m] for m in older)
        assert min(monthly) < _months_back(last, 24)  # a long-time favourite


def test_context_artists_play_in_their_hours(made, music):
    _, truth, _ = made
    assert [c["label"] for c in truth["contexts"]] == ["weekday mornings", "weekend late nights"]
    for context in truth["contexts"]:
        for artist in context["artists"]:
            times = [_ts(r) for r in music if r["master_metadata_album_artist_name"] == artist]
            inside = [t.weekday() in context["dows"] and t.hour in context["hours"]
                      for t in times]
            assert len(times) >= 40
            assert np.mean(inside) >= 0.8, (context["label"], artist)


def _sessions(music, gap_minutes: float = 30) -> list[set[str]]:
    sessions: list[set[str]] = []
    previous_end = None
    for r in music:
        end = _ts(r).timestamp()
        start = end - r["ms_played"] / 1000
        if previous_end is None or start - previous_end > gap_minutes * 60:
            sessions.append(set())
        sessions[-1].add(r["master_metadata_album_artist_name"])
        previous_end = end
    return sessions


def test_colistened_groups_share_sessions(made, music):
    _, truth, _ = made
    sessions = _sessions(music)
    assert len(sessions) > 1000
    seen = Counter(a for s in sessions for a in s)
    together = Counter((a, b) for s in sessions for a in s for b in s if a != b)
    for group in truth["colisten_groups"]:
        for artist in group:
            # cosine over session co-occurrence: the other members are the nearest three
            cosine = {b: n / np.sqrt(seen[artist] * seen[b])
                      for (a, b), n in together.items() if a == artist}
            nearest = sorted(cosine, key=cosine.get, reverse=True)[:len(group) - 1]
            assert set(nearest) == set(group) - {artist}, (artist, nearest)


def test_sessions_are_separated_by_the_break(made, music):
    _, truth, _ = made
    # Gaps inside a session stay under 30 min; gaps between sessions exceed the break.
    assert len(_sessions(music, 30)) == len(_sessions(music, truth["session_break_minutes"] - 1))


def test_progress_and_cancel(tmp_path):
    seen: list[tuple[int, int]] = []
    demo.generate_demo(tmp_path / "p", streams=2000, seed=1, progress=lambda d, t: seen.append(
        (d, t)))
    assert seen[0] == (0, 2000) and seen[-1] == (2000, 2000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        demo.generate_demo(tmp_path / "c", streams=2000, seed=1, cancel=stop)
    assert not (tmp_path / "c" / demo.GROUND_TRUTH).exists()


def test_dates_and_bad_arguments(tmp_path):
    root = demo.generate_demo(tmp_path / "d", streams=1000, seed=2, start="2019-03-01", years=1)
    truth = demo.read_ground_truth(root)
    assert truth["start"] == "2019-03-01T00:00:00Z" and truth["end"] == "2020-02-29T23:59:59Z"
    assert truth["first_ts"][:7] >= "2019-03" and truth["last_ts"][:7] <= "2020-02"
    truth = demo.read_ground_truth(demo.generate_demo(tmp_path / "g", streams=600, seed=2,
                                                      start="2024-01-01", end="2024-03-15"))
    assert truth["end"] == "2024-03-15T23:59:59Z"
    with pytest.raises(MusicrecError, match="at least"):
        demo.generate_demo(tmp_path / "e", streams=10)
    with pytest.raises(MusicrecError, match="too short"):
        demo.generate_demo(tmp_path / "f", streams=1000, start="2020-01-01", end="2020-01-20")
    assert demo.demo_years(20_000) == 4 and demo.demo_years(1_000_000) == 16


def test_demo_paths_generates_once_in_the_cache(monkeypatch):
    root = demo.demo_paths(streams=1000, seed=3)
    assert root.parent.name == "demo" and root.name == "3-1000"
    assert (root / demo.GROUND_TRUTH).is_file()
    assert not [p for p in root.parent.iterdir() if p.name.startswith(".")]  # no temp left

    def refuse(*args, **kwargs):
        raise AssertionError("regenerated")

    monkeypatch.setattr(demo, "generate_demo", refuse)
    assert demo.demo_paths(streams=1000, seed=3) == root


def test_demo_paths_cancelled_leaves_nothing():
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        demo.demo_paths(streams=1000, seed=4, cancel=stop)
    folder = demo.cache_dir() / "demo"
    assert not folder.exists() or not any(folder.iterdir())


def test_cli_write_refuses_non_empty_then_forces(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["demo", "--write", str(out), "--streams", "1500", "--seed", "2"]) == 0
    printed = capsys.readouterr().out
    assert "ground_truth.json" in printed and "rising" in printed
    truth = demo.read_ground_truth(out)
    assert truth["streams"] == 1500 and truth["seed"] == 2
    (out / "mine.txt").write_text("keep me")
    assert main(["demo", "--write", str(out), "--streams", "1500"]) == 2
    assert "not empty" in capsys.readouterr().err
    assert main(["demo", "--write", str(out), "--streams", "2000", "--force"]) == 0
    assert demo.read_ground_truth(out)["streams"] == 2000
    assert (out / "mine.txt").read_text() == "keep me"  # only the old demo was replaced


def test_cli_without_write_opens_the_app_on_the_cached_demo(monkeypatch):
    from musicrec_tui.cli import demo_cmd

    calls = []
    monkeypatch.setattr(demo_cmd, "_app_available", lambda: True)
    monkeypatch.setattr("musicrec_tui.cli.tui_cmd.launch",
                        lambda paths, **kw: calls.append((paths, kw)) or 0)
    monkeypatch.setattr("musicrec_tui.cli.tui_cmd.need_a_terminal", lambda: None)  # pytest's
    assert main(["demo", "--streams", "800", "--seed", "9"]) == 0
    (paths, kwargs), = calls
    assert paths == [str(demo.cache_dir() / "demo" / "9-800" / demo.HISTORY_DIRNAME)]
    assert kwargs == {"tz": "UTC", "demo": True}


def test_cli_without_the_app_prints_the_import_report(monkeypatch, capsys):
    from musicrec_tui.cli import demo_cmd

    monkeypatch.setattr(demo_cmd, "_app_available", lambda: False)
    assert main(["demo", "--streams", "800", "--seed", "9", "--tz", "Europe/Paris"]) == 0
    out = capsys.readouterr().out
    assert "Import report" in out and "Europe/Paris" in out
