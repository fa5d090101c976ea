"""ListenBrainz similarity provider: names → MusicBrainz IDs → similar artists, no key needed.

Per artist: its MBID comes from the export itself when the export carries one (ListenBrainz
``mbid_mapping``, a Last.fm CSV's ``artist_mbid``), else from a MusicBrainz search (cached
for ``cache.mbid_ttl_days``, "no match" included); then its similar artists come from the
ListenBrainz Labs dataset (cached for ``cache.similar_ttl_hours``). Both steps go through
the same cache-first/stale/circuit-breaker machinery as Last.fm. An artist's origin is
"cache" only when neither step sent a request. An artist without a confident match is an
answer (no neighbours, one note), not a failure.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import numpy as np

from musicrec_tui.core.progress import CancelToken, Progress, check, report
from musicrec_tui.core.similarity.base import Neighbour, SimilarityResult
from musicrec_tui.core.similarity.cache import SimilarCache
from musicrec_tui.core.similarity.fetching import (
    Fetched,
    NetworkProvider,
    fetch_cached,
    query_keys,
)
from musicrec_tui.core.similarity.listenbrainz_client import SERVICE, LabsClient
from musicrec_tui.core.similarity.musicbrainz import MBID, MusicBrainzClient
from musicrec_tui.core.similarity.names import normalise_name
from musicrec_tui.core.similarity.service import Clocks, ServiceClient
from musicrec_tui.core.wording import plural

# Labs lists are cached whole (up to 100 per seed): one row serves every caller's limit.
_WHOLE = 0
# When both steps answered, the artist's origin is the "most remote" of the two.
_RANK = {"cache": 0, "network": 1, "stale": 2, "failed": 3}


def export_mbids(history: Any) -> dict[str, str]:
    """normalised artist name → MBID, from the history's ``artist_mbid`` column if any.

    A name the export tagged with several MBIDs takes the one on most plays. Counted on the
    category codes: only artists tagged with several MBIDs need counting.
    """
    plays = getattr(history, "plays", None)
    if plays is None or "artist_mbid" not in plays or plays.empty:
        return {}
    mbid_codes = plays["artist_mbid"].cat.codes.to_numpy().astype(np.int64)
    tagged = mbid_codes >= 0
    if not tagged.any():
        return {}
    mbids = plays["artist_mbid"].cat.categories.tolist()
    artist = plays["artist"].cat.codes.to_numpy().astype(np.int64)[tagged]
    mbid = mbid_codes[tagged]
    chosen = np.full(len(plays["artist"].cat.categories), -1, np.int64)
    chosen[artist] = mbid
    mixed = np.unique(artist[mbid != chosen[artist]])  # artists tagged with several MBIDs
    if len(mixed):
        rows = np.isin(artist, mixed)
        pairs, counts = np.unique(artist[rows] * len(mbids) + mbid[rows], return_counts=True)
        artist_of, mbid_of = np.divmod(pairs, len(mbids))
        # Per artist, its most-played MBID first (ties: the smaller code, for a stable pick).
        order = np.lexsort((mbid_of, -counts, artist_of))
        first = order[np.r_[True, artist_of[order][1:] != artist_of[order][:-1]]]
        chosen[artist_of[first]] = mbid_of[first]
    artists = plays["artist"].cat.categories.tolist()
    out: dict[str, str] = {}
    for code in np.flatnonzero(chosen >= 0).tolist():
        value = str(mbids[chosen[code]]).strip().lower()
        if MBID.match(value):
            out.setdefault(normalise_name(str(artists[code])), value)
    return out


class ListenBrainzProvider(NetworkProvider):
    """Similar artists from ListenBrainz Labs, by MBIDs from the export or MusicBrainz."""

    name = "listenbrainz"
    service = SERVICE

    def __init__(self, settings, *, history: Any = None, mbids: Mapping[str, str] | None = None,
                 labs_cache: SimilarCache | None = None,
                 names_cache: SimilarCache | None = None, clocks: Clocks | None = None,
                 on_first_request: Callable[[], None] | None = None) -> None:
        super().__init__(settings, clocks, on_first_request)
        self._history = history
        self._mbids = dict(mbids) if mbids is not None else None  # built on first use
        self.labs_cache = labs_cache or SimilarCache.from_settings(settings, "listenbrainz")
        self.names_cache = names_cache or SimilarCache.from_settings(settings, "musicbrainz")
        self.clients: dict[str, ServiceClient] = {}  # the latest run's, per service

    def __repr__(self) -> str:
        return (f"ListenBrainzProvider(labs_url={self.settings.listenbrainz.labs_url!r},"
                f" musicbrainz={self.settings.musicbrainz.base_url!r})")

    @property
    def mbids(self) -> dict[str, str]:
        if self._mbids is None:
            self._mbids = export_mbids(self._history)
        return self._mbids

    async def fetch_similar(self, artists: Sequence[str], *, limit: int,
                            progress: Progress | None = None,
                            cancel: CancelToken | None = None) -> SimilarityResult:
        check(cancel)
        keys, names = query_keys(artists)
        lookups = {k: name for k, name in names.items() if k not in self.mbids}
        total, done = len(lookups) + len(names), 0

        def tick() -> None:
            nonlocal done
            done += 1
            report(progress, done, total)

        report(progress, 0, total)
        options = self.client_options()
        mb = MusicBrainzClient(self.settings, **options)
        found = await self._ask(mb, lookups, self.names_cache,
                                lambda name: mb.find_artist(name, cancel), tick, cancel)
        mbid_of = {k: self.mbids[k] for k in names if k in self.mbids}
        mbid_of.update({k: found.neighbours[k][0].mbid for k in lookups
                        if found.neighbours.get(k)})
        algorithm = self.settings.listenbrainz.algorithm
        seeds = {f"{mbid} {algorithm}": mbid for mbid in dict.fromkeys(mbid_of.values())}
        labs = LabsClient(self.settings, **options)
        similar = await self._ask(labs, seeds, self.labs_cache,
                                  lambda mbid: labs.similar(mbid, cancel), tick, cancel)
        report(progress, total, total)
        return self._result(artists, keys, lookups, found, mbid_of, similar, limit)

    async def _ask(self, client: ServiceClient, queries: dict[str, str], cache: SimilarCache,
                   ask: Callable[[str], Awaitable[list[Neighbour]]], tick: Callable[[], None],
                   cancel: CancelToken | None) -> Fetched:
        """``queries`` (cache key → name or MBID) answered by ``ask`` on ``client``, cache
        first."""
        if not queries:
            return Fetched()
        self.clients[client.service] = client
        async with client:
            return await fetch_cached(queries, cache, _WHOLE, ask, service=client.service,
                                      tick=tick, cancel=cancel)

    def _result(self, artists: Sequence[str], keys: dict[str, str], lookups: dict[str, str],
                found: Fetched, mbid_of: dict[str, str], similar: Fetched,
                limit: int) -> SimilarityResult:
        algorithm = self.settings.listenbrainz.algorithm
        neighbours, origin = {}, {}
        unmatched: list[str] = []
        for artist in artists:
            key = keys[artist]
            step = found.origin.get(key, "failed") if key in lookups else "cache"
            mbid = mbid_of.get(key)
            if mbid is None:  # no match (an answer), a failed lookup, or an empty name
                neighbours[artist] = []
                origin[artist] = step if key in lookups else "failed"
                if origin[artist] != "failed":
                    unmatched.append(artist)
                continue
            seed = f"{mbid} {algorithm}"
            neighbours[artist] = similar.neighbours.get(seed, [])[:limit]
            origin[artist] = max(step, similar.origin.get(seed, "failed"), key=_RANK.__getitem__)
        messages = found.messages + similar.messages
        if unmatched:
            messages.append(
                f"{plural(len(unmatched), 'artist')} without a confident MusicBrainz match get no"
                f" ListenBrainz neighbours (first: {unmatched[0]})")
        reason = "; ".join(r for r in (found.stopped, similar.stopped) if r)
        return SimilarityResult(self.name, neighbours, origin, messages,
                                requested=self.name, fallback_reason=reason)
