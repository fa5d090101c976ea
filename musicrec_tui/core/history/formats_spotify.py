"""Spotify decoders: Extended Streaming History, Account Data, and the simple JSON schema.

Only the fields the canonical table needs are declared in the Structs, so msgspec never
even builds strings for IP addresses, usernames, user agents or platforms.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Literal

import msgspec
import numpy as np

from musicrec_tui.core.history.formats_base import (
    PRIORITY_ACCOUNT,
    PRIORITY_EXTENDED,
    SKIP_REASONS,
    Batch,
    Vocab,
    any_set,
    columns,
    decode_typed,
    parse_epoch,
    parse_iso,
    pluck,
    tri_state,
)


class ExtendedRecord(msgspec.Struct, gc=False):
    ts: str
    ms_played: int
    master_metadata_track_name: str | None = None
    master_metadata_album_artist_name: str | None = None
    master_metadata_album_album_name: str | None = None
    spotify_track_uri: str | None = None
    episode_name: str | None = None
    spotify_episode_uri: str | None = None
    audiobook_title: str | None = None
    audiobook_chapter_uri: str | None = None
    reason_start: str | None = None
    reason_end: str | None = None
    shuffle: bool | None = None
    skipped: bool | None = None
    incognito_mode: bool | None = None


# Reason codes seen in real exports (docs/formats.md §1.4). Declared as a Literal, msgspec hands
# out these same string objects instead of allocating two strings per record (and they hash
# once); a file holding any other code is decoded again with plain strings.
KnownReason = Literal[
    "trackdone", "fwdbtn", "backbtn", "clickrow", "playbtn", "appload", "remote", "trackerror",
    "endplay", "logout", "unexpected-exit", "unexpected-exit-while-paused", "unknown",
    "clickside", "popup", "uriopen", "",
]


class KnownReasonsRecord(ExtendedRecord, gc=False):
    reason_start: KnownReason | None = None
    reason_end: KnownReason | None = None


_KNOWN_REASONS = msgspec.json.Decoder(list[KnownReasonsRecord])


class AccountRecord(msgspec.Struct, gc=False):
    endTime: str
    msPlayed: int
    artistName: str | None = None
    trackName: str | None = None


class AccountPodcastRecord(msgspec.Struct, gc=False):
    endTime: str
    msPlayed: int | None = None


class SimpleRecord(msgspec.Struct, gc=False):
    ts: str | int | float
    artist: str | None = None
    track: str | None = None
    album: str | None = None
    ms_played: int | None = None


def _take(batch: Batch, reason: str, mask: np.ndarray) -> None:
    count = int(mask.sum())
    if count:
        batch.set_aside[reason] += count


def _keep_music(batch: Batch, ok: np.ndarray, artist: np.ndarray, ms: np.ndarray | None,
                other: np.ndarray | None = None) -> np.ndarray:
    """Count the set-aside rows and return the indexes of the plays kept."""
    rest = ok if other is None else ok & ~other
    unnamed = rest & (artist < 0)
    zero = rest & ~unnamed & (ms == 0) if ms is not None else np.zeros(len(ok), bool)
    _take(batch, "malformed", ~ok)
    _take(batch, "no_artist", unnamed)
    _take(batch, "zero_length", zero)
    return np.flatnonzero(rest & ~unnamed & ~zero)


def decode_extended(data: bytes, vocab: Vocab, *, video: bool = False) -> Batch:
    """Extended Streaming History (any key generation). ``video``: a Video file."""
    try:
        records, bad, note = _KNOWN_REASONS.decode(data), 0, None
    except msgspec.ValidationError:  # another reason code, or a record of the wrong shape
        records, bad, note = decode_typed(data, ExtendedRecord)
    n = len(records)
    batch = Batch("spotify-extended", n + bad, PRIORITY_EXTENDED, note=note)
    batch.set_aside["malformed"] += bad
    if video:
        batch.set_aside["video"] += n
        return batch
    ts, ok = parse_iso(pluck(records, "ts"))
    ms = np.fromiter(map(attrgetter("ms_played"), records), np.float64, n)
    artist = vocab.encode("artist", pluck(records, "master_metadata_album_artist_name"))
    podcast, audiobook = np.zeros(n, bool), np.zeros(n, bool)
    # A play's content fields are exclusive (docs/formats.md §1.6: music rows have no episode or
    # audiobook fields), so only the rows without an artist need checking.
    unnamed = np.flatnonzero(ok & (artist < 0))
    if len(unnamed):
        rest = [records[i] for i in unnamed.tolist()]
        podcast[unnamed] = any_set(rest, "episode_name", "spotify_episode_uri")
        audiobook[unnamed] = any_set(rest, "audiobook_title", "audiobook_chapter_uri")
        audiobook &= ~podcast
    _take(batch, "podcast", podcast)
    _take(batch, "audiobook", audiobook)
    keep = _keep_music(batch, ok, artist, ms, podcast | audiobook)
    # Whole columns, then the kept rows: cheaper than first copying the kept records.

    def col(column: str, name: str) -> np.ndarray:
        return vocab.encode(column, pluck(records, name))[keep]

    def flag(name: str) -> np.ndarray:
        return tri_state(pluck(records, name))[keep]

    reason_end = col("reason_end", "reason_end")
    # docs/formats.md §1.5: the raw flag misses years of skips; repair it from reason_end.
    skipped = flag("skipped")
    by_reason = np.isin(reason_end, vocab.codes_of("reason_end", SKIP_REASONS))
    skipped = np.where(by_reason, 1, np.where((skipped == -1) & (reason_end >= 0), 0, skipped))
    batch.columns = columns(
        ts=ts[keep], artist=artist[keep], track=col("track", "master_metadata_track_name"),
        album=col("album", "master_metadata_album_album_name"),
        track_uri=col("track_uri", "spotify_track_uri"), ms_played=ms[keep],
        reason_start=col("reason_start", "reason_start"), reason_end=reason_end,
        skipped=skipped.astype(np.int8), shuffle=flag("shuffle"),
        incognito=flag("incognito_mode") == 1,
    )
    return batch


def decode_account(data: bytes, vocab: Vocab) -> Batch:
    """Account Data ``StreamingHistory*.json`` music rows (``endTime`` is UTC, minutes)."""
    records, bad, note = decode_typed(data, AccountRecord)
    n = len(records)
    batch = Batch("spotify-account", n + bad, PRIORITY_ACCOUNT, note=note)
    batch.set_aside["malformed"] += bad
    ts, ok = parse_iso(pluck(records, "endTime"))
    ms = np.fromiter(map(attrgetter("msPlayed"), records), np.float64, n)
    artist = vocab.encode("artist", pluck(records, "artistName"))
    keep = _keep_music(batch, ok, artist, ms)
    batch.columns = columns(
        ts=ts[keep], artist=artist[keep],
        track=vocab.encode("track", pluck(records, "trackName"))[keep], ms_played=ms[keep],
    )
    return batch


def decode_account_podcast(data: bytes, vocab: Vocab) -> Batch:
    """Account Data ``StreamingHistory_podcast_*.json``: counted and set aside."""
    records, bad, note = decode_typed(data, AccountPodcastRecord)
    batch = Batch("spotify-account-podcast", len(records) + bad, PRIORITY_ACCOUNT,
                  note=note)
    batch.set_aside["malformed"] += bad
    batch.set_aside["podcast"] += len(records)
    return batch


def decode_simple(data: bytes, vocab: Vocab) -> Batch:
    """The simple schema: a JSON array of ``{ts, artist, track, album, ms_played}``."""
    records, bad, note = decode_typed(data, SimpleRecord)
    batch = Batch("simple-json", len(records) + bad, note=note)
    batch.set_aside["malformed"] += bad
    raw_ts = pluck(records, "ts")
    if all(isinstance(v, str) for v in raw_ts):
        ts, ok = parse_iso(raw_ts)
    else:
        numeric = np.array([v if isinstance(v, int | float) else np.nan for v in raw_ts])
        ts, ok = parse_epoch(numeric)
        text = [i for i, v in enumerate(raw_ts) if isinstance(v, str)]
        if text:
            t2, ok2 = parse_iso([raw_ts[i] for i in text])
            ts[text], ok[text] = t2, ok2
    ms = np.array([np.nan if v is None else v for v in pluck(records, "ms_played")],
                  dtype=np.float64)
    artist = vocab.encode("artist", pluck(records, "artist"))
    keep = _keep_music(batch, ok, artist, ms)
    batch.columns = columns(
        ts=ts[keep], artist=artist[keep],
        track=vocab.encode("track", pluck(records, "track"))[keep],
        album=vocab.encode("album", pluck(records, "album"))[keep], ms_played=ms[keep],
    )
    return batch
