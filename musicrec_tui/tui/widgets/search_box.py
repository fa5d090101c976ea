"""A search box whose keystrokes repaint only itself, and are typed in the order they come.

Textual's Input sets its ``virtual_size`` from the text's width on every change, and
``virtual_size`` is a layout reactive: each keystroke lays the whole screen out again and
repaints every widget on it (~10–20 ms on the Artists screen, more than the search itself).
A one-line box of fixed size never needs that layout: its scroll range is read from
``virtual_size`` when the cursor moves, so a plain repaint is enough.

Typing ahead: an Input types a character as soon as the key reaches it, but the keys that
move the focus elsewhere (Enter, Escape) act when they reach the app's bindings, later. A
fast "abc⏎jk" would type "jk" into the box before Enter moved the focus to the table. So the
box types nothing itself: characters go up to the app with the other keys, which types them
(``type_key``) in turn with the bindings of the keys before them (``MusicrecApp._on_key``).
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.actions import SkipAction
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Input


class SearchBox(Input):
    """An Input for a box of fixed size (the default 3 lines, or 1 when compact)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

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

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable:
            event.prevent_default()  # skips Input._on_key: the app types it (see above)

    async def type_key(self, event: events.Key) -> None:
        """Type the character of ``event`` (the app calls this in key order)."""
        await super()._on_key(event)

    def action_submit(self) -> None:
        # Input.Submitted would reach the screen after the keys typed behind Enter: Enter is
        # left to the screen's bindings instead, which move the focus at once.
        raise SkipAction
