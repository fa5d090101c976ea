"""``load_history``: every export a user has → one canonical, feature-rich History.

One bad file never stops the good ones: its problem goes into the report, and NothingLoaded is
raised only when nothing at all could be loaded.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import uuid
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from pathlib import Path

from musicrec_tui.core.errors import InputError, NothingLoaded
from musicrec_tui.core.history import cache
from musicrec_tui.core.history.clean import distinct_tracks, merge
from musicrec_tui.core.history.features import add_features, resolve_timezone
from musicrec_tui.core.history.formats import NotHistory, decode
from musicrec_tui.core.history.formats_base import Batch, FormatError, Vocab
from musicrec_tui.core.history.model import FileReport, History, ImportReport
from musicrec_tui.core.history.sources import Source, collect, forget_inner_zip
from musicrec_tui.core.progress import CancelToken, Progress, check, report
from musicrec_tui.core.settings import Settings, load_settings

NOT_HISTORY = "skipped: not listening history"
# Below these sizes, starting worker processes costs more than it saves (fork / spawn).
PARALLEL_MIN_BYTES = 48 << 20
SPAWN_MIN_BYTES = 256 << 20
MAX_WORKERS = 4
_VOCABS: dict[str, Vocab] = {}


def _unique_labels(sources: list[Source]) -> list[str]:
    seen: Counter = Counter()
    out = []
    for src in sources:
        seen[src.label] += 1
        out.append(src.label if seen[src.label] == 1 else f"{src.label} ({seen[src.label]})")
    return out


def _vocab(token: str) -> Vocab:
    """This process's string dictionary for one import (``token``)."""
    vocab = _VOCABS.get(token)
    if vocab is None:
        vocab = _VOCABS[token] = Vocab(f"{token}/{os.getpid()}")
    return vocab


def _decode_one(src: Source, limit: int, token: str) -> tuple[FileReport, Batch | None]:
    """Read and decode one source.

    Runs in a worker process when the import is parallel.
    """
    file_report = src.report
    try:
        data = src.read(limit)
    except InputError as exc:
        file_report.error = exc.problem
        return file_report, None
    try:
        batch = decode(data, src.member or src.path, _vocab(token))
    except NotHistory as exc:
        if src.found:
            file_report.format = NOT_HISTORY
        else:
            file_report.error = str(exc)
        return file_report, None
    except FormatError as exc:
        file_report.error = str(exc)
        return file_report, None
    file_report.format = batch.format
    file_report.rows = batch.rows
    file_report.error = batch.note
    return file_report, batch


def _start_method(sources: list[Source]) -> str | None:
    """How to start decoding workers for these sources, or None to decode in-process.

    Forking is nearly free but only safe from a single-threaded process; with other threads
    running (the TUI's workers) a forked child can deadlock, so fresh interpreters are spawned
    instead, which costs about a second and pays off only for big inputs.
    """
    size = sum(s.size for s in sources)
    if len(sources) < 2 or _cores() < 2:
        return None
    if "fork" in mp.get_all_start_methods() and threading.active_count() == 1:
        return "fork" if size >= PARALLEL_MIN_BYTES else None
    return "spawn" if size >= SPAWN_MIN_BYTES else None


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _decode_all(sources: list[Source], settings: Settings, progress: Progress | None,
                cancel: CancelToken | None) -> list[tuple[FileReport, Batch | None]]:
    limit = settings.import_.max_member_mib * (1 << 20)
    total = sum(s.size for s in sources)
    done = 0
    results = []
    token = uuid.uuid4().hex
    method = _start_method(sources)
    if method is None:
        try:
            for src in sources:
                check(cancel)
                results.append(_decode_one(src, limit, token))
                done += src.size
                report(progress, done, total)
        finally:
            _VOCABS.pop(token, None)
            forget_inner_zip()
        return results
    workers = min(_cores(), MAX_WORKERS, len(sources))
    with ProcessPoolExecutor(workers, mp_context=mp.get_context(method)) as pool:
        try:
            results_iter = pool.map(_decode_one, sources, repeat(limit), repeat(token))
            for src, result in zip(sources, results_iter, strict=True):
                check(cancel)
                results.append(result)
                done += src.size
                report(progress, done, total)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return results


