"""A virtual table of artists: the Artists screen's, and the short lists of the others.

Why not a DataTable: it renders every cell through Rich and measures every row, again after
each change of rows and each restyle, which is too slow for a search keystroke over 18k
artists or a screen switch. This widget keeps only the list of names and draws the lines on
screen straight to segments (fixed column widths, nothing measured); cells come from a
callback, formatted when first drawn, and drawn lines outlive a restyle that leaves their
styles unchanged. Figures: docs/benchmarks.md (TUI).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

# Blank columns either side of each cell (as in a DataTable).
PAD = 1
# Drawn lines kept for reuse, least recently drawn dropped first (a few screens' worth of
# rows in each state: typing a search brings the same names back).
LINES_CACHED = 2000
# A short list (show) cuts longer names with "…", so that one long name cannot push the
# columns after it out of a side pane (Trends, at 120 columns).
SHOWN_NAME_MAX = 24


@dataclass(frozen=True)
class Column:
    label: str
    width: int
    right: bool = False  # numbers line up on the right


class ArtistTable(ScrollView, can_focus=True):
    """Rows of artists with a fixed header, a row cursor and highlighted match characters.

    ``cells(artist)`` gives the texts of every column but the name (the name is the column
    ``name_column``; by default the second, after the rank). :meth:`show` is the short way
    for a short list: every row's texts given at once, columns as wide as their texts.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "artist-table--header", "artist-table--cursor", "artist-table--even-row",
        "artist-table--match",
    }
    DEFAULT_CSS = """
    ArtistTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        &:focus { background-tint: $foreground 5%; }
        & > .artist-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .artist-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .artist-table--even-row { background: $surface-lighten-1 50%; }
        &:dark > .artist-table--even-row { background: $surface-darken-1 40%; }
        & > .artist-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .artist-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .artist-table--match { color: $accent; text-style: bold underline; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "move(-1_000_000_000)", "First", show=False),
        Binding("end", "move(1_000_000_000)", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)
    """The highlighted row (an index into :attr:`rows`)."""

    @dataclass
    class RowMessage(Message):
        """Something happened to the row ``cursor_row``, which shows ``artist``."""

        table: ArtistTable
        cursor_row: int
        artist: str

        @property
        def control(self) -> ArtistTable:
            return self.table

    class RowHighlighted(RowMessage):
        """The cursor moved to ``artist`` (or the rows under it changed)."""

    class RowSelected(RowMessage):
        """Enter (or a click) on the highlighted ``artist``."""

    @dataclass
    class HeaderSelected(Message):
        """A click on the header of the column ``label``."""

        table: ArtistTable
        label: str

        @property
        def control(self) -> ArtistTable:
            return self.table

    def __init__(self, columns: Sequence[Column],
                 cells: Callable[[str], tuple[str, ...]] | None = None, *,
                 name_column: int = 1, fit_last: bool = False, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        # At least as wide as the labels: :meth:`show` sizes the rest.
        self._columns = [Column(c.label, max(c.width, cell_len(c.label)), c.right)
                         for c in columns]
        self._cells = cells or (lambda artist: ())
        self._name_column = name_column
        # Cut the last column to the table's width instead of scrolling (show() only).
        self._fit_last = fit_last
        self._natural: list[Column] = []  # show()'s columns before that cut
        self._rows: list[str] = []
        self._positions: dict[str, tuple[int, ...]] = {}
        self._height = 0
        self._styles: dict[str, Style] = {}
        self._lines: LRUCache[tuple, Strip] = LRUCache(LINES_CACHED)
        self._drawn_with: tuple[Style, ...] = ()  # the styles the cached lines were drawn in

    # -- data ----------------------------------------------------------------------------
    @property
    def rows(self) -> list[str]:
        """The artists shown, top to bottom."""
        return self._rows

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def visible_rows(self) -> int:
        """Rows that fit under the header."""
        return max(0, self.scrollable_content_region.height - 1)

    @property
    def cursor_artist(self) -> str | None:
        return self._rows[self.cursor_row] if self._rows else None

    def set_rows(self, rows: list[str], positions: dict[str, tuple[int, ...]] | None = None,
                 *, cursor: int = 0, scroll_y: float | None = None, room: int = 0) -> None:
        """Show ``rows`` (``positions``: matched characters of each name, to highlight).

        ``room``: rows of height to keep even when there are fewer. A new height lays the
        whole screen out again (~10 ms): a search keeps a screenful (:attr:`visible_rows`),
        so only a hit count crossing it changes the height.
        """
        self._rows = rows
        self._positions = positions or {}
        self._height = max(len(rows), room)
        self._resize()
        if scroll_y is not None:
            self.scroll_to(y=scroll_y, animate=False, immediate=True)
        self.cursor_row = max(0, min(cursor, len(rows) - 1))
        self.refresh()

    def show(self, cells: dict[str, tuple[str, ...]], *, cursor: int = 0) -> None:
        """Show the artists of ``cells`` in its order, each with the texts of its other
        columns; every column as wide as its widest text (a few dozen rows: cheap), names up
        to SHOWN_NAME_MAX cells."""
        columns = []
        for i, column in enumerate(self._columns):
            texts = (cells if i == self._name_column else
                     (row[i - (i > self._name_column)] for row in cells.values()))
            width = max((cell_len(text) for text in texts), default=0)
            if i == self._name_column:
                width = min(width, SHOWN_NAME_MAX)
            columns.append(Column(column.label, max(width, cell_len(column.label)), column.right))
        self._cells = cells.__getitem__
        self._natural = columns
        self.set_columns(self._fitted(columns))
        self.set_rows(list(cells), cursor=cursor, scroll_y=0)

    def _fitted(self, columns: list[Column]) -> list[Column]:
        """``columns`` with the last one narrowed to what the table's width leaves it."""
        room = self.scrollable_content_region.width
        if not self._fit_last or not columns or room <= 0:
            return columns
        *first, last = columns
        left = room - sum(c.width + 2 * PAD for c in first) - 2 * PAD
        width = max(cell_len(last.label), min(last.width, left))
        return [*first, Column(last.label, width, last.right)]

    def on_resize(self) -> None:
        if self._fit_last and self._natural:
            self.set_columns(self._fitted(self._natural))

    def set_columns(self, columns: Sequence[Column]) -> None:
        self._columns = list(columns)
        self._lines.clear()
        self._resize()
        self.refresh()

    def _resize(self) -> None:
        width = sum(c.width + 2 * PAD for c in self._columns)
        size = Size(width, self._height + 1)  # + the header line
        if size != self.virtual_size:
            self.virtual_size = size

    # -- cursor --------------------------------------------------------------------------
    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self._rows) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh_line(old + 1)  # + the header line
        self.refresh_line(new + 1)
        if self._rows:
            self.post_message(self.RowHighlighted(self, new, self._rows[new]))

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def action_move(self, by: int) -> None:
        self.cursor_row += by

    def action_page(self, direction: int) -> None:
        self.cursor_row += direction * max(1, self.scrollable_content_region.height - 2)

    def action_select(self) -> None:
        if self._rows:
            self.post_message(self.RowSelected(self, self.cursor_row, self._rows[self.cursor_row]))

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x = event.x + int(self.scroll_x)
            for column in self._columns:
                x -= column.width + 2 * PAD
                if x < 0:
                    self.post_message(self.HeaderSelected(self, column.label))
                    return
            return
        row = int(self.scroll_y) + event.y - 1
        if 0 <= row < len(self._rows):
            if row == self.cursor_row:
                self.action_select()
            self.cursor_row = row

    # -- drawing -------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        # Theme, focus or CSS may have changed: the styles are looked up again, and the
        # drawn lines kept only if those are the same (see render_line).
        self._styles.clear()
        super().notify_style_update()

    def _check_styles(self) -> None:
        styles = tuple(self._style(name) for name in ("", *sorted(self.COMPONENT_CLASSES)))
        if styles != self._drawn_with:
            self._drawn_with = styles
            self._lines.clear()

    def _style(self, name: str) -> Style:
        """The rich style of a part ("" = the widget), looked up once per style change."""
        style = self._styles.get(name)
        if style is None:
            base = self.rich_style
            style = self._styles[name] = (
                base if not name else base + self.get_component_rich_style(name))
        return style

    def render_line(self, y: int) -> Strip:
        if not self._styles:
            self._check_styles()
        width = self.scrollable_content_region.width
        scroll_x = int(self.scroll_x)
        if y == 0:
            key: tuple = ("", -1, False, (), scroll_x, width)
        else:
            row = int(self.scroll_y) + y - 1
            if row >= len(self._rows):
                return Strip.blank(width, self._style(""))
            artist = self._rows[row]
            key = (artist, row % 2, row == self.cursor_row, self._positions.get(artist, ()),
                   scroll_x, width)
        # Typing mostly reshuffles the same names: a drawn line is reused while it is unchanged.
        strip = self._lines.get(key)
        if strip is None:
            strip = self._draw(key)
            self._lines.set(key, strip)
        return strip

    def _draw(self, key: tuple) -> Strip:
        artist, odd, cursor, _positions, scroll_x, width = key
        base = self._style("")
        if odd < 0:
            header = self._style("artist-table--header")
            segments = [Segment(self._fit(c.label, c), header) for c in self._columns]
        else:
            style = self._style("artist-table--even-row") if odd else base
            if cursor:
                style += self._style("artist-table--cursor")
            segments = self._row_segments(artist, style)
        return Strip(segments).crop_extend(scroll_x, scroll_x + width, base)

    def _row_segments(self, artist: str, style: Style) -> list[Segment]:
        texts = self._cells(artist)
        columns, at = self._columns, self._name_column
        out = [Segment(self._fit(text, column), style)
               for text, column in zip(texts[:at], columns[:at], strict=False)]
        out += self._name_segments(artist, columns[at].width, style)
        out += [Segment(self._fit(text, column), style)
                for text, column in zip(texts[at:], columns[at + 1:], strict=False)]
        return out

    @staticmethod
    def _fit(text: str, column: Column) -> str:
        # Widths in terminal cells (a "why" may quote a CJK name).
        width = cell_len(text)
        if width > column.width:
            text = set_cell_size(text, column.width - 1) + "…"
            width = column.width
        fill = " " * (column.width - width)
        text = fill + text if column.right else text + fill
        return " " * PAD + text + " " * PAD

    def _name_segments(self, artist: str, width: int, style: Style) -> list[Segment]:
        # Widths in terminal cells: a CJK character takes two.
        shown = artist if cell_len(artist) <= width else set_cell_size(artist, width - 1) + "…"
        pad = " " * PAD
        fill = " " * (width - cell_len(shown)) + pad
        cut = len(shown) - 1 if shown != artist else len(shown)  # the ellipsis is no match
        positions = [p for p in self._positions.get(artist, ()) if p < cut]
        if not positions:
            return [Segment(pad + shown + fill, style)]
        match = style + self._style("artist-table--match")
        out = [Segment(pad, style)]
        start = 0
        for p in positions:
            if p > start:
                out.append(Segment(shown[start:p], style))
            out.append(Segment(shown[p], match))
            start = p + 1
        out.append(Segment(shown[start:] + fill, style))
        return out
