"""Value checks on the merged settings (types were already checked per layer).

Each problem becomes one :class:`SettingsError` naming the layer the value came from, the
key and the value. Keys without a rule here are only type-checked, so a helper adding a
setting does not have to touch this file.
"""

from __future__ import annotations

import math
import re
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.settings.layers import show_value

Rule = Callable[[Any], str | None]

# Tier ranges accept "1-50", "1–50" and "1:50"; engines/content.parse_tier wraps this.
TIER = re.compile(r"^\s*(\d+)\s*[-–:]\s*(\d+)\s*$")
WEIGHT_TOLERANCE = 1e-6


def parse_tier(text: str) -> tuple[int, int]:
    """``"1-50"`` → ``(1, 50)``: 1-based inclusive ranks, start ≥ 1 and start ≤ end."""
    match = TIER.match(text)
    if not match:
        raise ValueError('expected "start-end" ranks such as "1-50"')
    start, end = int(match.group(1)), int(match.group(2))
    if start < 1:
        raise ValueError("ranks start at 1")
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    return start, end


def _at_least(low: float) -> Rule:
    return lambda v: None if v >= low else f"must be ≥ {low:g}"


def _above(low: float) -> Rule:
    return lambda v: None if v > low else f"must be > {low:g}"


def _between(low: float, high: float) -> Rule:
    return lambda v: None if low <= v <= high else f"must be between {low:g} and {high:g}"


def _one_of(*choices: str) -> Rule:
    return lambda v: None if v in choices else "must be one of " + ", ".join(choices)


def _half_lives(value: list[float]) -> str | None:
    if not value or min(value) <= 0:
        return "needs at least one half-life, each above 0 days"
    return None


def _tier(value: str) -> str | None:
    try:
        parse_tier(value)
    except ValueError as exc:
        return str(exc)
    return None


def _timezone(value: str) -> str | None:
    if value == "":
        return None
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 'is not a known IANA timezone (e.g. "Europe/Paris"; "" = this computer\'s)'
    return None


_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def _api_url(value: str) -> str | None:
    """https, or plain http only to this machine (a local proxy or test server): artist
    names (and Last.fm's API key) travel in the query string and must not cross a network
    in clear text."""
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in _LOOPBACK:
        return None
    return "must be an https:// URL (plain http only to localhost/127.0.0.1)"


PROVIDER_KINDS = ("auto", "lastfm", "listenbrainz", "offline")
_ALGORITHM = re.compile(r"^[A-Za-z0-9_]+$")


def _algorithm(value: str) -> str | None:
    if _ALGORITHM.match(value):
        return None
    return "must be a ListenBrainz similarity dataset name (letters, digits and _)"


RULES: dict[str, Rule] = {
    "import.min_play_seconds": _at_least(0),
    "import.session_gap_minutes": _above(0),
    "import.timezone": _timezone,
    "import.max_member_mib": _at_least(1),
    "import.scrobble_match_seconds": _at_least(0),
    "ranking.top_tracks": _at_least(1),
    "ranking.prior_plays": _at_least(0),
    "ranking.typical_track_seconds": _above(0),
    "temporal.period": _one_of("month", "week"),
    "temporal.components": _at_least(1),
    "temporal.l2": _at_least(0),
    "temporal.trend_periods": _at_least(2),
    "temporal.max_iter": _at_least(1),
    "temporal.max_artists": _at_least(1),
    "temporal.tol": _above(0),
    "temporal.forecast_actual_share": _between(0, 1),
    "temporal.trend_damping": _at_least(0),
    "context.k": _at_least(0),
    "context.k_min": _at_least(2),
    "context.k_max": _at_least(2),
    "context.picks": _at_least(1),
    "context.prior_plays": _at_least(0),
    "context.picks_recency_mix": _between(0, 1),
    "context.picks_lift_power": _at_least(0),
    "context.slot_tilts": lambda v: None if all(0 < t <= 1 for t in v) else
    "every tilt must be above 0 and at most 1",
    "context.holdout_months": _at_least(1),
    "context.min_gain": _at_least(0),
    "content.tier": _tier,
    "content.neighbours": _at_least(1),
    "discover.rising_seeds": _at_least(0),
    "play_next.half_lives": _half_lives,
    "play_next.alternatives": lambda v: next(filter(None, map(_half_lives, v)), None),
    "play_next.tune_step_days": _above(0),
    "play_next.tune_cutoffs": _at_least(0),
    "play_next.tune_min_gain": _at_least(0),
    "rediscover.dormant_days": _above(0),
    "rediscover.half_life_days": _above(0),
    "rediscover.trend": _at_least(0),
    "rediscover.season": _at_least(0),
    "ensemble.top": _at_least(1),
    "ensemble.diversity": _between(0, 1),
    "ensemble.pool": _at_least(1),
    "providers.similar": _one_of(*PROVIDER_KINDS),
    "providers.concurrency": _at_least(1),
    "providers.connect_timeout_seconds": _above(0),
    "providers.read_timeout_seconds": _above(0),
    "providers.total_timeout_seconds": _above(0),
    "providers.max_retries": _at_least(0),
    "providers.backoff_base_seconds": _at_least(0),
    "providers.backoff_max_seconds": _at_least(0),
    "providers.retry_budget_seconds": _at_least(0),
    "providers.retry_after_max_seconds": _at_least(0),
    "providers.breaker_failures": _at_least(1),
    "lastfm.base_url": _api_url,
    "lastfm.limit": _at_least(1),
    "lastfm.rate_per_second": _above(0),
    "listenbrainz.labs_url": _api_url,
    "listenbrainz.algorithm": _algorithm,
    "listenbrainz.rate_per_second": _above(0),
    "musicbrainz.base_url": _api_url,
    # MusicBrainz answers faster clients with 503s and may block them (docs/providers.md).
    "musicbrainz.rate_per_second": lambda v: None if 0 < v <= 1 else "must be > 0 and ≤ 1",
    "musicbrainz.min_score": _between(0, 100),
    "cache.similar_ttl_hours": _at_least(0),
    "cache.mbid_ttl_days": _at_least(0),
    "cache.similar_max_mib": _at_least(0),
    "evaluate.step_days": _at_least(1),
    "evaluate.span_days": _at_least(1),
    "evaluate.horizon_days": _at_least(1),
    "evaluate.context_horizon_days": _at_least(1),
    "evaluate.top_k": _at_least(1),
    "evaluate.context_top_k": _at_least(1),
    "evaluate.bootstrap_resamples": _at_least(100),
    "evaluate.confidence": _between(0.5, 0.999),
    "export.format": _one_of("comprehensive", "summary", "csv", "tracks", "m3u"),
    "export.tracks_per_artist": _at_least(0),
}

