"""Shared pieces of the format decoders: the per-file ``Batch`` and fast column builders.

Decoders turn one file into a ``Batch``: the rows that may be music plays (as compact
columns: string codes from the process's ``Vocab``, int64 nanoseconds, float ms with NaN,
int8 tri-state flags) plus counts of the rows set aside on the spot (podcast, video, no
artist, …). Duplicates and overlaps need every file, so ``clean.merge`` handles them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter, is_not
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

import msgspec
import numpy as np
import pandas as pd
import pyarrow as pa

from musicrec_tui.core.wording import plural

# Higher wins when exports overlap in time (Extended > Account Data > scrobbles).
PRIORITY_EXTENDED = 2
PRIORITY_ACCOUNT = 1
PRIORITY_OTHER = 0
PRIORITY_SCROBBLE = -1

SKIP_REASONS = frozenset({"backbtn", "unknown", "endplay", "fwdbtn"})  # docs/formats.md §1.5

# Names players put on untagged local files: no artist to recommend from.
PLACEHOLDER_ARTISTS = frozenset({"Unknown Artist", "unknown artist", "[unknown]", "<unknown>"})

STRING_COLUMNS = ("artist", "track", "album", "track_uri", "reason_start", "reason_end",
                  "artist_mbid")


class FormatError(Exception):
    """One file's problem, phrased for the user; the importer adds the file name."""


@dataclass
class Batch:
    """Candidate music rows of one file plus what was set aside while reading it.

    String columns are int32 codes into the decoding process's :class:`Vocab`; ``vocab``
    carries the values that process added since its previous batch, so the parent can
    rebuild each process's dictionary without every file re-sending its strings.
    """

    format: str
    rows: int
    priority: int = PRIORITY_OTHER
    columns: dict[str, Any] = field(default_factory=dict)
    set_aside: Counter = field(default_factory=Counter)
    note: str | None = None  # e.g. "3 rows with wrong field types" (the rest loaded)
    origin: str = ""
    vocab: dict[str, tuple[int, pa.Array]] = field(default_factory=dict)

    @property
    def kept(self) -> int:
        return len(self.columns["ts"]) if self.columns else 0


class Vocab:
    """Value → code per string column, shared by every file one process decodes.

    Across files the same artists and tracks recur; one lasting dict per column means each
    row costs a single lookup and each distinct string crosses the process boundary once.
    Missing values (None, "") and, for artists, placeholders such as "Unknown Artist" map
    to -1.
    """

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.tables: dict[str, dict] = {c: {None: -1, "": -1} for c in STRING_COLUMNS}
        self.tables["artist"].update(dict.fromkeys(PLACEHOLDER_ARTISTS, -1))
        self.values: dict[str, list] = {c: [] for c in STRING_COLUMNS}
        self.shipped: dict[str, int] = dict.fromkeys(STRING_COLUMNS, 0)

    def encode(self, column: str, values: list) -> np.ndarray:
        table = self.tables[column]
        codes = np.fromiter(map(table.get, values, repeat(-2)), np.int32, len(values))
        unseen = np.flatnonzero(codes == -2)
        if len(unseen):
            rows = [values[i] for i in unseen.tolist()]
            fresh = list(dict.fromkeys(rows))  # new values, in order of first appearance
            if not all(isinstance(v, str) for v in fresh):
                raise FormatError(f"wrong field types: {column} holds a non-text value")
            known = self.values[column]
            table.update(zip(fresh, range(len(known), len(known) + len(fresh)), strict=True))
            known.extend(fresh)
            codes[unseen] = list(map(table.__getitem__, rows))
        return codes

    def codes_of(self, column: str, values: frozenset[str]) -> list[int]:
        table = self.tables[column]
        return [table[v] for v in values if table.get(v, -1) >= 0]

    def delta(self) -> dict[str, tuple[int, pa.Array]]:
        """Values added since the previous call, as (first code, values) per column.

        As Arrow arrays: converting here spreads the work over the decoding processes, and
        the parent then hashes and sorts every process's strings in C.
        """
        out = {}
        for column, known in self.values.items():
            base = self.shipped[column]
            if len(known) > base:
                out[column] = (base, pa.array(known[base:], pa.string()))
                self.shipped[column] = len(known)
        return out


def pluck(records: list, name: str) -> list:
    return list(map(attrgetter(name), records))


