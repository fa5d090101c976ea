"""The import step as the UI runs it (in thread workers): history, ranking, search index,
and the load behind the artist snapshot painted at launch.

The app imports this module at launch, so it imports the heavy parts (the importer and the
ranking pull in pandas and pyarrow, ~0.7 s) where they are first used: a launch from a
snapshot builds its search index from the names before it waits for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message_pump import MessagePump

from musicrec_tui.core.engines import snapshot as snapshots
from musicrec_tui.core.errors import Cancelled
from musicrec_tui.core.progress import check
from musicrec_tui.tui.messages import (
    ContextsFitted,
    ContextsProgress,
    HistoryLoaded,
    ImportProgress,
    SearchReady,
)
from musicrec_tui.tui.screens.base import describe_error
from musicrec_tui.tui.workers import WorkerCancel, progress_poster

if TYPE_CHECKING:
    from musicrec_tui.core.engines.ranking import Ranking
    from musicrec_tui.core.engines.search import ArtistSearch
    from musicrec_tui.core.history.model import History
    from musicrec_tui.core.settings import Settings
    from musicrec_tui.tui.session import Session

# The worker group of the load behind the snapshot (one at a time, cancelled by an import).
BEHIND = "history"


@dataclass
class Loaded:
    """What the import worker hands back to the UI."""

    history: History
    ranking: Ranking
    search: ArtistSearch
    sources: list[str]
    snapshot: snapshots.ArtistSnapshot
    recent: list[list[str]] | OSError | None = None  # the updated recent list, or why not


def preload() -> None:
    """Import what :func:`load` needs now, before the event loop runs: in a worker thread
    the imports compete with the loop for the GIL and take ~2× longer."""
    import musicrec_tui.core.engines.ranking
    import musicrec_tui.core.engines.search
    import musicrec_tui.core.history.importer  # noqa: F401


def load_history(paths: list[str], **kwargs: Any) -> History:
    """``core.history.importer.load_history``, imported on first use (see the module doc)."""
    from musicrec_tui.core.history.importer import load_history as read

    return read(paths, **kwargs)


def load(session: Session, paths: list[str], *, demo: bool, target: MessagePump,
         shown: tuple[snapshots.ArtistSnapshot, ArtistSearch] | None = None) -> Loaded:
    """Import ``paths`` (plus the demo) and fit what the Artists screen needs first.

    ``shown`` is the snapshot (and its search index) already on screen: when the fitted
    ranking equals it, those very objects are handed back, so the screen keeps what it shows.
    """
    from musicrec_tui.core.engines.ranking import fit_ranking
    from musicrec_tui.core.engines.search import ArtistSearch

    cancel = WorkerCancel()
    settings = session.settings
    # Keyed before reading, like the import cache: a file changed meanwhile misses next time.
    key = (_snapshot_key(session, paths)
           if paths and not demo and settings.import_.use_cache else None)
    sources = list(paths)
    if demo:
        from musicrec_tui.core.demo import demo_paths

        sources.append(str(demo_paths(progress=progress_poster(target, ImportProgress, "Generating demo"),
                                      cancel=cancel)))
    history = load_history(sources, settings=settings, tz=session.tz,
                           progress=progress_poster(target, ImportProgress, "Reading"),
                           cancel=cancel)
    check(cancel)
    ranking = fit_ranking(history, settings)
    check(cancel)
    snapshot = snapshots.ArtistSnapshot.from_table(ranking.table, history.tz)
    if shown is not None and shown[0].same_as(snapshot):
        snapshot, search = shown
    else:
        search = ArtistSearch(snapshot.artists, snapshot.score)
        if key is not None:
            snapshots.save(key, snapshot)
    recent = None
    if sources:
        from musicrec_tui.tui.recent import remember

        try:  # a file write: done here, off the UI thread
            recent = remember(sources)
        except OSError as exc:
            recent = exc
    return Loaded(history, ranking, search, sources, snapshot, recent)


def open_snapshot(session: Session, paths: list[str]) -> None:
    """At launch: the stored artist snapshot of ``paths``, if any, into the session (which
    then loads the history behind it)."""
    key = snapshots.snapshot_key(paths, session.settings, session.tz)
    session.snapshot = snapshots.load(key) if key else None
    session.loading = session.snapshot is not None
    # The key costs a stat of every file: the launch's import takes this one.
    session.launch_key = (list(paths), key)


def _snapshot_key(session: Session, paths: list[str]) -> str | None:
    """The key the launch made for these paths (used once), else a fresh one."""
    launch, session.launch_key = session.launch_key, None
    if launch is not None and launch[0] == paths:
        return launch[1]
    return snapshots.snapshot_key(paths, session.settings, session.tz)


def fit_contexts(history: History, settings: Settings, k: int | None, generation: int, *,
                 target: MessagePump) -> ContextsFitted:
    """Fit the listening contexts (``k`` of them; None: chosen by silhouette) and each
    artist's dominant one (for the Artists pane), for the history of ``generation``."""
    from musicrec_tui.core.analysis import dominant_contexts
    from musicrec_tui.core.engines.context import fit_contexts as fit

    cancel = WorkerCancel()
    fitted = fit(history, settings, k=k,
                 progress=progress_poster(target, ContextsProgress), cancel=cancel)
    check(cancel)
    return ContextsFitted(fitted, dominant_contexts(history, fitted), generation)


# -- the load behind the snapshot -------------------------------------------------------
def load_behind(session: Session, paths: list[str], *, target: MessagePump) -> None:
    """Worker body: posts the search index of the snapshot's names (typing works long
    before the history is in: :class:`SearchReady`), then :class:`HistoryLoaded`."""
    from musicrec_tui.core.engines.search import ArtistSearch

    snapshot = session.snapshot
    assert snapshot is not None  # only started when the launch found one
    search = ArtistSearch(snapshot.artists, snapshot.score)
    target.post_message(SearchReady(search))
    target.post_message(HistoryLoaded(load(session, paths, demo=False, target=target,
                                           shown=(snapshot, search))))


def behind_ended(session: Session, error: BaseException | None) -> str | None:
    """The load behind the snapshot failed or was cancelled: the session stops waiting.
    Returns what to tell the user, or None when a newer import cancelled it."""
    failed = session.loading and not isinstance(error, Cancelled)
    session.loading = False
    if not failed:
        return None
    session.load_error = describe_error(error)
    return session.missing_history()
