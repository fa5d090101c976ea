"""Layered settings: precedence of every layer, env parsing, .env, MUSICREC_CONFIG_FILE."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from musicrec_tui.core.locations import config_dir
from musicrec_tui.core.settings import (
    default_config,
    explain_settings,
    layers,
    load_settings,
    schema,
)


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    """An empty current folder, so the cwd .env layer is under the test's control."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def _source(key: str, **kwargs) -> str:
    return next(e.source for e in explain_settings(**kwargs) if e.key == key)


def test_no_args_gives_the_defaults(workdir):
    s = load_settings()
    defaults = default_config()
    assert s.ensemble.top == defaults["ensemble"]["top"]
    assert s.ensemble.shares == defaults["ensemble"]["shares"]
    assert s.import_.min_play_seconds == defaults["import"]["min_play_seconds"]
    assert {e.source for e in explain_settings()} == {"default"}


def test_schema_and_defaults_cover_the_same_keys():
    defaults = default_config()
    flat = {f"{section}.{key}" for section, body in defaults.items() for key in body}
    assert flat == set(schema())


def test_precedence_of_every_layer(workdir, monkeypatch):
    key = "ensemble.top"
    cfg = layers.user_config_path()
    cfg.write_text("[ensemble]\ntop = 2\n")
    (config_dir() / ".env").write_text("MUSICREC_ENSEMBLE_TOP=3\n")
    (workdir / ".env").write_text("MUSICREC_ENSEMBLE_TOP=4\n")
    monkeypatch.setenv("MUSICREC_ENSEMBLE_TOP", "5")
    cli = {"ensemble": {"top": 6}}
    overrides = {"ensemble": {"top": 7}}

    assert load_settings(overrides, cli=cli).ensemble.top == 7
    assert _source(key, overrides=overrides, cli=cli) == "overrides"
    assert load_settings(cli=cli).ensemble.top == 6
    assert _source(key, cli=cli) == "command line"
    assert load_settings().ensemble.top == 5
    assert _source(key) == "env MUSICREC_ENSEMBLE_TOP"
    monkeypatch.delenv("MUSICREC_ENSEMBLE_TOP")
    assert load_settings().ensemble.top == 4
    assert _source(key) == f".env {workdir / '.env'} MUSICREC_ENSEMBLE_TOP"
    (workdir / ".env").unlink()
    assert load_settings().ensemble.top == 3
    assert _source(key) == f".env {config_dir() / '.env'} MUSICREC_ENSEMBLE_TOP"
    (config_dir() / ".env").unlink()
    assert load_settings().ensemble.top == 2
    assert _source(key) == f"user config {cfg}"
    cfg.unlink()
    assert load_settings().ensemble.top == default_config()["ensemble"]["top"]
    assert _source(key) == "default"


def test_layers_merge_per_key_not_per_section(workdir, monkeypatch):
    layers.user_config_path().write_text("[ensemble]\ntop = 9\n")
    monkeypatch.setenv("MUSICREC_ENSEMBLE_DIVERSITY", "0.75")
    s = load_settings(cli={"ensemble": {"seed": 1, "pool": None}})
    assert (s.ensemble.top, s.ensemble.diversity, s.ensemble.seed) == (9, 0.75, 1)
    assert s.ensemble.pool == default_config()["ensemble"]["pool"]  # None = flag not given
    assert s.ensemble.shares == default_config()["ensemble"]["shares"]


def test_weights_table_is_replaced_whole_and_completed(workdir, monkeypatch):
    # Relative weights are kept as written (the Mix rescales them, and says so).
    monkeypatch.setenv("MUSICREC_ENSEMBLE_SHARES", "play_next=2, discover=1")
    assert load_settings().ensemble.shares == {"play_next": 2.0, "rediscover": 0.0,
                                               "discover": 1.0}
    monkeypatch.setenv("MUSICREC_RANKING_WEIGHTS", '{"e_total": 0.5, "plays": 0.5}')
    assert load_settings().ranking.weights == {"e_total": 0.5, "e_avg": 0.0, "plays": 0.5,
                                               "hours": 0.0}


@pytest.mark.parametrize(("var", "text", "attr", "expected"), [
    ("MUSICREC_IMPORT_DROP_INCOGNITO", "yes", ("import_", "drop_incognito"), True),
    ("MUSICREC_IMPORT_USE_CACHE", "0", ("import_", "use_cache"), False),
    ("MUSICREC_IMPORT_USE_CACHE", "OFF", ("import_", "use_cache"), False),
    ("MUSICREC_IMPORT_MIN_PLAY_SECONDS", " 12.5 ", ("import_", "min_play_seconds"), 12.5),
    ("MUSICREC_CONTEXT_K", "4", ("context", "k"), 4),
    ("MUSICREC_LASTFM_BASE_URL", "http://127.0.0.1:9/2.0/", ("lastfm", "base_url"),
     "http://127.0.0.1:9/2.0/"),
    ("MUSICREC_IMPORT_TIMEZONE", "Europe/Paris", ("import_", "timezone"), "Europe/Paris"),
    ("MUSICREC_CONTENT_TIER", "10-20", ("content", "tier"), "10-20"),
])
def test_env_values_are_parsed_by_type(workdir, monkeypatch, var, text, attr, expected):
    monkeypatch.setenv(var, text)
    value = getattr(getattr(load_settings(), attr[0]), attr[1])
    assert value == expected and type(value) is type(expected)


