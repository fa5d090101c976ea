"""Human labels for listening contexts: "Weekday mornings", "Weekend late nights"."""

from __future__ import annotations

import math
from collections import defaultdict

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# (first hour, band) in local time; a band runs until the next one starts.
BANDS = ((0, "late nights"), (5, "early mornings"), (8, "mornings"), (12, "afternoons"),
         (17, "evenings"), (22, "late nights"))
# Weekend share of a context's sessions above which it is a weekend context, and below which
# it is a weekday one (an even spread is 2/7 ≈ 0.29; in between the label names no days).
WEEKEND_SHARE = 0.6
WEEKDAY_SHARE = 0.15


def dominant_band(per_hour) -> str:
    """The band holding most of 24 per-hour weights (ties: the earlier band in BANDS).

    A majority, not the circular mean: a context running 18 h–04 h averages near 22 h, on a
    band edge, while most of its sessions may sit clearly on one side.
    """
    totals: dict[str, float] = {}
    for hour in range(24):
        totals[band(hour)] = totals.get(band(hour), 0.0) + float(per_hour[hour])
    return max(totals, key=lambda name: totals[name])


def band(hour: float) -> str:
    """Time-of-day band of a local hour in [0, 24)."""
    name = BANDS[0][1]
    for start, label in BANDS:
        if hour >= start:
            name = label
    return name


def circular_hour(sin: float, cos: float) -> float:
    """Hour in [0, 24) from a (mean) hour_sin/hour_cos pair."""
    # Rounded so float noise cannot push 08:00 into the band before it.
    return round(math.degrees(math.atan2(sin, cos)) / 15.0, 6) % 24.0


def context_label(when: str, weekend_share: float) -> str:
    """"Weekday mornings" from a band and the share of the context's sessions at weekends."""
    if weekend_share >= WEEKEND_SHARE:
        return f"Weekend {when}"
    if weekend_share <= WEEKDAY_SHARE:
        return f"Weekday {when}"
    return when[0].upper() + when[1:]


def unique_labels(labels: list[str], hours: list[float], top_days: list[str]) -> list[str]:
    """Make clashing labels distinct: add the peak hour, then the busiest day, then a number."""
    out = list(labels)
    for extra in (lambda i: f"around {round(hours[i]) % 24:02d} h", lambda i: top_days[i],
                  lambda i: f"#{i + 1}"):
        groups: dict[str, list[int]] = defaultdict(list)
        for i, label in enumerate(out):
            groups[label].append(i)
        clashes = [ids for ids in groups.values() if len(ids) > 1]
        if not clashes:
            break
        for ids in clashes:
            for i in ids:
                out[i] = f"{out[i]} ({extra(i)})" if "(" not in out[i] else \
                    f"{out[i][:-1]}, {extra(i)})"
    return out
