"""The Artists search box: typed in key order, repainting only itself (textual_patches)."""

from __future__ import annotations

from typing import Any

from textual.widget import Widget

from musicrec_tui.tui.textual_patches import FixedSizeInput, TypeAheadInput


class SearchBox(TypeAheadInput, FixedSizeInput):
    """An Input for a box of fixed size (the default 3 lines, or 1 when compact) whose
    characters the app types in turn with the keys around them ("ab⏎jk" leaves "ab")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Input selects its text when its Focus event comes, which may be after characters
        # typed behind the key that moved the focus here (those are typed at once): select
        # when the focus moves instead, so "/" + "y" replaces the query, as a slow "/y" does.
        self._select_when_focused, self.select_on_focus = self.select_on_focus, False

    def on_mount(self) -> None:
        self.watch(self.screen, "focused", self._focus_moved, init=False)

    def _focus_moved(self, focused: Widget | None) -> None:
        if focused is self and self._select_when_focused:
            self.select_all()
