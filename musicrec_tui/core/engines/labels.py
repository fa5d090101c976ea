"""Human labels for listening contexts: "Weekday evenings", "Weekend 15–03 h", "Wed–Fri 09–17 h".

A label never claims an hour or a day its context does not hold: one time-of-day band when
the context's hours sit in one ("evenings"), else the hours themselves ("09–17 h", 09:00 to
17:00); days named as a range when the context holds some of them only.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable

import numpy as np

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FULL_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOURS, WEEK = 24, 168
# (first hour, band) in local time; a band runs until the next one starts.
BANDS = ((0, "late nights"), (5, "early mornings"), (8, "mornings"), (12, "afternoons"),
         (17, "evenings"), (22, "late nights"))
_RANGE = re.compile(r"(\d\d)–(\d\d) h")


def band(hour: float) -> str:
    """Time-of-day band of a local hour in [0, 24)."""
    name = BANDS[0][1]
    for start, label in BANDS:
        if hour >= start:
            name = label
    return name


def _arc(members: Iterable[int], size: int) -> tuple[int, int]:
    """(first, count) of the shortest circular run over 0…size-1 holding every member."""
    present = sorted(set(members))
    if not present or len(present) == size:
        return 0, size
    # The run starts right after the widest gap between members (going round).
    gaps = [((present[(i + 1) % len(present)] - present[i] - 1) % size, i)
            for i in range(len(present))]
    _width, i = max(gaps)
    first = present[(i + 1) % len(present)]
    return first, (present[i] - first) % size + 1


def hour_span(hours: Iterable[int]) -> str:
    """The hours' band when they all sit in one ("evenings"), else their range of time
    ("09–17 h": 09:00 to 17:00, the last hour included up to its end); all day: "all day"."""
    first, count = _arc(hours, HOURS)
    if count >= HOURS:
        return "all day"
    names = {band((first + i) % HOURS) for i in range(count)}
    if len(names) == 1:
        return names.pop()
    end = (first + count) % HOURS or HOURS  # up to midnight reads "24"
    return f"{first:02d}–{end:02d} h"


def circular_hour(sin: float, cos: float) -> float:
    """Hour in [0, 24) from a (mean) hour_sin/hour_cos pair."""
    # Rounded so float noise cannot push 08:00 into the band before it.
    return round(math.degrees(math.atan2(sin, cos)) / 15.0, 6) % 24.0


def in_sentence(label: str) -> str:
    """A label inside a sentence: "weekday evenings", but day names keep their capital
    ("Wed–Fri 15–03 h")."""
    return label if label[:3] in DAY_NAMES else label[:1].lower() + label[1:]


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]


def day_span(days: Iterable[int]) -> str:
    """"Weekday", "Weekend", "Wed–Fri", "Sunday", "Mon, Thu" or "" (every day)."""
    present = sorted(set(days))
    if len(present) == len(DAY_NAMES):
        return ""
    if present == [5, 6]:
        return "Weekend"
    if present == [0, 1, 2, 3, 4]:
        return "Weekday"
    if len(present) == 1:
        return FULL_DAY_NAMES[present[0]]
    first, count = _arc(present, len(DAY_NAMES))
    if count == len(present):
        return f"{DAY_NAMES[first]}–{DAY_NAMES[(first + count - 1) % len(DAY_NAMES)]}"
    return ", ".join(DAY_NAMES[d] for d in present)


def describe(owned: np.ndarray, weights: np.ndarray) -> tuple[str, float, str]:
    """(label, peak hour, busiest day) of the context holding the cells ``owned`` (a mask
    over month·168 + day·24 + hour cells). The label is made from the days and hours of
    those cells, so every hour of the week the context holds agrees with it; ``weights``
    (sessions per cell) give the peak hour and the busiest day."""
    cells = np.flatnonzero(owned)
    day, hour = (cells % WEEK) // HOURS, cells % HOURS
    days, when = day_span(day.tolist()), hour_span(hour.tolist())
    label = _capital(f"{days} {when}" if days else when)
    w = np.asarray(weights, dtype=float)[cells]
    if w.sum() <= 0:
        w = np.ones(len(cells))
    angle = 2 * np.pi * hour / HOURS
    peak = circular_hour(float((w * np.sin(angle)).sum()), float((w * np.cos(angle)).sum()))
    busiest = DAY_NAMES[int(np.argmax(np.bincount(day, weights=w, minlength=len(DAY_NAMES))))]
    return label, peak, busiest


def _hours_named(label: str) -> set[int] | None:
    """The hours a label claims (None: it names no time of day)."""
    found = _RANGE.search(label)
    if found:
        first, end = int(found.group(1)), int(found.group(2))
        return {(first + i) % HOURS for i in range((end - first) % HOURS or HOURS)}
    if "all day" in label.lower():
        return set(range(HOURS))
    text, names = label.lower(), set()
    for name in sorted({name for _start, name in BANDS}, key=len, reverse=True):
        if name in text:  # "early mornings" before "mornings"
            names.add(name)
            text = text.replace(name, "")
    if not names:
        return None
    return {h for h in range(HOURS) if band(h) in names}


def unique_labels(labels: list[str], hours: list[float], top_days: list[str]) -> list[str]:
    """Make clashing labels distinct: add the peak hour (when the label's own hours hold
    it), then the busiest day, then a number."""

    def peak(i: int) -> str | None:
        named, hour = _hours_named(labels[i]), round(hours[i]) % HOURS
        return f"around {hour:02d} h" if named is None or hour in named else None

    out = list(labels)
    for extra in (peak, lambda i: f"busiest {top_days[i]}", lambda i: f"#{i + 1}"):
        groups: dict[str, list[int]] = defaultdict(list)
        for i, label in enumerate(out):
            groups[label].append(i)
        clashes = [ids for ids in groups.values() if len(ids) > 1]
        if not clashes:
            break
        for ids in clashes:
            texts = [extra(i) for i in ids]
            if None in texts:
                continue  # a clash is told apart by one kind of extra for all its labels
            for i, text in zip(ids, texts, strict=True):
                out[i] = f"{out[i]} ({text})" if "(" not in out[i] else f"{out[i][:-1]}, {text})"
    return out
