"""A search box whose keystrokes repaint only itself.

Textual's Input sets its ``virtual_size`` from the text's width on every change, and
``virtual_size`` is a layout reactive: each keystroke lays the whole screen out again and
repaints every widget on it (~10–20 ms on the Artists screen, more than the search itself).
A one-line box of fixed size never needs that layout: its scroll range is read from
``virtual_size`` when the cursor moves, so a plain repaint is enough.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class SearchBox(Input):
    """An Input for a box of fixed size (the default 3 lines, or 1 when compact)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
