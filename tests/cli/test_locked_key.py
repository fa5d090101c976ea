"""A stored but locked Last.fm key is named as such, with how to unlock it; hidden prompts
without a terminal are one line saying what to do instead (no GetPassWarning)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from musicrec_tui.cli import main, prompts, provider
from musicrec_tui.core.settings import load_settings
from musicrec_tui.core.settings import secrets as sec
from musicrec_tui.core.similarity import select
from tests.helpers_library import write_extended_export, yearly_plays
from tests.helpers_settings import API_KEY, FAST_KDF, PASSPHRASE

MUSICREC = Path(sys.executable).with_name("musicrec")
LOCKED = ("the Last.fm API key is in the encrypted key store, which is locked: set "
          "MUSICREC_PASSPHRASE, or run the command on a terminal to be asked for the "
          "passphrase")


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return str(write_extended_export(tmp_path_factory.mktemp("export"), yearly_plays(days=60)))


@pytest.fixture
def stored():
    return sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE, kdf=FAST_KDF)


def _without_terminal(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The real console script in a new session: no controlling terminal, as under cron."""
    return subprocess.run([str(MUSICREC), *args], capture_output=True, text=True,
                          input=stdin if stdin is not None else "", start_new_session=True,
                          env=dict(os.environ), timeout=300)


def test_a_locked_key_is_named_with_how_to_unlock_it(stored, export):
    for command in (["recommend", export, "--provider", "lastfm", "--json"],
                    ["export", export, "--provider", "lastfm", "--out", "-"]):
        done = _without_terminal(*command)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.splitlines() == [f"error: {LOCKED}"]


def test_auto_with_a_locked_key_says_why_it_is_offline(stored, export, capsys, monkeypatch):
    monkeypatch.setattr(prompts, "has_terminal", lambda: False)
    assert main(["recommend", export, "--json", "--top", "3"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["provider"] == "offline"
    assert (f"note: {LOCKED}; until then similar artists come from offline co-listening"
            in err.splitlines())


def test_on_a_terminal_the_passphrase_is_asked_and_the_key_used(stored, monkeypatch):
    asked, chosen = [], {}
    monkeypatch.setattr(prompts, "has_terminal", lambda: True)
    monkeypatch.setattr(prompts, "prompt_hidden",
                        lambda label, **_: asked.append(label) or PASSPHRASE)
    monkeypatch.setattr(select, "choose_provider",
                        lambda kind, settings, history, **kw: chosen.update(kw, kind=kind))
    provider.choose("lastfm", load_settings(), None)
    assert asked == ["Passphrase for the key store: "]
    assert chosen["kind"] == "lastfm" and chosen["api_key"].reveal() == API_KEY


def test_set_key_without_a_terminal_is_one_line():
    done = _without_terminal("config", "set-key")
    assert done.returncode == 2 and "GetPassWarning" not in done.stderr
    assert done.stderr.splitlines() == [
        "error: cannot ask for 'Last.fm API key' without a terminal: pipe it into "
        "`musicrec config set-key --stdin`"]
    assert not sec.secrets_path().exists()


def test_set_key_from_stdin_without_a_terminal_needs_the_passphrase_variable():
    done = _without_terminal("config", "set-key", "--stdin", stdin=API_KEY + "\n")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: cannot ask for 'Passphrase for the key store' without a terminal: "
        "set MUSICREC_PASSPHRASE"]
    assert not sec.secrets_path().exists()
