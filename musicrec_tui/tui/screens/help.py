"""Help (? or F1): the keys of the screen underneath and of the app, built from bindings."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

ABOUT = (
    "musicrec turns your own listening export into recommendations, offline by default. "
    "Every screen works from the keyboard; ctrl+p opens the command palette with every "
    "action by name, ctrl+q quits from anywhere."
)


def _rows(node) -> list[tuple[str, str, str]]:
    rows = []
    for binding in node.BINDINGS:
        if isinstance(binding, Binding) and binding.description:
            rows.append((node.app.get_key_display(binding), binding.description,
                         binding.tooltip or ""))
    return rows


class HelpScreen(ModalScreen[None]):
    """Keys of the current screen and of the whole app."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,f1,q", "dismiss", "Close", key_display="esc"),
    ]

    def __init__(self, under) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        under = self._under
        table = Table(box=None, expand=True, show_header=False, pad_edge=False)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("action", no_wrap=True)
        table.add_column("what it does", style="dim", ratio=1)
        title = getattr(under, "HELP_TITLE", type(under).__name__)
        table.add_row(f"[reverse] {title} [/]", "", "")
        for row in _rows(under):
            table.add_row(*row)
        table.add_row("", "", "")
        table.add_row("[reverse] Everywhere [/]", "", "")
        for row in _rows(self.app):
            table.add_row(*row)
        table.add_row("ctrl+p", "Command palette", "Every action by name")
        table.add_row("ctrl+q", "Quit", "From anywhere")
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Help"
            body.border_subtitle = "esc closes"
            yield Static(ABOUT, id="help-about")
            yield Static(table, id="help-keys")
