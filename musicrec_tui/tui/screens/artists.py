"""Artists: the ranked table with live fuzzy search and a detail pane for the highlighted row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from musicrec_tui.core.wording import plural
from musicrec_tui.tui.navigation import NavBar
from musicrec_tui.tui.runs import similar_source
from musicrec_tui.tui.screens.base import MusicrecScreen
from musicrec_tui.tui.widgets.artist_cells import COLUMNS, Cells
from musicrec_tui.tui.widgets.artist_table import ArtistTable, Column
from musicrec_tui.tui.widgets.detail import TRACKS_SHOWN, ArtistDetail
from musicrec_tui.tui.widgets.search_box import SearchBox

if TYPE_CHECKING:
    from musicrec_tui.core.similarity.base import SimilarityResult

# Search hits shown (the best ones).
SEARCH_LIMIT = 50
# Pause in typing after which the detail pane shows the best hit.
DETAIL_DELAY_S = 0.25
# Similar artists shown in the detail pane.
SIMILAR_SHOWN = 8
# Long names are cut with an ellipsis so the numbers stay in view: (screen width, name width).
NAME_WIDTHS = ((110, 22), (0, 18))
# (ranking column, label, descending first?) in the order `s` cycles through them.
SORTS = (
    ("score", "score", True), ("counted_plays", "plays", True), ("hours", "hours", True),
    ("e_avg", "engagement", True), ("first", "first play", False),
    ("last", "last play", True), ("artist", "name", False),
)


class ArtistsScreen(MusicrecScreen):
    """Ranked artists, searchable, with details."""

    @dataclass
    class SimilarFound(Message):
        """The similarity provider answered for ``artist``."""

        artist: str
        result: SimilarityResult

    HELP_TITLE = "Artists"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="artists.search", tooltip="Focus the search box"),
        # One key, two meanings: the footer shows the one that applies (check_action).
        Binding("escape", "leave_search", "Leave search", id="artists.leave",
                tooltip="Back to the table, keeping the search"),
        Binding("escape", "clear_search", "Clear search", id="artists.clear",
                tooltip="Show every artist again"),
        Binding("s", "sort", "Sort", id="artists.sort", tooltip="Sort by the next column"),
        Binding("r", "reverse", "Reverse", id="artists.reverse", tooltip="Reverse the order"),
        # Enter in the box too (the box leaves it to the screen: see widgets/search_box.py).
        Binding("down,enter", "to_table", show=False),
    ]
    # Header label → index into SORTS.
    HEADER_SORTS: ClassVar[dict[str, int]] = {
        "#": 0, "Score": 0, "Plays": 1, "Hours": 2, "Eng.": 3, "First": 4, "Last": 5,
        "Artist": 6}

    def __init__(self) -> None:
        super().__init__()
        self._cells: Cells | None = None
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
                yield SearchBox(placeholder="/ search artists (fuzzy)", id="artists-search")
                yield ArtistTable([Column(label, len(label)) for label in COLUMNS],
                                  self._cell_texts, id="artists-table")
                yield Static(self.session.missing_history(), id="artists-status")
            yield ArtistDetail(id="artists-detail")
        yield Footer(compact=True)

    @staticmethod
    def _name_width(screen_width: int) -> int:
        return next(w for min_width, w in NAME_WIDTHS if screen_width >= min_width)

    def on_resize(self) -> None:
        if self._cells is not None:
            self._fit_columns()

    def _fit_columns(self) -> None:
        assert self._cells is not None
        self._table.set_columns(self._cells.columns(self._name_width(self.app.size.width)))

    def _cell_texts(self, artist: str) -> tuple[str, ...]:
        assert self._cells is not None  # rows exist only once there are cells
        return self._cells[artist]

    # -- data ----------------------------------------------------------------------------
    @property
    def _table(self) -> ArtistTable:
        return self.query_one("#artists-table", ArtistTable)

    def session_changed(self) -> None:
        session = self.session
        if session.snapshot is None:
            super().session_changed()
            return
        if self._cells is None or session.snapshot is not self._cells.snapshot:
            # New rows: a new history, or a snapshot that the loaded history corrected.
            self.generation = session.generation
            self.show_rows()
        elif self.generation != session.generation:
            # The same rows, and now the history behind them: fill in the detail pane.
            self.generation = session.generation
            estimated = self._estimated()
            if estimated != self._cells.estimated:  # the snapshot does not know them
                self._cells = Cells(session.snapshot, estimated)
                self._fit_columns()
            if self._shown_artist is not None:
                self.show_artist(self._shown_artist, force=True)
            self._after_history()
        search = self.query_one("#artists-search", Input)
        if session.search is not None and search.value.strip() != self._query:
            self.apply_search(search.value)  # typed before the search index was ready
        elif not self._query:
            self._status()  # "loading details…" comes and goes with the history
        if session.history is None:
            self.query_one(ArtistDetail).show_waiting(session.missing_history())

    def show_rows(self) -> None:
        """Show the session's rows from the top, with no search."""
        self._cells = Cells(self.session.snapshot, self._estimated())
        self._fit_columns()
        self._orders.clear()
        self._query = ""
        self._picked = None
        self._shown_artist = None
        self._saved = (None, 0.0)
        self.query_one("#artists-search", Input).value = ""
        self._render_full(select=None)
        self._table.focus()
        self._after_history()

    def _estimated(self) -> frozenset[str]:
        """Artists whose hours and engagement are estimates (known once the ranking is in)."""
        ranking = self.session.ranking
        if ranking is None:
            return frozenset()
        from musicrec_tui.core.engines.ranking import ESTIMATED

        table = ranking.table
        return frozenset(table.index[table["estimated"] >= ESTIMATED])

    def _after_history(self) -> None:
        if self.session.history is not None and self.session.contexts is None:
            # The pane's "context" line needs the clusters; fit them once the screen is up
            # rather than competing with its first paint.
            self.call_after_refresh(self._fit_contexts_if_needed)

    def _fit_contexts_if_needed(self) -> None:
        if self.session.contexts is None and self.session.history is not None:
            self.fit_contexts()

    def _order(self) -> list[str]:
        assert self._cells is not None
        column, _label, _desc = SORTS[self._sort]
        key = (column, self._descending)
        if key not in self._orders:
            self._orders[key] = self._cells.order(column, self._descending)
        return self._orders[key]

    def _render_full(self, select: str | None, scroll_y: float | None = None) -> None:
        order = self._order()
        cursor = order.index(select) if select is not None and select in self._cells else 0
        self._table.set_rows(order, cursor=cursor, scroll_y=scroll_y)
        self._status()

    def _status(self, matches: int | None = None) -> None:
        _column, label, _desc = SORTS[self._sort]
        arrow = "↓" if self._descending else "↑"
        total = len(self._cells or ())
        if matches is None:
            text = f"{plural(total, 'artist')} · sorted by {label} {arrow} · s sort, r reverse"
            if self.session.loading:
                text += " · loading details…"
        else:
            text = f"“{self._query}”: {plural(matches, 'match')} of {total:,}"
        # One line of fixed height: no need to lay the screen out again.
        self.query_one("#artists-status", Static).update(text, layout=False)

    # -- search --------------------------------------------------------------------------
    def on_mount(self) -> None:
        # A watcher runs inside the keystroke's own handler, before the next frame, so the
        # box and the table it filters are drawn together (Input.Changed would come a frame
        # later and cost a second screen update).
        self.watch(self.query_one("#artists-search", SearchBox), "value", self._search_changed,
                   init=False)

    def _search_changed(self, value: str) -> None:
        if self.session.search is None or self._cells is None:
            return
        self.apply_search(value)

    def apply_search(self, query: str) -> None:
        """Show the hits for ``query``; an empty query restores the full table."""
        query = query.strip()
        table = self._table
        if query and not self._query:
            self._saved = (table.cursor_artist, table.scroll_y)
            self._picked = None
        toggled = bool(query) != bool(self._query)
        self._query = query
        if toggled:
            self.refresh_bindings()  # "Clear search" comes and goes with a query
        if not query:
            saved_artist, saved_scroll = self._saved
            if self._picked:
                self._render_full(select=self._picked)
            else:
                self._render_full(select=saved_artist, scroll_y=saved_scroll)
            return
        hits = self.session.search.search(query, limit=SEARCH_LIMIT)
        table.set_rows([h.artist for h in hits], {h.artist: h.positions for h in hits},
                       scroll_y=0, room=table.visible_rows)
        self._status(len(hits))
        if not hits:
            self._show_no_artist(f"No artist matches “{query}”")

    # Keys move the focus with set_focus, at once: Widget.focus() waits for the queue, and
    # keys already typed behind "/" would go to the screen's bindings ("e" opens Export).
    def action_search(self) -> None:
        self.set_focus(self.query_one("#artists-search", Input))

    def action_to_table(self) -> None:
        self.set_focus(self._table)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("leave_search", "clear_search"):
            in_box = self.query_one("#artists-search", Input).has_focus
            return in_box if action == "leave_search" else not in_box and bool(self._query)
        return True

    def action_leave_search(self) -> None:
        self.set_focus(self._table)

    def action_clear_search(self) -> None:
        self.query_one("#artists-search", Input).value = ""  # restores the full table

    def action_sort(self) -> None:
        self._sort = (self._sort + 1) % len(SORTS)
        self._descending = SORTS[self._sort][2]
        self._resort()

    def action_reverse(self) -> None:
        self._descending = not self._descending
        self._resort()

    def _resort(self) -> None:
        if self._cells is None:
            return
        if self._query:
            self._status(self._table.row_count)
            self.notify("Sorting applies when the search is cleared", timeout=2)
            return
        self._render_full(select=self._table.cursor_artist)

    @on(ArtistTable.HeaderSelected, "#artists-table")
    def _header(self, event: ArtistTable.HeaderSelected) -> None:
        wanted = self.HEADER_SORTS.get(event.label)
        if wanted is None:
            return
        if wanted == self._sort:
            self._descending = not self._descending
        else:
            self._sort, self._descending = wanted, SORTS[wanted][2]
        self._resort()

    # -- detail --------------------------------------------------------------------------
    @on(ArtistTable.RowHighlighted, "#artists-table")
    def _highlighted(self, event: ArtistTable.RowHighlighted) -> None:
        if self._cells is None or event.artist != self._table.cursor_artist:
            return  # rows replaced since (keys typed in a burst): a stale highlight
        if self._shown_artist is None:
            # The first detail waits for the table's first paint.
            self.call_after_refresh(self.show_artist, event.artist)
        elif self.query_one("#artists-search", Input).has_focus:
            # While typing, the pane follows the best hit once the typing pauses.
            if self._detail_timer is not None:
                self._detail_timer.stop()
            self._pending = event.artist
            self._detail_timer = self.set_timer(DETAIL_DELAY_S, self._show_pending)
        else:
            # Keys typed in one burst ("/the⏎↓") can move the cursor before the timer of a
            # highlight made while typing fires: that stale artist must not replace this one.
            if self._detail_timer is not None:
                self._detail_timer.stop()
            self._pending = None
            self.show_artist(event.artist)

    def _show_no_artist(self, why: str) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._pending = self._shown_artist = None
        self.query_one(ArtistDetail).show_nothing(why)

    def _show_pending(self) -> None:
        if self._pending:
            self.show_artist(self._pending)

    @on(ArtistTable.RowSelected, "#artists-table")
    def _selected(self, event: ArtistTable.RowSelected) -> None:
        if self._query:
            self._picked = event.artist

    def show_artist(self, artist: str, *, force: bool = False) -> None:
        if (artist == self._shown_artist and not force) or self._cells is None:
            return
        self._shown_artist = artist
        detail = self.query_one(ArtistDetail)
        detail.show(artist, self._cells.row(artist))
        ranking = self.session.ranking
        if ranking is None:  # still loading behind the snapshot
            detail.show_waiting(self.session.missing_history())
            return
        detail.show_listening(ranking.monthly(artist), ranking.top_tracks(artist, TRACKS_SHOWN),
                              self._context_of(artist))
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
        self.post_message(self.SimilarFound(artist, result))

    @on(SimilarFound)
    def _similar_found(self, event: SimilarFound) -> None:
        artist, result = event.artist, event.result
        if artist != self._shown_artist:
            return
        names = [(n.name, n.score) for n in result.neighbours.get(artist, [])][:SIMILAR_SHOWN]
        self.query_one(ArtistDetail).show_similar(similar_source(result), names,
                                                  "; ".join(result.messages))

    def contexts_changed(self) -> None:
        if self._shown_artist and self.session.ranking is not None:
            self.query_one(ArtistDetail).show_context(self._context_of(self._shown_artist) or "")

    @property
    def shown_artist(self) -> str | None:
        """The artist in the detail pane."""
        return self._shown_artist
