"""Validation: each bad value gives one SettingsError naming the layer, key and value."""

from __future__ import annotations

import pytest

from musicrec_tui.core.errors import MusicrecError, SettingsError
from musicrec_tui.core.settings import layers, load_settings
from musicrec_tui.core.settings.checks import parse_tier


@pytest.fixture(autouse=True)
def _empty_cwd(tmp_path, monkeypatch):
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)


def _error_from_env(monkeypatch, var: str, text: str) -> str:
    monkeypatch.setenv(var, text)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert isinstance(err.value, MusicrecError)
    return str(err.value)


def test_a_value_that_does_not_parse_is_worded_by_us(monkeypatch):
    """Python's and msgspec's own messages ("could not convert string to float", "Expected
    `int`, got `str`") were appended in parentheses."""
    assert _error_from_env(monkeypatch, "MUSICREC_ENSEMBLE_TOP", "lots") == \
        "env MUSICREC_ENSEMBLE_TOP: ensemble.top = 'lots' is not an integer"
    monkeypatch.delenv("MUSICREC_ENSEMBLE_TOP")
    assert _error_from_env(monkeypatch, "MUSICREC_ENSEMBLE_DIVERSITY", "") == \
        "env MUSICREC_ENSEMBLE_DIVERSITY: ensemble.diversity = '' is not a number"
    monkeypatch.delenv("MUSICREC_ENSEMBLE_DIVERSITY")
    assert _error_from_env(monkeypatch, "MUSICREC_ENSEMBLE_SHARES", "play_next").endswith(
        "is not a table of name = number (e.g. a=0.5,b=0.5 or JSON) (expected name=value, "
        "got 'play_next')")


@pytest.mark.parametrize(("var", "text", "problem"), [
    ("MUSICREC_ENSEMBLE_TOP", "lots", "is not an integer"),
    ("MUSICREC_ENSEMBLE_TOP", "2.5", "is not an integer"),
    ("MUSICREC_IMPORT_USE_CACHE", "maybe", "is not true/false"),
    ("MUSICREC_ENSEMBLE_DIVERSITY", "nan", "finite"),
    ("MUSICREC_ENSEMBLE_DIVERSITY", "1.5", "between 0 and 1"),
    ("MUSICREC_ENSEMBLE_SHARES", "play_next=0,discover=0", "at least one weight above 0"),
    ("MUSICREC_ENSEMBLE_SHARES", "play_next=1.2,discover=-0.2", "negative weight"),
    ("MUSICREC_ENSEMBLE_SHARES", "play_nxt=1", "unknown name 'play_nxt'"),
    ("MUSICREC_ENSEMBLE_SHARES", "play_next", "is not a table"),
    ("MUSICREC_ENSEMBLE_SHARES", "play_next=lots", "is not a table"),
    ("MUSICREC_RANKING_WEIGHTS", "e_total=-0.5,e_avg=0.6", "negative weight"),
    ("MUSICREC_PLAY_NEXT_HALF_LIVES", "[14.0, 0.0]", "each above 0 days"),
    ("MUSICREC_PLAY_NEXT_ALTERNATIVES", "[[7.0], []]", "at least one half-life"),
    ("MUSICREC_CONTEXT_SLOT_TILTS", "[0.5, 1.5]", "at most 1"),
    ("MUSICREC_CONTENT_TIER", "1-", 'expected "start-end"'),
    ("MUSICREC_CONTENT_TIER", "top50", 'expected "start-end"'),
    ("MUSICREC_CONTENT_TIER", "0-50", "ranks start at 1"),
    ("MUSICREC_CONTENT_TIER", "50-10", "start 50 is after end 10"),
    ("MUSICREC_IMPORT_TIMEZONE", "Mars/Olympus_Mons", "not a known IANA timezone"),
    ("MUSICREC_IMPORT_TIMEZONE", "../../etc/passwd", "not a known IANA timezone"),
    ("MUSICREC_PROVIDERS_SIMILAR", "spotify", "must be one of auto, lastfm, listenbrainz, offline"),
    ("MUSICREC_TEMPORAL_PERIOD", "day", "must be one of month, week"),
    ("MUSICREC_LASTFM_BASE_URL", "ftp://example.org", "must be an https:// URL"),
    ("MUSICREC_LASTFM_BASE_URL", "http://proxy.example.org/2.0/", "plain http only to"),
    ("MUSICREC_LASTFM_BASE_URL", "https:///no-host", "must be an https:// URL"),
    ("MUSICREC_PROVIDERS_CONCURRENCY", "0", "must be ≥ 1"),
    ("MUSICREC_LASTFM_RATE_PER_SECOND", "0", "must be > 0"),
    ("MUSICREC_PROVIDERS_RETRY_AFTER_MAX_SECONDS", "-1", "must be ≥ 0"),
    ("MUSICREC_PROVIDERS_BREAKER_FAILURES", "0", "must be ≥ 1"),
    ("MUSICREC_LISTENBRAINZ_LABS_URL", "http://labs.example.org/", "plain http only to"),
    ("MUSICREC_LISTENBRAINZ_ALGORITHM", "x; drop", "dataset name"),
    ("MUSICREC_MUSICBRAINZ_BASE_URL", "ftp://musicbrainz.org/", "must be an https:// URL"),
    ("MUSICREC_MUSICBRAINZ_RATE_PER_SECOND", "2", "must be > 0 and ≤ 1"),
    ("MUSICREC_MUSICBRAINZ_MIN_SCORE", "101", "must be between 0 and 100"),
    ("MUSICREC_CACHE_SIMILAR_MAX_MIB", "-5", "must be ≥ 0"),
    ("MUSICREC_IMPORT_SCROBBLE_MATCH_SECONDS", "-30", "must be ≥ 0"),
])
def test_bad_env_values(monkeypatch, var, text, problem):
    message = _error_from_env(monkeypatch, var, text)
    rest = var.removeprefix("MUSICREC_").lower()
    section = next(s for s in ("play_next", *rest.split("_")[:1]) if rest.startswith(s + "_"))
    key = f"{section}.{rest.removeprefix(section + '_')}"
    assert message.startswith(f"env {var}: ")
    assert key in message
    assert repr(text.strip()) in message or "{" in message or text in message
    assert problem in message


