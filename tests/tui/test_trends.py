"""Pilot: the Trends screen at 120×36 — lists in the order of their Trend cells, a sparkline
that does not pass off an artist without plays as steady, and a forecast list that fits."""

from __future__ import annotations

import re

import pandas as pd

from musicrec_tui.core.engines.base import Item
from musicrec_tui.core.engines.temporal import Trends
from musicrec_tui.tui.screens.trends import TrendsScreen
from musicrec_tui.tui.widgets.artist_table import ArtistTable
from tests.helpers_tui import SIZE, demo_app, settle, show


def _trends() -> Trends:
    """Rising A (big, small share), B (small, large share), C (no plays in a year)."""
    months = pd.period_range("2024-01", periods=24, freq="M")
    actual = pd.DataFrame(0.0, index=["A", "B", "C", "D"], columns=months)
    actual.loc["A", months[-6:]] = [40, 42, 45, 47, 50, 52]
    actual.loc["B", months[-6:]] = [1, 1, 2, 2, 3, 4]
    actual.loc["C", months[:6]] = 9
    actual.loc["D", months[-6:]] = [9, 8, 6, 5, 3, 2]

    def item(artist: str, slope: float, relative: float) -> Item:
        return Item(artist, abs(slope * min(abs(relative), 1)), "why",
                    {"slope": slope, "relative": relative, "forecast": 1.0})

    # In the engine's order: by a strength that also weighs the relative change.
    rising = [item("B", 0.6, 0.35), item("A", 2.4, 0.05), item("C", 0.3, 0.27)]
    return Trends(rising, [item("D", -1.4, -0.25)], [item("A", 2.4, 0.05)],
                  actual=actual, fitted=actual)


def _slope(cell: str) -> float:
    return float(re.match(r"[+−]\d+(\.\d+)?", cell).group(0).replace("−", "-"))


async def test_lists_read_in_order_and_fit_at_120_columns():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(pilot, "4")
        screen = app.screen
        assert isinstance(screen, TrendsScreen)
        nxt = screen.query_one("#trends-next", ArtistTable)
        assert nxt.scrollable_content_region.width >= nxt.virtual_size.width, \
            "the forecast list's Recent column is cut"

        screen.post_message(TrendsScreen.TrendsFitted(_trends(), app.session.generation))
        await settle(pilot)
        rising = screen.query_one("#trends-rising", ArtistTable)
        assert rising.rows == ["A", "B", "C"], "steepest first, as the Trend cells read"
        cells = {artist: rising._cells(artist) for artist in rising.rows}
        slopes = [_slope(cells[a][1]) for a in rising.rows]
        assert slopes == sorted(slopes, reverse=True) and slopes[0] == 2.4
        assert "(+5%)" in cells["A"][1]
        assert cells["C"][0] == "no plays", "not a flat line, which reads as steady plays"
        assert set(cells["A"][0]) <= set("▁▂▃▄▅▆▇█") and len(cells["A"][0]) == 12
        fading = screen.query_one("#trends-fading", ArtistTable)
        assert fading._cells("D")[1].startswith("−1.4 a month (−25%)")
