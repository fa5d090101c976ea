"""Artist search: case-, accent- and typo-tolerant, ordered by match quality then preference.

Names are folded once (``fold``: the shared ``normalise_name`` plus accent stripping), so
"beyonce" finds "Beyoncé" and "sigur ros" finds "Sigur Rós". The folded names are kept in
preference order and joined into one newline-separated string: prefix, word-prefix and
substring matches are then plain ``str.find`` scans that stop as soon as ``limit`` hits are
found, best-preferred first. Only if those leave room do two rapidfuzz passes (normalised
Indel ratio) look for typos: against the whole folded name ("radiohed" → "Radiohead"), then
against the start of each word that begins with the query's first letter, cut one character
longer than the query, so a name being typed with a slip is found before it is complete
("taylr" → "Taylor Swift"). Each tier scores
below the one above it, so the final order is quality first, then preference.

Ratios rather than WRatio or partial_ratio: those score any short name contained in the
query ("Ra" for "radiohed") as a near-perfect match.

Highlight positions are computed for the returned hits only, by folding the original name
one character at a time and mapping each folded character back to its source.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from musicrec_tui.core.similarity.names import normalise_name

# Scores per tier, 0–100; fuzzy scores are capped below the substring tier.
EXACT, PREFIX, WORD_PREFIX, SUBSTRING, FUZZY_CAP = 100.0, 98.0, 96.0, 94.0, 90.0
# Weakest ratio that still counts as a typo match; below it results are noise.
FUZZY_CUTOFF = 75.0
# Typos in one- or two-letter queries are meaningless; those get substring matches only.
FUZZY_MIN_QUERY = 3
# Typos against word starts: below whole-name typos, only for queries long enough that one
# slip still leaves most of the word, and only the best few (the rest is noise).
WORD_FUZZY_CAP, WORD_FUZZY_MIN_QUERY, WORD_FUZZY_HITS = 88.0, 4, 10
_SEP = "\n"  # folding collapses all whitespace to single spaces, so this never occurs in a name


def fold(text: str) -> str:
    """The search key: normalised name without accents ("Sigur Rós" → "sigur ros")."""
    decomposed = unicodedata.normalize("NFKD", normalise_name(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    return " " if ch.isspace() else fold(ch)


@dataclass(frozen=True)
class SearchHit:
    artist: str
    score: float
    positions: tuple[int, ...] = ()


def _folded_with_map(name: str) -> tuple[str, list[int]] | None:
    """``fold(name)`` plus, per folded character, the index of its source character.

    None when folding is not character-local for this name (rare compositions), in which
    case the hit is shown without highlighting.
    """
    whole = fold(name)
    if name.isascii() and len(whole) == len(name):
        # ASCII folding only changes case and spacing; same length means a 1:1 map.
        return whole, list(range(len(name)))
    chars: list[str] = []
    source: list[int] = []
    for i, ch in enumerate(name):
        piece = _fold_char(ch)
        for out in piece:
            if out == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(out)
            source.append(i)
    while chars and chars[-1] == " ":
        chars.pop()
        source.pop()
    folded = "".join(chars)
    return (folded, source) if folded == whole else None


class ArtistSearch:
    """Search over artist ``names``; ``preference`` is aligned with names or a name → score map."""

    def __init__(self, names: Iterable[str],
                 preference: Sequence[float] | Mapping[str, float] | None = None) -> None:
        names = [str(n) for n in names]
        if preference is None:
            prefs = [0.0] * len(names)
        elif isinstance(preference, Mapping):
            prefs = [float(preference.get(n, 0.0)) for n in names]
        else:
            prefs = [float(p) for p in preference]
            if len(prefs) != len(names):
                raise ValueError("preference must have one value per name")
        order = sorted(range(len(names)), key=lambda i: (-prefs[i], names[i]))
        self._names = [names[i] for i in order]
        self._prefs = [prefs[i] for i in order]
        self._keys = [fold(n) for n in self._names]
        # Keys sorted by length: a ratio ≥ the cutoff bounds the length of a match, so the
        # fuzzy pass only scores a slice of them.
        self._by_length = sorted(range(len(self._keys)), key=lambda i: len(self._keys[i]))
        self._lengths = [len(self._keys[i]) for i in self._by_length]
        self._sorted_keys = [self._keys[i] for i in self._by_length]
        # Offsets of each key in the joined string, to map a find() position to a name.
        self._joined = _SEP + _SEP.join(self._keys) + _SEP
        self._starts: dict[int, int] = {}
        pos = 1
        for i, key in enumerate(self._keys):
            self._starts[pos] = i
            pos += len(key) + 1
        # Every word of every key from its start to the key's end, grouped by first letter
        # (a slip in the first letter is rare, and the group is a small share of the words).
        self._words: dict[str, tuple[list[str], list[tuple[int, int]]]] = {}
        for index, key in enumerate(self._keys):
            for start in (0, *(j + 1 for j, ch in enumerate(key) if ch == " ")):
                texts, owners = self._words.setdefault(key[start:start + 1], ([], []))
                texts.append(key[start:])
                owners.append((index, start))

    def __len__(self) -> int:
        return len(self._names)

    def _owner(self, offset: int) -> tuple[int, int]:
        """(name index, offset inside its key) for an offset into the joined string."""
        start = self._joined.rfind(_SEP, 0, offset + 1) + 1
        return self._starts[start], offset - start

    def _scan(self, needle: str, skip: int, hits: dict[int, tuple[float, int]],
              score: float, limit: int) -> None:
        """Add names containing ``needle`` in preference order until ``limit`` hits."""
        at = self._joined.find(needle)
        while at >= 0 and len(hits) < limit:
            index, inner = self._owner(at + skip)
            if index not in hits:
                hits[index] = (score, inner)
            # Jump to the next name: one hit per name is enough.
            at = self._joined.find(needle, self._joined.find(_SEP, at + skip))

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Best matches first; an empty query lists every artist by preference."""
        q = fold(query)
        if not q:
            return [SearchHit(n, 0.0) for n in self._names[:limit]]
        hits: dict[int, tuple[float, int]] = {}  # name index → (score, match start in key)
        self._scan(_SEP + q + _SEP, 1, hits, EXACT, limit)
        self._scan(_SEP + q, 1, hits, PREFIX, limit)
        self._scan(" " + q, 1, hits, WORD_PREFIX, limit)
        self._scan(q, 0, hits, SUBSTRING, limit)
        fuzzy: dict[int, float] = {}
        if len(hits) < limit and len(q) >= FUZZY_MIN_QUERY:
            # ratio = 1 − dist/(m+n) with dist ≥ |m−n|, so a score ≥ c (as a fraction)
            # needs a name length n in [m·c/(2−c), m·(2−c)/c] for a query of length m.
            c = FUZZY_CUTOFF / 100
            lo = bisect.bisect_left(self._lengths, len(q) * c / (2 - c) - 1e-9)
            hi = bisect.bisect_right(self._lengths, len(q) * (2 - c) / c + 1e-9)
            found = process.extract(q, self._sorted_keys[lo:hi], scorer=fuzz.ratio,
                                    limit=limit + len(hits), score_cutoff=FUZZY_CUTOFF)
            for _key, score, at in found:
                index = self._by_length[lo + at]
                if index not in hits:
                    fuzzy[index] = min(float(score), FUZZY_CAP)
        word_starts: dict[int, int] = {}  # name index → start of the word its typo matched
        if len(hits) + len(fuzzy) < limit and len(q) >= WORD_FUZZY_MIN_QUERY:
            texts, owners = self._words.get(q[0], ([], []))
            windows = [text[:len(q) + 1] for text in texts]
            found = process.extract(q, windows, scorer=fuzz.ratio, limit=WORD_FUZZY_HITS,
                                    score_cutoff=FUZZY_CUTOFF)
            for _text, score, at in found:
                index, start = owners[at]
                value = min(float(score), WORD_FUZZY_CAP)
                if index not in hits and value > fuzzy.get(index, -1.0):
                    fuzzy[index] = value
                    word_starts[index] = start
        ranked = sorted(
            [(score, index) for index, (score, _) in hits.items()]
            + [(score, index) for index, score in fuzzy.items()],
            key=lambda si: (-si[0], si[1]),  # index order is preference order
        )[:limit]
        out = []
        for score, index in ranked:
            start = hits[index][1] if index in hits else None
            out.append(SearchHit(self._names[index], score,
                                 self._positions(index, q, start, word_starts.get(index))))
        return out

    def _positions(self, index: int, q: str, start: int | None,
                   word: int | None = None) -> tuple[int, ...]:
        mapped = _folded_with_map(self._names[index])
        if mapped is None:
            return ()
        key, source = mapped
        if start is not None:
            folded = range(start, start + len(q))
        else:
            offset = word or 0
            target = key[offset:offset + len(q) + 1] if word is not None else key
            folded = [offset + j for op in Indel.opcodes(q, target) if op.tag == "equal"
                      for j in range(op.dest_start, op.dest_end)]
        return tuple(sorted({source[j] for j in folded if j < len(source)}))
