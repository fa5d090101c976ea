"""The similarity-provider interface the content engine asks for neighbours.

A provider may do I/O (Last.fm, ListenBrainz) but the content engine never does: it only
calls ``similar``. Providers are synchronous from the caller's side; an async provider runs
its own event loop inside ``similar``. The result says who actually answered, and why that
is not the provider that was asked for when it is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from musicrec_tui.core.progress import CancelToken, Progress

ORIGINS = ("network", "cache", "stale", "failed", "offline")


@dataclass(frozen=True)
class Neighbour:
    name: str
    score: float  # similarity in [0, 1]
    mbid: str = ""  # MusicBrainz artist ID when the provider gave one


@dataclass
class SimilarityResult:
    """Neighbours per queried artist, plus where each answer came from."""

    provider: str  # who answered: "offline", "lastfm" or "listenbrainz"
    neighbours: dict[str, list[Neighbour]]
    # per queried artist: "offline", "cache", "stale", "network" or "failed"
    origin: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    requested: str = ""  # the provider asked for ("" = the one that answered)
    fallback_reason: str = ""  # why some or all answers came from elsewhere ("" = none did)

    @property
    def provider_used(self) -> str:
        return self.provider

    def counts(self) -> dict[str, int]:
        """Queried artists per origin (only the origins that occur)."""
        out: dict[str, int] = {}
        for origin in self.origin.values():
            out[origin] = out.get(origin, 0) + 1
        return out

    def tally(self) -> dict[str, int]:
        """``asked`` plus every origin's count, zeros included (for reports and JSON)."""
        counts = self.counts()
        return {"asked": len(self.origin), **{o: counts.get(o, 0) for o in ORIGINS}}


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
