"""Every place the app leans on Textual's internals, and why: upgrading Textual touches this file.

pyproject caps Textual below its next major (9). Each patch names the upstream issue or
change it works around and the test that pins it: after an upgrade, run those tests; a
patch whose cause is gone upstream is deleted here, and nothing else changes. Outside this
module the app uses only Textual's public names (a test greps for that).
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
from collections.abc import Iterator
from typing import Any, TypeVar

from rich.segment import Segment
from textual import events
from textual.actions import SkipAction
from textual.app import App, AwaitMount
from textual.geometry import Size
from textual.notifications import Notification
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

ReturnType = TypeVar("ReturnType")


# -- 1. Keys typed ahead act in the order they were typed -------------------------------
class TypeAheadInput(Input):
    """An Input that leaves its printable keys to the app (:class:`KeysInTypedOrder`),
    which types them in turn with the bindings of the keys typed before them.

    Upstream: an Input types a character in ``Input._on_key`` as soon as the key reaches
    it, while a bound key (Enter, Escape, Backspace) acts only when it reaches the
    bindings, so a fast "ab⏎jk" types "jk" before Enter moved the focus away —
    Textualize/textual#6605 (open; PR #6631 proposes running an Input's own bindings
    inline). Pinned by
    tests/tui/test_search_typeahead.py::test_keys_after_enter_and_escape_go_to_the_table.
    """

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable:
            event.prevent_default()  # skips Input._on_key: the app types it (type_key)

    async def type_key(self, event: events.Key) -> None:
        """Type the character of ``event`` (the app calls this in key order)."""
        await super()._on_key(event)

    def action_submit(self) -> None:
        # Input.Submitted would reach the screen after the keys typed behind Enter: Enter
        # is left to the screen's bindings instead, which move the focus at once.
        raise SkipAction


class KeysInTypedOrder(App[ReturnType]):
    """Keys act in the order typed, across focus moves made by the keys before them.

    Textual hands each key to the widget focused when the app reads it: a fast "/bey"
    queues all four at the table before "/" (a screen binding) moves the focus to the
    search box, and "e" then opens Export instead of being typed; "o" then "demo" on Load
    opens the demo instead of typing a path. A key that comes back to the app after the
    focus moved goes on to the newly focused widget, and a :class:`TypeAheadInput`'s
    characters are typed here, after the bindings of the keys before them.

    Upstream: no issue found for keys queued at a widget that lost the focus; the Input
    half is Textualize/textual#6605. Uses ``App._on_key`` (handlers run down the MRO, so
    ``prevent_default`` skips App's own) and ``Widget._forward_event``. Pinned by
    tests/tui/test_search_typeahead.py (test_keys_after_enter_and_escape_go_to_the_table,
    test_keys_typed_behind_a_focus_move_go_to_the_new_box).
    """

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not hasattr(event, "typed_at"):
            # Where the key goes first; bubbling brings it back through _on_key.
            event.typed_at = self.focused  # type: ignore[attr-defined]
        await super().on_event(event)

    async def _on_key(self, event: events.Key) -> None:
        typed_at = getattr(event, "typed_at", None)
        focused = self.focused
        if isinstance(focused, TypeAheadInput) and event.is_printable:
            event.prevent_default()
            await focused.type_key(event)
        elif typed_at is not None and focused is not None and focused is not typed_at:
            event.prevent_default()
            # Forwarded as the app forwards a key from the terminal, so that back here it
            # runs the bindings (Enter leaving the box) rather than being routed again.
            key = events.Key(event.key, event.character)
            key.typed_at = focused  # type: ignore[attr-defined]
            focused._forward_event(key)


# -- 2. A one-line Input repaints itself only --------------------------------------------
class FixedSizeInput(Input):
    """An Input whose keystrokes repaint the box and lay nothing out.

    Upstream: ``Input._watch_value`` sets ``virtual_size`` on every change (since
    Textualize/textual#5340, Input selection), and ``Widget.virtual_size`` is a layout
    reactive: each keystroke lays the whole screen out and repaints every widget on it.
    A box of fixed size only reads ``virtual_size`` for its scroll range, so it is
    redeclared without ``layout``. No upstream issue found. Pinned by
    tests/tui/test_search_typeahead.py::test_typing_lays_nothing_out.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


# -- 3. No drawing pause when switching back to a screen ---------------------------------
class PauseOnlyOnFirstVisit(App[ReturnType]):
    """``switch_mode`` pauses drawing for 50 ms to hide a new screen's first layout; a
    screen shown before is laid out already, and the pause was most of such a switch.

    Upstream: the pause came with Textualize/textual#6362 ("Added 50ms delay when
    switching screens"); it calls the public ``App.delay_update`` (#6137), overridden here
    for the length of one switch. Pinned by
    tests/tui/test_screens_switch.py::test_only_a_first_visit_pauses_drawing.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown_modes: set[str] = set()
        self._revisit = False

    def switch_mode(self, mode: str) -> AwaitMount:
        self._revisit = mode in self._shown_modes
        self._shown_modes.add(mode)
        try:
            return super().switch_mode(mode)
        finally:
            self._revisit = False

    def delay_update(self, delay: float = 0.05) -> None:
        if not self._revisit:
            super().delay_update(delay)


# -- 4. The Footer rebuilds its keys only when they change -------------------------------
class BindingsAnnouncedOnChange(Screen):
    """A screen that tells its Footer about its keys only when they changed.

    Textual asks for ``refresh_bindings`` whenever a screen is left or shown again, and
    the Footer then rebuilds every key (``Footer.bindings_changed`` recomposes on each
    signal, since Textualize/textual#6137), ~40 ms of a ~170 ms switch, though none
    changed. Before the first showing (``stack_updates`` 0) the Footer may not listen yet:
    always announce then; a hidden screen announces nothing (showing it again asks, and
    compares). No upstream issue found. Pinned by tests/tui/test_screens_switch.py
    (test_a_screen_comes_back_as_it_was_left, test_the_footer_follows_a_focus_change).
    """

    _announced: tuple | None = None

    def refresh_bindings(self) -> None:
        if self.stack_updates:
            if not self.is_current:
                return
            shown = (self.app.app_focus, tuple(
                (binding, enabled, tooltip)
                for _node, binding, enabled, tooltip in self.active_bindings.values()))
            if shown == self._announced:
                return
            self._announced = shown
        super().refresh_bindings()


# -- 5. Quit when the terminal hangs up without a SIGHUP ---------------------------------
@contextlib.contextmanager
def exit_when_the_terminal_goes(app: App[Any], code: int) -> Iterator[None]:
    """Exit ``app`` with ``code`` when its terminal hangs up without a SIGHUP (a closed
    pty master, an orphaned child).

    Upstream: the Linux driver's input thread reads end-of-file in a loop at 100 % CPU
    until the process is killed — Textualize/textual#6690 (open PR). A thread waits in
    poll() for the hang-up alone (it reads nothing, so costs nothing meanwhile); a pipe
    wakes it when the app ends. Pinned by tests/tui/test_launch_tty.py.
    """
    stdin = sys.__stdin__
    fd = stdin.fileno() if stdin is not None else -1
    if not hasattr(select, "poll") or fd < 0 or not os.isatty(fd):
        yield
        return
    wake_r, wake_w = os.pipe()
    poller = select.poll()
    poller.register(fd, 0)  # POLLHUP, POLLERR and POLLNVAL are always reported
    poller.register(wake_r, select.POLLIN)

    def watch() -> None:
        if any(ready == fd for ready, _ in poller.poll()):
            app.call_later(app.exit, code)

    watcher = threading.Thread(target=watch, name="musicrec-terminal-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        os.write(wake_w, b"\0")
        watcher.join()
        os.close(wake_r)
        os.close(wake_w)


# -- 6. What tests read that Textual keeps private ---------------------------------------
def notifications(app: App[Any]) -> list[Notification]:
    """The notifications the app shows now (``App._notifications``)."""
    return list(app._notifications)


def screen_lines(app: App[Any]) -> list[list[Segment]]:
    """The current screen as drawn, one list of segments per line (the compositor's)."""
    return [list(strip) for strip in app.screen._compositor.render_strips()]


def footer_keys(screen: Screen) -> list[Widget]:
    """The key widgets of the screen's Footer (``FooterKey`` lives in a private module)."""
    return list(screen.query("Footer FooterKey").results(Widget))
