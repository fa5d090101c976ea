"""The Mix: Play next, Rediscover and Discover interleaved by their shares, with diversity.

Shares are relative (``ensemble.shares``, or ``--shares``): rescaled to sum to 1 by the one
weights rule, a list with no items gives its share to the others, and the notes say both.
Positions go to the lists in proportion to their shares (Sainte-Laguë: the next position
goes to the list with the smallest (taken + ½) / share). Within its turn a list gives its
best remaining item after a diversity penalty: an artist loses up to ``diversity`` of its
score in proportion to how much of the Mix so far shares one of its groups (its usual time
of the week, its similarity neighbourhood). Every item keeps its list tag, its
score in that list and each engine's part of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Mapping

from musicrec_tui.core.engines.base import RankedList, Recommendation
from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.settings.checks import relative_weights, rescaled_note

# The lists the Mix blends, as named in ``ensemble.shares`` (and --shares).
SHARES = {"play-next": "play_next", "rediscover": "rediscover", "discover": "discover"}
# A list's turn considers at most this many of its next items for the diversity step.
_WINDOW = 10


def mix_shares(lists: Mapping[str, RankedList], shares: Mapping[str, float],
               notes: list[str] | None = None) -> dict[str, float]:
    """Each blended list's share (summing to 1 over the lists that have items)."""
    scaled = relative_weights(shares, list(SHARES.values()), "ensemble.shares")
    if notes is not None and (note := rescaled_note("ensemble.shares", shares)):
        notes.append(note)
    present = {name: scaled[key] for name, key in SHARES.items()
               if scaled[key] > 0 and name in lists and lists[name].items}
    total = sum(present.values())
    if total <= 0:
        return {}
    empty = [name for name, key in SHARES.items() if scaled[key] > 0 and name not in present]
    if empty and notes is not None:
        notes.append(f"no items from {', '.join(empty)}: shares "
                     + ", ".join(f"{n} {s / total:.0%}" for n, s in present.items()))
    return {name: share / total for name, share in present.items()}


def _best(candidates: list[Recommendation], groups: Mapping[str, Collection[Hashable]],
          taken: Counter[Hashable], placed: int, strength: float) -> Recommendation:
    if strength <= 0 or not placed:
        return candidates[0]

    def adjusted(item: Recommendation) -> float:
        share = max((taken[g] for g in groups.get(item.artist, ())), default=0) / placed
        return item.score - strength * share

    return max(candidates, key=lambda it: (adjusted(it), -candidates.index(it)))


def mix(lists: Mapping[str, RankedList], shares: Mapping[str, float], *, top: int,
        diversity: float = 0.0, groups: Mapping[str, Collection[Hashable]] | None = None
        ) -> RankedList:
    """The Mix of ``lists`` (keyed by list name) at ``shares``; ``top`` items at most."""
    if top < 1:
        raise SettingsError(f"the Mix's length must be at least 1 (got {top})")
    notes: list[str] = []
    used = mix_shares(lists, shares, notes)
    groups = groups or {}
    queues = {name: list(lists[name].items) for name in used}
    taken_per = dict.fromkeys(used, 0)
    seen: set[str] = set()
    taken: Counter[Hashable] = Counter()
    out: list[Recommendation] = []
    while len(out) < top:
        for queue in queues.values():
            queue[:] = [it for it in queue if it.artist not in seen]
        open_lists = [n for n in used if queues[n]]
        if not open_lists:
            break
        turn = min(open_lists, key=lambda n: ((taken_per[n] + 0.5) / used[n],
                                               list(SHARES).index(n)))
        item = _best(queues[turn][:_WINDOW], groups, taken, len(out), diversity)
        queues[turn].remove(item)
        seen.add(item.artist)
        taken_per[turn] += 1
        taken.update(set(groups.get(item.artist, ())))
        out.append(item)
    return RankedList("mix", out, notes, {"shares": used, "diversity": diversity})
