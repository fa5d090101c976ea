"""The similarity-provider interface the content engine asks for neighbours.

A provider may do I/O (Last.fm) but the content engine never does: it only calls
``similar``. Providers are synchronous from the caller's side; an async provider runs its
own event loop inside ``similar``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from musicrec_tui.core.progress import CancelToken, Progress


@dataclass(frozen=True)
class Neighbour:
    name: str
    score: float  # similarity in [0, 1]


@dataclass
class SimilarityResult:
    """Neighbours per queried artist, plus where each answer came from."""

    provider: str  # "offline" or "lastfm"
    neighbours: dict[str, list[Neighbour]]
    # per queried artist: "offline", "cache", "stale", "network" or "failed"
    origin: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for origin in self.origin.values():
            out[origin] = out.get(origin, 0) + 1
        return out


class SimilarityProvider(Protocol):
    name: str

    def similar(
        self,
        artists: Sequence[str],
        *,
        limit: int,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> SimilarityResult: ...
