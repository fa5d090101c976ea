"""The Artists screen's detail pane: monthly sparkline, stats, top tracks, context, similar."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Sparkline, Static

# Top tracks listed in the pane (the ranking keeps more).
TRACKS_SHOWN = 5


def _day(ts: Any) -> str:
    return ts.strftime("%Y-%m-%d") if ts is not None and ts == ts else "–"


class ArtistDetail(VerticalScroll):
    """Everything about one artist: ``show`` gives the numbers, ``show_listening`` what needs
    the whole history (or ``show_waiting`` while it loads), ``show_similar`` the neighbours."""

    DEFAULT_CSS = """
    ArtistDetail { padding: 0 1; }
    ArtistDetail #detail-title { text-style: bold; color: $text-accent; }
    ArtistDetail Sparkline { height: 2; margin: 1 0 0 0; }
    ArtistDetail .caption { color: $text-muted; }
    ArtistDetail .section { margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Pick an artist", id="detail-title")
        yield Sparkline([], id="detail-spark")
        yield Static("", id="detail-spark-caption", classes="caption")
        yield Static("", id="detail-stats", classes="section")
        yield Static("", id="detail-tracks", classes="section")
        yield Static("", id="detail-context", classes="section")
        yield Static("", id="detail-similar", classes="section")

    def show(self, artist: str, row: Any) -> None:
        """The artist's numbers (``row``: the ranking table's columns for it)."""
        self.query_one("#detail-title", Static).update(
            Text(f"#{int(row['rank'])}  {artist}"))
        stats = Table.grid(padding=(0, 1))
        stats.add_column(style="bold")
        stats.add_column()
        stats.add_row("Score", f"{row['score']:.3f}")
        stats.add_row("Plays", f"{int(row['counted_plays']):,} counted of {int(row['plays']):,}")
        if row.get("estimated"):  # no listening times (scrobbles): from typical track lengths
            stats.add_row("Hours", f"~{row['hours']:.1f} (estimated)")
            stats.add_row("Engagement", f"~{row['e_avg']:.2f} average (estimated)")
        else:
            stats.add_row("Hours", f"{row['hours']:.1f}")
            stats.add_row("Engagement", f"{row['e_avg']:.2f} average")
        stats.add_row("Listened", f"{_day(row['first'])} → {_day(row['last'])}")
        self.query_one("#detail-stats", Static).update(stats)

    def show_nothing(self, why: str) -> None:
        """No artist to show (a search without a match): ``why`` in place of the title."""
        self.query_one("#detail-title", Static).update(why)
        self.query_one("#detail-stats", Static).update("")
        self.show_waiting("")

    def show_waiting(self, why: str) -> None:
        """What needs the whole history (months, tracks, context, similar) is not here yet."""
        self._spark([])
        self.query_one("#detail-spark-caption", Static).update(why)
        for part in ("tracks", "context", "similar"):
            self.query_one(f"#detail-{part}", Static).update("")

    def show_listening(self, monthly: Any, top_tracks: list[tuple[str, int]],
                       context: str | None) -> None:
        """Plays per month (a monthly Series), top tracks and the context (None: fitting)."""
        self._spark([float(v) for v in monthly.to_numpy()])
        if len(monthly):
            peak = monthly.idxmax()
            caption = (f"plays per month {monthly.index[0]} → {monthly.index[-1]}, "
                       f"peak {int(monthly.max())} in {peak}")
        else:
            caption = "no counted plays"
        self.query_one("#detail-spark-caption", Static).update(caption)
        tracks = Text("Top tracks\n", style="bold")
        for i, (track, plays) in enumerate(top_tracks, 1):
            tracks.append(f"{i}. ", style="bold").append(track).append(f"  {plays}\n", style="dim")
        self.query_one("#detail-tracks", Static).update(tracks)
        self.query_one("#detail-context", Static).update(
            Text.assemble(("Context  ", "bold"), context or "fitting…"))
        self.query_one("#detail-similar", Static).update(
            Text.assemble(("Similar  ", "bold"), ("looking…", "dim")))

    def _spark(self, data: list[float]) -> None:
        spark = self.query_one("#detail-spark", Sparkline)
        spark.data = data
        spark.display = bool(data)  # empty, it draws a flat line that reads as no plays

    def show_context(self, context: str) -> None:
        self.query_one("#detail-context", Static).update(
            Text.assemble(("Context  ", "bold"), context))

    def show_similar(self, provider: str, names: list[tuple[str, float]], note: str = "") -> None:
        text = Text.assemble(("Similar", "bold"), (f"  ({provider})\n", "dim"))
        if not names:
            text.append(note or "none found", style="dim")
        for name, score in names:
            text.append(f"{name}").append(f"  {score:.2f}\n", style="dim")
        self.query_one("#detail-similar", Static).update(text)
