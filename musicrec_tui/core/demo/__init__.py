"""A realistic, deterministic demo listening history with known planted structure.

``generate_demo(out_dir)`` writes::

    out_dir/
        Spotify Extended Streaming History/
            Streaming_History_Audio_2022_0.json        (~15k records each, running index)
            Streaming_History_Audio_2022-2023_1.json
            …
            Streaming_History_Video_2022-2025.json
        ground_truth.json                               (what was planted; see below)

Give ``out_dir / HISTORY_DIRNAME`` to the importer: ``ground_truth.json`` sits outside the
history folder so it never shows up as an unrecognised file in an import report.

The same seed, size and dates always give byte-identical files; no step reads the clock.
Times are UTC and the planted contexts are defined in UTC (``ground_truth["timezone"]``).
The simulation is in ``plays``, the catalogue in ``catalog``, names in
``names``, the file writing in ``write``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from musicrec_tui.core.demo import names
from musicrec_tui.core.demo.catalog import Catalog, artist_count, build_catalog
from musicrec_tui.core.demo.plays import (
    COUNTRIES,
    DAY_MS,
    END_FWDBTN,
    HOUR_MS,
    MORNING_DOWS,
    MORNING_HOURS,
    NIGHT_DOWS,
    NIGHT_HOURS,
    PLATFORMS,
    RAMP_MONTHS,
    REASON_END,
    REASON_START,
    SESSION_BREAK_MS,
    Plays,
    simulate,
)
from musicrec_tui.core.demo.write import (
    HISTORY_DIRNAME,
    RECORDS_PER_FILE,
    iso_utc,
    write_files,
)
from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.locations import cache_dir
from musicrec_tui.core.progress import CancelToken, Progress, check, report

__all__ = [
    "DEFAULT_END", "DEFAULT_SEED", "DEFAULT_STREAMS", "GROUND_TRUTH", "HISTORY_DIRNAME", "TIMEZONE",
    "demo_paths", "demo_years", "generate_demo", "read_ground_truth",
]

DEFAULT_STREAMS = 200_000
DEFAULT_SEED = 7
# The history ends here unless told otherwise: never "now", so output is reproducible.
DEFAULT_END = datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)
TIMEZONE = "UTC"
GROUND_TRUTH = "ground_truth.json"
GROUND_TRUTH_SCHEMA = 1
MIN_STREAMS = 500
PODCAST_SHARE = 0.004
DUPLICATE_SHARE = 0.002
VIDEO_PER_STREAMS = 4_000
EPISODES_PER_SHOW = 40
# About 60k plays a year at most: 1M plays over 4 years would be 11 hours of music a day
# and every session would merge into the next.
PLAYS_PER_YEAR = 60_000
MAX_YEARS = 16


def demo_years(streams: int) -> int:
    """Span (years) used when neither ``years`` nor ``start`` is given."""
    return min(MAX_YEARS, max(4, math.ceil(streams / PLAYS_PER_YEAR)))


def _rng(seed: int, part: str) -> np.random.Generator:
    # One independent stream per part, so changing one part never reshuffles the others.
    return np.random.default_rng([seed, zlib.crc32(part.encode())])


def _as_utc(value: date | datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _shift_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def _window(streams: int, start, end, years: int | None) -> tuple[datetime, datetime]:
    """[start, end) in UTC; start is a midnight so hours of day line up with the calendar."""
    years = years or demo_years(streams)
    stop = None
    if end is not None:
        # A bare date ends with that day; a moment is the last second included.
        whole_day = not isinstance(end, datetime) and (not isinstance(end, str) or len(end) == 10)
        stop = _as_utc(end) + (timedelta(days=1) if whole_day else timedelta(seconds=1))
    if start is not None:
        first = _as_utc(start)
        stop = stop or _shift_years(first, years)
    else:
        stop = stop or DEFAULT_END + timedelta(seconds=1)
        first = _shift_years(stop, -years)
    first = first.replace(hour=0, minute=0, second=0, microsecond=0)
    if stop - first < timedelta(days=62):
        raise MusicrecError(f"demo: the date range {first:%Y-%m-%d}…{stop:%Y-%m-%d} is too "
                            "short; give it at least two months")
    return first, stop


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _podcasts(rng: np.random.Generator, count: int, start_ms: int, stop_ms: int,
              shows: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Podcast (or video podcast) rows: track fields null, episode fields set."""
    show = rng.integers(0, len(shows), size=count)
    episode = rng.integers(0, EPISODES_PER_SHOW, size=count)
    titles = np.array(names.episode_titles(rng, EPISODES_PER_SHOW * len(shows)), dtype=object)
    uris = np.array(names.spotify_uris(rng, "episode", EPISODES_PER_SHOW * len(shows)),
                    dtype=object)
    flat = show * EPISODES_PER_SHOW + episode
    days = (stop_ms - start_ms) // DAY_MS - 1
    begin = (start_ms + rng.integers(0, days, size=count) * DAY_MS
             + rng.choice([6, 7, 8, 17, 18], size=count) * HOUR_MS
             + rng.integers(0, HOUR_MS, size=count))
    listened = rng.random(count) < 0.7
    ms = np.where(listened, rng.lognormal(np.log(1_500_000), 0.4, size=count),
                  rng.uniform(4_000, 40_000, size=count)).astype(np.int64)
    end_s = np.sort((begin + ms) // 1000)
    return {
        "end_s": end_s, "ms_played": ms, "episode_name": titles[flat],
        "episode_show_name": np.array(shows, dtype=object)[show], "spotify_episode_uri": uris[flat],
        "reason_end": np.where(listened, "endplay", "fwdbtn").astype(object),
        "skipped": ~listened,
    }


def _columns(cat: Catalog, plays: Plays, rows: np.ndarray, pods: dict) -> tuple[dict, np.ndarray]:
    """Record columns for the audio files. ``rows`` holds a music play index, or
    ``-1 - j`` for podcast row ``j``."""
    music = rows >= 0
    mi = rows[music]
    pj = -1 - rows[~music]
    n = len(rows)

    def filled(music_values, pod_values=None, dtype=object) -> np.ndarray:
        out = np.empty(n, dtype=dtype)
        out[music] = music_values
        out[~music] = pod_values if pod_values is not None else None
        return out

    track = plays.track[mi]
    end_s = filled(plays.end_ms[mi] // 1000, pods["end_s"][pj], np.int64)
    ms = filled(plays.ms_played[mi], pods["ms_played"][pj], np.int64)
    reason_end = filled(np.array(REASON_END, dtype=object)[plays.reason_end[mi]],
                        pods["reason_end"][pj])
    pod_platform = np.array(PLATFORMS, dtype=object)[0]
    columns = {
        "ts": iso_utc(end_s),
        "platform": filled(np.array(PLATFORMS, dtype=object)[plays.platform[mi]], pod_platform),
        "ms_played": ms,
        "conn_country": filled(np.array(COUNTRIES, dtype=object)[plays.country[mi]],
                               COUNTRIES[0]),
        "master_metadata_track_name": filled(np.array(cat.track_names, dtype=object)[track]),
        "master_metadata_album_artist_name": filled(np.array(cat.names, dtype=object)[
            plays.artist[mi]]),
        "master_metadata_album_album_name": filled(np.array(cat.album_names, dtype=object)[
            cat.track_album[track]]),
        "spotify_track_uri": filled(np.array(cat.track_uris, dtype=object)[track]),
        "episode_name": filled(None, pods["episode_name"][pj]),
        "episode_show_name": filled(None, pods["episode_show_name"][pj]),
        "spotify_episode_uri": filled(None, pods["spotify_episode_uri"][pj]),
        "reason_start": filled(np.array(REASON_START, dtype=object)[plays.reason_start[mi]],
                               "clickrow"),
        "reason_end": reason_end,
        "shuffle": filled(plays.shuffle[mi], False, bool),
        "skipped": filled(plays.reason_end[mi] == END_FWDBTN, pods["skipped"][pj], bool),
        "offline": filled(plays.offline[mi], False, bool),
        # Like real exports: the start on the device clock, in seconds, offline or not.
        "offline_timestamp": end_s - ms // 1000,
        "incognito_mode": filled(plays.incognito[mi], False, bool),
    }
    return columns, end_s


def _video_columns(pods: dict) -> dict:
    n = len(pods["end_s"])
    none = np.full(n, None, dtype=object)
    return {
        "ts": iso_utc(pods["end_s"]), "platform": np.full(n, "android", dtype=object),
        "ms_played": pods["ms_played"], "conn_country": np.full(n, COUNTRIES[0], dtype=object),
        "master_metadata_track_name": none, "master_metadata_album_artist_name": none,
        "master_metadata_album_album_name": none, "spotify_track_uri": none,
        "episode_name": pods["episode_name"], "episode_show_name": pods["episode_show_name"],
        "spotify_episode_uri": pods["spotify_episode_uri"],
        "reason_start": np.full(n, "clickrow", dtype=object), "reason_end": pods["reason_end"],
        "shuffle": np.zeros(n, bool), "skipped": pods["skipped"], "offline": np.zeros(n, bool),
        "offline_timestamp": pods["end_s"] - pods["ms_played"] // 1000,
        "incognito_mode": np.zeros(n, bool),
    }


def _ground_truth(*, seed: int, streams: int, cat: Catalog, plays: Plays, first: datetime,
                  stop: datetime, counts: dict[str, int], files: list[str],
                  video_file: str) -> dict[str, Any]:
    planted = np.concatenate([cat.rising, cat.fading, *cat.contexts, *cat.groups])
    per_artist = np.bincount(plays.artist, minlength=cat.size)
    last_month = np.datetime64(stop.replace(tzinfo=None) - timedelta(seconds=1), "M")
    ramp_start = str(last_month - (RAMP_MONTHS - 1))

    def named(ids) -> list[str]:
        return [cat.names[int(i)] for i in ids]

    return {
        "schema": GROUND_TRUTH_SCHEMA,
        "generator": "musicrec demo",
        "seed": seed,
        "streams": streams,
        "timezone": TIMEZONE,
        "start": first.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": (stop - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "first_ts": str(iso_utc(np.array([plays.end_ms[0] // 1000]))[0]),
        "last_ts": str(iso_utc(np.array([plays.end_ms[-1] // 1000]))[0]),
        "history_dir": HISTORY_DIRNAME,
        "files": files,
        "video_file": video_file,
        "records": counts,
        "artists": int((per_artist > 0).sum()),
        "tracks": len(np.unique(plays.track)),
        "session_break_minutes": SESSION_BREAK_MS // 60_000,
        "rising": named(cat.rising),
        "fading": named(cat.fading),
        "trend": {"ramp_start_month": ramp_start, "ramp_months": RAMP_MONTHS},
        "contexts": [
            {"label": "weekday mornings", "dows": list(MORNING_DOWS),
             "hours": list(MORNING_HOURS), "artists": named(cat.contexts[0])},
            {"label": "weekend late nights", "dows": list(NIGHT_DOWS),
             "hours": list(NIGHT_HOURS), "artists": named(cat.contexts[1])},
        ],
        "colisten_groups": [named(g) for g in cat.groups],
        "search_names": list(names.SEARCH_NAMES),
        "search_queries": dict(names.SEARCH_QUERIES),
        "plays": {cat.names[int(i)]: int(per_artist[i]) for i in planted}
        | {name: int(per_artist[cat.names.index(name)]) for name in names.SEARCH_NAMES},
    }


def generate_demo(out_dir: str | os.PathLike[str], *, streams: int = DEFAULT_STREAMS,
                  seed: int = DEFAULT_SEED, progress: Progress | None = None,
                  cancel: CancelToken | None = None, start: date | datetime | str | None = None,
                  end: date | datetime | str | None = None, years: int | None = None,
                  pretty: bool = True) -> Path:
    """Write a demo Extended Streaming History of ``streams`` audio records into
    ``out_dir`` (created if needed) and return ``out_dir``.

    ``streams`` counts every record of the audio files (music, podcast episodes and exact
    duplicates); a small video file comes on top. Without ``start``/``end`` the history
    ends on :data:`DEFAULT_END` and spans :func:`demo_years` years (or ``years``).
    """
    if streams < MIN_STREAMS:
        raise MusicrecError(f"demo: --streams must be at least {MIN_STREAMS} (got {streams})")
    first, stop = _window(streams, start, end, years)
    start_ms, stop_ms = _ms(first), _ms(stop)
    podcasts = max(2, round(streams * PODCAST_SHARE))
    duplicates = max(1, round(streams * DUPLICATE_SHARE))
    music = streams - podcasts - duplicates
    report(progress, 0, streams)

    cat = build_catalog(_rng(seed, "catalog"), artist_count(streams))
    check(cancel)
    plays = simulate(_rng(seed, "plays"), cat, music, start_ms, stop_ms)
    check(cancel)
    extra = _rng(seed, "extra")
    pods = _podcasts(extra, podcasts, start_ms, stop_ms, names.PODCAST_SHOWS)
    videos = _podcasts(extra, max(3, streams // VIDEO_PER_STREAMS), start_ms, stop_ms,
                       names.VIDEO_SHOWS)
    # Exact duplicates sit right after their original, as re-synced offline plays do.
    dup = np.sort(extra.choice(music, size=duplicates, replace=False))
    music_rows = np.sort(np.concatenate((np.arange(music), dup)), kind="stable")
    music_end = plays.end_ms[music_rows] // 1000
    rows = np.concatenate((music_rows, -1 - np.arange(podcasts)))
    rows = rows[np.argsort(np.concatenate((music_end, pods["end_s"])), kind="stable")]
    columns, end_s = _columns(cat, plays, rows, pods)

    folder = Path(out_dir) / HISTORY_DIRNAME
    folder.mkdir(parents=True, exist_ok=True)

    def after_file(done: int) -> None:
        report(progress, done, streams)
        check(cancel)

    files = write_files(folder, "Streaming_History_Audio", columns, end_s,
                        per_file=RECORDS_PER_FILE, pretty=pretty, after_file=after_file)
    (video_file,) = write_files(folder, "Streaming_History_Video", _video_columns(videos),
                                videos["end_s"], per_file=None, pretty=pretty)
    ms = plays.ms_played
    counts = {
        "audio": streams, "music": music, "duplicates": duplicates, "podcast": podcasts,
        "video": len(videos["end_s"]),
        "zero_length": int((ms == 0).sum()),
        "short": int(((ms > 0) & (ms < 30_000)).sum()),
        "skipped": int((plays.reason_end == END_FWDBTN).sum()),
        "incognito": int(plays.incognito.sum()),
    }
    truth = _ground_truth(seed=seed, streams=streams, cat=cat, plays=plays, first=first,
                          stop=stop, counts=counts, files=files, video_file=video_file)
    # Written last: its presence marks a complete demo (demo_paths relies on it).
    (Path(out_dir) / GROUND_TRUTH).write_text(
        json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return Path(out_dir)


def read_ground_truth(root: str | os.PathLike[str]) -> dict[str, Any]:
    """The planted structure of a demo written by :func:`generate_demo` into ``root``."""
    return json.loads((Path(root) / GROUND_TRUTH).read_text(encoding="utf-8"))


def demo_paths(streams: int = DEFAULT_STREAMS, seed: int = DEFAULT_SEED, *,
               progress: Progress | None = None, cancel: CancelToken | None = None) -> Path:
    """The demo root for (``seed``, ``streams``) under ``cache_dir()/demo``, generated on
    first use. It is built in a temporary sibling folder and renamed into place, so a
    crash or a cancel never leaves a half-written demo that looks complete."""
    root = cache_dir() / "demo" / f"{seed}-{streams}"
    if (root / GROUND_TRUTH).is_file():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=root.parent))
    try:
        generate_demo(tmp, streams=streams, seed=seed, progress=progress, cancel=cancel)
        if root.exists():  # leftover of an interrupted run from an older version
            shutil.rmtree(root)
        os.rename(tmp, root)
    except OSError:
        # Another process finished the same demo first: use theirs.
        if not (root / GROUND_TRUTH).is_file():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return root