def _flag_empty_zips(results, reports: list[FileReport]) -> None:
    """A zip whose members are all readable but none is listening history is a problem."""
    by_zip: dict[str, list[bool]] = {}
    for src, (fr, _) in results:
        if src.member is not None:
            by_zip.setdefault(src.path, []).append(fr.format == NOT_HISTORY)
    for path, not_history in by_zip.items():
        if all(not_history):
            reports.append(FileReport(path, error="zip has no listening history inside "
                                      f"({len(not_history)} data files, none of a known format)"))


def _build(sources: list[Source], early: list[FileReport], settings: Settings, tz: str,
           progress: Progress | None, cancel: CancelToken | None) -> History:
    results = _decode_all(sources, settings, progress, cancel)
    labels = _unique_labels(sources)
    batches = [(b, labels[i]) for i, (_, b) in enumerate(results) if b is not None]
    plays, set_aside, kept = merge(
        batches, min_play_ms=settings.import_.min_play_seconds * 1000,
        drop_incognito=settings.import_.drop_incognito,
        scrobble_match_s=settings.import_.scrobble_match_seconds,
    )
    for b, _ in batches:
        set_aside.update(b.set_aside)
    for fr, k in zip([fr for fr, b in results if b is not None], kept, strict=True):
        fr.kept = int(k)
    files = [fr for fr, _ in results]
    problems = list(early)
    _flag_empty_zips(list(zip(sources, results, strict=True)), problems)
    rep = ImportReport(timezone=tz, files=problems + files)
    rep.rows_read = sum(fr.rows for fr in files)
    rep.set_aside = {k: int(v) for k, v in sorted(set_aside.items()) if v}
    rep.kept = len(plays)
    if plays.empty:
        raise _nothing_loaded(rep)
    rep.counted = int(plays["counted"].sum())
    rep.first = plays["ts"].iloc[0].to_pydatetime()
    rep.last = plays["ts"].iloc[-1].to_pydatetime()
    rep.artists = int(plays["artist"].cat.categories.size)
    rep.tracks = distinct_tracks(plays)
    plays = add_features(plays, tz=tz, settings=settings)
    return History(plays, rep, tz)


def _nothing_loaded(rep: ImportReport) -> NothingLoaded:
    bad = [f for f in rep.files if f.error]
    if len(bad) == 1:
        return NothingLoaded(bad[0].path, bad[0].error or "", bad[0].member,
                             report=rep)
    where = ", ".join(sorted({f.path for f in rep.files})) or "input"
    if rep.rows_read:
        why = ", ".join(f"{k} {v}" for k, v in rep.set_aside.items())
        return NothingLoaded(where, f"no music plays among {rep.rows_read} rows read ({why})",
                             report=rep)
    if bad:
        return NothingLoaded(where, "nothing loaded: " + "; ".join(
            f"{Path(f.path).name}{' → ' + f.member if f.member else ''}: {f.error}"
            for f in bad), report=rep)
    return NothingLoaded(where, "no listening history found", report=rep)


def load_history(
    paths: Iterable[str | os.PathLike] | str | os.PathLike,
    *,
    settings: Settings | None = None,
    tz: str | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    use_cache: bool | None = None,
) -> History:
    """Load every listening export under ``paths`` (files, folders, zips) into a History."""
    settings = settings or load_settings()
    tz = resolve_timezone(tz if tz else settings.import_.timezone)
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    limit = settings.import_.max_member_mib * (1 << 20)
    sources, early = collect(paths, max_member_bytes=limit)
    if not sources:
        rep = ImportReport(files=early, timezone=tz)
        raise _nothing_loaded(rep)
    use_cache = settings.import_.use_cache if use_cache is None else use_cache
    if not use_cache:
        return _build(sources, early, settings, tz, progress, cancel)
    labels = _unique_labels(sources)
    stamps = cache.stamps(sources)
    key = cache.quick_key(sources, stamps, labels, settings, tz)
    note = None
    if key is not None:
        hit, note = cache.load(key, early)
        if hit is not None:
            return hit
    history = _build(sources, early, settings, tz, progress, cancel)
    if note:
        history.report.notes.append(note)
    cache.save(history, sources, early, stamps, labels, settings, tz, key)
    return history
