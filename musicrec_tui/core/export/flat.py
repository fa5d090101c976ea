"""Flat exports: the lists as CSV, and playable track lists (plain and M3U) from the Mix.

CSV follows RFC 4180 (the ``csv`` module's default dialect: CRLF, fields with commas,
quotes or newlines quoted), so artist names of any shape round-trip, except that text cells
a spreadsheet would run as a formula get a leading ``'`` (see :func:`spreadsheet_text`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from musicrec_tui.core.engines import ENGINES
from musicrec_tui.core.export.values import num
from musicrec_tui.core.lists import LISTS, TITLES

# A Spotify track id is 22 base62 characters; anything else is not a playable URI.
_TRACK_URI = re.compile(r"^spotify:track:([0-9A-Za-z]{22})$")
TRACK_URL = "https://open.spotify.com/track/{}"
# OWASP "CSV Injection": spreadsheets run a cell that starts with one of these as a formula
# (a tab or CR can hide the start of one from a reader's eye).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def engine_columns(analysis: Any) -> list[str]:
    """Engines in their usual order, then any other part an item carries."""
    seen = {e for lst in analysis.lists.values() for rec in lst.items for e in rec.engines}
    ordered = [e for e in ENGINES if e in seen]
    return ordered + sorted(seen - set(ordered))


def render_csv(analysis: Any) -> str:
    """One row per item of every list (Mix first), each tagged with its list."""
    engines = engine_columns(analysis)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["list", "rank", "artist", "score", "in_library",
                     *map(spreadsheet_text, engines), "why"])
    length = analysis.settings.export.list_length
    for name in LISTS:
        found = analysis.lists.get(name)
        for rank, rec in enumerate(found.items[:length] if found else [], start=1):
            writer.writerow([
                name if name != "mix" else f"mix:{rec.list}", rank,
                spreadsheet_text(rec.artist), _fmt(rec.score),
                "true" if rec.in_library else "false",
                *(_fmt(rec.engines.get(e, 0.0)) for e in engines),
                spreadsheet_text(rec.why),
            ])
    return buffer.getvalue()


def spreadsheet_text(value: object) -> str:
    """A text cell that a spreadsheet shows instead of running: ``'`` before a formula start.

    Only for text: number cells (a score of -0.5) are written as they are, so they stay
    numbers. The artist ``-M-`` becomes ``'-M-`` here; JSON exports keep the exact name.
    """
    text = str(value)
    # Also behind leading spaces: an import option ("trim spaces") can strip them first.
    risky = text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START)
    return "'" + text if risky else text


def _fmt(value: float) -> str:
    out = num(value)
    return "" if out is None else repr(out)


@dataclass(frozen=True)
class Track:
    artist: str
    title: str
    uri: str

    @property
    def url(self) -> str:
        return TRACK_URL.format(self.uri.rsplit(":", 1)[1])


@dataclass(frozen=True)
class TrackList:
    """Playable tracks in playlist order, how many best tracks had no Spotify URI, the lists
    the tracks came from, and the lists that cannot give tracks (new artists)."""

    tracks: list[Track]
    missing_uri: int
    lists: tuple[str, ...] = ()
    without_tracks: tuple[str, ...] = ()

    def describe(self) -> str:
        """"tracks from Play next and Rediscover; Discover: new artists have no tracks…"."""
        names = " and ".join(TITLES[n] for n in self.lists) or "no list"
        text = f"tracks from {names}"
        if self.without_tracks:
            text += (f"; {' and '.join(TITLES[n] for n in self.without_tracks)}: new artists "
                     "have no tracks in your history")
        return text


def _uri_lookup(plays: pd.DataFrame, artists: list[str]) -> dict[tuple[str, str], str]:
    """(artist, track) → the URI played most often for it (ties: smallest URI, so stable).

    One recording can have several URIs (single, album, remaster); the most played one is
    the one the user knows.
    """
    rows = plays.loc[plays["artist"].isin(artists) & plays["track_uri"].notna(),
                     ["artist", "track", "track_uri"]]
    if rows.empty:
        return {}
    rows = rows.astype(str)
    rows = rows[rows["track_uri"].str.match(_TRACK_URI.pattern)]
    counts = rows.groupby(["artist", "track", "track_uri"]).size().reset_index(name="n")
    counts = counts.sort_values(["n", "track_uri"], ascending=[False, True], kind="stable")
    best = counts.drop_duplicates(["artist", "track"])
    return {(a, t): u for a, t, u in zip(best["artist"], best["track"], best["track_uri"],
                                         strict=True)}


def track_list(analysis: Any) -> TrackList:
    """Best tracks of the Mix's artists that are in the library, in Mix order."""
    if analysis.ranking is None:
        return TrackList([], 0)
    per_artist = analysis.settings.export.tracks_per_artist
    mixed = analysis.lists["mix"].items
    chosen = [r for r in mixed if r.in_library]
    lookup = _uri_lookup(analysis.history.as_of(analysis.as_of).plays,
                         [str(r.artist) for r in chosen])
    tracks: list[Track] = []
    missing = 0
    used: list[str] = []
    for rec in chosen:
        artist = str(rec.artist)
        for title, _plays in analysis.ranking.top_tracks(artist, per_artist):
            uri = lookup.get((artist, str(title)))
            if uri is None:
                missing += 1
            else:
                tracks.append(Track(artist, str(title), uri))
                used.append(rec.list)
    without = [r.list for r in mixed if not r.in_library]
    order = lambda names: tuple(n for n in LISTS if n in set(names))  # noqa: E731
    return TrackList(tracks, missing, order(used), order(without))


def render_tracks(analysis: Any) -> str:
    links = analysis.settings.export.track_links
    return "".join(f"{t.url if links else t.uri}\n" for t in track_list(analysis).tracks)


def _one_line(text: str) -> str:
    # An M3U entry is line-based: a newline in a name would start a bogus entry.
    return " ".join(text.split())


def render_m3u(analysis: Any) -> str:
    found = track_list(analysis)
    lines = ["#EXTM3U", "#PLAYLIST:musicrec Mix", f"# {found.describe()}"]
    for t in found.tracks:
        lines += [f"#EXTINF:-1,{_one_line(t.artist)} - {_one_line(t.title)}", t.url]
    return "\n".join(lines) + "\n"
