"""The app: wiring only. Screens live in ``screens/``, logic in ``musicrec_tui.core``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from musicrec_tui.core.settings import Settings, load_settings
from musicrec_tui.tui import loading
from musicrec_tui.tui.commands import MusicrecCommands
from musicrec_tui.tui.messages import HistoryLoaded, SearchReady
from musicrec_tui.tui.navigation import SCREENS
from musicrec_tui.tui.screens.artists import ArtistsScreen
from musicrec_tui.tui.screens.base import MusicrecScreen
from musicrec_tui.tui.screens.contexts import ContextsScreen
from musicrec_tui.tui.screens.export import ExportScreen
from musicrec_tui.tui.screens.help import HelpScreen
from musicrec_tui.tui.screens.load import LoadScreen
from musicrec_tui.tui.screens.recommend import RecommendScreen
from musicrec_tui.tui.screens.settings import SettingsScreen
from musicrec_tui.tui.screens.trends import TrendsScreen
from musicrec_tui.tui.session import Session
from musicrec_tui.tui.textual_patches import KeysInTypedOrder, PauseOnlyOnFirstVisit
from musicrec_tui.tui.workers import start_resource_tracker


class MusicrecApp(KeysInTypedOrder[int], PauseOnlyOnFirstVisit[int]):
    """musicrec: recommendations from your own listening export."""

    TITLE = "musicrec"
    CSS_PATH = "app.tcss"
    # Below this width, panes stack instead of sitting side by side (see app.tcss).
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-narrow"), (110, "-wide"), (160, "-xwide")]
    COMMANDS: ClassVar = App.COMMANDS | {MusicrecCommands}
    MODES: ClassVar = {
        "load": LoadScreen,
        "artists": ArtistsScreen,
        "contexts": ContextsScreen,
        "trends": TrendsScreen,
        "recommend": RecommendScreen,
        "settings": SettingsScreen,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown in the NavBar at the top rather than in the footer.
        *(Binding(key, f"show('{mode}')", label, id=f"screen.{mode}", tooltip=help_text,
                  show=False)
          for mode, key, label, help_text in SCREENS),
        Binding("e", "export", "Export", id="export", tooltip="Export the results to a file"),
        Binding("question_mark,f1", "help", "Help", id="help", key_display="?",
                tooltip="Keys and screens"),
    ]

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()
        # Stock footer keys are $accent, unreadable on the light panels of several themes
        # (orange on light grey); themes that style their footer keep their own choice.
        if "footer-key-foreground" not in self.current_theme.variables:
            variables["footer-key-foreground"] = variables["text-accent"]
        return variables

    def __init__(self, session: Session, paths: list[str], *, demo: bool = False) -> None:
        super().__init__()
        self.session = session
        self._paths = paths
        self._demo = demo
        wanted = session.settings.tui.theme
        self._theme_problem = None
        if wanted in self.available_themes:
            self.theme = wanted
        else:  # a setting, not a reason to stop: say so once the screen is up
            self._theme_problem = (f"tui.theme: no theme named {wanted!r}, using {self.theme!r}; "
                                   f"themes: {', '.join(sorted(self.available_themes))}")

    def on_mount(self) -> None:
        if self._theme_problem:
            self.notify(self._theme_problem, severity="warning", timeout=10)
        if self.session.snapshot is not None:
            # The Artists rows are known already: show them, load the rest behind them.
            self.switch_mode("artists")
            self.call_after_refresh(self._load_behind)
            return
        self.switch_mode("load")
        if self._paths or self._demo:
            self.call_after_refresh(self._load_initial)

    @work(thread=True, exclusive=True, exit_on_error=False, group=loading.BEHIND,
          description="Loading the history behind the snapshot")
    def _load_behind(self) -> None:
        loading.load_behind(self.session, self._paths, target=self)

    # What the load behind the snapshot sends; dropped when a newer import overtook it.
    @on(SearchReady)
    def _search_ready(self, event: SearchReady) -> None:
        if self.session.loading:
            self.session.search = event.search
            self._session_changed()

    @on(HistoryLoaded)
    def _history_loaded(self, event: HistoryLoaded) -> None:
        if self.session.loading:
            self.session.loaded(event.loaded)
            self._session_changed()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != loading.BEHIND or event.state not in (WorkerState.ERROR,
                                                                 WorkerState.CANCELLED):
            return
        problem = loading.behind_ended(self.session, worker.error)
        if problem is not None:
            self.notify(problem, severity="error", timeout=10)
        self._session_changed()

    def _session_changed(self) -> None:
        if isinstance(self.screen, MusicrecScreen):
            self.screen.session_changed()

    def stop_loading_behind(self) -> None:
        """A new import starts: the one behind the snapshot must not land after it."""
        self.session.loading = False
        self.workers.cancel_group(self, loading.BEHIND)

    def _load_initial(self) -> None:
        screen = self.screen
        if isinstance(screen, LoadScreen):
            screen.start_import(self._paths, demo=self._demo, land_on="artists")

    def action_show(self, mode: str) -> None:
        if self.current_mode != mode:
            self.switch_mode(mode)

    def action_export(self) -> None:
        if self.session.history is None:
            self.notify(self.session.missing_history(), severity="warning")
            return
        if not isinstance(self.screen, ExportScreen):
            self.push_screen(ExportScreen())

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))


def make_app(
    paths: list[str] | None = None,
    *,
    settings: Settings | None = None,
    tz: str | None = None,
    demo: bool = False,
    now: datetime | None = None,
) -> MusicrecApp:
    """The one way to build the app (CLI, tests, screenshots and benchmarks share it).

    ``demo`` loads the generated demo history when no paths are given; ``now`` freezes the
    clock (for the "now" context) so tests and screenshots don't depend on the time of day.
    """
    settings = settings or load_settings()
    start_resource_tracker()
    sources = [str(Path(p).expanduser()) for p in paths or []]
    session = Session(settings=settings, tz=tz, now=now)
    if sources and settings.import_.use_cache:
        loading.open_snapshot(session, sources)
    if (sources or demo) and session.snapshot is None:
        loading.preload()
    # `musicrec demo` passes the demo folder it prepared: then there is nothing to add.
    return MusicrecApp(session, sources, demo=demo and not sources)
