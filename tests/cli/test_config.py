"""`musicrec config …`: show (masked), path, set (keeps comments), set-key, forget-key,
passphrase."""

from __future__ import annotations

import argparse
import io
import json
import os
import stat

import pytest

from musicrec_tui.cli import config_cmd, prompts
from musicrec_tui.cli.common import run_command
from musicrec_tui.core.settings import layers, load_settings
from musicrec_tui.core.settings import secrets as sec
from tests.helpers_settings import API_KEY, FAST_KDF, PASSPHRASE, SHARED


@pytest.fixture(autouse=True)
def _cli_env(tmp_path, monkeypatch):
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sec, "DEFAULT_KDF", FAST_KDF)
    monkeypatch.delenv(sec.NEW_PASSPHRASE_ENV, raising=False)  # conftest predates it


def _prompts(monkeypatch, answers: list[str]) -> list[str]:
    asked: list[str] = []
    queue = list(answers)

    def fake(label: str, **_kwargs: str) -> str:
        asked.append(label)
        return queue.pop(0)

    monkeypatch.setattr(prompts, "prompt_hidden", fake)
    return asked


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    # Only the config command is registered, so other commands' modules can't interfere.
    parser = argparse.ArgumentParser(prog="musicrec")
    config_cmd.register(parser.add_subparsers(), "config")
    code = run_command(parser.parse_args(["config", *argv]))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_lists_every_setting_with_its_source(capsys, monkeypatch):
    monkeypatch.setenv("MUSICREC_ENSEMBLE_TOP", "5")
    code, out, _ = _run(capsys, "show", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["settings"]["ensemble.top"] == {"value": 5, "source": "env MUSICREC_ENSEMBLE_TOP"}
    assert data["settings"]["providers.similar"]["source"] == "default"
    assert data["secrets"]["lastfm_api_key"] == {"status": "not set"}
    code, out, _ = _run(capsys, "show")
    assert "ensemble.top" in out and "env MUSICREC_ENSEMBLE_TOP" in out


def test_show_masks_env_and_stored_secrets(capsys, monkeypatch):
    sec.save_secrets({"lastfm_shared_secret": SHARED}, PASSPHRASE)
    monkeypatch.setenv("LASTFM_API_KEY", API_KEY)
    for argv in (["show"], ["show", "--json"]):
        code, out, err = _run(capsys, *argv)
        assert code == 0
        assert API_KEY not in out + err and SHARED not in out + err
        assert "set (env LASTFM_API_KEY)" in out
        assert "encrypted store (locked)" in out
    assert sec.Secret.MASK in _run(capsys, "show")[1]


def test_show_reveal_prompts_for_the_passphrase(capsys, monkeypatch):
    sec.save_secrets({"lastfm_api_key": API_KEY, "lastfm_shared_secret": SHARED}, PASSPHRASE)
    asked = _prompts(monkeypatch, [PASSPHRASE])
    code, out, _ = _run(capsys, "show", "--reveal", "--json")
    assert code == 0 and len(asked) == 1
    data = json.loads(out)["secrets"]
    assert data["lastfm_api_key"] == {"status": "set (encrypted store)", "value": API_KEY}
    assert data["lastfm_shared_secret"]["value"] == SHARED
    assert PASSPHRASE not in out


def test_reveal_with_wrong_passphrase_is_one_line(capsys, monkeypatch):
    sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE)
    monkeypatch.setenv("MUSICREC_PASSPHRASE", "wrong horse")
    code, out, err = _run(capsys, "show", "--reveal")
    assert code == 2
    assert "wrong passphrase" in err and "Traceback" not in err
    assert err.count("error:") == 1
    assert API_KEY not in out + err and "wrong horse" not in out + err


def test_path_shows_the_files_in_use(capsys, tmp_path):
    sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE)
    code, out, _ = _run(capsys, "path", "--json")
    info = json.loads(out)
    assert code == 0
    assert info["config_file"] == str(layers.user_config_path())
    assert [d["path"] for d in info["dotenv"]] == [str(p) for p in layers.dotenv_paths()]
    assert info["secrets_file"] == str(sec.secrets_path()) and info["secrets_file_exists"]
    if os.name == "posix":
        assert info["secrets_file_mode"] == "0o600"
    assert info["cache_dir"].startswith(str(tmp_path))
    assert "secrets file" in _run(capsys, "path")[1]


def test_set_keeps_comments_and_validates_before_writing(capsys):
    path = layers.user_config_path()
    original = ("# my settings\n[ensemble]\n# fewer, please\ntop = 20  # was 20\n\n"
                "[import]\ntimezone = \"UTC\"\n")
    path.write_text(original)
    code, out, _ = _run(capsys, "set", "ensemble.top", "9")
    assert code == 0 and "ensemble.top = 9" in out
    text = path.read_text()
    assert "# my settings" in text and "# fewer, please" in text and "top = 9" in text
    assert 'timezone = "UTC"' in text
    assert load_settings().ensemble.top == 9

    before = path.read_bytes()
    for argv, problem in (
        (["set", "ensemble.top", "many"], "is not an integer"),
        (["set", "ensemble.shares", "play_next=-0.5"], "negative weight"),
        (["set", "ensemble.shraes", "play_next=1"], "did you mean ensemble.shares?"),
        (["set", "content.tier", "0-4"], "ranks start at 1"),
    ):
        code, _, err = _run(capsys, *argv)
        assert code == 2 and problem in err, (argv, err)
        assert path.read_bytes() == before


