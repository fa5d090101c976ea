"""Counted nouns: singular for one, plural otherwise, counts with thousands separators."""

from __future__ import annotations

import pytest

from musicrec_tui.core.wording import plural


@pytest.mark.parametrize(("count", "noun", "expected"), [
    (1, "best match", "1 best match"),
    (0, "best match", "0 best matches"),
    (2, "listening context", "2 listening contexts"),
    (1, "listening context", "1 listening context"),
    (1204, "artist", "1,204 artists"),
    (3, "box", "3 boxes"),
])
def test_plural(count, noun, expected):
    assert plural(count, noun) == expected


def test_an_irregular_plural():
    assert plural(2, "child", "children") == "2 children"
    assert plural(1, "child", "children") == "1 child"
