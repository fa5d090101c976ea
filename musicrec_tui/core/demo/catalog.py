"""The demo's artist catalogue: popularity, planted roles, tracks, albums, durations.

Artist ids are popularity ranks of the background (id 0 is the most played), Zipf-like.
Planted artists get a role that overrides that popularity (see ``plays``):
rising/fading artists follow a time profile, context artists play only in their
time-of-week sessions, co-listened groups only in their own sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from musicrec_tui.core.demo import names

ZIPF_EXPONENT = 1.05
ZIPF_OFFSET = 3.0
# ~20k artists at 1M streams; fewer for smaller histories, as a real library grows.
ARTISTS_AT_1M = 20_000
MIN_ARTISTS = 150
# Where the planted search names sit in the popularity order (ranks, 0 = top).
SEARCH_NAME_RANKS = (2, 12, 40)

ROLE_BACKGROUND, ROLE_RISING, ROLE_FADING, ROLE_CONTEXT, ROLE_GROUP = range(5)
RISING = 3
FADING = 3
CONTEXT_ARTISTS = 4
GROUPS = 3
GROUP_SIZE = 4


@dataclass
class Catalog:
    names: list[str]
    styles: np.ndarray
    zipf: np.ndarray  # background popularity weight per artist
    role: np.ndarray  # ROLE_* per artist
    skip_rate: np.ndarray  # per-artist probability that a play is skipped early
    rising: np.ndarray
    fading: np.ndarray
    contexts: list[np.ndarray]  # artist ids per planted context
    groups: list[np.ndarray]  # artist ids per co-listened group
    track_first: np.ndarray  # first track id of each artist
    track_count: np.ndarray
    track_names: list[str] = field(repr=False)
    track_album: np.ndarray = field(repr=False)  # album id per track
    track_ms: np.ndarray = field(repr=False)  # duration per track
    track_uris: list[str] = field(repr=False)
    album_names: list[str] = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.names)


def artist_count(streams: int) -> int:
    return max(MIN_ARTISTS, round(ARTISTS_AT_1M * (streams / 1_000_000) ** 0.7))


def _planted_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct ids for every planted role, outside the top ranks and the search names."""
    need = RISING + FADING + 2 * CONTEXT_ARTISTS + GROUPS * GROUP_SIZE
    low = min(50, n // 4)
    pool = np.setdiff1d(np.arange(low, n), SEARCH_NAME_RANKS)
    return rng.choice(pool, size=need, replace=False)


def build_catalog(rng: np.random.Generator, n: int) -> Catalog:
    invented, styles = names.artist_names(rng, n - len(names.SEARCH_NAMES), names.SEARCH_NAMES)
    all_names = list(invented)
    all_styles = styles.tolist()
    for rank, name in zip(SEARCH_NAME_RANKS, names.SEARCH_NAMES, strict=True):
        at = min(rank, len(all_names))
        all_names.insert(at, name)
        all_styles.insert(at, names.STYLE_ENGLISH)
    style_arr = np.asarray(all_styles, dtype=np.int8)

    zipf = 1.0 / (np.arange(n) + ZIPF_OFFSET) ** ZIPF_EXPONENT
    role = np.full(n, ROLE_BACKGROUND, dtype=np.int8)
    ids = _planted_ids(rng, n)
    rising, fading = ids[:RISING], ids[RISING:RISING + FADING]
    rest = ids[RISING + FADING:]
    contexts = [rest[:CONTEXT_ARTISTS], rest[CONTEXT_ARTISTS:2 * CONTEXT_ARTISTS]]
    group_ids = rest[2 * CONTEXT_ARTISTS:]
    groups = [group_ids[g * GROUP_SIZE:(g + 1) * GROUP_SIZE] for g in range(GROUPS)]
    role[rising], role[fading] = ROLE_RISING, ROLE_FADING
    role[np.concatenate(contexts)] = ROLE_CONTEXT
    role[group_ids] = ROLE_GROUP

    # Skips: most artists are skipped now and then, a few often (beta around 15 %).
    skip_rate = rng.beta(2.0, 11.0, size=n)

    # Popular artists have deep catalogues; the long tail has a song or three.
    depth = (zipf / zipf[0]) ** 0.45 * 60 * rng.lognormal(0.0, 0.35, size=n)
    track_count = np.clip(np.rint(depth), 1, 150).astype(np.int64)
    track_count[role != ROLE_BACKGROUND] = np.maximum(track_count[role != ROLE_BACKGROUND], 12)
    track_first = np.concatenate(([0], np.cumsum(track_count)[:-1]))
    tracks = int(track_count.sum())
    owner = np.repeat(np.arange(n), track_count)
    track_names = names.titles(rng, style_arr[owner])
    # About ten tracks an album; the hit tracks (low index) spread across albums.
    album_count = np.maximum(1, (track_count + 9) // 10)
    album_first = np.concatenate(([0], np.cumsum(album_count)[:-1]))
    local = np.arange(tracks) - track_first[owner]
    track_album = album_first[owner] + local % album_count[owner]
    album_names = names.titles(rng, style_arr[np.repeat(np.arange(n), album_count)])
    # Lognormal around 3.5 minutes, clipped to plausible song lengths.
    track_ms = np.clip(rng.lognormal(np.log(210_000), 0.3, size=tracks), 45_000, 900_000)
    return Catalog(
        names=all_names, styles=style_arr, zipf=zipf, role=role, skip_rate=skip_rate,
        rising=rising, fading=fading, contexts=contexts, groups=groups,
        track_first=track_first, track_count=track_count, track_names=track_names,
        track_album=track_album, track_ms=track_ms.astype(np.int64),
        track_uris=names.spotify_uris(rng, "track", tracks), album_names=album_names,
    )