def test_set_creates_sections_and_writes_weights(capsys, monkeypatch):
    code, _, _ = _run(capsys, "set", "ensemble.shares", "play_next=2,rediscover=1,discover=1")
    assert code == 0
    assert load_settings().ensemble.shares["play_next"] == 2.0  # relative: kept as written
    code, _, _ = _run(capsys, "set", "providers.similar", "offline")
    assert load_settings().providers.similar == "offline"
    # the setting's old name still works, in `config set` and in the environment
    code, _, _ = _run(capsys, "set", "lastfm.provider", "listenbrainz")
    assert code == 0 and load_settings().providers.similar == "listenbrainz"
    monkeypatch.setenv("MUSICREC_LASTFM_PROVIDER", "lastfm")
    code, out, _ = _run(capsys, "set", "lastfm.provider", "auto")
    assert code == 0 and "env MUSICREC_LASTFM_PROVIDER overrides this value" in out


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_set_keeps_a_private_config_private(capsys):
    path = layers.user_config_path()
    path.write_text("[ensemble]\ntop = 3\n")
    path.chmod(0o600)
    assert _run(capsys, "set", "ensemble.top", "4")[0] == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_set_key_from_stdin(capsys, monkeypatch):
    monkeypatch.setenv("MUSICREC_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{API_KEY}\n{SHARED}\n"))
    code, out, err = _run(capsys, "set-key", "--stdin", "--secret")
    assert code == 0, err
    assert API_KEY not in out + err and SHARED not in out + err
    stored = sec.load_secrets(PASSPHRASE)
    assert stored["lastfm_api_key"].reveal() == API_KEY
    assert stored["lastfm_shared_secret"].reveal() == SHARED
    blob = sec.secrets_path().read_bytes()
    assert API_KEY.encode() not in blob and PASSPHRASE.encode() not in blob
    assert "32 hexadecimal" not in out
    # Replacing only the API key keeps the shared secret (and warns about its shape).
    monkeypatch.setattr("sys.stdin", io.StringIO("new-key\n"))
    code, out, _ = _run(capsys, "set-key", "--stdin")
    assert code == 0 and "32 hexadecimal" in out and "new-key" not in out
    stored = sec.load_secrets(PASSPHRASE)
    assert stored["lastfm_api_key"].reveal() == "new-key"
    assert stored["lastfm_shared_secret"].reveal() == SHARED


def test_set_key_prompts_without_echo_and_confirms_new_passphrase(capsys, monkeypatch):
    asked = _prompts(monkeypatch, [API_KEY, PASSPHRASE, PASSPHRASE])
    code, out, _ = _run(capsys, "set-key")
    assert code == 0 and len(asked) == 3 and "Repeat" in asked[2]
    assert API_KEY not in out and PASSPHRASE not in out
    assert sec.get_api_key(passphrase=PASSPHRASE).reveal() == API_KEY


def test_set_key_mismatched_passphrases_store_nothing(capsys, monkeypatch):
    _prompts(monkeypatch, [API_KEY, PASSPHRASE, "typo"])
    code, _, err = _run(capsys, "set-key")
    assert code == 2 and "passphrases differ" in err
    assert not sec.secrets_path().exists()


def test_set_key_warns_when_env_wins(capsys, monkeypatch):
    monkeypatch.setenv("MUSICREC_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("LASTFM_API_KEY", "env-key")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{API_KEY}\n"))
    code, out, _ = _run(capsys, "set-key", "--stdin")
    assert code == 0 and "env LASTFM_API_KEY takes precedence" in out
    assert "env-key" not in out


def test_forget_key_asks_unless_yes(capsys, monkeypatch):
    sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE)
    monkeypatch.setattr(prompts, "confirm", lambda _q: False)
    code, out, _ = _run(capsys, "forget-key")
    assert code == 1 and sec.secrets_path().exists()
    monkeypatch.setattr(prompts, "confirm", lambda _q: True)
    assert _run(capsys, "forget-key")[0] == 0
    assert not sec.secrets_path().exists()
    sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE)
    assert _run(capsys, "forget-key", "--yes")[0] == 0
    assert not sec.secrets_path().exists()
    code, out, _ = _run(capsys, "forget-key", "--yes")
    assert code == 0 and "no key store" in out


