"""Pick the similarity provider for a run, and fill a network provider's gaps offline.

One consent model: nothing leaves the machine unless the user turned a provider on.
``auto`` is Last.fm when an API key is set (storing a key is the opt-in), else ListenBrainz
when ``providers.allow_listenbrainz`` is on, else offline. Naming a provider (``--provider
listenbrainz``, or ``providers.similar``) is consent for it. A network provider is wrapped in
:class:`WithFallback`, so artists it could not answer (unreachable host, rejected key,
circuit breaker) still get offline neighbours; the result then says which provider actually
answered and why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.progress import CancelToken, Progress
from musicrec_tui.core.settings.checks import PROVIDER_KINDS
from musicrec_tui.core.similarity.base import SimilarityProvider, SimilarityResult
from musicrec_tui.core.similarity.lastfm_client import reveal
from musicrec_tui.core.wording import plural

KINDS = PROVIDER_KINDS
NETWORK = ("lastfm", "listenbrainz")
NO_KEY = (
    "the Last.fm provider needs an API key — set one with `musicrec config set-key` or the"
    " LASTFM_API_KEY environment variable, or use --provider listenbrainz or offline"
)


def find_api_key(settings, api_key: Any = None) -> Any:
    """The explicit key, else LASTFM_API_KEY / ``.env`` / the encrypted store (via secrets)."""
    if api_key is not None and reveal(api_key):
        return api_key
    from musicrec_tui.core.settings.secrets import get_api_key

    stored = get_api_key(settings)
    return stored if stored is not None and reveal(stored) else None


def effective_kind(kind: str | None, settings, *, has_key: bool, offline: bool = False) -> str:
    """The provider a run uses: "lastfm", "listenbrainz" or "offline" (see the module doc).

    ``kind`` None means the ``providers.similar`` setting; ``offline`` forbids the network.
    """
    kind = kind or settings.providers.similar
    if kind not in KINDS:
        raise SettingsError(f"provider: {kind!r} is not one of {', '.join(KINDS)}")
    if offline or kind == "offline":
        return "offline"
    if kind == "lastfm" and not has_key:
        raise SettingsError(NO_KEY)
    if kind != "auto":
        return kind
    if has_key:
        return "lastfm"
    return "listenbrainz" if settings.providers.allow_listenbrainz else "offline"


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
    notify: Callable[[str], None] | None = None,
) -> SimilarityProvider:
    """The provider for ``kind`` (None: the ``providers.similar`` setting).

    ``notify(text)`` is called once, just before the first request leaves the machine,
    with what is sent where (the CLI prints it on stderr).
    """
    key = None
    if not offline and (kind or settings.providers.similar) in ("auto", "lastfm"):
        key = find_api_key(settings, api_key)
    chosen = effective_kind(kind, settings, has_key=key is not None, offline=offline)
    if chosen == "offline":
        return offline_provider(history, settings)
    from musicrec_tui.core.similarity.consent import notice

    on_send = (lambda: notify(notice(chosen, settings))) if notify is not None else None
    network: Any
    if chosen == "lastfm":
        from musicrec_tui.core.similarity.lastfm import LastfmProvider

        network = LastfmProvider(settings, key, on_first_request=on_send)
    else:
        from musicrec_tui.core.similarity.listenbrainz import ListenBrainzProvider

        network = ListenBrainzProvider(settings, history=history, on_first_request=on_send)
    if history is None:
        return network
    return WithFallback(network, lambda: offline_provider(history, settings))


class WithFallback:
    """A network provider first; artists it left "failed" get the fallback's neighbours."""

    def __init__(self, primary: Any, fallback: Callable[[], SimilarityProvider]) -> None:
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
            f"{plural(len(failed), 'artist')} without a {self.primary.service} answer use offline"
            " co-listening neighbours instead"
        )
        if not result.fallback_reason:
            result.fallback_reason = (f"no {self.primary.service} answer for"
                                      f" {plural(len(failed), 'artist')}")
        if len(failed) == len(result.origin):
            # Nothing came from the network: say so, so callers treat the lists as offline.
            result.provider = self._fallback.name
        return result
