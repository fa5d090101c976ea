"""The consent model: which provider a run uses, and what it tells the user it sends."""

from __future__ import annotations

import tomllib

import pytest

from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.settings import load_settings
from musicrec_tui.core.settings.layers import user_config_path
from musicrec_tui.core.similarity import select
from musicrec_tui.core.similarity.consent import (
    allow_listenbrainz,
    notice,
    sendings,
    should_offer,
    stay_offline,
)
from musicrec_tui.core.similarity.lastfm import LastfmProvider
from musicrec_tui.core.similarity.listenbrainz import ListenBrainzProvider
from musicrec_tui.core.similarity.select import choose_provider, effective_kind
from tests.lastfm_fake import API_KEY

ALLOWED = {"providers": {"allow_listenbrainz": True}}


@pytest.fixture
def offline(monkeypatch):
    stub = object()
    monkeypatch.setattr(select, "offline_provider", lambda history, settings: stub)
    return stub


@pytest.mark.parametrize(("kind", "overrides", "has_key", "expected"), [
    ("auto", {}, False, "offline"),  # nothing leaves the machine until the user opts in
    ("auto", ALLOWED, False, "listenbrainz"),
    ("auto", ALLOWED, True, "lastfm"),  # a stored key is the Last.fm opt-in, and wins
    ("auto", {}, True, "lastfm"),
    ("listenbrainz", {}, False, "listenbrainz"),  # naming it is consent
    ("lastfm", {}, True, "lastfm"),
    ("offline", ALLOWED, True, "offline"),
    (None, {"providers": {"similar": "listenbrainz"}}, False, "listenbrainz"),
])
def test_effective_kind(kind, overrides, has_key, expected):
    settings = load_settings(overrides)
    assert effective_kind(kind, settings, has_key=has_key) == expected
    assert effective_kind(kind, settings, has_key=has_key, offline=True) == "offline"


def test_lastfm_without_a_key_and_unknown_kinds_are_refused():
    with pytest.raises(SettingsError, match=r"needs an API key.*--provider listenbrainz"):
        effective_kind("lastfm", load_settings(), has_key=False)
    with pytest.raises(SettingsError, match="not one of auto, lastfm, listenbrainz, offline"):
        effective_kind("spotify", load_settings(), has_key=False)


def test_choose_provider_builds_what_the_model_says(offline):
    settings = load_settings()
    assert choose_provider("auto", settings, object()) is offline
    chosen = choose_provider("auto", load_settings(ALLOWED), object())
    assert isinstance(chosen.primary, ListenBrainzProvider)
    chosen = choose_provider("auto", load_settings(ALLOWED), object(), api_key=API_KEY)
    assert isinstance(chosen.primary, LastfmProvider)
    assert isinstance(choose_provider("listenbrainz", settings, None), ListenBrainzProvider)
    assert choose_provider("listenbrainz", settings, object(), offline=True) is offline


def test_what_is_sent_where():
    settings = load_settings()
    assert sendings("offline", settings) == []
    hosts = [s.host for s in sendings("listenbrainz", settings)]
    assert hosts == ["musicbrainz.org", "labs.api.listenbrainz.org"]
    assert [s.host for s in sendings("lastfm", settings)] == ["ws.audioscrobbler.com"]
    text = notice("listenbrainz", settings)
    assert text.startswith("sending artist names to musicbrainz.org (to find their MusicBrainz"
                           " IDs, for artists your export gives none); those artists'"
                           " MusicBrainz IDs to labs.api.listenbrainz.org")
    assert "musicbrainz.org" in text and "labs.api.listenbrainz.org" in text
    assert text.endswith("To stop: --provider offline, or `musicrec config set"
                         " providers.similar offline`")


def test_when_the_app_offers_the_consent_step():
    assert should_offer(load_settings(), has_key=False)
    assert not should_offer(load_settings(), has_key=True)  # Last.fm is on
    assert not should_offer(load_settings(ALLOWED), has_key=False)  # already said yes
    assert not should_offer(load_settings({"providers": {"similar": "offline"}}), has_key=False)


def test_consent_is_written_to_the_user_config_and_withdrawn():
    path = allow_listenbrainz()
    assert path == user_config_path()
    assert tomllib.loads(path.read_text())["providers"]["allow_listenbrainz"] is True
    assert load_settings().providers.allow_listenbrainz is True
    allow_listenbrainz(False)
    assert load_settings().providers.allow_listenbrainz is False
    stay_offline()  # the answer "no"
    settings = load_settings()
    assert settings.providers.similar == "offline" and not should_offer(settings, has_key=False)
