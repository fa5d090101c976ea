"""``load_history``: every export a user has → one canonical, feature-rich History.

One bad file never stops the good ones: its problem goes into the report, and InputError is
raised only when nothing at all could be loaded.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor

from musicrec_tui.core.errors import InputError
from musicrec_tui.core.history import cache
from musicrec_tui.core.history.clean import merge
from musicrec_tui.core.history.features import add_features, resolve_timezone
from musicrec_tui.core.history.formats import NotHistory, decode
from musicrec_tui.core.history.formats_base import Batch, FormatError
from musicrec_tui.core.history.model import FileReport, History, ImportReport
from musicrec_tui.core.history.sources import Source, collect
from musicrec_tui.core.progress import CancelToken, Progress, check, report
from musicrec_tui.core.settings import Settings, load_settings

NOT_HISTORY = "skipped: not listening history"


def _unique_labels(sources: list[Source]) -> list[str]:
    seen: Counter = Counter()
    out = []
    for src in sources:
        seen[src.label] += 1
        out.append(src.label if seen[src.label] == 1 else f"{src.label} ({seen[src.label]})")
    return out


def _decode_all(sources: list[Source], settings: Settings, progress: Progress | None,
                cancel: CancelToken | None):
    limit = settings.import_.max_member_mib * (1 << 20)
    total = sum(s.size for s in sources)
    done = 0
    results = []
    for src in sources:
        check(cancel)
        file_report = src.report
        batch: Batch | None = None
        try:
            batch = decode(src.read(limit), src.member or src.path)
            file_report.format = batch.format
            file_report.rows = batch.rows
            file_report.error = batch.note
        except NotHistory as exc:
            if src.found:
                file_report.format = NOT_HISTORY
            else:
                file_report.error = str(exc)
        except FormatError as exc:
            file_report.error = str(exc)
        except InputError as exc:
            file_report.error = exc.problem
        done += src.size
        report(progress, done, total)
        results.append((src, file_report, batch))
    return results


def _flag_empty_zips(results, reports: list[FileReport]) -> None:
    """A zip whose members are all readable but none is listening history is a problem."""
    by_zip: dict[str, list[bool]] = {}
    for src, fr, _ in results:
        if src.member is not None:
            by_zip.setdefault(src.path, []).append(fr.format == NOT_HISTORY)
    for path, not_history in by_zip.items():
        if all(not_history):
            reports.append(FileReport(path, error="zip has no listening history inside "
                                      f"({len(not_history)} data files, none of a known format)"))


def _build(sources: list[Source], early: list, settings: Settings, tz: str,
           progress: Progress | None, cancel: CancelToken | None) -> History:
    results = _decode_all(sources, settings, progress, cancel)
    labels = _unique_labels(sources)
    batches = [(b, labels[i]) for i, (_, _, b) in enumerate(results) if b is not None]
    plays, set_aside, kept = merge(
        batches, min_play_ms=settings.import_.min_play_seconds * 1000,
        drop_incognito=settings.import_.drop_incognito,
    )
    rep = ImportReport(timezone=tz)
    files = [fr for _, fr, _ in results]
    for b, _ in batches:
        set_aside.update(b.set_aside)
    batch_reports = [fr for _, fr, b in results if b is not None]
    for fr, k in zip(batch_reports, kept, strict=True):
        fr.kept = int(k)
    problems = list(early)
    _flag_empty_zips(results, problems)
    rep.files = problems + files
    rep.rows_read = sum(fr.rows for fr in files)
    rep.set_aside = {k: int(v) for k, v in sorted(set_aside.items()) if v}
    rep.kept = len(plays)
    if plays.empty:
        raise _nothing_loaded(rep)
    rep.counted = int(plays["counted"].sum())
    rep.first = plays["ts"].iloc[0].to_pydatetime()
    rep.last = plays["ts"].iloc[-1].to_pydatetime()
    rep.artists = int(plays["artist"].cat.categories.size)
    rep.tracks = int(plays.groupby(["artist", "track"], observed=True, sort=False).ngroups)
    plays = add_features(plays, tz=tz, settings=settings)
    return History(plays, rep, tz)


def _nothing_loaded(rep: ImportReport) -> InputError:
    bad = [f"{f.name}: {f.error}" for f in rep.files if f.error]
    where = ", ".join(sorted({f.path for f in rep.files})) or "input"
    if rep.rows_read:
        why = ", ".join(f"{k} {v}" for k, v in rep.set_aside.items())
        return InputError(where, f"no music plays among {rep.rows_read} rows read ({why})")
    if bad:
        return InputError(where, "nothing loaded: " + "; ".join(bad))
    return InputError(where, "no listening history found")


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
    key = cache.quick_key(sources, labels, settings, tz)
    if key is not None:
        hit = cache.load(key, early)
        if hit is not None:
            return hit
    with ThreadPoolExecutor(1) as pool:
        # Hash the input bytes on the other core while this one parses them.
        pending: Future = pool.submit(cache.content_key, sources, labels, settings, tz)
        history = _build(sources, early, settings, tz, progress, cancel)
        key = pending.result()
    cache.save(key, history)
    return history
