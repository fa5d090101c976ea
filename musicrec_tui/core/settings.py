"""Typed settings. Defaults come from ``config/default.toml`` (shipped in the package).

Layering (CLI > env > .env > user TOML > defaults) is built on top of :func:`load_settings`.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec

from musicrec_tui.core.errors import SettingsError


class _Section(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    pass


class ImportSettings(_Section):
    min_play_seconds: float
    session_gap_minutes: float
    timezone: str
    drop_incognito: bool
    max_member_mib: int
    use_cache: bool


class RankingSettings(_Section):
    weights: dict[str, float]
    top_tracks: int


class TemporalSettings(_Section):
    period: str
    components: int
    l2: float
    trend_periods: int
    max_iter: int


class ContextSettings(_Section):
    k: int
    k_min: int
    k_max: int
    picks: int
    prior_plays: float
    include_season: bool


class ContentSettings(_Section):
    tier: str
    neighbours: int
    exclude_library_with_lastfm: bool
    colisten_max_artists: int
    colisten_shrinkage: float
    rotation_damping: float
    rotation_half_life_days: float


class EnsembleSettings(_Section):
    weights: dict[str, float]
    top: int
    exclude_heavy: bool
    heavy_rotation_top: int
    diversity: float
    recency_half_life_days: float
    seed: int
    heavy_rotation_days: int
    pool: int


class LastfmSettings(_Section):
    base_url: str
    provider: str
    limit: int
    concurrency: int
    rate_per_second: float
    timeout_seconds: float
    max_retries: int
    backoff_base_seconds: float
    backoff_max_seconds: float
    retry_budget_seconds: float


class CacheSettings(_Section):
    similar_ttl_hours: float
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


class ExportSettings(_Section):
    format: str
    tracks_per_artist: int
    track_links: bool
    top_artists: int


class TuiSettings(_Section):
    theme: str


class Settings(_Section):
    import_: ImportSettings = msgspec.field(name="import")
    ranking: RankingSettings
    temporal: TemporalSettings
    context: ContextSettings
    content: ContentSettings
    ensemble: EnsembleSettings
    lastfm: LastfmSettings
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
    repo_copy = Path(__file__).resolve().parents[2] / "config" / "default.toml"
    return repo_copy.read_text(encoding="utf-8")


def default_config() -> dict[str, Any]:
    return tomllib.loads(default_config_text())


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "weights":
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def parse_settings(data: dict[str, Any], layer: str = "defaults") -> Settings:
    try:
        return msgspec.convert(data, Settings)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"{layer}: {exc}") from None


def load_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Defaults merged with ``overrides`` (a nested dict shaped like the TOML)."""
    data = default_config()
    if overrides:
        data = _merge(data, overrides)
    return parse_settings(data)
