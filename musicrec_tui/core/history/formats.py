"""Recognise a listening-history file by its content (names vary by era) and decode it.

``decode(data, name)`` returns a :class:`Batch` or raises :class:`FormatError` (a problem to
report for this file) or :class:`NotHistory` (a file that simply is not listening history,
such as ``user.json`` or ``Userdata.json``; folders and zips skip those quietly).
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

import msgspec

from musicrec_tui.core.history.formats_base import Batch, FormatError, Vocab
from musicrec_tui.core.history.formats_scrobbles import (
    decode_lastfm,
    decode_listenbrainz,
    sniff_csv,
)
from musicrec_tui.core.history.formats_spotify import (
    decode_account,
    decode_account_podcast,
    decode_extended,
    decode_simple,
)

KNOWN_FORMATS = (
    "Spotify Extended (ts, ms_played, master_metadata_*)",
    "Spotify Account Data (endTime, artistName, trackName, msPlayed)",
    "simple JSON (ts, artist, track, album, ms_played)",
    "ListenBrainz (listened_at, track_metadata)",
    "Last.fm CSV (uts,utc_time,artist,… or artist,album,track,date)",
)
_SNIFF_BYTES = 1 << 16
# What a failed decode can raise; the message is then worded by ``_json_problem``.
_DECODE_ERRORS = (msgspec.DecodeError, UnicodeDecodeError, RecursionError)
_WHITESPACE = re.compile(rb"[ \t\r\n]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)  # a whole JSON string, closing quote included
_EXTENDED_MARKERS = ("master_metadata_track_name", "spotify_track_uri", "episode_name",
                     "reason_end", "master_metadata_album_artist_name")


class NotHistory(FormatError):
    """Readable, but not listening history."""


def _unknown(keys: list[str]) -> str:
    shown = ", ".join(sorted(keys)[:12]) + (" …" if len(keys) > 12 else "")
    return f"unknown schema: keys found [{shown}]; formats known: {'; '.join(KNOWN_FORMATS)}"


def classify_keys(keys: set[str]) -> str | None:
    """Which record layout a set of JSON object keys belongs to."""
    if "ts" in keys and "ms_played" in keys and keys.intersection(_EXTENDED_MARKERS):
        return "extended"
    if "endTime" in keys and "msPlayed" in keys:
        if keys & {"podcastName", "episodeName"} and not keys & {"artistName", "trackName"}:
            return "account-podcast"
        return "account"
    if "ts" in keys and ("artist" in keys or "track" in keys):
        return "simple"
    if "listened_at" in keys and "track_metadata" in keys:
        return "listenbrainz"
    return None


def _first_value(data: bytes, start: int) -> object:
    """The first JSON value at ``start``: cheap peek without parsing a 12 MB file twice."""
    text = data[start:start + _SNIFF_BYTES].decode("utf-8", errors="replace")
    try:
        return json.JSONDecoder().raw_decode(text)[0]
    except ValueError:
        if len(data) - start <= _SNIFF_BYTES:
            raise
        return json.JSONDecoder().raw_decode(data[start:].decode("utf-8", errors="replace"))[0]


def _json_problem(data: bytes, *, lines: bool = False) -> FormatError:
    """Why ``data`` failed to decode, worded by us from our own checks.

    The decoder only tells us *that* it failed: its wording changes between releases, so the
    cause (encoding, truncation, the offending byte, nesting) is found here again.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _utf8_problem(data)
    end = len(text.rstrip())
    offset = 0
    # Records end at "\n" only (kept, so a string cut by it is placed there): U+2028 and
    # friends are legal inside a JSON string.
    for chunk in (re.findall(r"[^\n]*\n|[^\n]+$", text) if lines else [text]):
        try:
            if chunk.strip():
                json.loads(chunk)
        except RecursionError:
            return FormatError("not valid JSON: nested too deeply")
        except json.JSONDecodeError as exc:
            pos = offset + exc.pos
            if pos >= end or (text[pos] == '"' and not _STRING.match(text, pos)):
                return FormatError(
                    f"truncated JSON: the file ends mid-value at byte {len(data)}")
            at = len(text[:pos].encode())
            return FormatError(f"not valid JSON: unexpected input (byte {at})")
        offset += len(chunk)
    return FormatError("not valid JSON")


