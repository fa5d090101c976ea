"""Artists: the ranked table with live fuzzy search and a detail pane for the highlighted row."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static
from textual.widgets.data_table import ColumnKey

from musicrec_tui.tui.messages import WorkDone
from musicrec_tui.tui.navigation import NavBar
from musicrec_tui.tui.screens.base import MusicrecScreen
from musicrec_tui.tui.widgets.detail import ArtistDetail

if TYPE_CHECKING:
    import pandas as pd

# Rows drawn at once. A DataTable measures every row it holds, so a keystroke stays fast only
# if the table stays small: search shows the best hits, the full list grows in chunks as the
# cursor nears its end.
SEARCH_LIMIT = 50
CHUNK = 200
# Pause in typing after which the detail pane shows the best hit.
DETAIL_DELAY_S = 0.25
# Similar artists shown in the detail pane.
SIMILAR_SHOWN = 8
# Long names are cut with an ellipsis so the numbers stay in view: (screen width, name width).
NAME_WIDTHS = ((110, 22), (0, 18))
COLUMNS = ("#", "Artist", "Score", "Plays", "Hours", "Eng.", "First", "Last")
# (ranking column, label, descending first?) in the order `s` cycles through them.
SORTS = (
    ("score", "score", True), ("counted_plays", "plays", True), ("hours", "hours", True),
    ("e_avg", "engagement", True), ("first", "first play", False),
    ("last", "last play", True), ("artist", "name", False),
)


class Cells:
    """Formatted cells per artist (all columns but the name), made when first drawn: only
    the rows on screen are ever formatted, so opening a 20k-artist history stays quick."""

    def __init__(self, table: pd.DataFrame, tz: str) -> None:
        self._table, self._tz = table, ZoneInfo(tz)
        self._done: dict[str, tuple[str, ...]] = {}

    def __contains__(self, artist: object) -> bool:
        return artist in self._table.index

    def __len__(self) -> int:
        return len(self._table)

    def __getitem__(self, artist: str) -> tuple[str, ...]:
        cells = self._done.get(artist)
        if cells is None:
            row = self._table.loc[artist]
            hours = float(row["hours"])
            cells = self._done[artist] = (
                str(int(row["rank"])), f"{row['score']:.3f}", f"{int(row['counted_plays']):,}",
                f"{hours:,.0f}" if hours >= 100 else f"{hours:.1f}", f"{row['e_avg']:.2f}",
                row["first"].astimezone(self._tz).strftime("%Y-%m-%d"),
                row["last"].astimezone(self._tz).strftime("%Y-%m-%d"))
        return cells


class ArtistsScreen(MusicrecScreen):
    """Ranked artists, searchable, with details."""

    HELP_TITLE = "Artists"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="artists.search", tooltip="Focus the search box"),
        Binding("escape", "escape", "Leave search", id="artists.escape",
                tooltip="Leave the search box; again clears the search"),
        Binding("s", "sort", "Sort", id="artists.sort", tooltip="Sort by the next column"),
        Binding("r", "reverse", "Reverse", id="artists.reverse", tooltip="Reverse the order"),
        Binding("down", "to_table", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._cells: Cells | dict = {}
        self._orders: dict[tuple[str, bool], list[str]] = {}
        self._sort = 0
        self._descending = True
        self._query = ""
        self._saved: tuple[str | None, float] = (None, 0.0)  # cursor artist, scroll_y
        self._picked: str | None = None
        self._shown_artist: str | None = None
        self._pending: str | None = None
        self._detail_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield NavBar("artists")
        with Horizontal(id="artists-main"):
            with Vertical(id="artists-left"):
                yield Input(placeholder="/ search artists (fuzzy)", id="artists-search")
                table = DataTable(id="artists-table", cursor_type="row", zebra_stripes=True)
                name_width = self._name_width(self.app.size.width)
                for label in COLUMNS:
                    table.add_column(label, key=label,
                                     width=name_width if label == "Artist" else None)
                yield table
                yield Static("No history loaded: press 1 to open one", id="artists-status")
            yield ArtistDetail(id="artists-detail")
        yield Footer(compact=True)

    @staticmethod
    def _name_width(screen_width: int) -> int:
        return next(w for min_width, w in NAME_WIDTHS if screen_width >= min_width)

    def on_resize(self) -> None:
        width = self._name_width(self.size.width)
        column = self._table.columns[ColumnKey("Artist")]
        if column.width != width:
            column.width = width
            if self._cells and not self._query:  # rows re-measure columns when re-added
                self._render_full(select=self._row_artist(self._table.cursor_row))

    # -- data ----------------------------------------------------------------------------
    @property
    def _table(self) -> DataTable:
        return self.query_one("#artists-table", DataTable)

    def show_history(self) -> None:
        ranking, history = self.session.ranking, self.session.history
        self._cells = Cells(ranking.table, history.tz)
        self._orders.clear()
        self._query = ""
        self._picked = None
        self._saved = (None, 0.0)
        self.query_one("#artists-search", Input).value = ""
        self._render_full(select=None)
        self._table.focus()
        if self.session.contexts is None:
            # The pane's "context" line needs the clusters; fit them once the screen is up
            # rather than competing with its first paint.
            self.call_after_refresh(self._fit_contexts_if_needed)

    def _fit_contexts_if_needed(self) -> None:
        if self.session.contexts is None and self.session.history is not None:
            self._fit_contexts()

    @work(thread=True, exclusive=True, exit_on_error=False, group="contexts",
          description="Fitting listening contexts")
    def _fit_contexts(self) -> None:
        from musicrec_tui.tui import loading

        self.post_message(WorkDone("contexts", loading.contexts(self.session, None, target=self)))

    def _order(self) -> list[str]:
        column, _label, _desc = SORTS[self._sort]
        key = (column, self._descending)
        if key not in self._orders:
            table = self.session.ranking.table
            if column == "artist":
                names = sorted(table.index, key=str.casefold, reverse=self._descending)
            else:
                # Stable sort over the rank order, so ties keep their rank order.
                names = list(table[column].sort_values(ascending=not self._descending,
                                                       kind="stable").index)
            self._orders[key] = names
        return self._orders[key]

    def _render_rows(self, artists: list[str], positions: dict[str, tuple[int, ...]]) -> None:
        table = self._table
        table.clear()
        accent = Style(bold=True, color=self.app.current_theme.accent, underline=True)
        cells = self._cells
        for artist in artists:
            rank, *rest = cells[artist]
            name = Text(artist, no_wrap=True, overflow="ellipsis")
            for pos in positions.get(artist, ()):
                name.stylize(accent, pos, pos + 1)
            table.add_row(rank, name, *rest, key=artist)

    def _render_full(self, select: str | None, scroll_y: float | None = None) -> None:
        order = self._order()
        limit = CHUNK
        if select is not None:
            index = order.index(select) if select in self._cells else 0
            limit = max(CHUNK, index + CHUNK // 4)
        self._render_rows(order[:limit], {})
        table = self._table
        if select is not None and select in self._cells:
            table.move_cursor(row=table.get_row_index(select), animate=False)
        if scroll_y is not None:
            table.scroll_to(y=scroll_y, animate=False)
        self._status()

    def _status(self, matches: int | None = None) -> None:
        _column, label, _desc = SORTS[self._sort]
        arrow = "↓" if self._descending else "↑"
        total = len(self._cells)
        if matches is None:
            text = f"{total:,} artists · sorted by {label} {arrow} · s sort, r reverse"
        else:
            text = f"“{self._query}”: {matches} match{'es' if matches != 1 else ''} of {total:,}"
        # One line of fixed height: no need to lay the screen out again.
        self.query_one("#artists-status", Static).update(text, layout=False)

    # -- search --------------------------------------------------------------------------
    @on(Input.Changed, "#artists-search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self.session.search is None:
            return
        self.apply_search(event.value)

    def apply_search(self, query: str) -> None:
        """Show the hits for ``query``; an empty query restores the full table."""
        query = query.strip()
        table = self._table
        if query and not self._query:
            cursor = self._row_artist(table.cursor_row)
            self._saved = (cursor, table.scroll_y)
            self._picked = None
        self._query = query
        if not query:
            saved_artist, saved_scroll = self._saved
            if self._picked:
                self._render_full(select=self._picked)
            else:
                self._render_full(select=saved_artist, scroll_y=saved_scroll)
            return
        hits = self.session.search.search(query, limit=SEARCH_LIMIT)
        self._render_rows([h.artist for h in hits], {h.artist: h.positions for h in hits})
        self._status(len(hits))

    def _row_artist(self, row: int) -> str | None:
        table = self._table
        if not table.row_count or row < 0:
            return None
        return str(table.coordinate_to_cell_key((row, 0)).row_key.value)

    def action_search(self) -> None:
        self.query_one("#artists-search", Input).focus()

    def action_to_table(self) -> None:
        self._table.focus()

    def action_escape(self) -> None:
        search = self.query_one("#artists-search", Input)
        if search.has_focus:
            self._table.focus()
        elif search.value:
            search.value = ""  # Input.Changed restores the full table

    @on(Input.Submitted, "#artists-search")
    def _search_submitted(self) -> None:
        self._table.focus()

    def action_sort(self) -> None:
        self._sort = (self._sort + 1) % len(SORTS)
        self._descending = SORTS[self._sort][2]
        self._resort()

    def action_reverse(self) -> None:
        self._descending = not self._descending
        self._resort()

    def _resort(self) -> None:
        if not self._cells:
            return
        if self._query:
            self._status(self._table.row_count)
            self.notify("Sorting applies when the search is cleared", timeout=2)
            return
        self._render_full(select=self._row_artist(self._table.cursor_row))

    @on(DataTable.HeaderSelected, "#artists-table")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        wanted = {"#": 0, "Score": 0, "Plays": 1, "Hours": 2, "Eng.": 3, "First": 4, "Last": 5,
                  "Artist": 6}.get(str(event.label))
        if wanted is None:
            return
        if wanted == self._sort:
            self._descending = not self._descending
        else:
            self._sort, self._descending = wanted, SORTS[wanted][2]
        self._resort()

    # -- detail --------------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#artists-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is None or event.row_key.value not in self._cells:
            return
        table = self._table
        if not self._query and event.cursor_row >= table.row_count - 10:
            self._grow()
        if self._shown_artist is None:
            # The first detail waits for the table's first paint.
            self.call_after_refresh(self.show_artist, str(event.row_key.value))
        elif self.query_one("#artists-search", Input).has_focus:
            # While typing, the pane follows the best hit once the typing pauses.
            if self._detail_timer is not None:
                self._detail_timer.stop()
            self._pending = str(event.row_key.value)
            self._detail_timer = self.set_timer(DETAIL_DELAY_S, self._show_pending)
        else:
            self.show_artist(str(event.row_key.value))

    def _grow(self) -> None:
        """Append the next chunk of the full list (the cursor is near the end)."""
        order, table = self._order(), self._table
        start = table.row_count
        if start >= len(order):
            return
        cells = self._cells
        for artist in order[start:start + CHUNK]:
            rank, *rest = cells[artist]
            table.add_row(rank, Text(artist, no_wrap=True, overflow="ellipsis"), *rest,
                          key=artist)

    def _show_pending(self) -> None:
        if self._pending:
            self.show_artist(self._pending)

    @on(DataTable.RowSelected, "#artists-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if self._query and event.row_key is not None:
            self._picked = str(event.row_key.value)

    def show_artist(self, artist: str) -> None:
        if artist == self._shown_artist:
            return
        self._shown_artist = artist
        ranking = self.session.ranking
        detail = self.query_one(ArtistDetail)
        detail.show(artist, ranking.table.loc[artist], ranking, self._context_of(artist))
        self._find_similar(artist)

    def _context_of(self, artist: str) -> str | None:
        contexts, owners = self.session.contexts, self.session.artist_contexts
        if contexts is None:
            return None
        cluster = owners.get(artist)
        label = next((c.label for c in contexts.clusters if c.id == cluster), None)
        return label or "no clear context"

    @work(thread=True, exclusive=True, exit_on_error=False, group="similar",
          description="Finding similar artists")
    def _find_similar(self, artist: str) -> None:
        from musicrec_tui.tui.workers import WorkerCancel

        provider = self.session.provider()
        result = provider.similar([artist], limit=SIMILAR_SHOWN, cancel=WorkerCancel())
        self.post_message(WorkDone("similar", (artist, result)))

    @on(WorkDone)
    def _similar_found(self, event: WorkDone) -> None:
        if event.group == "contexts":
            if self.session.contexts is None:
                self.session.set_contexts(*event.result)
            if self._shown_artist:
                self.query_one(ArtistDetail).show_context(
                    self._context_of(self._shown_artist) or "")
            return
        if event.group != "similar":
            return
        artist, result = event.result
        if artist != self._shown_artist:
            return
        names = [(n.name, n.score) for n in result.neighbours.get(artist, [])][:SIMILAR_SHOWN]
        self.query_one(ArtistDetail).show_similar(result.provider, names,
                                                  "; ".join(result.messages))

    @property
    def shown_artist(self) -> str | None:
        """The artist in the detail pane."""
        return self._shown_artist
