"""Offline similarity from the user's own sessions: artists played in the same sessions.

A binary session × artist incidence matrix X (scipy.sparse) gives co-occurrence counts
``X[:, a]ᵀ X[:, b]``; the similarity is their cosine, shrunk towards 0 when the two artists
share only a few sessions. Only the queried artists' columns of XᵀX are computed, so a
20k-artist library never materialises a dense artist × artist matrix.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from musicrec_tui.core.history.model import History
from musicrec_tui.core.progress import CancelToken, Progress, check, report
from musicrec_tui.core.settings import Settings
from musicrec_tui.core.similarity.base import Neighbour, SimilarityResult
from musicrec_tui.core.wording import plural

# Queried artists are handled in chunks so progress and cancel stay responsive.
_CHUNK = 64


class CoListenProvider:
    """``SimilarityProvider`` over session co-occurrence; every answer's origin is "offline"."""

    name = "offline"

    def __init__(self, history: History, settings: Settings) -> None:
        # Only the two columns needed: copying all of a 1M-row frame costs more than the model.
        plays = history.plays.loc[history.plays["counted"], ["artist", "session"]]
        if plays.empty:
            plays = history.plays[["artist", "session"]]
        self._shrinkage = float(settings.content.colisten_shrinkage)
        codes, uniques = pd.factorize(plays["artist"], sort=False)
        uniques = np.asarray(uniques.astype(str), dtype=object)
        counts = np.bincount(codes, minlength=len(uniques)) if len(codes) else np.zeros(0, int)
        # Candidates: the most-played artists (ties by name, so the cut is deterministic).
        order = np.lexsort((uniques, -counts)) if len(uniques) else np.zeros(0, int)
        self._all_names = [str(n) for n in uniques[order]]
        self._code = {name: i for i, name in enumerate(self._all_names)}
        self._candidates = min(len(order), int(settings.content.colisten_max_artists))
        if len(codes):
            position = np.empty(len(order), dtype=np.int64)
            position[order] = np.arange(len(order))
            _, rows = np.unique(plays["session"].to_numpy(), return_inverse=True)
            matrix = sparse.csr_matrix(
                (np.ones(len(codes), dtype=np.float32), (rows, position[codes])),
                shape=(int(rows.max()) + 1, len(order)),
            )
            matrix.data[:] = 1.0  # duplicates are summed by csr: keep presence per session
            self._x = matrix.tocsc()
        else:
            self._x = sparse.csc_matrix((0, 0), dtype=np.float32)
        # Sessions each artist appears in (the cosine's norms).
        self._sessions_per_artist = np.asarray(self._x.sum(axis=0)).ravel()

    @property
    def artists(self) -> list[str]:
        return list(self._all_names)

    def similar(
        self,
        artists: Sequence[str],
        *,
        limit: int,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> SimilarityResult:
        queried = list(dict.fromkeys(artists))
        neighbours: dict[str, list[Neighbour]] = {}
        messages: list[str] = []
        known = [a for a in queried if a in self._code]
        unknown = [a for a in queried if a not in self._code]
        if unknown:
            messages.append(f"{plural(len(unknown), 'artist')} not in the history:"
                            " no co-listening data")
        for a in unknown:
            neighbours[a] = []
        norms = np.sqrt(self._sessions_per_artist[: self._candidates])
        names = self._all_names[: self._candidates]
        xt_candidates = self._x[:, : self._candidates].T.tocsr()
        for start in range(0, len(known), _CHUNK):
            check(cancel)
            chunk = known[start:start + _CHUNK]
            codes = [self._code[a] for a in chunk]
            shared = (xt_candidates @ self._x[:, codes]).toarray()  # candidates × chunk
            for j, (artist, code) in enumerate(zip(chunk, codes, strict=True)):
                neighbours[artist] = self._top(shared[:, j], code, norms, names, limit)
            report(progress, min(start + _CHUNK, len(known)), len(known))
        report(progress, len(known), len(known))
        return SimilarityResult(
            provider=self.name,
            neighbours={a: neighbours[a] for a in queried},
            origin={a: "offline" for a in queried},
            messages=messages,
        )

    def _top(self, shared: np.ndarray, code: int, norms: np.ndarray, names: list[str],
             limit: int) -> list[Neighbour]:
        own = np.sqrt(self._sessions_per_artist[code])
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = shared / (norms * own)
        sims = np.nan_to_num(cosine * shared / (shared + self._shrinkage))
        if code < len(sims):
            sims[code] = 0.0
        hits = np.flatnonzero(sims > 0)
        if len(hits) == 0 or limit <= 0:
            return []
        if len(hits) > limit:  # keep the best `limit` (and anything tied with the last one)
            floor = np.partition(sims[hits], len(hits) - limit)[len(hits) - limit]
            hits = hits[sims[hits] >= floor]
        # Sort by similarity, then by name for deterministic ties.
        ranked = sorted(hits, key=lambda i: (-sims[i], names[i]))[:limit]
        return [Neighbour(names[i], float(min(1.0, sims[i]))) for i in ranked]