def test_an_old_setting_name_in_the_environment_means_the_new_one(monkeypatch):
    message = _error_from_env(monkeypatch, "MUSICREC_LASTFM_PROVIDER", "spotify")
    assert message.startswith("env MUSICREC_LASTFM_PROVIDER: providers.similar = 'spotify'")
    monkeypatch.setenv("MUSICREC_LASTFM_PROVIDER", "offline")
    assert load_settings().providers.similar == "offline"


def test_cross_field_order(monkeypatch):
    message = _error_from_env(monkeypatch, "MUSICREC_CONTEXT_K_MIN", "9")
    assert "context.k_min = 9 is larger than context.k_max = 8 (from default)" in message


def test_unknown_env_key_suggests_the_closest(monkeypatch):
    message = _error_from_env(monkeypatch, "MUSICREC_ENSEMBLE_TOPP", "3")
    assert message == ("env MUSICREC_ENSEMBLE_TOPP: unknown setting ensemble.topp "
                       "(did you mean ensemble.top?)")


def test_secret_looking_values_are_never_echoed(monkeypatch):
    message = _error_from_env(monkeypatch, "MUSICREC_LASTFM_API_KEY", "sekret-value-123")
    assert "sekret-value-123" not in message
    assert "set-key" in message
    assert layers.show_value("lastfm.api_key", "sekret") == "<hidden>"


@pytest.mark.parametrize(("text", "expected"), [
    ("[ensemble]\nshraes = { play_next = 1.0 }\n", "unknown setting ensemble.shraes "
                                                   "(did you mean ensemble.shares?)"),
    ("[ensembel]\ntop = 3\n", "unknown section [ensembel] (did you mean [ensemble]?)"),
    ("top = 3\n", "unknown setting top"),
    ("[ensemble]\ntop = \"five\"\n", "ensemble.top = 'five' is not an integer"),
    ("[import]\ndrop_incognito = 1\n", "import.drop_incognito = 1 is not true/false"),
    ("[content]\ntier = 5\n", "content.tier = 5 is not a string"),
    ("[ensemble\ntop = 3\n", "not valid TOML"),
    ("ensemble = 3\n", "[ensemble] must be a table"),
])
def test_bad_user_toml(text, expected):
    path = layers.user_config_path()
    path.write_text(text)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert str(err.value).startswith(f"user config {path}: ")
    assert expected in str(err.value)


def test_bad_cli_and_override_values_name_their_layer():
    with pytest.raises(SettingsError, match=r"^command line: content.tier = '3-1': start 3"):
        load_settings(cli={"content": {"tier": "3-1"}})
    with pytest.raises(SettingsError, match=r"^overrides: unknown setting ensemble.topp"):
        load_settings({"ensemble": {"topp": 1}})
    # CLI strings are parsed by type like environment variables.
    assert load_settings(cli={"ensemble": {"top": "7"}}).ensemble.top == 7


def test_bad_dotenv_value_names_the_file(tmp_path):
    dotenv = tmp_path / "cwd" / ".env"
    dotenv.write_text("MUSICREC_ENSEMBLE_TOP=many\n")
    with pytest.raises(SettingsError, match=rf"^\.env {dotenv} MUSICREC_ENSEMBLE_TOP: "):
        load_settings()


def test_overridden_bad_value_is_still_rejected_at_its_layer(monkeypatch):
    # A wrong type is an error even when a higher layer sets the same key.
    layers.user_config_path().write_text('[ensemble]\ntop = "x"\n')
    monkeypatch.setenv("MUSICREC_ENSEMBLE_TOP", "4")
    with pytest.raises(SettingsError, match="user config"):
        load_settings()


def test_parse_tier():
    assert parse_tier("1-50") == (1, 50)
    assert parse_tier(" 3 - 3 ") == (3, 3)
    assert parse_tier("200–300") == parse_tier("200:300") == (200, 300)
    for bad in ("", "1", "a-b", "-1-5", "1-2-3"):
        with pytest.raises(ValueError):
            parse_tier(bad)