def test_every_setting_has_an_env_variable(workdir, monkeypatch):
    for key in schema():
        assert layers.env_name(key).startswith("MUSICREC_")
    monkeypatch.setenv(layers.env_name("cache.similar_ttl_hours"), "168")
    monkeypatch.setenv(layers.env_name("tui.theme"), "nord")
    s = load_settings()
    assert (s.cache.similar_ttl_hours, s.tui.theme) == (168.0, "nord")


def test_non_setting_variables_are_ignored(workdir, monkeypatch, tmp_path):
    # MUSICREC_CACHE_DIR looks like [cache] dir but is a location, not a setting.
    monkeypatch.setenv("MUSICREC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MUSICREC_SOMETHING_ELSE", "1")
    monkeypatch.setenv("LASTFM_API_KEY", "k")
    assert load_settings().ensemble.top == default_config()["ensemble"]["top"]


def test_dotenv_is_read_without_touching_os_environ(workdir, monkeypatch):
    monkeypatch.setenv("HOME_FOR_TEST", "/somewhere")
    (workdir / ".env").write_text(
        "# a comment\n"
        "OTHER_APP_SETTING=whatever\n"
        'MUSICREC_TUI_THEME="${HOME_FOR_TEST}"\n'
        "export MUSICREC_ENSEMBLE_TOP=11\n"
        "LASTFM_API_KEY=from-dotenv\n"
    )
    before = dict(os.environ)
    s = load_settings()
    assert s.ensemble.top == 11
    assert s.tui.theme == "${HOME_FOR_TEST}"  # no interpolation from the environment
    assert dict(os.environ) == before


def test_config_file_env_isolates(workdir, monkeypatch, tmp_path):
    # conftest points MUSICREC_CONFIG_FILE into the test's tmp folder.
    assert layers.user_config_path().is_relative_to(tmp_path)
    (config_dir() / "config.toml").write_text("[ensemble]\ntop = 9\n")
    other = tmp_path / "elsewhere.toml"
    other.write_text("[ensemble]\ntop = 3\n")
    monkeypatch.setenv("MUSICREC_CONFIG_FILE", str(other))
    assert load_settings().ensemble.top == 3
    assert _source("ensemble.top") == f"user config {other}"
    monkeypatch.setenv("MUSICREC_CONFIG_FILE", str(tmp_path / "missing.toml"))
    assert load_settings().ensemble.top == default_config()["ensemble"]["top"]
    monkeypatch.delenv("MUSICREC_CONFIG_FILE")
    assert layers.user_config_path() == config_dir() / "config.toml"
    assert load_settings().ensemble.top == 9


def test_user_toml_values_get_their_types(workdir):
    layers.user_config_path().write_text(
        '[import]\nmin_play_seconds = 10\ntimezone = "Asia/Tokyo"\n'
        '[ensemble]\nshares = { play_next = 0.5, discover = 0.5 }\n')
    s = load_settings()
    assert s.import_.min_play_seconds == 10.0 and isinstance(s.import_.min_play_seconds, float)
    assert s.import_.timezone == "Asia/Tokyo"
    assert s.ensemble.shares["rediscover"] == 0.0


def test_a_retired_setting_is_ignored_with_a_note_not_an_error(workdir, monkeypatch):
    """A config written for an older release keeps working: each retired key is named once."""
    from musicrec_tui.core.settings import retired_notes

    path = layers.user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[ensemble]\nweights = { recency = 1.0 }\ntop = 7\n", encoding="utf-8")
    monkeypatch.setenv("MUSICREC_CONTEXT_LIFT_POWERS", "[0.0, 1.0]")
    assert load_settings().ensemble.top == 7
    assert retired_notes() == [
        f"user config {path}: ensemble.weights is no longer used (the Mix blends the lists "
        "by ensemble.shares); it can be removed",
        "env MUSICREC_CONTEXT_LIFT_POWERS: context.lift_powers is no longer used (context "
        "picks lean towards Play next by context.slot_tilts); it can be removed"]
    assert str(layers.unknown_key("ensemble.weights", schema(), "config set")) == (
        "config set: ensemble.weights is no longer used: the Mix blends the lists by "
        "ensemble.shares")
