"""Trends: who is rising and fading (NMF over artist × period plays), and next favourites."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Static

from musicrec_tui.tui.messages import TrendsProgress
from musicrec_tui.tui.navigation import NavBar
from musicrec_tui.tui.screens.base import MusicrecScreen
from musicrec_tui.tui.widgets.artist_table import ArtistTable, Column
from musicrec_tui.tui.widgets.spark import spark_text
from musicrec_tui.tui.workers import WorkerCancel, progress_poster

if TYPE_CHECKING:
    from musicrec_tui.core.engines.base import Item
    from musicrec_tui.core.engines.temporal import Trends
    from musicrec_tui.core.history.model import History

# Rows per list and periods per sparkline.
ROWS = 25
SPARK_PERIODS = 12
TREND_COLUMNS = (Column("Artist", 0), Column("Recent", 0), Column("Trend", 0))
NEXT_COLUMNS = (Column("Artist", 0), Column("Forecast", 0, right=True), Column("Recent", 0))


def _trend(item: Item, period: str) -> str:
    """Plays gained (lost) a period, and that change next to the artist's level; the full
    sentence is in the status line when highlighted."""
    slope, relative = item.extra.get("slope"), item.extra.get("relative")
    if slope is None or relative is None:
        return item.why
    digits = 0 if abs(slope) >= 10 else 1 if abs(slope) >= 1 else 2
    return f"{slope:+.{digits}f} a {period} ({relative:+.0%})".replace("-", "−")


def _steepest_first(items: list[Item], rising: bool) -> list[Item]:
    """The list's first ROWS in the order of the Trend cell: the engine picks them by a
    strength that also weighs the relative change, which the cells would show out of order."""
    return sorted(items[:ROWS], key=lambda item: item.extra.get("slope", 0.0), reverse=rising)


class TrendsScreen(MusicrecScreen):
    """Rising, fading and next-period favourites."""

    @dataclass
    class TrendsFitted(Message):
        """The trends were fitted for the history of session ``generation``."""

        trends: Trends
        generation: int

    HELP_TITLE = "Trends"
    STATUS_ID = "#trends-status"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "refit", "Refit", id="trends.refit", tooltip="Fit the trends again"),
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield NavBar("trends")
        with Horizontal(id="trends-main"):
            with Vertical(classes="trend-column"):
                yield self._table("trends-rising", "Rising", TREND_COLUMNS)
                yield self._table("trends-fading", "Fading", TREND_COLUMNS)
            yield self._table("trends-next", "Next-period favourites", NEXT_COLUMNS)
        yield Static(self.session.missing_history(), id="trends-status",
                     classes="status")
        yield Footer(compact=True)

    @staticmethod
    def _table(id_: str, title: str, columns: tuple[Column, ...]) -> ArtistTable:
        table = ArtistTable(columns, name_column=0, id=id_, classes="pane")
        table.border_title = title
        return table

    def show_history(self) -> None:
        if self.session.trends is not None:
            self._show(self.session.trends)
        else:
            self.action_refit()

    def action_refit(self) -> None:
        history = self.session.history
        if history is None:
            return
        self.query_one("#trends-status", Static).update("Fitting trends… esc cancels")
        self._fit(history, self.session.generation)

    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "trends")

    @work(thread=True, exclusive=True, exit_on_error=False, group="trends",
          description="Fitting trends")
    def _fit(self, history: History, generation: int) -> None:
        from musicrec_tui.core.engines.temporal import fit_trends

        trends = fit_trends(history, self.session.settings,
                            progress=progress_poster(self, TrendsProgress),
                            cancel=WorkerCancel())
        self.post_message(self.TrendsFitted(trends, generation))

    @on(TrendsProgress)
    def _fit_progress(self, event: TrendsProgress) -> None:
        if event.total:
            self.query_one("#trends-status", Static).update(
                f"Fitting trends… {100 * event.done // event.total}%  esc cancels", layout=False)

    @on(TrendsFitted)
    def _trends_fitted(self, event: TrendsFitted) -> None:
        if event.generation != self.session.generation:
            return  # fitted on a history since replaced
        self.session.trends = event.trends
        self._show(event.trends)

    @on(ArtistTable.RowHighlighted)
    def _highlighted(self, event: ArtistTable.RowHighlighted) -> None:
        trends = self.session.trends
        if trends is None:
            return
        artist = event.artist
        for item in (*trends.rising, *trends.fading, *trends.next_favourites):
            if item.artist == artist:
                self.query_one("#trends-status", Static).update(f"{artist}: {item.why}")
                return

    def _show(self, trends: Trends) -> None:
        def recent(artist: str) -> str:
            plays = trends.series(artist)["actual"].to_numpy()[-SPARK_PERIODS:]
            # All zero would draw as a flat line, which reads as steady listening.
            return spark_text(plays, SPARK_PERIODS) if plays.any() else "no plays"

        period = self.session.settings.temporal.period
        for id_, items, rising in (("#trends-rising", trends.rising, True),
                                   ("#trends-fading", trends.fading, False)):
            self.query_one(id_, ArtistTable).show(
                {item.artist: (recent(item.artist), _trend(item, period))
                 for item in _steepest_first(items, rising)})
        self.query_one("#trends-next", ArtistTable).show(
            {item.artist: (f"~{item.extra.get('forecast', item.score):.0f}", recent(item.artist))
             for item in trends.next_favourites[:ROWS]})
        notes = " · ".join(trends.notes)
        self.query_one("#trends-status", Static).update(
            f"{len(trends.rising)} rising, {len(trends.fading)} fading"
            + (f" · {notes}" if notes else "") + " · f refits")
