"""The Artists table's cells: each artist's numbers formatted when first drawn."""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from musicrec_tui.tui.widgets.artist_table import Column

if TYPE_CHECKING:
    from musicrec_tui.core.engines.snapshot import ArtistSnapshot

COLUMNS = ("#", "Artist", "Score", "Plays", "Hours", "Eng.", "First", "Last")


def _hours(hours: float) -> str:
    return f"{hours:,.0f}" if hours >= 100 else f"{hours:.1f}"


class Cells:
    """Formatted cells per artist (all columns but the name), made when first drawn: only
    the rows on screen are ever formatted, so opening a 20k-artist history stays quick."""

    def __init__(self, snapshot: ArtistSnapshot, estimated: frozenset[str] = frozenset()
                 ) -> None:
        self.snapshot, self._tz = snapshot, ZoneInfo(snapshot.tz)
        self.index = {artist: i for i, artist in enumerate(snapshot.artists)}
        # Artists whose hours and engagement are estimates (no listening times): "~" marks them.
        self.estimated = estimated
        self._done: dict[str, tuple[str, ...]] = {}

    def __contains__(self, artist: object) -> bool:
        return artist in self.index

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, artist: str) -> tuple[str, ...]:
        cells = self._done.get(artist)
        if cells is None:
            snap, i = self.snapshot, self.index[artist]
            about = "~" if artist in self.estimated else ""
            cells = self._done[artist] = (
                str(snap.rank[i]), f"{snap.score[i]:.3f}", f"{snap.counted_plays[i]:,}",
                about + _hours(snap.hours[i]), f"{about}{snap.e_avg[i]:.2f}",
                self._day(snap.first[i]), self._day(snap.last[i]))
        return cells

    def columns(self, name_width: int) -> list[Column]:
        """Fixed widths (nothing is measured per row), wide enough for the largest values."""
        snap = self.snapshot

        def widest(values: list, text) -> int:
            return len(text(max(values))) if values else 1

        about = 1 if self.estimated else 0  # room for "~"
        widths = (widest(snap.rank, str), name_width, 5,
                  widest(snap.counted_plays, "{:,}".format),
                  widest(snap.hours, _hours) + about, 4 + about, 10, 10)
        return [Column(label, max(width, len(label)), right=label not in ("Artist", "First",
                                                                           "Last"))
                for label, width in zip(COLUMNS, widths, strict=True)]

    def row(self, artist: str) -> dict:
        """The artist's numbers (see ArtistSnapshot.row), times in the history's zone, and
        whether the hours and engagement are ``estimated``."""
        row = self.snapshot.row(self.index[artist])
        row["estimated"] = artist in self.estimated
        for key in ("first", "last"):
            row[key] = row[key] and row[key].astimezone(self._tz)
        return row

    def _day(self, seconds: float) -> str:
        if math.isnan(seconds):
            return "–"
        return datetime.fromtimestamp(seconds, self._tz).strftime("%Y-%m-%d")

    def order(self, column: str, descending: bool) -> list[str]:
        """Artists sorted by ``column``; ties keep their rank order, unknown values go last."""
        snap = self.snapshot
        if column == "artist":
            return sorted(snap.artists, key=str.casefold, reverse=descending)
        values = getattr(snap, column)
        missing = -math.inf if descending else math.inf
        order = sorted(range(len(values)), reverse=descending,
                       key=lambda i: missing if values[i] != values[i] else values[i])
        return [snap.artists[i] for i in order]
