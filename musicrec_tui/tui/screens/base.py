"""What every screen shares: the session, and the one handler for worker outcomes."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import events, on, work
from textual.app import App
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from musicrec_tui.core.errors import Cancelled, MusicrecError
from musicrec_tui.tui.messages import ContextsFitted
from musicrec_tui.tui.session import Session
from musicrec_tui.tui.textual_patches import BindingsAnnouncedOnChange

if TYPE_CHECKING:
    from musicrec_tui.core.history.model import History
    from musicrec_tui.tui.app import MusicrecApp

# What each worker group does, for messages ("Import failed: …").
GROUP_LABELS = {
    "import": "Import",
    "contexts": "Contexts",
    "trends": "Trends",
    "similar": "Similar artists",
    "engine": "Recommendations",
    "export": "Export",
    "settings": "Settings",
}


def describe_error(error: BaseException | None) -> str:
    """One line for the user: our own errors as they are, anything else with its type."""
    if error is None:
        return "unknown error"
    if isinstance(error, MusicrecError):
        return str(error)
    return f"{type(error).__name__}: {error}"


class SessionWorkers:
    """Mixin for screens: the session, and the one handler for every worker's outcome."""

    app: App

    @property
    def session(self) -> Session:
        return cast("MusicrecApp", self.app).session

    def worker_ended(self, worker: Worker, state: WorkerState) -> None:
        """Hook: reset progress UI after a worker ended in error or was cancelled."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Keyed on the worker's group, so every screen reports failures the same way.
        worker, state = event.worker, event.state
        if state not in (WorkerState.ERROR, WorkerState.CANCELLED):
            return
        label = GROUP_LABELS.get(worker.group, worker.group)
        if state == WorkerState.ERROR and isinstance(worker.error, Cancelled):
            self.app.notify(f"{label} cancelled", severity="warning")
        elif state == WorkerState.ERROR:
            self.app.notify(f"{label} failed: {describe_error(worker.error)}",
                            severity="error", timeout=10)
        self.worker_ended(worker, state)


class MusicrecScreen(SessionWorkers, BindingsAnnouncedOnChange):
    """A screen that reads the app's :class:`Session` and runs core work in workers."""

    generation = -1  # which session generation this screen last showed

    # The status line that says why there is nothing to show yet (see Session.missing_history).
    STATUS_ID: str | None = None

    # What the app looked like (theme, focus, classes) when this screen was left.
    _left_in: tuple | None = None

    def _app_state(self) -> tuple:
        app = self.app
        return app.theme, frozenset(app.get_pseudo_classes()), frozenset(app.classes)

    def on_screen_suspend(self) -> None:
        self._left_in = self._app_state()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Screen's own handler, which restyles every widget (~10–20 ms) when
        # shown again. Styles follow the app's state, and a change of CSS or theme is
        # applied by switch_mode itself: unchanged, the styles are still right.
        if self._left_in == self._app_state():
            event.refresh_styles = False
        self.session_changed()

    def session_changed(self) -> None:
        """Catch up with the session: a new history, or a load behind a snapshot that ended."""
        if self.session.history is not None and self.generation != self.session.generation:
            self.generation = self.session.generation
            self.show_history()
        elif self.session.history is None and self.STATUS_ID and self.is_mounted:
            self.query_one(self.STATUS_ID, Static).update(self.session.missing_history())

    def show_history(self) -> None:
        """Redraw from a newly loaded history (screens that need one override this)."""

    # -- listening contexts: Artists' detail pane and the Contexts screen share this fit --
    def fit_contexts(self, k: int | None = None) -> None:
        """Fit ``k`` contexts (None: chosen by silhouette) into the session, in a worker."""
        if self.session.history is not None:
            self._fit_contexts(self.session.history, self.session.generation, k)

    @work(thread=True, exclusive=True, exit_on_error=False, group="contexts",
          description="Fitting listening contexts")
    def _fit_contexts(self, history: History, generation: int, k: int | None) -> None:
        from musicrec_tui.tui import loading  # loading imports this module

        self.post_message(loading.fit_contexts(history, self.session.settings, k,
                                               generation, target=self))

    @on(ContextsFitted)
    def _contexts_fitted(self, event: ContextsFitted) -> None:
        if self.session.take_contexts(event):
            self.contexts_changed()

    def contexts_changed(self) -> None:
        """Hook: the session has new listening contexts."""
