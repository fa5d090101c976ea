"""Text sparklines for table cells (the detail pane uses Textual's Sparkline widget)."""

from __future__ import annotations

from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def spark_text(values: Sequence[float], width: int = 16) -> str:
    """The last ``width`` values as block characters scaled to their own maximum."""
    tail = [float(v) for v in values][-width:]
    if not tail:
        return ""
    top = max(tail)
    if top <= 0:
        return BARS[0] * len(tail)
    return "".join(BARS[min(len(BARS) - 1, int(v / top * (len(BARS) - 1) + 0.5))] for v in tail)
