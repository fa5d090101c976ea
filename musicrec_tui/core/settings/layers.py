"""Reading the settings layers: user TOML, ``.env`` files, environment, nested dicts.

Every layer becomes a :class:`Layer`: a flat ``{"section.key": value}`` dict whose values
already have the Python type the settings schema asks for, plus a label per key saying
exactly where the value came from (``env MUSICREC_ENSEMBLE_TOP``). Type problems and
unknown keys are reported here, naming the layer, key and value.

This module knows nothing about the Struct types: :mod:`musicrec_tui.core.settings` passes
in the schema (``{"section.key": type}``), which keeps the import graph one-way.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from dotenv import dotenv_values

from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.locations import config_dir

ENV_PREFIX = "MUSICREC_"
# MUSICREC_* variables that are not settings (MUSICREC_CACHE_DIR would otherwise read as
# the key "dir" of the [cache] section).
RESERVED_ENV = frozenset(
    {"MUSICREC_CACHE_DIR", "MUSICREC_CONFIG_DIR", "MUSICREC_CONFIG_FILE", "MUSICREC_PASSPHRASE"}
)
# Secrets are read from the environment too, but never become settings.
SECRET_ENV = ("LASTFM_API_KEY", "LASTFM_SHARED_SECRET")
# Settings that moved to another name; the old name in a config file, the environment or
# `config set` still works and means the new one.
MOVED = {
    "lastfm.provider": "providers.similar",
    "lastfm.concurrency": "providers.concurrency",
    "lastfm.timeout_seconds": "providers.total_timeout_seconds",
    **{f"lastfm.{name}": f"providers.{name}" for name in (
        "max_retries", "backoff_base_seconds", "backoff_max_seconds", "retry_budget_seconds",
        "retry_after_max_seconds")},
}
# Settings that no longer do anything, with what replaced them: a config that still sets one
# keeps working, and each command says once that it can go (see ``retired_notes``).
_HEAVY = "the Mix no longer drops heavy rotation: Rediscover holds what you have not played"
RETIRED = {
    "ensemble.weights": "the Mix blends the lists by ensemble.shares",
    "ensemble.recency_half_life_days": "Play next decays by play_next.half_lives",
    "ensemble.exclude_heavy": _HEAVY,
    "ensemble.heavy_rotation_days": _HEAVY,
    "ensemble.heavy_rotation_top": _HEAVY,
    "context.lift_powers": "context picks lean towards Play next by context.slot_tilts",
    "context.holdout_days": "the tilt is chosen over context.holdout_months",
}
# Strings that look like secrets are never echoed back in an error message.
_SECRETISH = ("key", "secret", "token", "password", "passphrase")

Schema = Mapping[str, Any]  # "section.key" -> Python type


@dataclass(frozen=True)
class Layer:
    """One source of settings; ``where[key]`` names the exact origin of ``values[key]``."""

    name: str
    values: dict[str, Any] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)
    retired: dict[str, str] = field(default_factory=dict)  # retired key → where it was set


# ---- paths -------------------------------------------------------------------------------

def user_config_path() -> Path:
    """``MUSICREC_CONFIG_FILE`` if set (tests, portable installs), else the config dir's."""
    override = os.environ.get("MUSICREC_CONFIG_FILE")
    return Path(override).expanduser() if override else config_dir() / "config.toml"


def dotenv_paths() -> list[Path]:
    """``.env`` candidates, highest priority first: the current folder, then the config dir."""
    out: list[Path] = []
    for candidate in (Path.cwd() / ".env", config_dir() / ".env"):
        if candidate.resolve() not in {p.resolve() for p in out}:
            out.append(candidate)
    return out


def env_name(key: str) -> str:
    """``ensemble.top`` → ``MUSICREC_ENSEMBLE_TOP``."""
    return ENV_PREFIX + key.replace(".", "_").upper()


# ---- value display and type coercion ------------------------------------------------------

def show_value(key: str, value: Any) -> str:
    """A short, safe rendering of a value for error messages."""
    if any(word in key.lower() for word in _SECRETISH) and isinstance(value, str):
        return "<hidden>"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _type_name(tp: Any) -> str:
    names = {bool: "true/false", int: "an integer", float: "a number", str: "a string"}
    if tp in names:
        return names[tp]
    if getattr(tp, "__origin__", None) is dict:
        return "a table of name = number (e.g. a=0.5,b=0.5 or JSON)"
    return getattr(tp, "__name__", str(tp))


class Unparsed(ValueError):
    """A value's text that does not parse, in our words (shown after "is not a …"; the
    parsers' own messages are not: they are Python's or msgspec's wording, not ours)."""


def _parse_mapping(text: str) -> Any:
    """``"a=0.4, b=0.6"`` → ``{"a": "0.4", "b": "0.6"}``; JSON objects are accepted too."""
    stripped = text.strip()
    if stripped.startswith("{"):
        return json.loads(stripped)
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in stripped.split(","))):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise Unparsed(f"expected name=value, got {part!r}")
        out[name.strip()] = value.strip()
    return out


def parse_text(text: str, tp: Any) -> Any:
    """Turn an environment/command-line string into a value of type ``tp``."""
    if tp is str:
        return text
    raw = text.strip()
    if tp is bool:
        lowered = raw.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise Unparsed("expected true/false")
    if tp is int:
        return int(raw)
    if tp is float:
        return float(raw)
    if getattr(tp, "__origin__", None) is dict:
        parsed = _parse_mapping(raw)
        value_type = tp.__args__[1]
        if value_type is not str:
            parsed = {k: parse_text(v, value_type) if isinstance(v, str) else v
                      for k, v in parsed.items()}
        return parsed
    return json.loads(raw)


