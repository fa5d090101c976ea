"""A 7×24 weekday × hour grid, each cell coloured by the listening context it belongs to."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# A qualitative palette (Tableau 10): distinct hues that read on dark and light themes.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac")


def context_colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


class ContextHeatmap(Widget):
    """Cells show the context of each (weekday, hour); the selected context is marked,
    and the current hour is shown with a diamond."""

    DEFAULT_CSS = """
    ContextHeatmap { height: 8; width: 1fr; }
    """

    slots: reactive[dict[tuple[int, int], int]] = reactive(dict, layout=False)
    """(weekday, hour) → index of its context in the cluster list."""
    selected: reactive[int | None] = reactive(None)
    """Index of the context whose cells are marked."""
    now_slot: reactive[tuple[int, int] | None] = reactive(None)
    """(weekday, hour) of 'now', drawn as ◆."""

    def render(self) -> Text:
        cell = 3 if self.size.width >= 4 + 24 * 3 else 2
        text = Text(no_wrap=True)
        text.append("    ")
        for hour in range(24):
            label = f"{hour:<{cell}}" if hour % (3 if cell == 2 else 2) == 0 else " " * cell
            text.append(label[:cell], style="dim")
        text.append("\n")
        for dow, day in enumerate(DAYS):
            text.append(f"{day} ", style="bold")
            for hour in range(24):
                index = self.slots.get((dow, hour))
                if index is None:
                    text.append(" " * (cell - 1) + "·", style="dim")
                    continue
                mark = " "
                if self.selected == index:
                    mark = "•"
                if self.now_slot == (dow, hour):
                    mark = "◆"
                glyph = mark.center(cell)
                text.append(glyph, style=Style(bgcolor=context_colour(index), color="black",
                                               bold=True))
            text.append("\n")
        return text
