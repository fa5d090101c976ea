"""The two JSON exports: ``comprehensive`` (everything the analysis found) and ``summary``.

Both are built from an already-computed ``Analysis`` (exports never recompute) and dumped
with sorted keys, so the only difference between two exports of the same analysis is the
``timestamp``. Their shapes are pinned by ``musicrec_tui/schemas/*.schema.json``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import msgspec
import pandas as pd

from musicrec_tui import __version__
from musicrec_tui.core.engines.base import EngineResult, Recommendation
from musicrec_tui.core.engines.content import parse_tier
from musicrec_tui.core.export.sources import public_report, source_files
from musicrec_tui.core.export.values import integer, items, num, stamp, utc_now
from musicrec_tui.core.lists import LISTS

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# The settings an export may show, as (section, key). An allow-list rather than a dump of
# everything, so a secret added to the settings later can never leak into an export.
CONFIG_ALLOW_LIST: dict[str, tuple[str, ...]] = {
    "import": ("min_play_seconds", "session_gap_minutes", "drop_incognito"),
    "ranking": ("weights", "top_tracks"),
    "temporal": ("period", "components", "trend_periods", "l2"),
    "context": ("k", "k_min", "k_max", "picks", "prior_plays", "include_season"),
    "content": ("tier", "neighbours", "exclude_library_with_lastfm"),
    "play_next": ("half_lives", "tune_min_gain"),
    "rediscover": ("dormant_days", "half_life_days", "trend", "season"),
    "ensemble": ("shares", "top", "diversity", "pool", "seed"),
    "providers": ("similar", "allow_listenbrainz"),
    "lastfm": ("limit",),
    "cache": ("similar_ttl_hours",),
    "export": ("tracks_per_artist", "list_length"),
}


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float):
        return num(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def tier_used(analysis: Any) -> str:
    """The content tier the analysis ran with, as "start-end"."""
    content: EngineResult | None = analysis.results.get("content")
    tier = content.meta.get("tier") if content is not None else None
    # Settings accept "200–300" or "200:300"; exports always say "200-300".
    start, end = tier if tier else parse_tier(analysis.tier or analysis.settings.content.tier)
    return f"{int(start)}-{int(end)}"


def library_size(analysis: Any) -> int:
    if analysis.ranking is not None:
        return len(analysis.ranking.table)
    return int(_plays(analysis)["artist"].nunique())


def _plays(analysis: Any) -> pd.DataFrame:
    return analysis.history.as_of(analysis.as_of).plays


def _capped(analysis: Any, entries: list | None) -> list[dict[str, Any]]:
    # Engines rank every artist; past the first few dozen the lists are noise in a file.
    return items((entries or [])[: analysis.settings.export.list_length])


def _engine_items(analysis: Any, engine: str) -> list[dict[str, Any]]:
    result = analysis.results.get(engine)
    return _capped(analysis, result.items if result is not None else None)


def list_entry(rank: int, rec: Recommendation, *, contributions: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "rank": rank,
        "artist": str(rec.artist),
        "score": num(rec.score),
        "list": str(rec.list),
        "why": str(rec.why),
        "in_library": bool(rec.in_library),
    }
    if contributions:
        entry["contributions"] = {str(k): num(v) for k, v in sorted(rec.engines.items())}
    return entry


def _lists(analysis: Any, names: tuple[str, ...], *, contributions: bool) -> dict[str, Any]:
    """Each list's items (capped at ``export.list_length``) and its notes."""
    out = {}
    for name in names:
        found = analysis.lists.get(name)
        entries = found.items[: analysis.settings.export.list_length] if found else []
        out[name] = {"items": [list_entry(i, rec, contributions=contributions)
                               for i, rec in enumerate(entries, start=1)],
                     "notes": [str(n) for n in found.notes] if found else []}
    return out


