"""Typed settings. Defaults come from ``config/default.toml`` (shipped in the package).

:func:`load_settings` layers, highest first: command-line flags, ``MUSICREC_<SECTION>_<KEY>``
environment variables, ``.env`` files (current folder, then the config dir), the user's TOML
(``MUSICREC_CONFIG_FILE`` or ``config_dir()/config.toml``) and the defaults. The layer
readers live in :mod:`.layers`, the value checks in :mod:`.checks`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec

from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.settings import layers
from musicrec_tui.core.settings.checks import check_values

# Tables of relative weights (one rule: ``checks.relative_weights``), replaced whole.
WEIGHT_KEYS = ("weights", "shares")


class _Section(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    pass


class ImportSettings(_Section):
    min_play_seconds: float
    session_gap_minutes: float
    timezone: str
    drop_incognito: bool
    max_member_mib: int
    use_cache: bool
    scrobble_match_seconds: float


class RankingSettings(_Section):
    weights: dict[str, float]
    prior_plays: float
    top_tracks: int
    typical_track_seconds: float


class TemporalSettings(_Section):
    period: str
    components: int
    l2: float
    trend_periods: int
    max_iter: int
    tol: float
    forecast_actual_share: float
    trend_damping: float
    max_artists: int


class ContextSettings(_Section):
    k: int
    k_min: int
    k_max: int
    picks: int
    prior_plays: float
    include_season: bool
    picks_recency_mix: float
    picks_lift_power: float
    slot_tilts: list[float]
    holdout_months: int
    min_gain: float
    weekend_feature: bool


class ContentSettings(_Section):
    tier: str
    neighbours: int
    exclude_library_with_lastfm: bool
    colisten_max_artists: int
    colisten_shrinkage: float
    rotation_damping: float
    rotation_half_life_days: float


class DiscoverSettings(_Section):
    weights: dict[str, float]
    rising_seeds: int


class PlayNextSettings(_Section):
    half_lives: list[float]
    alternatives: list[list[float]]
    tune_step_days: float
    tune_cutoffs: int
    tune_min_gain: float


class RediscoverSettings(_Section):
    dormant_days: float
    half_life_days: float
    trend: float
    season: float


class EnsembleSettings(_Section):
    shares: dict[str, float]
    top: int
    diversity: float
    seed: int
    pool: int


class ProvidersSettings(_Section):
    similar: str
    allow_listenbrainz: bool
    concurrency: int
    connect_timeout_seconds: float
    read_timeout_seconds: float
    total_timeout_seconds: float
    max_retries: int
    backoff_base_seconds: float
    backoff_max_seconds: float
    retry_budget_seconds: float
    retry_after_max_seconds: float
    breaker_failures: int


class LastfmSettings(_Section):
    base_url: str
    limit: int
    rate_per_second: float


class ListenbrainzSettings(_Section):
    labs_url: str
    algorithm: str
    rate_per_second: float


class MusicbrainzSettings(_Section):
    base_url: str
    rate_per_second: float
    min_score: int


class CacheSettings(_Section):
    similar_ttl_hours: float
    mbid_ttl_days: float
    similar_max_mib: float
    busy_timeout_seconds: float = 5.0


class EvaluateSettings(_Section):
    step_days: int
    span_days: int
    horizon_days: int
    context_horizon_days: int
    top_k: int
    context_top_k: int
    min_train_days: int
    baseline_window_days: int
    baseline_half_life_days: float
    bootstrap_resamples: int
    confidence: float


class ExportSettings(_Section):
    format: str
    tracks_per_artist: int
    track_links: bool
    list_length: int


class TuiSettings(_Section):
    theme: str


class Settings(_Section):
    import_: ImportSettings = msgspec.field(name="import")
    ranking: RankingSettings
    temporal: TemporalSettings
    context: ContextSettings
    content: ContentSettings
    discover: DiscoverSettings
    play_next: PlayNextSettings
    rediscover: RediscoverSettings
    ensemble: EnsembleSettings
    providers: ProvidersSettings
    lastfm: LastfmSettings
    listenbrainz: ListenbrainzSettings
    musicbrainz: MusicbrainzSettings
    cache: CacheSettings
    evaluate: EvaluateSettings
    export: ExportSettings
    tui: TuiSettings

    def replace(self, **sections: Any) -> Settings:
        """A copy with whole sections swapped: ``s.replace(ensemble=...)``."""
        return msgspec.structs.replace(self, **sections)


def default_config_text() -> str:
    """The shipped ``default.toml``: from the wheel, or from the source checkout."""
    packaged = resources.files("musicrec_tui").joinpath("default.toml")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    repo_copy = Path(__file__).resolve().parents[3] / "config" / "default.toml"
    return repo_copy.read_text(encoding="utf-8")


def default_config() -> dict[str, Any]:
    return tomllib.loads(default_config_text())


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key not in WEIGHT_KEYS:
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def parse_settings(data: dict[str, Any], layer: str = "defaults") -> Settings:
    try:
        return msgspec.convert(data, Settings)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"{layer}: {exc}") from None


# ---- layering: CLI > env > .env > user TOML > defaults (readers in .layers) ------

DEFAULTS_LAYER = "default"


@dataclass(frozen=True)
class Explained:
    """One effective setting and the layer it came from (``env MUSICREC_ENSEMBLE_TOP``)."""

    key: str
    value: Any
    source: str


def schema() -> dict[str, Any]:
    """Every setting as ``{"section.key": python type}``, in declaration order."""
    out: dict[str, Any] = {}
    for section in msgspec.structs.fields(Settings):
        for item in msgspec.structs.fields(section.type):
            out[f"{section.encode_name}.{item.encode_name}"] = item.type
    return out


def _layers(overrides: dict[str, Any] | None, cli: dict[str, Any] | None,
            types: dict[str, Any]) -> list[layers.Layer]:
    """Every layer, lowest priority first."""
    return [
        layers.nested_layer(DEFAULTS_LAYER, default_config(), types),
        layers.toml_layer(layers.user_config_path(), types),
        *layers.dotenv_layers(types),
        layers.env_layer("env", os.environ, types),
        layers.nested_layer("command line", cli, types),
        layers.nested_layer("overrides", overrides, types),
    ]


def resolve(stack: list[layers.Layer], types: dict[str, Any]) -> tuple[Settings, dict[str, str]]:
    """Merge layers (later wins, whole values: a weights table is replaced, not merged),
    check the values and build :class:`Settings`; also return each key's source."""
    values: dict[str, Any] = {}
    where: dict[str, str] = {}
    for layer in stack:
        values.update(layer.values)
        where.update(layer.where)
    defaults = stack[0].values
    weight_names = {k: list(defaults[k]) for k in types
                    if k.endswith(WEIGHT_KEYS) and isinstance(defaults.get(k), dict)}
    values = check_values(values, where, weight_names)
    nested: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        section, _, name = key.partition(".")
        nested.setdefault(section, {})[name] = value
    return parse_settings(nested, DEFAULTS_LAYER), where


