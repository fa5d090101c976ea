"""Pick the similarity provider for a run, and fill Last.fm's gaps from the offline one.

``choose_provider("auto", ...)`` uses Last.fm when a key is available and the run is not
offline, else the offline co-listening provider. A Last.fm provider is wrapped in
:class:`WithFallback`, so artists Last.fm could not answer (unreachable host, rejected key,
exhausted retries) still get offline neighbours; their origin stays "failed" and a message
says which provider stood in. When no artist got a Last.fm answer at all, the result's
``provider`` is the fallback's name ("offline").
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.progress import CancelToken, Progress
from musicrec_tui.core.similarity.base import SimilarityProvider, SimilarityResult
from musicrec_tui.core.similarity.lastfm import LastfmProvider
from musicrec_tui.core.similarity.lastfm_client import reveal

KINDS = ("auto", "lastfm", "offline")
NO_KEY = (
    "the Last.fm provider needs an API key — set one with `musicrec config set-key` or the"
    " LASTFM_API_KEY environment variable, or use --provider offline"
)


def find_api_key(settings, api_key: Any = None) -> Any:
    """The explicit key, else LASTFM_API_KEY / ``.env`` / the encrypted store (via secrets)."""
    if api_key is not None and reveal(api_key):
        return api_key
    from musicrec_tui.core.settings.secrets import get_api_key

    stored = get_api_key(settings)
    return stored if stored is not None and reveal(stored) else None


def offline_provider(history, settings) -> SimilarityProvider:
    # Imported lazily: the co-listening model pulls in numpy/pandas work we may not need.
    from musicrec_tui.core.similarity.colisten import CoListenProvider

    return CoListenProvider(history, settings)


def choose_provider(
    kind: str | None,
    settings,
    history,
    *,
    api_key: Any = None,
    offline: bool = False,
) -> SimilarityProvider:
    """``kind`` is "auto", "lastfm" or "offline" (None: ``lastfm.provider`` from the settings);
    ``offline=True`` forbids the network whatever the kind."""
    kind = kind or settings.lastfm.provider
    if kind not in KINDS:
        raise SettingsError(f"provider: {kind!r} is not one of {', '.join(KINDS)}")
    if kind == "offline" or offline:
        return offline_provider(history, settings)
    key = find_api_key(settings, api_key)
    if key is None:
        if kind == "lastfm":
            raise SettingsError(NO_KEY)
        return offline_provider(history, settings)
    lastfm = LastfmProvider(settings, key)
    if history is None:
        return lastfm
    return WithFallback(lastfm, lambda: offline_provider(history, settings))


class WithFallback:
    """Last.fm first; artists it left "failed" get the fallback provider's neighbours."""

    def __init__(self, primary: LastfmProvider,
                 fallback: Callable[[], SimilarityProvider]) -> None:
        self.primary = primary
        self.name = primary.name
        self._make_fallback = fallback
        self._fallback: SimilarityProvider | None = None

    def similar(self, artists: Sequence[str], *, limit: int, progress: Progress | None = None,
                cancel: CancelToken | None = None) -> SimilarityResult:
        result = self.primary.similar(artists, limit=limit, progress=progress, cancel=cancel)
        return self._fill(result, limit, cancel)

    async def fetch_similar(self, artists: Sequence[str], *, limit: int,
                            progress: Progress | None = None,
                            cancel: CancelToken | None = None) -> SimilarityResult:
        result = await self.primary.fetch_similar(
            artists, limit=limit, progress=progress, cancel=cancel
        )
        # The offline model is CPU work: keep it off the event loop.
        return await asyncio.to_thread(self._fill, result, limit, cancel)

    def _fill(self, result: SimilarityResult, limit: int,
              cancel: CancelToken | None) -> SimilarityResult:
        failed = [a for a, origin in result.origin.items() if origin == "failed"]
        if not failed:
            return result
        if self._fallback is None:
            self._fallback = self._make_fallback()
        offline = self._fallback.similar(failed, limit=limit, cancel=cancel)
        for artist in failed:
            result.neighbours[artist] = offline.neighbours.get(artist, [])
        result.messages.extend(offline.messages)
        result.messages.append(
            f"{len(failed)} artist(s) without a Last.fm answer use offline co-listening"
            " neighbours instead"
        )
        if len(failed) == len(result.origin):
            # Nothing came from Last.fm: say so, so callers treat the lists as offline ones.
            result.provider = self._fallback.name
        return result
