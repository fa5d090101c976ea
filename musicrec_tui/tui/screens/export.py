"""Export (a modal from any screen): format, path, confirm before overwriting, then write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from musicrec_tui.tui.screens.base import SessionWorkers
from musicrec_tui.tui.workers import WorkerCancel

if TYPE_CHECKING:
    from musicrec_tui.core.analysis import Analysis

DESCRIPTIONS = {
    "comprehensive": "JSON, everything",
    "summary": "JSON, recommendations only",
    "csv": "one row per recommendation",
    "tracks": "best tracks, plain text",
    "m3u": "playlist of those tracks",
}


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; y / n / escape answer it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(self._question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button("Overwrite (y)", variant="error", id="confirm-yes")
                yield Button("Cancel (n)", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")


class ExportScreen(SessionWorkers, ModalScreen[Path | None]):
    """Choose a format and a file; the analysis is computed first if it isn't yet."""

    @dataclass
    class ExportWritten(Message):
        """``analysis`` (run first if there was none) was written to ``path``."""

        analysis: Analysis
        path: Path

    HELP_TITLE = "Export"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="export.close"),
        Binding("ctrl+s", "export", "Export", id="export.write", tooltip="Write the file"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._default = ""

    def compose(self) -> ComposeResult:
        from musicrec_tui.core.export import FORMATS, default_export_path

        fmt = self.session.settings.export.format
        with Vertical(id="export-dialog") as dialog:
            dialog.border_title = "Export"
            yield Label("Format")
            yield Select([(f"{name} — {DESCRIPTIONS.get(name, '')}", name) for name in FORMATS],
                         value=fmt if fmt in FORMATS else FORMATS[0], allow_blank=False,
                         id="export-format")
            yield Label("File")
            self._default = str(default_export_path(fmt if fmt in FORMATS else FORMATS[0]))
            yield Input(self._default, id="export-path")
            yield Static("", id="export-status")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-go")
                yield Button("Cancel", id="export-cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        from musicrec_tui.core.export import default_export_path

        path = self.query_one("#export-path", Input)
        # Follow the format only while the user hasn't typed a path of their own.
        if path.value == self._default:
            self._default = str(default_export_path(str(event.value)))
            path.value = self._default

    @on(Button.Pressed, "#export-cancel")
    def action_close(self) -> None:
        self.workers.cancel_group(self, "export")
        self.dismiss(None)

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-go")
    def action_export(self) -> None:
        value = self.query_one("#export-path", Input).value.strip()
        if not value:
            self.notify("Give a file to export to", severity="warning")
            return
        path = Path(value).expanduser()
        if path.exists():
            self.app.push_screen(ConfirmScreen(f"{path} already exists.\nOverwrite it?"),
                                 lambda yes: self._write(path, True) if yes else None)
        else:
            self._write(path, False)

    def _write(self, path: Path, force: bool) -> None:
        fmt = str(self.query_one("#export-format", Select).value)
        needs_run = self.session.analysis is None
        self.query_one("#export-status", Static).update(
            "Running the engines first…" if needs_run else "Writing…")
        self._export(fmt, path, force)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export",
          description="Exporting")
    def _export(self, fmt: str, path: Path, force: bool) -> None:
        from musicrec_tui.core.export import export

        session = self.session
        analysis = session.analysis
        if analysis is None:
            from musicrec_tui.core.analysis import analyse

            analysis = analyse(session.history, session.settings, at=session.clock(),
                               provider=session.provider(), cancel=WorkerCancel())
        written = export(analysis, fmt, path, force=force, now=session.now)
        self.post_message(self.ExportWritten(analysis, written))

    @on(ExportWritten)
    def _export_written(self, event: ExportWritten) -> None:
        self.session.analysis = event.analysis
        self.app.notify(f"Wrote {event.path}", title="Export done", timeout=8)
        self.dismiss(event.path)

    def worker_ended(self, worker, state) -> None:
        self.query_one("#export-status", Static).update("")