def test_registered_in_the_real_cli(capsys):
    from musicrec_tui.cli import main

    assert main(["config", "path", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["secrets_file"] == str(sec.secrets_path())


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_set_writes_through_a_symlinked_config(capsys, tmp_path):
    real = tmp_path / "dotfiles" / "musicrec.toml"
    real.parent.mkdir()
    real.write_text("# mine\n[ensemble]\ntop = 3\n")
    link = layers.user_config_path()
    link.symlink_to(real)
    assert _run(capsys, "set", "ensemble.top", "4")[0] == 0
    assert link.is_symlink()
    assert "top = 4" in real.read_text() and "# mine" in real.read_text()


# ---- config passphrase ---------------------------------------------------------------------

NEW = "a different, longer passphrase"


def _no_passphrase_in(*texts: str) -> None:
    for text in texts:
        assert PASSPHRASE not in text and NEW not in text


def test_passphrase_asks_old_then_new_twice_and_reencrypts(capsys, monkeypatch):
    sec.save_secrets({"lastfm_api_key": API_KEY, "lastfm_shared_secret": SHARED}, PASSPHRASE)
    asked = _prompts(monkeypatch, [PASSPHRASE, NEW, NEW])
    code, out, err = _run(capsys, "passphrase")
    assert code == 0, err
    assert asked == ["Current passphrase: ", "New passphrase: ", "Repeat the new passphrase: "]
    assert "re-encrypted 2 stored secrets" in out
    _no_passphrase_in(out, err)
    stored = sec.load_secrets(NEW)
    assert stored["lastfm_api_key"].reveal() == API_KEY
    assert stored["lastfm_shared_secret"].reveal() == SHARED
    assert stat.S_IMODE(sec.secrets_path().stat().st_mode) == 0o600


def test_passphrase_wrong_old_fails_before_asking_for_the_new_one(capsys, monkeypatch):
    sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE)
    before = sec.secrets_path().read_bytes()
    asked = _prompts(monkeypatch, ["not it", NEW, NEW])
    code, out, err = _run(capsys, "passphrase")
    assert code == 2 and len(asked) == 1
    assert err.startswith("error: cannot unlock") and "wrong passphrase" in err
    assert "Traceback" not in err and err.count("error:") == 1
    _no_passphrase_in(out, err)
    assert sec.secrets_path().read_bytes() == before


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([PASSPHRASE, NEW, "typo"], "error: the two new passphrases differ; nothing changed"),
        ([PASSPHRASE, "", ""], "error: the new passphrase is empty; nothing changed"),
        ([PASSPHRASE, PASSPHRASE, PASSPHRASE], "same as the old one; nothing changed"),
        (["", NEW, NEW], "error: the passphrase is empty"),
    ],
)
def test_passphrase_refusals_change_nothing(capsys, monkeypatch, answers, message):
    sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE)
    before = sec.secrets_path().read_bytes()
    _prompts(monkeypatch, answers)
    code, out, err = _run(capsys, "passphrase")
    assert code == 2 and message in err
    _no_passphrase_in(out, err)
    assert sec.secrets_path().read_bytes() == before


def test_passphrase_with_nothing_stored_asks_nothing(capsys, monkeypatch):
    asked = _prompts(monkeypatch, [])
    code, _, err = _run(capsys, "passphrase")
    assert code == 2 and asked == []
    assert "no key store" in err and "nothing to re-encrypt" in err and "set-key" in err


def test_passphrase_from_the_environment_for_scripts(capsys, monkeypatch):
    sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE)
    monkeypatch.setenv("MUSICREC_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("MUSICREC_NEW_PASSPHRASE", NEW)
    asked = _prompts(monkeypatch, [])
    code, out, err = _run(capsys, "passphrase")
    assert code == 0 and asked == [], err
    assert "re-encrypted 1 stored secret " in out
    assert "MUSICREC_PASSPHRASE still holds the old passphrase" in " ".join(out.split())
    _no_passphrase_in(out, err)
    assert sec.load_secrets(NEW)["lastfm_api_key"].reveal() == API_KEY


def test_passphrase_prompt_on_closed_input_is_one_line(capsys, monkeypatch):
    sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE)

    def closed(_label: str) -> str:
        raise EOFError

    monkeypatch.setattr(prompts, "has_terminal", lambda: True)
    monkeypatch.setattr(prompts.getpass, "getpass", closed)
    code, _, err = _run(capsys, "passphrase")
    assert code == 2 and "no answer to 'Current passphrase' (input closed)" in err
    assert "MUSICREC_PASSPHRASE" in err and "Traceback" not in err


def test_passphrase_help_has_an_example(capsys):
    parser = argparse.ArgumentParser(prog="musicrec")
    config_cmd.register(parser.add_subparsers(), "config")
    with pytest.raises(SystemExit):
        parser.parse_args(["config", "passphrase", "--help"])
    text = capsys.readouterr().out
    assert "examples:" in text and "  musicrec config passphrase" in text
    assert "MUSICREC_NEW_PASSPHRASE" in text


def test_a_retired_setting_is_one_note_per_command_and_refused_by_set(capsys):
    from musicrec_tui.core.settings.layers import user_config_path

    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[ensemble]\nexclude_heavy = true\n", encoding="utf-8")
    code, _, err = _run(capsys, "show")
    assert code == 0
    assert err.count("ensemble.exclude_heavy is no longer used") == 1
    code, _, err = _run(capsys, "set", "ensemble.weights", "{ recency = 1.0 }")
    assert code == 2 and "ensemble.weights is no longer used: the Mix blends" in err
