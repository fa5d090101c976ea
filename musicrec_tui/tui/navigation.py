"""The screens, their keys and the bar at the top that shows them."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

# (mode, key, label, description); the order is the order of the keys.
SCREENS = (
    ("load", "1", "Load", "Open an export: files, folders or a .zip"),
    ("artists", "2", "Artists", "Your ranked artists with fuzzy search"),
    ("contexts", "3", "Contexts", "Listening contexts by weekday and hour"),
    ("trends", "4", "Trends", "Rising and fading artists, next favourites"),
    ("recommend", "5", "Recommend", "Run the engines and blend recommendations"),
    ("settings", "6", "Settings", "Timezone, play length, weights, tier, k, Last.fm key"),
)


class NavBar(Static):
    """One line: the app name and every screen with its key; the current one stands out.
    It replaces the screen keys in the footer, which would not fit at 80 columns."""

    DEFAULT_CSS = """
    NavBar { height: 1; background: $panel; color: $text-muted; }
    """

    def __init__(self, current: str) -> None:
        super().__init__(id="nav")
        self._current = current

    def on_mount(self) -> None:
        # Theme variables, not colours read off the theme: the ANSI themes name colours
        # ("ansi_blue") that Rich cannot parse, and plain $accent is unreadable on light
        # panels. The $text-* and block-cursor pairs are the theme's readable combinations.
        parts = [Content.from_markup("[b $text-accent] musicrec [/]")]
        for mode, key, label, _help in SCREENS:
            if mode == self._current:
                parts.append(Content.from_markup(
                    f"[b $block-cursor-foreground on $block-cursor-background] {key} {label} [/]"))
            else:
                parts.append(Content.from_markup(f" [b $text-accent]{key}[/] {label} "))
        self.update(Content("").join(parts))
