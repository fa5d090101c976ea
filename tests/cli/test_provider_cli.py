"""`musicrec recommend --provider …`: what the run says it sends, who answered, and why."""

from __future__ import annotations

import json

import pytest

from musicrec_tui.cli import main
from tests.fake_service import serving_in_thread
from tests.helpers_library import write_extended_export, yearly_plays
from tests.lastfm_fake import API_KEY, FakeLastfm, error
from tests.listenbrainz_fake import ListenBrainzWorld


@pytest.fixture(scope="module")
def plays():
    return yearly_plays(days=300)


@pytest.fixture
def export(tmp_path, plays):
    return str(write_extended_export(tmp_path / "export", plays))


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_rejected_key_reports_the_provider_that_answered(capsys, monkeypatch, export):
    fake = FakeLastfm()
    fake.default = error(10, status=403)
    with serving_in_thread(fake.app()) as root:
        monkeypatch.setenv("MUSICREC_LASTFM_BASE_URL", root + "2.0/")
        monkeypatch.setenv("LASTFM_API_KEY", API_KEY)
        code, out, err = run(capsys, "recommend", export, "--engine", "content", "--json",
                             "--provider", "lastfm", "--tier", "1-8")
    data = json.loads(out)
    assert code == 0
    assert data["provider"] == "offline" and data["provider_requested"] == "lastfm"
    assert data["fallback_reason"].startswith(
        "Last.fm rejected the API key (error 10: Invalid API key)")
    assert data["origins"] == {"failed": 8}
    assert 1 <= len(fake.requests) <= 3  # only what was in flight when the answer came
    assert err.count("note: sending") == 1 and "to 127.0.0.1" in err
    assert API_KEY not in out + err


def test_listenbrainz_on_request_then_from_the_cache(capsys, monkeypatch, export, plays):
    world = ListenBrainzWorld(sorted({artist for _ts, artist in plays}))
    with serving_in_thread(world.app()) as root:
        monkeypatch.setenv("MUSICREC_LISTENBRAINZ_LABS_URL", root)
        monkeypatch.setenv("MUSICREC_MUSICBRAINZ_BASE_URL", root + "ws/2/")
        argv = ("recommend", export, "--engine", "content", "--json", "--tier", "1-1")
        code, out, err = run(capsys, *argv, "--provider", "listenbrainz")
        first = json.loads(out)
        sent = len(world.mb.requests) + len(world.labs.requests)
        code2, out2, err2 = run(capsys, *argv, "--provider", "listenbrainz")
        code3, out3, err3 = run(capsys, *argv)  # default: auto without consent = offline
    assert code == code2 == code3 == 0
    assert first["provider"] == "listenbrainz" and first["origins"] == {"network": 1}
    recs = first["recommendations"]
    assert recs and all(" LB " in r["artist"] and not r["in_library"] for r in recs)
    assert sent == 2  # one MusicBrainz lookup, one Labs list
    assert err.count("note: sending") == 1
    assert "note: sending artist names to 127.0.0.1 (to find their MusicBrainz IDs" in err
    second = json.loads(out2)
    assert second["origins"] == {"cache": 1} and second["recommendations"] == recs
    assert "sending" not in err2  # nothing was sent
    assert json.loads(out3)["provider"] == "offline" and "sending" not in err3
    assert len(world.mb.requests) + len(world.labs.requests) == sent
