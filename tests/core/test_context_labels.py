"""Context labels never claim an hour or a day their context does not hold (labels.py)."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from musicrec_tui.core.engines.labels import (
    DAY_NAMES,
    FULL_DAY_NAMES,
    band,
    describe,
    hour_span,
    unique_labels,
)

BAND_NAMES = ("early mornings", "late nights", "mornings", "afternoons", "evenings")


def claimed(label: str) -> tuple[set[int], set[int]]:
    """(days, hours) a label claims, read the way a person reads it."""
    text = re.sub(r"\s*\(.*\)$", "", label)
    days = set(range(7))
    if text.startswith("Weekday"):
        days = set(range(5))
    elif text.startswith("Weekend"):
        days = {5, 6}
    elif (m := re.match(r"(\w{3})–(\w{3}) ", text)):
        first, last = DAY_NAMES.index(m.group(1)), DAY_NAMES.index(m.group(2))
        days = {(first + i) % 7 for i in range((last - first) % 7 + 1)}
    elif (m := re.match(r"(\w+day) ", text)):
        days = {FULL_DAY_NAMES.index(m.group(1))}
    elif (m := re.match(r"((?:\w{3}, )+\w{3}) ", text)):
        days = {DAY_NAMES.index(d) for d in m.group(1).split(", ")}
    if (m := re.search(r"(\d\d)–(\d\d) h", text)):
        first, end = int(m.group(1)), int(m.group(2))
        return days, {(first + i) % 24 for i in range((end - first) % 24 or 24)}
    if "all day" in text.lower():
        return days, set(range(24))
    rest, names = text.lower(), set()
    for name in BAND_NAMES:
        if name in rest:
            names.add(name)
            rest = rest.replace(name, "")
    return days, {h for h in range(24) if band(h) in names}


def holds(label: str, at: str) -> bool:
    """Whether a label claims the day and hour of the moment ``at`` ("2024-12-18 20:00")."""
    import pandas as pd

    moment = pd.Timestamp(at)
    days, hours = claimed(label)
    return moment.weekday() in days and moment.hour in hours


def test_a_span_of_two_bands_is_named_by_its_hours():
    # "Weekday afternoons (around 11 h)": a context over 09–16 h is not "afternoons".
    assert hour_span(range(9, 17)) == "09–17 h"
    assert hour_span([22, 23, 0, 1]) == "late nights"
    assert hour_span([16, 17, 18, 19, 20, 21, 22, 23]) == "16–24 h"
    assert hour_span(range(24)) == "all day"


def test_the_peak_hour_is_added_only_inside_the_label():
    """Two "Weekday afternoons" with peaks at 11 h and 13 h: not "(around 11 h)"."""
    labels = unique_labels(["Weekday afternoons"] * 2, [11, 13], ["Mon", "Fri"])
    assert labels == ["Weekday afternoons (busiest Mon)", "Weekday afternoons (busiest Fri)"]
    assert "around 07 h" not in unique_labels(["Weekday early mornings"] * 2, [7.4, 4.6],
                                              ["Tue", "Thu"])[0] or band(7) == "early mornings"


def test_sunday_morning_is_not_filed_under_afternoons():
    owned = np.zeros(168, dtype=bool)
    for day in (5, 6):
        owned[day * 24 + 9: day * 24 + 18] = True  # 09–17 h, mostly listened after noon
    weights = np.zeros(168)
    weights[6 * 24 + 14] = 10
    label, peak, busiest = describe(owned, weights)
    assert label == "Weekend 09–18 h" and busiest == "Sun" and round(peak) == 14
    days, hours = claimed(label)
    assert 6 in days and 9 in hours


def test_days_held_by_a_context_are_named():
    owned = np.zeros(168, dtype=bool)
    for day in (2, 3, 4):
        owned[day * 24 + 17: day * 24 + 22] = True
    assert describe(owned, np.ones(168))[0] == "Wed–Fri evenings"
    owned[:] = False
    owned[6 * 24 + 23] = owned[0 * 24 + 1] = True  # Sunday night into Monday
    assert describe(owned, np.ones(168))[0] == "Sun–Mon late nights"


@given(st.sets(st.integers(0, 6), min_size=1), st.integers(0, 23), st.integers(1, 24),
       st.integers(0, 2**32 - 1))
def test_every_hour_a_context_holds_agrees_with_its_label(days, first, count, seed):
    """Any block of days × hours (going round midnight), with any sessions in it."""
    owned = np.zeros(12 * 168, dtype=bool)  # with seasons: cells per month of the year
    for day in days:
        for i in range(count):
            owned[day * 24 + (first + i) % 24] = True
    weights = np.random.default_rng(seed).integers(0, 3, size=owned.size).astype(float)
    label, _peak, _busiest = describe(owned, weights)
    said_days, said_hours = claimed(label)
    for cell in np.flatnonzero(owned):
        assert (cell % 168) // 24 in said_days and cell % 24 in said_hours, (label, cell)
    again = unique_labels([label, label], [first, first], ["Mon", "Tue"])
    for text in again:
        assert claimed(text)[1] == said_hours


def test_a_label_inside_a_sentence_keeps_day_names_capitalised():
    from musicrec_tui.core.engines.labels import in_sentence

    assert in_sentence("Weekday evenings") == "weekday evenings"
    assert in_sentence("Wed–Fri 15–03 h") == "Wed–Fri 15–03 h"
    assert in_sentence("Sunday mornings") == "Sunday mornings"
    assert in_sentence("") == ""