def load_settings(overrides: dict[str, Any] | None = None, *,
                  cli: dict[str, Any] | None = None) -> Settings:
    """The effective settings: ``overrides`` > ``cli`` > env > .env > user TOML > defaults.

    ``overrides`` and ``cli`` are nested dicts shaped like the TOML (``{"ensemble":
    {"top": 5}}``); ``None`` values in them are ignored, so unset flags change nothing.
    Raises :class:`SettingsError` naming the layer, key and value of the first problem.
    """
    types = schema()
    return resolve(_layers(overrides, cli, types), types)[0]


def retired_notes() -> list[str]:
    """One line per retired setting still set somewhere (it is ignored, not an error)."""
    types = schema()
    return [f"{where}: {key} is no longer used ({layers.RETIRED[key]}); it can be removed"
            for layer in _layers(None, None, types) for key, where in layer.retired.items()]


def explain_settings(overrides: dict[str, Any] | None = None, *,
                     cli: dict[str, Any] | None = None) -> list[Explained]:
    """Each setting with its effective value and the layer it came from."""
    types = schema()
    settings, where = resolve(_layers(overrides, cli, types), types)
    data = msgspec.to_builtins(settings)
    return [Explained(key, data[key.partition(".")[0]][key.partition(".")[2]],
                      where.get(key, DEFAULTS_LAYER))
            for key in types]
