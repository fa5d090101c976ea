"""Counted nouns in our messages ("1 match", "2 matches"), worded in one place."""

from __future__ import annotations

_SIBILANT_ENDINGS = ("s", "x", "z", "ch", "sh")


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``count`` and ``noun``, the noun plural unless the count is one: "1 best match",
    "3 best matches", "1,204 artists". ``many`` overrides the regular plural."""
    if count == 1:
        return f"1 {noun}"
    if many is None:
        many = noun + ("es" if noun.endswith(_SIBILANT_ENDINGS) else "s")
    return f"{count:,} {many}"