def any_set(records: list, *names: str) -> np.ndarray:
    """True where any of the fields is not None (no per-row work when none is set)."""
    n = len(records)
    out = np.zeros(n, bool)
    for name in names:
        values = pluck(records, name)
        if values.count(None) != n:
            out |= np.fromiter(map(is_not, values, repeat(None)), bool, n)
    return out


def as_object(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


_TRI = {None: -1, False: 0, True: 1}


def tri_state(values: list) -> np.ndarray:
    """Optional bools → int8 (-1 missing, 0 false, 1 true)."""
    if values.count(None) == 0:  # the usual case: numpy converts the (typed) bools in C
        return np.array(values, dtype=bool).view(np.int8)
    return np.fromiter(map(_TRI.__getitem__, values), np.int8, len(values))


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * np.where(m > 2, m - 3, m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _fast_fixed(values: list[str], width: int) -> tuple[np.ndarray, np.ndarray] | None:
    """``YYYY-MM-DD[T ]HH:MM[:SS][Z]`` of one fixed width, parsed with array arithmetic."""
    if not values:
        return np.empty(0, np.int64), np.empty(0, bool)
    if width not in (16, 19, 20):  # fractions or offsets: leave those to pandas
        return None
    joined = "".join(values)
    if len(joined) != width * len(values) or not joined.isascii():
        return None
    raw = np.frombuffer(joined.encode("ascii"), np.uint8).reshape(-1, width)
    seps = {4: b"-", 7: b"-", 10: b"T ", 13: b":"}
    if width >= 19:
        seps[16] = b":"
    if width == 20:
        seps[19] = b"Z"
    for pos, allowed in seps.items():
        col = raw[:, pos]
        if not np.isin(col, np.frombuffer(allowed, np.uint8)).all():
            return None
    digit_pos = [i for i in range(width) if i not in seps]
    # uint8 arithmetic wraps below "0", so one comparison checks every digit.
    ok = ((raw[:, digit_pos] - 48) < 10).all(axis=1)

    def num(*cols: int) -> np.ndarray:
        out = raw[:, cols[0]].astype(np.int64) - 48
        for c in cols[1:]:
            out = out * 10 + (raw[:, c].astype(np.int64) - 48)
        return out

    year, month, day = num(0, 1, 2, 3), num(5, 6), num(8, 9)
    hour, minute = num(11, 12), num(14, 15)
    second = num(17, 18) if width >= 19 else 0
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (hour < 24) & (minute < 60)
    if width >= 19:
        ok &= second < 61
    days = _days_from_civil(year, np.clip(month, 1, 12), day)
    secs = days * 86400 + hour * 3600 + minute * 60 + second
    return np.where(ok, secs * 1_000_000_000, 0), ok


def parse_iso(values: list) -> tuple[np.ndarray, np.ndarray]:
    """UTC ISO-8601 strings → (int64 ns since epoch, valid mask). Naive strings are UTC."""
    first = values[0] if values else ""
    if isinstance(first, str):
        fast = _fast_fixed(values, len(first))
        if fast is not None:
            return fast
    series = pd.Series(as_object(values), dtype=object)
    strings = series.map(lambda v: v if isinstance(v, str) else None)
    parsed = pd.to_datetime(strings, utc=True, errors="coerce", format="ISO8601")
    ok = parsed.notna().to_numpy()
    ns = parsed.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).astype(np.int64)
    return np.where(ok, ns, 0), ok


def parse_epoch(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unix times (seconds, or milliseconds when > 1e11) → (int64 ns, valid mask)."""
    v = np.asarray(values, dtype=np.float64)
    ms = v > 1e11
    secs = np.where(ms, v / 1000.0, v)
    ok = np.isfinite(secs) & (secs > 0) & (secs < 4.1e9)
    secs = np.where(ok, secs, 0.0)
    # Whole seconds and the fraction (to µs) apart: float64 cannot hold epoch nanoseconds.
    whole = np.floor(secs)
    micros = np.round((secs - whole) * 1e6).astype(np.int64)
    return whole.astype(np.int64) * 1_000_000_000 + micros * 1000, ok


def columns(
    *, ts: np.ndarray, artist: np.ndarray, track: np.ndarray, album: np.ndarray | None = None,
    track_uri: np.ndarray | None = None, ms_played: np.ndarray | None = None,
    reason_start: np.ndarray | None = None, reason_end: np.ndarray | None = None,
    skipped: np.ndarray | None = None, shuffle: np.ndarray | None = None,
    incognito: np.ndarray | None = None, artist_mbid: np.ndarray | None = None,
) -> dict[str, Any]:
    """Assemble a batch's columns (string columns as Vocab codes); absent ones are missing."""
    n = len(ts)
    none = np.full(n, -1, np.int32)
    unknown = np.full(n, -1, dtype=np.int8)
    return {
        "ts": ts, "artist": artist, "track": track,
        "album": none if album is None else album,
        "track_uri": none if track_uri is None else track_uri,
        "ms_played": np.full(n, np.nan) if ms_played is None else ms_played,
        "reason_start": none if reason_start is None else reason_start,
        "reason_end": none if reason_end is None else reason_end,
        "skipped": unknown if skipped is None else skipped,
        "shuffle": unknown if shuffle is None else shuffle,
        "incognito": np.zeros(n, bool) if incognito is None else incognito,
        "artist_mbid": none if artist_mbid is None else artist_mbid,
    }


def decode_typed(data: bytes, typ: type, *, lines: bool = False) -> tuple[list, int, str | None]:
    """Typed msgspec decode of a JSON array (or JSON Lines) of records.

    Returns (records, malformed, note for the report). When the strict, fast decode meets a
    record of the wrong shape, fall back to record-by-record conversion so one bad record
    costs one row, not the whole file; FormatError when no record fits. The note names the
    first bad record's field and what it should hold, worded by us (:func:`_misfit`), not
    by the decoder. Syntax errors propagate as ``msgspec.DecodeError``.
    """
    decoder = msgspec.json.Decoder(list[typ]) if not lines else msgspec.json.Decoder(typ)
    try:
        return (decoder.decode_lines(data) if lines else decoder.decode(data)), 0, None
    except msgspec.ValidationError:
        pass
    raw = msgspec.json.Decoder().decode_lines(data) if lines else msgspec.json.decode(data)
    if not isinstance(raw, list):
        raise FormatError("wrong field types: expected a JSON array of records")
    good, bad, first = [], 0, None
    for i, item in enumerate(raw):
        try:
            good.append(msgspec.convert(item, typ, strict=False))
        except msgspec.ValidationError:
            bad += 1
            if first is None:
                first = _misfit(item, typ, f"line {i + 1}" if lines else f"record {i}")
    if bad and not good:
        raise FormatError(f"wrong field types ({first})")
    return good, bad, (f"{plural(bad, 'record')} with wrong field types set aside, first: {first}"
                       if bad else None)


_JSON_KINDS = ((bool, "true/false"), (int, "a whole number"), (float, "a number"),
               (str, "text"), (type(None), "null"), (dict, "an object"), (list, "a list"))
_EXPECTED = {str: "text", int: "a whole number", float: "a number", bool: "true/false",
             type(None): "null"}


def _found(value: Any) -> str:
    return next((name for kind, name in _JSON_KINDS if isinstance(value, kind)), "a value")


def _options(tp: Any) -> tuple:
    return get_args(tp) if get_origin(tp) in (Union, UnionType) else (tp,)


def _expected(tp: Any) -> str:
    """A field's declared type in words: ``int | float | None`` → "a number or null"."""
    names = []
    for option in _options(tp):
        if get_origin(option) is Literal:
            names.append("one of " + ", ".join(f'"{v}"' for v in get_args(option)[:5]) + " …")
        elif isinstance(option, type) and issubclass(option, msgspec.Struct):
            names.append("an object")
        else:
            names.append(_EXPECTED.get(option, getattr(option, "__name__", "a value")))
    if "a number" in names:
        names = [n for n in names if n != "a whole number"]
    return " or ".join(dict.fromkeys(names))


def _misfit(item: Any, typ: type, where: str, prefix: str = "") -> str:
    """Which field of a record does not fit ``typ`` and what it should hold, from the
    declared fields (the decoder's own message is not ours to show)."""
    if not isinstance(item, dict):
        return f"{where}: {_found(item)} instead of a record"
    for field_ in msgspec.structs.fields(typ):
        name = field_.encode_name
        if name not in item:
            if field_.required:
                return f"{where}: no `{prefix}{name}` field"
            continue
        value = item[name]
        try:
            msgspec.convert(value, field_.type, strict=False)
        except msgspec.ValidationError:
            inner = next((t for t in _options(field_.type) if isinstance(t, type)
                          and issubclass(t, msgspec.Struct)), None)
            if inner is not None and isinstance(value, dict):
                return _misfit(value, inner, where, f"{prefix}{name}.")
            return (f"{where}: `{prefix}{name}` should be {_expected(field_.type)}, "
                    f"not {_found(value)}")
    return f"{where}: a record of the wrong shape"
