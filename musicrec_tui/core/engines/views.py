"""Discover's three views of a new artist, each inherited through similarity from its own seeds.

- **content**: the tier's artists, each weighted by its preference over the tier's best;
- **temporal**: the steepest rising artists (the temporal engine's slopes), by trend strength;
- **context**: what the context of the ``at`` instant is about (its typical artists).

A view of candidate c is Σ sim(c, s) · weight(s) over the view's seeds s, scaled to [0, 1] by
the view's best candidate; the final score is the views blended by ``discover.weights``. Every
seed is asked in the same provider call as the tier, so the extra seeds go through the same
limits, cache and consent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from musicrec_tui.core.engines.labels import in_sentence
from musicrec_tui.core.similarity.base import Neighbour

VIEWS = ("content", "temporal", "context")
# A view is named in an item's reason when its part is at least this share of the item's score.
_SAID = 0.25
# Seeds named per view in a reason.
_NAMED = 2


@dataclass
class Seeds:
    """Per view: seed artist → its weight in (0, 1]; and the context the context view is of."""

    weights: dict[str, dict[str, float]]
    context: str = ""

    def artists(self) -> list[str]:
        """Every seed once, the tier's first (what the provider is asked about)."""
        return list(dict.fromkeys(a for view in VIEWS for a in self.weights.get(view, {})))

    def counts(self) -> dict[str, int]:
        """Seeds per view, and ``asked``: the distinct artists over all of them."""
        return {**{v: len(self.weights.get(v, {})) for v in VIEWS}, "asked": len(self.artists())}


def _relative(scores: Mapping[str, float]) -> dict[str, float]:
    top = max(scores.values(), default=0.0)
    return {a: s / top for a, s in scores.items() if s > 0} if top > 0 else {}


def view_seeds(tier: Mapping[str, float], blend: Mapping[str, float], *, trends: Any = None,
               contexts: Any = None, at: Any = None, rising: int = 10) -> Seeds:
    """The seeds of each view: ``tier`` (artist → preference), the ``rising`` steepest rising
    artists of ``trends`` and the typical artists of the context of ``at`` in ``contexts``
    (None: that view has no seeds). A view weighing 0 in ``blend`` gets none: no name is
    sent for a view that would not count."""
    weights: dict[str, dict[str, float]] = {}
    label = ""
    if blend.get("content", 0) > 0:
        weights["content"] = _relative(tier)
    if trends is not None and rising > 0 and blend.get("temporal", 0) > 0:
        weights["temporal"] = _relative({it.artist: it.score for it in trends.rising[:rising]})
    if contexts is not None and contexts.clusters and blend.get("context", 0) > 0:
        ctx = contexts.at(at)
        label = ctx.label
        weights["context"] = _relative({it.artist: it.score for it in ctx.typical})
    return Seeds(weights, label)


@dataclass
class Candidate:
    """One candidate's view scores (raw, then scaled) and, per view, (part, seed, sim)."""

    raw: dict[str, float] = field(default_factory=dict)
    because: dict[str, list[tuple[float, str, float]]] = field(default_factory=dict)


def candidates(seeds: Seeds, neighbours: Mapping[str, list[Neighbour]]) -> dict[str, Candidate]:
    """Each neighbour of any seed (seeds themselves left out) with its raw view scores."""
    out: dict[str, Candidate] = {}
    every = set(seeds.artists())
    for view in VIEWS:
        for seed, weight in seeds.weights.get(view, {}).items():
            for nb in neighbours.get(seed, []):
                if nb.name in every:
                    continue
                cand = out.setdefault(nb.name, Candidate())
                cand.raw[view] = cand.raw.get(view, 0.0) + nb.score * weight
                cand.because.setdefault(view, []).append((nb.score * weight, seed, nb.score))
    return out


def blend(found: Mapping[str, Candidate], weights: Mapping[str, float]
          ) -> dict[str, dict[str, float]]:
    """Per candidate, each view's part of its score: weight × the view scaled to [0, 1]."""
    best = {v: max((c.raw.get(v, 0.0) for c in found.values()), default=0.0) for v in VIEWS}
    return {name: {v: weights.get(v, 0.0) * c.raw.get(v, 0.0) / best[v] if best[v] > 0 else 0.0
                   for v in VIEWS}
            for name, c in found.items()}


def _named(because: list[tuple[float, str, float]]) -> list[tuple[str, float]]:
    ranked = sorted(because, key=lambda c: (-c[0], c[1]))[:_NAMED]
    return [(seed, sim) for _, seed, sim in ranked]


def explain(parts: Mapping[str, float], cand: Candidate, context: str) -> str:
    """The item's strongest views in words, strongest first: "similar to Kaavish and Atif
    Aslam, which you've been playing more lately · fits your weekday evenings"."""
    total = sum(parts.values())
    said = sorted((v for v in VIEWS if parts.get(v, 0.0) > 0 and cand.because.get(v)),
                  key=lambda v: (-parts[v], VIEWS.index(v)))
    said = [v for i, v in enumerate(said) if i == 0 or parts[v] >= _SAID * total]
    out: list[str] = []
    told: set[str] = set()
    for i, view in enumerate(said):
        named = _named(cand.because[view])
        names = " and ".join(seed for seed, _ in named)
        if view == "content":
            fresh = [(s, sim) for s, sim in named if s not in told]
            if fresh:  # a seed already named says nothing new
                out.append(("similar to " if i == 0 else "also similar to ")
                           + " and ".join(f"{s} ({sim:.2f})" for s, sim in fresh))
        elif view == "temporal":
            out.append(f"similar to {names}, which you've been playing more lately" if i == 0
                       else f"you've been playing {names} more lately")
        else:
            where = in_sentence(context)
            fit = "fit" if len(named) > 1 else "fits"
            out.append(f"similar to {names}, which {fit} your {where}" if i == 0
                       else f"fits your {where}")
        told.update(seed for seed, _ in named)
    return " · ".join(out)
