"""Shapes shared by every engine and by the lists, export and UI layers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Item:
    """One ranked artist from one engine, with a short human reason."""

    artist: str
    score: float
    why: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass
class EngineResult:
    """An engine's ranked list (best first) plus notes for the user (e.g. fewer components)."""

    engine: str
    items: list[Item]
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Recommendation:
    """One item of a list: its score in the list (the list's best is 1), each engine's part
    of that score, why, whether the artist is in the library, and the list it comes from."""

    artist: str
    score: float
    engines: dict[str, float]
    why: str
    in_library: bool = True
    list: str = ""


@dataclass
class RankedList:
    """One of the lists the app recommends from (Play next, Rediscover, Discover, Mix)."""

    name: str
    items: list[Recommendation]
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
