"""Small converters shared by the export formats: stable numbers, timestamps, items.

Every float goes through :func:`num` so two exports of the same analysis are byte-identical
(numpy and pandas scalars become plain Python values; NaN becomes ``None`` because JSON has
no NaN).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from musicrec_tui.core.engines.base import Item

DIGITS = 6


def num(value: Any) -> float | None:
    """A float rounded to :data:`DIGITS` places (``-0.0`` folded to ``0.0``), or None."""
    if value is None or value is pd.NA:
        return None
    out = float(value)
    if math.isnan(out) or math.isinf(out):
        return None
    return round(out, DIGITS) + 0.0


def integer(value: Any) -> int:
    return int(value) if value is not None and value is not pd.NA else 0


def stamp(value: Any) -> str | None:
    """ISO-8601 in UTC with a ``Z``, second precision; None for missing."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        return None
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_now(now: datetime | None) -> str:
    return stamp(now if now is not None else datetime.now(UTC)) or ""


def scalar(value: Any) -> str | int | float | bool | None:
    """A JSON scalar for ``value``, or a ``ValueError`` if it is not one (lists, dicts…)."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalar → Python scalar
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return num(value)
    if isinstance(value, datetime | pd.Timestamp):
        return stamp(value)
    raise ValueError(type(value).__name__)


def details(extra: dict[str, Any]) -> dict[str, Any]:
    """The scalar entries of an item's ``extra`` (engines put slopes, shares… there).

    Nested values are left out: they are engine internals, not part of the export's shape.
    """
    out: dict[str, Any] = {}
    for key in sorted(extra, key=str):
        try:
            out[str(key)] = scalar(extra[key])
        except (ValueError, AttributeError):
            continue
    return out


def item(entry: Item) -> dict[str, Any]:
    return {
        "artist": str(entry.artist),
        "score": num(entry.score),
        "why": str(entry.why),
        "details": details(entry.extra or {}),
    }


def items(entries: list[Item] | None) -> list[dict[str, Any]]:
    return [item(e) for e in entries or []]
