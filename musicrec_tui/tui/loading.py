"""The import step as the UI runs it (in a thread worker): history, ranking, search index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message_pump import MessagePump

from musicrec_tui.core.engines import snapshot as snapshots
from musicrec_tui.core.engines.ranking import fit_ranking
from musicrec_tui.core.engines.search import ArtistSearch
from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.progress import check
from musicrec_tui.tui.workers import WorkerCancel, progress_poster

if TYPE_CHECKING:
    from musicrec_tui.tui.session import Session


@dataclass
class Loaded:
    """What the import worker hands back to the UI."""

    history: Any
    ranking: Any
    search: Any
    sources: list[str]
    snapshot: snapshots.ArtistSnapshot
    recent: list[list[str]] | OSError | None = None  # the updated recent list, or why not


def load(session: Session, paths: list[str], *, demo: bool, target: MessagePump,
         shown: tuple[snapshots.ArtistSnapshot, Any] | None = None) -> Loaded:
    """Import ``paths`` (plus the demo) and fit what the Artists screen needs first.

    ``shown`` is the snapshot (and its search index) already on screen: when the fitted
    ranking equals it, those very objects are handed back, so the screen keeps what it shows.
    """
    cancel = WorkerCancel()
    settings = session.settings
    # Keyed before reading, like the import cache: a file changed meanwhile misses next time.
    key = snapshots.snapshot_key(paths, settings, session.tz) if paths and not demo else None
    sources = list(paths)
    if demo:
        from musicrec_tui.core.history.demo import demo_paths

        sources.append(str(demo_paths(progress=progress_poster(target, "import", "Generating demo"),
                                      cancel=cancel)))
    history = load_history(sources, settings=settings, tz=session.tz,
                           progress=progress_poster(target, "import", "Reading"),
                           cancel=cancel)
    check(cancel)
    ranking = fit_ranking(history, settings)
    check(cancel)
    snapshot = snapshots.ArtistSnapshot.from_table(ranking.table, history.tz)
    if shown is not None and shown[0].same_as(snapshot):
        snapshot, search = shown
    else:
        search = ArtistSearch(snapshot.artists, snapshot.score)
        if key is not None and settings.import_.use_cache:
            snapshots.save(key, snapshot)
    recent = None
    if sources:
        from musicrec_tui.tui.recent import remember

        try:  # a file write: done here, off the UI thread
            recent = remember(sources)
        except OSError as exc:
            recent = exc
    return Loaded(history, ranking, search, sources, snapshot, recent)


def contexts(session: Session, k: int | None, *, target: MessagePump) -> tuple[Any, dict]:
    """Fit the listening contexts and each artist's dominant one (for the Artists pane)."""
    from musicrec_tui.core.engines.context import fit_contexts
    from musicrec_tui.core.library import dominant_contexts

    cancel = WorkerCancel()
    fitted = fit_contexts(session.history, session.settings, k=k,
                          progress=progress_poster(target, "contexts"), cancel=cancel)
    check(cancel)
    return fitted, dominant_contexts(session.history, fitted)
