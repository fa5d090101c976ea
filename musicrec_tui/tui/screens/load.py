"""Load: pick files, folders or a .zip, import them in a worker, show the import report."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from musicrec_tui.core.errors import Cancelled
from musicrec_tui.core.wording import plural
from musicrec_tui.tui.messages import ImportProgress
from musicrec_tui.tui.navigation import NavBar
from musicrec_tui.tui.recent import load_recent
from musicrec_tui.tui.screens.base import MusicrecScreen, describe_error
from musicrec_tui.tui.widgets.files import PathSuggester, SourceTree
from musicrec_tui.tui.widgets.report import render_report

if TYPE_CHECKING:
    from musicrec_tui.tui.loading import Loaded

WELCOME = (
    "Open your listening export: a Spotify [b]my_spotify_data.zip[/b] (Extended Streaming "
    "History or Account Data), a Last.fm CSV or a ListenBrainz export.\n\n"
    "Press [b]o[/b] to type a path (→ completes), open a file in the tree or an entry of the "
    "recent list with Enter (tab moves between them; Enter on a folder puts it in the path "
    "box, [b]o[/b] Enter opens it), or press [b]d[/b] for a generated demo history."
)


def _split_paths(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


class LoadScreen(MusicrecScreen):
    """Choose sources and import them."""

    @dataclass
    class ImportDone(Message):
        """The import finished in ``seconds``."""

        loaded: Loaded
        seconds: float

    HELP_TITLE = "Load"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "focus_path", "Type path", id="load.path", tooltip="Type a path to open"),
        Binding("d", "demo", "Demo", id="load.demo", tooltip="Open a generated demo history"),
        Binding("escape", "cancel", "Cancel", id="load.cancel",
                tooltip="Stop the running import (or leave the path box)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._started = 0.0
        self._land_on: str | None = None
        self._importing: Worker | None = None

    def compose(self) -> ComposeResult:
        yield NavBar("load")
        with Horizontal(id="load-main"):
            tree = SourceTree(".", id="load-tree")
            tree.border_title = "Browse"
            yield tree
            with Vertical(id="load-side"):
                yield Input(placeholder="Path to an export (files, folder or .zip; ';' between)",
                            suggester=PathSuggester(), id="load-path")
                recent = OptionList(id="load-recent")
                recent.border_title = "Recent"
                yield recent
                with Vertical(id="load-progress", classes="hidden"):
                    yield Static("", id="load-status")
                    yield ProgressBar(id="load-bar", show_eta=False)
                with VerticalScroll(id="load-report") as report:
                    report.border_title = "Import report"
                    yield Static(WELCOME, id="load-report-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        entries = load_recent()
        self._show_recent(entries)
        if self.session.sources:  # opened from the command line before this screen existed
            self.query_one("#load-path", Input).value = " ; ".join(self.session.sources)
        if self.session.loading:
            self.query_one("#load-report-body", Static).update(self.session.missing_history())
        # Not the path box: there, the screen keys (1-6, d) would be typed as text.
        self.query_one("#load-recent" if entries else "#load-tree").focus()

    def show_history(self) -> None:
        # Loaded behind the launch snapshot, not by this screen: its report is still news.
        history = self.session.history
        if history is not None:
            self.query_one("#load-report-body", Static).update(render_report(history.report))

    def _show_recent(self, entries: list[list[str]]) -> None:
        recent = self.query_one("#load-recent", OptionList)
        recent.clear_options()
        for entry in entries:
            recent.add_option(Option(" ; ".join(entry), id=";".join(entry)))
        recent.display = bool(entries)
        if entries:
            recent.highlighted = 0

    # -- picking -------------------------------------------------------------------------
    def action_focus_path(self) -> None:
        # At once, so a path typed right behind the key lands in the box (see ArtistsScreen).
        self.set_focus(self.query_one("#load-path", Input))

    def action_demo(self) -> None:
        self.start_import([], demo=True, land_on="artists")

    @on(SourceTree.FileSelected)
    def _file_picked(self, event: SourceTree.FileSelected) -> None:
        self.start_import([str(Path(event.path).resolve())])

    @on(SourceTree.DirectorySelected)
    def _folder_picked(self, event: SourceTree.DirectorySelected) -> None:
        # Enter also opens or closes the folder in the tree: the focus stays there.
        self.query_one("#load-path", Input).value = str(Path(event.path).resolve())

    @on(Input.Submitted, "#load-path")
    def _submitted(self, event: Input.Submitted) -> None:
        paths = _split_paths(event.value)
        if paths:
            self.start_import(paths)

    @on(OptionList.OptionSelected, "#load-recent")
    def _recent_picked(self, event: OptionList.OptionSelected) -> None:
        self.start_import(_split_paths(event.option.id or ""))

    # -- importing -----------------------------------------------------------------------
    def start_import(self, paths: list[str], *, demo: bool = False,
                     land_on: str | None = None) -> None:
        """Import ``paths`` (plus the demo history) in a worker; a second call replaces it."""
        self._land_on = land_on
        self._started = time.perf_counter()
        if paths:  # what is being opened, however it was picked
            self.query_one("#load-path", Input).value = " ; ".join(paths)
        self.app.stop_loading_behind()
        self.query_one("#load-progress").remove_class("hidden")
        self.query_one("#load-bar", ProgressBar).update(total=None, progress=0)
        self.query_one("#load-status", Static).update("Opening…")
        self._importing = self._import(paths, demo)

    def action_cancel(self) -> None:
        if any(w.is_running for w in self.workers.cancel_group(self, "import")):
            self.notify("Import cancelled", severity="warning")
        elif self.query_one("#load-path", Input).has_focus:
            self._leave_path_box()
        else:
            self.app.bell()

    def _leave_path_box(self) -> None:
        """Focus the recent list or the tree, where the screen keys (1-6) work again."""
        recent = self.query_one("#load-recent", OptionList)
        (recent if recent.display else self.query_one("#load-tree")).focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="import",
          description="Importing listening history")
    def _import(self, paths: list[str], demo: bool) -> None:
        from musicrec_tui.tui import loading

        loaded = loading.load(self.session, paths, demo=demo, target=self)
        self.post_message(self.ImportDone(loaded, time.perf_counter() - self._started))

    @on(ImportProgress)
    def _import_progress(self, event: ImportProgress) -> None:
        bar = self.query_one("#load-bar", ProgressBar)
        bar.update(total=event.total or None, progress=event.done)
        elapsed = time.perf_counter() - self._started
        self.query_one("#load-status", Static).update(
            f"{event.label or 'Reading'}  {event.done:,}/{event.total:,}  ·  {elapsed:.1f} s"
            "  ·  esc cancels", layout=False)

    @on(ImportDone)
    def _import_done(self, event: ImportDone) -> None:
        loaded = event.loaded
        self.query_one("#load-progress").add_class("hidden")
        self.session.loaded(loaded)
        self.generation = self.session.generation
        report = loaded.history.report
        self.query_one("#load-report-body", Static).update(render_report(report, event.seconds))
        if isinstance(loaded.recent, OSError):
            self.notify(f"Could not save the recent list: {loaded.recent}", severity="warning")
        elif loaded.recent is not None:
            self._show_recent(loaded.recent)
        if report.unread_files:
            self.notify(f"{plural(len(report.unread_files), 'file')} could not be read (see the report)",
                        severity="warning")
        where = "" if self._land_on == "artists" else " — press 2 for Artists"
        self.notify(f"Loaded {plural(report.kept, 'play')} of {plural(report.artists, 'artist')} "
                    f"in {event.seconds:.1f} s{where}", title="Import done")
        self._leave_path_box()
        if self._land_on:
            self.app.switch_mode(self._land_on)

    def worker_ended(self, worker: Worker, state: WorkerState) -> None:
        if worker is not self._importing:
            return  # replaced by a newer import, which shows its own progress
        self.query_one("#load-progress").add_class("hidden")
        body = self.query_one("#load-report-body", Static)
        if state == WorkerState.CANCELLED or isinstance(worker.error, Cancelled):
            kept = (" — the history opened before is still open"
                    if self.session.history is not None else "")
            body.update(Text.assemble(("Import cancelled", "bold"), kept))
        elif worker.error is not None:
            body.update(Text.assemble(("Nothing loaded\n\n", "bold"),
                                      describe_error(worker.error)))