def _contexts(analysis: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    clusters = analysis.contexts.clusters if analysis.contexts is not None else []
    for ctx in clusters:
        label = str(ctx.label)
        # Two clusters may share a label ("Weekday evenings"); the id keeps both.
        key = label if label not in out else f"{label} ({ctx.id})"
        out[key] = {
            "id": integer(ctx.id),
            "label": label,
            "plays": integer(ctx.plays),
            "slots": [{"day": DAYS[int(d) % 7], "hour": int(h)} for d, h in sorted(ctx.slots)],
            "picks": items(ctx.picks),
        }
    return out


def _top_artists(analysis: Any) -> list[dict[str, Any]]:
    if analysis.ranking is None:
        return []
    table = analysis.ranking.table.sort_values("rank", kind="stable")
    table = table.head(analysis.settings.export.list_length)
    return [
        {
            "rank": integer(row.rank),
            "artist": str(artist),
            "score": num(row.score),
            "plays": integer(row.plays),
            "counted_plays": integer(row.counted_plays),
            "hours": num(row.hours),
            "first": stamp(row.first),
            "last": stamp(row.last),
        }
        for artist, row in zip(table.index, table.itertuples(index=False), strict=True)
    ]


def _totals(plays: pd.DataFrame, ranking: Any) -> dict[str, Any]:
    # Hours as the ranking counted them (scrobbles included), not recomputed here.
    hours = float(ranking.table["hours"].sum()) if ranking is not None else 0.0
    return {
        "plays": len(plays),
        "counted_plays": int(plays["counted"].sum()),
        "artists": int(plays["artist"].nunique()),
        "tracks": int(plays.groupby(["artist", "track"], observed=True).ngroups),
        "hours": num(hours),
    }


def _trends(analysis: Any) -> dict[str, Any]:
    trends = analysis.trends
    return {
        name: _capped(analysis, getattr(trends, name) if trends is not None else None)
        for name in ("rising", "fading", "next_favourites")
    }


def system_configuration(analysis: Any) -> dict[str, Any]:
    settings = msgspec.to_builtins(analysis.settings)
    chosen = {
        section: {key: _plain(settings[section][key]) for key in keys}
        for section, keys in CONFIG_ALLOW_LIST.items()
    }
    clusters = analysis.contexts.clusters if analysis.contexts is not None else []
    # The temporal engine caps the NMF components at what the data supports; meta["k"] is
    # the number it actually used.
    trends_meta = getattr(analysis.trends, "meta", None) or {}
    components = trends_meta.get("k")
    mix = analysis.lists.get("mix")
    recency = analysis.results.get("recency")
    contexts_meta = getattr(analysis.contexts, "meta", None) or {}
    chosen["effective"] = {
        "tier": tier_used(analysis),
        "k": len(clusters),
        "nmf_components": int(components) if components is not None else None,
        "period": analysis.settings.temporal.period,
        "cache_ttl_hours": num(analysis.settings.cache.similar_ttl_hours),
        "shares": _plain(dict(mix.meta.get("shares", {})) if mix is not None else {}),
        "play_next_half_lives": _plain(list(recency.meta.get("half_lives", [])))
        if recency is not None else [],
        "slot_tilt": num(contexts_meta.get("slot_tilt")) if contexts_meta else None,
    }
    return chosen


def comprehensive(analysis: Any, *, now: datetime | None = None) -> dict[str, Any]:
    plays = _plays(analysis)
    return {
        "export_metadata": {
            "format": "musicrec-comprehensive",
            "timestamp": utc_now(now),
            "app_version": __version__,
            "engines": sorted(analysis.results),
            "source_files": source_files(analysis.history.report),
            "as_of": stamp(analysis.as_of),
            "timezone": analysis.history.tz,
            "provider": analysis.provider,
        },
        "ai_ml_recommendations": {
            "content_based": _engine_items(analysis, "content"),
            "temporal_collaborative": _engine_items(analysis, "temporal"),
            "context_aware": _contexts(analysis),
        },
        "lists": _lists(analysis, LISTS, contributions=True),
        "listening_analysis": {
            "totals": _totals(plays, analysis.ranking),
            "date_range": {
                "first": stamp(plays["ts"].iloc[0]) if len(plays) else None,
                "last": stamp(plays["ts"].iloc[-1]) if len(plays) else None,
            },
            "top_artists": _top_artists(analysis),
            "import_report": public_report(analysis.history.report),
            "trends": _trends(analysis),
        },
        "system_configuration": system_configuration(analysis),
    }


def summary(analysis: Any, *, now: datetime | None = None) -> dict[str, Any]:
    return {
        "timestamp": utc_now(now),
        "top_recommendations": [list_entry(i, rec, contributions=False)
                                for i, rec in enumerate(analysis.lists["mix"].items, start=1)],
        "lists": _lists(analysis, LISTS[1:], contributions=False),
        "tier_used": tier_used(analysis),
        "total_artists_in_library": library_size(analysis),
    }
