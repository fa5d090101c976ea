"""The lists the app recommends from, each with one role.

- **Play next** (``play-next``): what you will play most in the coming weeks; the recency
  engine's multi-timescale shares.
- **Rediscover** (``rediscover``): favourites with no counted play for a while, by how
  likely they come back (``engines.rediscover``, with the temporal engine's part).
- **Discover** (``discover``): artists outside the library, by three views inherited through
  similarity (the content engine over a similarity provider): to a tier of your ranking, to
  the artists you are playing more lately, and to what the context of the moment is about.
  Offline co-listening only knows your own artists, so offline this list is empty and says
  how to turn a provider on.
- **Mix** (``mix``, the default): the three interleaved by their shares (``ensemble``).

Every item's score is relative to its list's best (1), split into each engine's part
(``Item.extra["engines"]``, else the whole score goes to the list's engine), so Discover's
items carry their content, temporal and context parts.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping

from musicrec_tui.core.engines.base import EngineResult, Item, RankedList, Recommendation
from musicrec_tui.core.engines.ensemble import mix
from musicrec_tui.core.engines.labels import in_sentence
from musicrec_tui.core.settings import Settings
from musicrec_tui.core.wording import plural

LISTS = ("mix", "play-next", "rediscover", "discover")
TITLES = {"mix": "Mix", "play-next": "Play next", "rediscover": "Rediscover",
          "discover": "Discover"}
# The engines each list needs (ranking always runs: it seeds Discover).
ENGINES_FOR = {"play-next": ["recency"], "rediscover": ["recency", "temporal"],
               "discover": ["temporal", "context", "content"],
               "mix": ["recency", "temporal", "context", "content"]}
# Notes of the lists themselves start with these (an engine's notes with the engine's name).
NOTE_PREFIXES = tuple(f"{name}: " for name in LISTS)
NEEDS_PROVIDER = (
    "new artists need a similarity provider: offline co-listening only knows your own "
    "artists. Turn one on: ListenBrainz needs no key (--provider listenbrainz, or `musicrec "
    "config set providers.allow_listenbrainz true`); Last.fm needs one (`musicrec config "
    "set-key` or LASTFM_API_KEY). Either sends the names of your seed artists")


def seeds_text(seeds: Mapping[str, int], context: str | None = None) -> str:
    """"51 seed artists: 50 of the tier, 10 rising, 10 of weekend mornings" (Discover's
    seeds per view, from the content engine's ``meta["seeds"]``)."""
    parts = [f"{seeds.get('content', 0)} of the tier", f"{seeds.get('temporal', 0)} rising",
             f"{seeds.get('context', 0)} of " + (in_sentence(context) if context
                                                 else "the moment")]
    return f"{plural(seeds.get('asked', 0), 'seed artist')}: " + ", ".join(parts)


def scaled(items: list[Item]) -> list[float]:
    """Scores relative to the best (which gets 1); a list whose scores all tie is all 1s."""
    top = max((float(it.score) for it in items), default=0.0)
    if top <= 0:
        return [1.0] * len(items)
    return [float(it.score) / top for it in items]


def ranked_list(name: str, result: EngineResult | None, *, missing: str,
                only_new: bool = False, own_notes: bool = False) -> RankedList:
    """``result``'s items as list ``name`` (``only_new``: artists outside the library;
    ``own_notes``: the result's notes are the list's, not an engine's already reported)."""
    if result is None:
        return RankedList(name, [], [missing])
    items = [it for it in result.items
             if not only_new or not it.extra.get("in_library", True)]
    out = []
    for item, score in zip(items, scaled(items), strict=True):
        parts = item.extra.get("engines") or {result.engine: float(item.score)}
        total = sum(parts.values()) or 1.0
        out.append(Recommendation(item.artist, score,
                                  {e: score * v / total for e, v in parts.items()},
                                  item.why, bool(item.extra.get("in_library", True)), name))
    return RankedList(name, out, list(result.notes) if own_notes else [], dict(result.meta))


def discover_list(content: EngineResult | None, provider: str | None) -> RankedList:
    found = ranked_list("discover", content, only_new=True,
                        missing="the content engine did not run: no new artists")
    if content is not None and not found.items:
        similarity = content.meta.get("similarity")
        answered = getattr(similarity, "provider", provider)
        asked = getattr(similarity, "requested", "")
        if answered not in (None, "offline"):
            found.notes.append(f"{answered} found no artists outside your library for this tier")
        elif asked and asked != "offline":
            found.notes.append(f"{asked} did not answer ({similarity.fallback_reason}): offline "
                               "co-listening only knows your own artists")
        else:
            found.notes.append(NEEDS_PROVIDER)
    return found


def build_lists(results: Mapping[str, EngineResult], settings: Settings, *,
                provider: str | None, shares: Mapping[str, float] | None = None,
                top: int | None = None,
                groups: Mapping[str, Collection[Hashable]] | None = None
                ) -> dict[str, RankedList]:
    """Every list from the engine results (``results["rediscover"]`` included)."""
    lists = {
        "play-next": ranked_list("play-next", results.get("recency"),
                                 missing="the recency engine did not run"),
        "rediscover": ranked_list("rediscover", results.get("rediscover"), own_notes=True,
                                  missing="needs the recency engine's plays; it did not run"),
        "discover": discover_list(results.get("content"), provider),
    }
    chosen = settings.ensemble.shares if shares is None else shares
    lists["mix"] = mix(lists, chosen, top=settings.ensemble.top if top is None else top,
                       diversity=float(settings.ensemble.diversity), groups=groups)
    return {name: lists[name] for name in LISTS}