# (smaller, larger): the first may not exceed the second.
ORDERED_PAIRS = (
    ("context.k_min", "context.k_max"),
    ("providers.backoff_base_seconds", "providers.backoff_max_seconds"),
    ("providers.connect_timeout_seconds", "providers.total_timeout_seconds"),
    ("providers.read_timeout_seconds", "providers.total_timeout_seconds"),
)


def _fail(where: Mapping[str, str], key: str, value: Any, problem: str) -> SettingsError:
    return SettingsError(f"{where.get(key, 'settings')}: {key} = {show_value(key, value)}: "
                         f"{problem}")


def weight_problem(weights: Mapping[str, float], known: Sequence[str]) -> str | None:
    """What is wrong with a weights table, or None (see ``relative_weights``)."""
    for name, weight in weights.items():
        if name not in known:
            return f"has an unknown name {name!r} (known: {', '.join(known)})"
        if not math.isfinite(weight) or weight < 0:
            return f"has a negative weight for {name!r}"
    if math.fsum(weights.values()) <= 0:
        return "needs at least one weight above 0"
    return None


def relative_weights(weights: Mapping[str, float], known: Sequence[str],
                     key: str) -> dict[str, float]:
    """The one rule for every weights table (settings, flags and the app): known names,
    each ≥ 0, at least one above 0. Weights are relative: they are rescaled to sum to 1
    (names left out weigh 0), and the caller says so when they did not already."""
    if problem := weight_problem(weights, known):
        raise SettingsError(f"{key} {problem}")
    total = math.fsum(weights.values())
    return {name: float(weights.get(name, 0.0)) / total for name in known}


def rescaled_note(key: str, weights: Mapping[str, float]) -> str | None:
    """"… rescaled to sum to 1" when ``weights`` do not already (None when they do)."""
    total = math.fsum(weights.values())
    if abs(total - 1.0) <= WEIGHT_TOLERANCE:
        return None
    return f"{key} summed to {total:g}; rescaled to sum to 1"


def _check_weights(key: str, weights: dict[str, float], known: list[str],
                   where: Mapping[str, str]) -> dict[str, float]:
    """Checked by the one rule; kept as written (rescaled where used), names left out 0."""
    if problem := weight_problem(weights, known):
        raise _fail(where, key, weights, problem)
    return {name: float(weights.get(name, 0.0)) for name in known}


def check_values(values: dict[str, Any], where: Mapping[str, str],
                 weight_names: Mapping[str, list[str]]) -> dict[str, Any]:
    """Validate merged flat values; returns them with weight tables completed.

    ``weight_names`` maps each weights key to its allowed names in the defaults' order.
    """
    out = dict(values)
    for key, rule in RULES.items():
        if key in out and (problem := rule(out[key])):
            raise _fail(where, key, out[key], problem)
    for low, high in ORDERED_PAIRS:
        if low in out and high in out and out[low] > out[high]:
            raise SettingsError(
                f"{where.get(low, 'settings')}: {low} = {out[low]!r} is larger than "
                f"{high} = {out[high]!r} (from {where.get(high, 'settings')})")
    for key, known in weight_names.items():
        if key in out:
            out[key] = _check_weights(key, out[key], known, where)
    return out