def _utf8_problem(data: bytes) -> FormatError:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return FormatError(f"not UTF-8: invalid byte 0x{data[exc.start]:02x} at byte {exc.start}")
    return FormatError("not UTF-8")


def _skip_ws(data: bytes, i: int) -> int:
    return _WHITESPACE.match(data, i).end()  # in C: a file may start with MiBs of blanks


def _decode_json(data: bytes, name: str, start: int, vocab: Vocab) -> Batch:
    if data[start:start + 1] == b"[":
        inner = _skip_ws(data, start + 1)
        if data[inner:inner + 1] == b"]":
            return Batch("empty array", 0)
        try:
            first = _first_value(data, inner)
        except (ValueError, RecursionError):
            # The peek failed: decode for real, which either succeeds or is a JSON problem.
            try:
                msgspec.json.decode(data)
            except _DECODE_ERRORS:
                raise _json_problem(data) from None
            raise FormatError("not valid JSON") from None
        if not isinstance(first, dict):
            raise NotHistory(f"a JSON array of {type(first).__name__}, not of records")
        kind = classify_keys(set(first))
        if kind is None:
            raise NotHistory(_unknown(list(first)))
        try:
            if kind == "extended":
                return decode_extended(data, vocab,
                                       video="video" in PurePosixPath(name).name.lower())
            if kind == "account":
                return decode_account(data, vocab)
            if kind == "account-podcast":
                return decode_account_podcast(data, vocab)
            if kind == "simple":
                return decode_simple(data, vocab)
            return decode_listenbrainz(data, vocab, lines=False)
        except _DECODE_ERRORS:
            raise _json_problem(data) from None
    # An object: a JSON Lines file of listens, or a single object (user.json, settings…).
    line_end = data.find(b"\n", start)
    first_line = data[start:line_end if line_end >= 0 else len(data)]
    try:
        first = msgspec.json.decode(first_line)
    except _DECODE_ERRORS:
        try:
            msgspec.json.decode(data[start:])
        except _DECODE_ERRORS:
            raise _json_problem(data) from None
        raise NotHistory("a JSON object, not a list of plays") from None
    if isinstance(first, dict) and classify_keys(set(first)) == "listenbrainz":
        try:
            return decode_listenbrainz(data[start:], vocab, lines=True)
        except _DECODE_ERRORS:
            raise _json_problem(data, lines=True) from None
    keys = list(first) if isinstance(first, dict) else []
    raise NotHistory(_unknown(keys) if keys else "a JSON value, not a list of plays")


def decode(data: bytes, name: str, vocab: Vocab | None = None) -> Batch:
    """Decode one file's bytes; ``name`` (path or zip member) only labels Video files.

    ``vocab`` is the decoding process's string dictionary (a fresh one when omitted); the
    batch carries the values it added, see :class:`Batch`.
    """
    vocab = vocab or Vocab("local")
    batch = _decode(data, name, vocab)
    batch.origin = vocab.origin
    batch.vocab = vocab.delta()
    return batch


def _decode(data: bytes, name: str, vocab: Vocab) -> Batch:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FormatError("not UTF-8: the file is UTF-16 text; save it as UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark (Windows editors)
        data = data[3:]
    start = _skip_ws(data, 0)
    if start >= len(data):
        raise FormatError("empty file")
    if data[start:start + 1] in (b"[", b"{"):
        return _decode_json(data, name, start, vocab)
    # NUL bytes up front: binary data, unless it reads as a known CSV (a few damaged rows
    # are then set aside by the CSV decoder, and the rest load).
    binary = FormatError("not JSON or CSV: binary data") if b"\x00" in data[:1024] else None
    try:
        text = data[start:].decode("utf-8")
    except UnicodeDecodeError:
        raise binary or _utf8_problem(data) from None
    kind = sniff_csv(text)
    if kind is None:
        if binary:
            raise binary
        first_line = text.split("\n", 1)[0].rstrip("\r")[:80]
        raise NotHistory(f"not JSON and not a known CSV layout (first line: {first_line!r}); "
                         f"formats known: {'; '.join(KNOWN_FORMATS)}")
    return decode_lastfm(text, kind, vocab)
