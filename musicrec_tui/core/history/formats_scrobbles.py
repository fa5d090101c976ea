"""Scrobble decoders: Last.fm CSV exports and ListenBrainz exports (legacy array, JSONL zip).

Scrobble timestamps are play *start* times and carry no ``ms_played`` (docs/formats.md §3.2, §4);
a ListenBrainz listen that reports ``duration_played`` keeps it. The artist's MusicBrainz ID
is kept when the export gives exactly one (ListenBrainz's ``mbid_mapping``, a Last.fm CSV's
``artist_mbid``): discovery through ListenBrainz then needs no name lookup.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import msgspec
import numpy as np
import pandas as pd

from musicrec_tui.core.history.formats_base import (
    PRIORITY_SCROBBLE,
    Batch,
    Vocab,
    columns,
    decode_typed,
    parse_epoch,
)
from musicrec_tui.core.wording import plural

_HEADERLESS_DATE = re.compile(r"^\d{1,2} [A-Za-z]{3} \d{4},? \d{1,2}:\d{2}$")


class LBInfo(msgspec.Struct, gc=False):
    duration_played: int | float | None = None
    spotify_id: str | None = None
    artist_mbids: list[Any] | None = None


class LBMapping(msgspec.Struct, gc=False):
    artist_mbids: list[Any] | None = None


class LBMeta(msgspec.Struct, gc=False):
    artist_name: str | None = None
    track_name: str | None = None
    release_name: str | None = None
    additional_info: LBInfo | None = None
    mbid_mapping: LBMapping | None = None


class LBListen(msgspec.Struct, gc=False):
    listened_at: int | float
    track_metadata: LBMeta


def _finish(batch: Batch, vocab: Vocab, ts: np.ndarray, ok: np.ndarray, artist: list,
            track: list, album: list, ms: np.ndarray | None = None,
            uri: list | None = None, mbid: list | None = None) -> Batch:
    coded = vocab.encode("artist", artist)
    unnamed = ok & (coded < 0)
    zero = np.zeros(len(ts), bool) if ms is None else ok & ~unnamed & (ms == 0)
    for reason, mask in (("malformed", ~ok), ("no_artist", unnamed), ("zero_length", zero)):
        if mask.any():
            batch.set_aside[reason] += int(mask.sum())
    keep = np.flatnonzero(ok & ~unnamed & ~zero)
    batch.columns = columns(
        ts=ts[keep], artist=coded[keep], track=vocab.encode("track", track)[keep],
        album=vocab.encode("album", album)[keep], ms_played=None if ms is None else ms[keep],
        track_uri=None if uri is None else vocab.encode("track_uri", uri)[keep],
        artist_mbid=None if mbid is None else vocab.encode("artist_mbid", mbid)[keep],
    )
    return batch


def _one_mbid(*lists: list[Any] | None) -> str | None:
    """The artist MBID when the first list given holds exactly one (a credit of several
    artists names none of them alone)."""
    for mbids in lists:
        if mbids:
            one = mbids[0] if len(mbids) == 1 else None
            return one.strip().lower() or None if isinstance(one, str) else None
    return None


def _spotify_uri(url: str | None) -> str | None:
    if not url or "/track/" not in url:
        return None
    ident = url.rsplit("/track/", 1)[1].split("?", 1)[0]
    return f"spotify:track:{ident}" if ident else None


def decode_listenbrainz(data: bytes, vocab: Vocab, *, lines: bool) -> Batch:
    """ListenBrainz export: legacy JSON array or one ``listens/YYYY/M.jsonl`` member."""
    records, bad, note = decode_typed(data, LBListen, lines=lines)
    batch = Batch("listenbrainz", len(records) + bad, PRIORITY_SCROBBLE, note=note)
    batch.set_aside["malformed"] += bad
    ts, ok = parse_epoch(np.array([r.listened_at for r in records], dtype=np.float64))
    metas = [r.track_metadata for r in records]
    infos = [m.additional_info for m in metas]
    played = np.array([np.nan if i is None or i.duration_played is None
                       else float(i.duration_played) * 1000 for i in infos])
    uri = [None if i is None else _spotify_uri(i.spotify_id) for i in infos]
    mbid = [_one_mbid(m.mbid_mapping and m.mbid_mapping.artist_mbids,
                      m.additional_info and m.additional_info.artist_mbids) for m in metas]
    return _finish(
        batch, vocab, ts, ok, [m.artist_name for m in metas], [m.track_name for m in metas],
        [m.release_name for m in metas], ms=None if np.isnan(played).all() else played,
        uri=uri, mbid=mbid,
    )


def sniff_csv(text: str) -> str | None:
    """'lastfm' (``uts,…`` header), 'lastfm-headerless' (artist,album,track,date) or None."""
    head = [line.rstrip("\r") for line in text[:4096].split("\n") if line.strip()]
    if not head:
        return None
    header = [c.strip().strip('"').lower() for c in head[0].split(",")]
    if "uts" in header and "artist" in header and "track" in header:
        return "lastfm"
    for line in head[:5]:
        parts = line.split(",")
        if len(parts) == 4 and _HEADERLESS_DATE.match(parts[3].strip()):
            return "lastfm-headerless"
    return None


def decode_lastfm(text: str, kind: str, vocab: Vocab) -> Batch:
    """Last.fm scrobble CSV (lastfm.ghan.nl with header, or benjaminbenben header-less)."""
    # The csv module splits records itself (a quoted field may hold a newline); str.splitlines
    # would also split at characters such as U+2028 that a name may hold.
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if kind == "lastfm":
        header = [c.strip().lower() for c in rows[0]]
        rows = rows[1:]
        width = len(header)
        at = {name: header.index(name) for name in ("uts", "artist", "album", "track",
                                                    "artist_mbid") if name in header}
    else:
        width = 4
        at = {"artist": 0, "album": 1, "track": 2, "date": 3}
    rows = [r for r in rows if r]  # blank lines are not plays
    batch = Batch("lastfm-csv", len(rows), PRIORITY_SCROBBLE)
    damaged = ([i for i, r in enumerate(rows) if any("\x00" in c for c in r)]
               if "\x00" in text else [])
    if damaged:
        batch.note = (f"{plural(len(damaged), 'row')} holding NUL bytes (a damaged file) set aside, "
                      f"first: data row {damaged[0] + 1}")
        skip = set(damaged)
        rows = [r for i, r in enumerate(rows) if i not in skip]
    good = [r for r in rows if len(r) == width]
    batch.set_aside["malformed"] += len(rows) - len(good) + len(damaged)

    def col(name: str) -> list:
        if name not in at:
            return [None] * len(good)
        i = at[name]
        return [r[i] for r in good]

    if kind == "lastfm":
        uts = pd.to_numeric(pd.Series(col("uts"), dtype=object), errors="coerce").to_numpy(dtype=np.float64)
        ts, ok = parse_epoch(uts)
    else:
        # Dates are UTC, minute precision; an empty date is the "now playing" row.
        dates = pd.Series(col("date"), dtype=object).str.replace(",", "", regex=False)
        parsed = pd.to_datetime(dates, format="%d %b %Y %H:%M", utc=True, errors="coerce")
        ok = parsed.notna().to_numpy()
        ts = parsed.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))
        ts = np.where(ok, ts.astype(np.int64), 0)
    mbid = ([m.strip().lower() or None for m in col("artist_mbid")]
            if "artist_mbid" in at else None)
    return _finish(batch, vocab, ts, ok, col("artist"), col("track"), col("album"), mbid=mbid)
