"""Shapes shared by every engine and by the ensemble, export and UI layers."""

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
    """One blended result: total score, each engine's weighted contribution, and why."""

    artist: str
    score: float
    engines: dict[str, float]
    why: str
    in_library: bool = True