def coerce(key: str, value: Any, tp: Any, where: str) -> Any:
    """Check ``value`` against ``tp`` (strings are parsed first) or raise a SettingsError."""
    try:
        try:
            out = msgspec.convert(value, tp)
        except msgspec.ValidationError:
            # Environment and command-line values arrive as text: parse them by the type.
            if not isinstance(value, str):
                raise
            out = msgspec.convert(parse_text(value, tp), tp)
    except (ValueError, msgspec.ValidationError) as exc:
        detail = f" ({exc})" if isinstance(exc, Unparsed) else ""
        raise SettingsError(
            f"{where}: {key} = {show_value(key, value)} is not {_type_name(tp)}{detail}"
        ) from None
    if isinstance(out, float) and not math.isfinite(out):
        raise SettingsError(f"{where}: {key} = {show_value(key, value)} must be a finite number")
    return out


def unknown_key(key: str, schema: Schema, where: str) -> SettingsError:
    """An error for a key the schema lacks, with the closest known key (never the value)."""
    section = key.partition(".")[0]
    same_section = [k for k in schema if k.startswith(section + ".")]
    close = difflib.get_close_matches(key, same_section or list(schema), n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(key, list(schema), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    if key in RETIRED:
        return SettingsError(f"{where}: {key} is no longer used: {RETIRED[key]}")
    if any(word in key.lower() for word in _SECRETISH):
        hint = " (store API keys with `musicrec config set-key` or LASTFM_API_KEY)"
    return SettingsError(f"{where}: unknown setting {key}{hint}")


# ---- layers -----------------------------------------------------------------------------

def flatten(data: Mapping[str, Any], where: str, schema: Schema) -> dict[str, Any]:
    """A nested ``{section: {key: value}}`` dict → flat ``{"section.key": value}``."""
    sections = {k.partition(".")[0] for k in schema}
    flat: dict[str, Any] = {}
    for section, body in data.items():
        if section not in sections:
            if not isinstance(body, Mapping):
                raise unknown_key(section, schema, where)
            close = difflib.get_close_matches(section, sorted(sections), n=1)
            hint = f" (did you mean [{close[0]}]?)" if close else ""
            raise SettingsError(f"{where}: unknown section [{section}]{hint}")
        if not isinstance(body, Mapping):
            raise SettingsError(f"{where}: [{section}] must be a table of settings")
        for key, value in body.items():
            flat[MOVED.get(f"{section}.{key}", f"{section}.{key}")] = value
    return flat


def nested_layer(name: str, data: Mapping[str, Any] | None, schema: Schema) -> Layer:
    """A layer from a TOML-shaped dict (defaults, user file, command line, overrides).

    ``None`` values are skipped so an argparse flag left at its default changes nothing.
    """
    layer = Layer(name)
    for key, value in flatten(data or {}, name, schema).items():
        if value is None:
            continue
        if key in RETIRED and key not in schema:
            layer.retired[key] = name
            continue
        if key not in schema:
            raise unknown_key(key, schema, name)
        layer.values[key] = coerce(key, value, schema[key], name)
        layer.where[key] = name
    return layer


def toml_layer(path: Path, schema: Schema) -> Layer:
    name = f"user config {path}"
    if not path.is_file():
        return Layer(name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{name}: cannot read ({exc.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{name}: not valid TOML ({exc})") from None
    return nested_layer(name, data, schema)


def _section_of(rest: str, sections: list[str]) -> str | None:
    for section in sections:
        if rest.startswith(section.upper() + "_"):
            return section
    return None


def env_layer(name: str, environ: Mapping[str, str | None], schema: Schema) -> Layer:
    """``MUSICREC_<SECTION>_<KEY>`` variables; others (``PATH``, another app's) are ignored.

    A variable naming a known section but an unknown key is an error, so a typo such as
    ``MUSICREC_ENSEMBLE_TOPP`` is not silently ignored.
    """
    # Longest first so a section whose name prefixes another's can never steal its keys.
    sections = sorted({k.partition(".")[0] for k in schema}, key=len, reverse=True)
    by_env = {env_name(k): k for k in schema}
    by_env.update({env_name(old): new for old, new in MOVED.items()})
    retired = {env_name(key): key for key in RETIRED}
    layer = Layer(name)
    for var, text in environ.items():
        if not var.startswith(ENV_PREFIX) or var in RESERVED_ENV or text is None:
            continue
        where = f"{name} {var}".strip()
        if var in retired:
            layer.retired[retired[var]] = where
            continue
        key = by_env.get(var)
        if key is None:
            section = _section_of(var[len(ENV_PREFIX):], sections)
            if section is None:
                continue
            guess = f"{section}.{var[len(ENV_PREFIX) + len(section) + 1:].lower()}"
            raise unknown_key(guess, schema, where)
        layer.values[key] = coerce(key, text, schema[key], where)
        layer.where[key] = where
    return layer


def read_dotenv(path: Path) -> dict[str, str | None]:
    """One ``.env`` file, parsed without touching ``os.environ`` and without ``${}`` expansion."""
    if not path.is_file():
        return {}
    try:
        return dict(dotenv_values(path, interpolate=False))
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f".env {path}: cannot read ({exc.__class__.__name__})") from None


def dotenv_layers(schema: Schema) -> list[Layer]:
    """The ``.env`` layers, lowest priority first (config dir, then the current folder)."""
    return [env_layer(f".env {path}", read_dotenv(path), schema)
            for path in reversed(dotenv_paths())]


def find_secret_env(var: str) -> tuple[str, str] | None:
    """``(value, source)`` of a secret variable from the environment or a ``.env`` file."""
    value = os.environ.get(var)
    if value:
        return value, f"env {var}"
    for path in dotenv_paths():
        value = read_dotenv(path).get(var)
        if value:
            return value, f".env {path}"
    return None
