"""Encrypted key store: round trip, tamper/truncation/version failures, mode, no plaintext."""

from __future__ import annotations

import copy
import json
import os
import pickle
import stat

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from musicrec_tui.core.atomic import WriteError
from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.settings import secrets as sec
from musicrec_tui.core.settings.secrets import Secret, SecretsError
from tests.helpers_settings import (
    API_KEY,
    FAST_KDF,
    PASSPHRASE,
    SHARED,
    documented_key,
    documented_seal,
)


@pytest.fixture
def stored():
    path = sec.save_secrets({"lastfm_api_key": API_KEY, "lastfm_shared_secret": SHARED},
                            PASSPHRASE, kdf=FAST_KDF)
    return path


def test_round_trip_and_default_location(stored):
    assert stored == sec.secrets_path()
    got = sec.load_secrets(PASSPHRASE)
    assert got["lastfm_api_key"].reveal() == API_KEY
    assert got["lastfm_shared_secret"].reveal() == SHARED
    assert sec.decrypt(stored.read_bytes(), Secret(PASSPHRASE))["lastfm_api_key"] == Secret(
        API_KEY)


def test_header_layout_and_params_recorded(stored):
    blob = stored.read_bytes()
    assert blob[:5] == b"MRSEC"
    assert blob[5] == sec.VERSION
    assert blob[6] == sec.KDF_SCRYPT
    assert (1 << blob[7], blob[8], blob[9]) == (FAST_KDF.n, FAST_KDF.r, FAST_KDF.p)
    # JSON body + 16-byte tag after the 38-byte prefix.
    body = json.dumps({"lastfm_api_key": API_KEY, "lastfm_shared_secret": SHARED},
                      separators=(",", ":"))
    assert len(blob) == sec.PREFIX_BYTES + len(body) + sec.TAG_BYTES


# A derivation that ignores the stored salt (a constant one) or anything else off the
# documented recipe fails both of these.
def test_the_file_opens_by_the_documented_recipe(stored):
    blob = stored.read_bytes()
    prefix, body = blob[:38], blob[38:]  # magic 5, 5 header bytes, salt 16, nonce 12
    salt, nonce = prefix[10:26], prefix[26:38]
    key = documented_key(salt, 1 << blob[7], blob[8], blob[9])
    plain = AESGCM(key).decrypt(nonce, body, prefix)  # the whole prefix is the associated data
    assert json.loads(plain) == {"lastfm_api_key": API_KEY, "lastfm_shared_secret": SHARED}


def test_a_file_sealed_by_the_documented_recipe_opens():
    blob = documented_seal(json.dumps({"lastfm_api_key": API_KEY}).encode("utf-8"))
    assert sec.decrypt(blob, PASSPHRASE) == {"lastfm_api_key": Secret(API_KEY)}


def test_default_kdf_is_at_least_owasp_scrypt():
    assert sec.DEFAULT_KDF.n >= 2**17 and sec.DEFAULT_KDF.r >= 8 and sec.DEFAULT_KDF.p >= 1


def test_fresh_salt_and_nonce_on_every_write(stored):
    first = stored.read_bytes()
    sec.save_secrets({"lastfm_api_key": API_KEY, "lastfm_shared_secret": SHARED},
                     PASSPHRASE, kdf=FAST_KDF)
    second = stored.read_bytes()
    salt = slice(sec.HEADER_BYTES, sec.HEADER_BYTES + sec.SALT_BYTES)
    nonce = slice(sec.HEADER_BYTES + sec.SALT_BYTES, sec.PREFIX_BYTES)
    assert first[salt] != second[salt]
    assert first[nonce] != second[nonce]
    assert first[sec.PREFIX_BYTES:] != second[sec.PREFIX_BYTES:]


def test_wrong_passphrase_is_one_clear_error_and_file_untouched(stored):
    before = stored.read_bytes()
    with pytest.raises(SecretsError, match="wrong passphrase") as err:
        sec.load_secrets("not the passphrase")
    assert isinstance(err.value, MusicrecError)
    assert err.value.__cause__ is None and err.value.__suppress_context__
    assert stored.read_bytes() == before
    # update_secrets with a wrong passphrase must not overwrite the store either.
    with pytest.raises(SecretsError):
        sec.update_secrets({"lastfm_api_key": "other"}, "not the passphrase", kdf=FAST_KDF)
    assert stored.read_bytes() == before


REGIONS = {
    "magic": 0,
    "version": 5,
    "kdf": 6,
    "log2_n": 7,
    "r": 8,
    "p": 9,
    "salt": sec.HEADER_BYTES + 3,
    "nonce": sec.HEADER_BYTES + sec.SALT_BYTES + 5,
    "ciphertext": sec.PREFIX_BYTES + 4,
    "tag": -3,
}


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("bit", [0x01, 0x80])
def test_one_flipped_byte_in_each_region_fails(stored, region, bit):
    blob = bytearray(stored.read_bytes())
    blob[REGIONS[region]] ^= bit
    stored.write_bytes(bytes(blob))
    with pytest.raises(SecretsError) as err:
        sec.load_secrets(PASSPHRASE)
    assert API_KEY not in str(err.value) and PASSPHRASE not in str(err.value)
    assert stored.read_bytes() == bytes(blob)


def test_unknown_version_message(stored):
    blob = bytearray(stored.read_bytes())
    blob[5] = 9
    stored.write_bytes(bytes(blob))
    with pytest.raises(SecretsError, match="format version 9"):
        sec.load_secrets(PASSPHRASE)


@pytest.mark.parametrize("keep", [0, 3, 5, 20, sec.PREFIX_BYTES, sec.PREFIX_BYTES + 10, -1])
def test_truncation_fails(stored, keep):
    blob = stored.read_bytes()
    stored.write_bytes(blob[:keep])
    with pytest.raises(SecretsError, match=r"truncated|damaged|not a musicrec|wrong passphrase"):
        sec.load_secrets(PASSPHRASE)


def test_missing_file_and_forget(stored):
    assert sec.forget_secrets() is True
    assert not stored.exists()
    assert sec.forget_secrets() is False
    with pytest.raises(SecretsError, match="no stored key"):
        sec.load_secrets(PASSPHRASE)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_file_mode_0600_after_write(stored):
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    stored.chmod(0o644)
    sec.update_secrets({"lastfm_shared_secret": None}, PASSPHRASE, kdf=FAST_KDF)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert "lastfm_shared_secret" not in sec.load_secrets(PASSPHRASE)
    assert sec.load_secrets(PASSPHRASE)["lastfm_api_key"].reveal() == API_KEY


def test_no_plaintext_on_disk(stored):
    for blob in (stored.read_bytes(), *(p.read_bytes() for p in stored.parent.iterdir())):
        for needle in (API_KEY, SHARED, PASSPHRASE, "lastfm_api_key"):
            assert needle.encode() not in blob
            assert needle.encode("utf-16-le") not in blob
    assert [p.name for p in stored.parent.iterdir()] == ["secrets.bin"]


def test_empty_passphrase_refused():
    with pytest.raises(SecretsError, match="empty"):
        sec.save_secrets({"lastfm_api_key": API_KEY}, "", kdf=FAST_KDF)
    assert not sec.secrets_path().exists()


def test_unicode_passphrase_normalised():
    sec.save_secrets({"lastfm_api_key": API_KEY}, "caf\u00e9", kdf=FAST_KDF)
    assert sec.load_secrets("cafe\u0301")["lastfm_api_key"].reveal() == API_KEY


def test_secret_is_masked_everywhere():
    s = Secret(API_KEY)
    assert API_KEY not in repr(s) and API_KEY not in str(s) and API_KEY not in f"{s:>40}"
    assert API_KEY not in repr({"k": s}) and API_KEY not in repr([s])
    assert API_KEY not in json.dumps({"k": s}, default=str)
    assert s.reveal() == API_KEY
    assert s == Secret(API_KEY) and s != Secret("x")
    assert copy.deepcopy(s) is s
    with pytest.raises(TypeError):
        pickle.dumps(s)
    with pytest.raises(TypeError):
        hash(s)
    with pytest.raises(ValueError) as err:
        raise ValueError(f"request failed with key {s}")
    assert API_KEY not in str(err.value) and API_KEY not in repr(err.value)
    assert API_KEY not in repr(RuntimeError(s)) and API_KEY not in str(RuntimeError("k", s))


def test_get_api_key_order(monkeypatch, tmp_path):
    assert sec.get_api_key() is None
    sec.save_secrets({"lastfm_api_key": "from-store"}, PASSPHRASE, kdf=FAST_KDF)
    assert sec.get_api_key() is None  # locked: no passphrase anywhere
    assert sec.secret_status("lastfm_api_key") == "encrypted store (locked)"
    assert sec.get_api_key(passphrase=PASSPHRASE).reveal() == "from-store"
    monkeypatch.setenv("MUSICREC_PASSPHRASE", "not the passphrase")
    assert sec.secret_status("lastfm_api_key") == (
        "encrypted store (MUSICREC_PASSPHRASE does not open it)")
    monkeypatch.setenv("MUSICREC_PASSPHRASE", PASSPHRASE)
    assert sec.get_api_key().reveal() == "from-store"
    # The passphrase in the environment opens the store: the key is usable, not locked.
    assert sec.secret_status("lastfm_api_key") == "set (encrypted store)"
    (sec.secrets_path().parent / ".env").write_text("LASTFM_API_KEY=from-dotenv\n")
    assert sec.get_api_key().reveal() == "from-dotenv"
    assert sec.secret_status("lastfm_api_key").startswith("set (.env ")
    monkeypatch.setenv("LASTFM_API_KEY", "from-env")
    assert sec.get_api_key().reveal() == "from-env"
    assert sec.secret_status("lastfm_api_key") == "set (env LASTFM_API_KEY)"
    assert "LASTFM_API_KEY" not in {k for k in os.environ if os.environ[k] == "from-dotenv"}


def test_get_api_key_wrong_env_passphrase_raises(monkeypatch):
    sec.save_secrets({"lastfm_api_key": "from-store"}, PASSPHRASE, kdf=FAST_KDF)
    monkeypatch.setenv("MUSICREC_PASSPHRASE", "wrong")
    with pytest.raises(SecretsError, match="wrong passphrase"):
        sec.get_api_key()


# ---- changing the passphrase -----------------------------------------------------------------

NEW = "a different, longer passphrase"
CHEAP_DIFFERENT = sec.KdfParams(n=2**11, r=4, p=1)


def test_change_passphrase_reencrypts_every_secret(stored):
    before = stored.read_bytes()
    assert sec.change_passphrase(PASSPHRASE, NEW, kdf=FAST_KDF) == 2
    after = stored.read_bytes()
    got = sec.load_secrets(NEW)
    assert got["lastfm_api_key"].reveal() == API_KEY
    assert got["lastfm_shared_secret"].reveal() == SHARED
    with pytest.raises(SecretsError, match="wrong passphrase"):
        sec.load_secrets(PASSPHRASE)
    # Fresh salt and nonce, still 0600, and nothing readable on disk.
    assert after[sec.HEADER_BYTES:sec.PREFIX_BYTES] != before[sec.HEADER_BYTES:sec.PREFIX_BYTES]
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    for plain in (API_KEY, SHARED, PASSPHRASE, NEW):
        assert plain.encode() not in after


def test_change_passphrase_keeps_names_this_version_does_not_know(tmp_path):
    path = tmp_path / "secrets.bin"
    path.write_bytes(sec._seal({"lastfm_api_key": API_KEY, "from_a_newer_musicrec": "x"},
                               PASSPHRASE, FAST_KDF))
    assert sec.change_passphrase(PASSPHRASE, NEW, path=path, kdf=FAST_KDF) == 2
    raw = sec._open(path.read_bytes(), NEW, "test")
    assert {k: v.reveal() for k, v in raw.items()} == {"lastfm_api_key": API_KEY,
                                                       "from_a_newer_musicrec": "x"}


def test_change_passphrase_uses_the_current_kdf_cost(stored, monkeypatch):
    monkeypatch.setattr(sec, "DEFAULT_KDF", CHEAP_DIFFERENT)
    sec.change_passphrase(PASSPHRASE, NEW)
    header = stored.read_bytes()[:sec.HEADER_BYTES]
    assert header[-3:] == bytes([11, 4, 1])  # log2(n), r, p of the new default
    assert sec.load_secrets(NEW)["lastfm_api_key"].reveal() == API_KEY


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("not the passphrase", NEW, "wrong passphrase"),
        (PASSPHRASE, PASSPHRASE, "same as the old one"),
        (PASSPHRASE, "", "passphrase is empty"),
    ],
)
def test_change_passphrase_failures_leave_the_file_untouched(stored, old, new, message):
    before = stored.read_bytes()
    with pytest.raises(SecretsError, match=message) as err:
        sec.change_passphrase(old, new, kdf=FAST_KDF)
    assert stored.read_bytes() == before
    for plain in (old, new):
        assert not plain or plain not in str(err.value)


def test_change_passphrase_same_after_unicode_normalisation(tmp_path):
    path = tmp_path / "secrets.bin"
    sec.save_secrets({"lastfm_api_key": API_KEY}, "caf\u00e9", path=path, kdf=FAST_KDF)
    with pytest.raises(SecretsError, match="same as the old one"):
        sec.change_passphrase("cafe\u0301", "caf\u00e9", path=path, kdf=FAST_KDF)


def test_change_passphrase_with_nothing_stored():
    with pytest.raises(SecretsError, match=r"no key store .* nothing to re-encrypt"):
        sec.change_passphrase(PASSPHRASE, NEW, kdf=FAST_KDF)
    assert not sec.secrets_path().exists()


def test_change_passphrase_interrupted_write_keeps_the_old_file(stored, monkeypatch):
    before = stored.read_bytes()

    def boom(*_args, **_kwargs):
        raise OSError("disk unplugged")

    with monkeypatch.context() as patch, pytest.raises(WriteError, match="was left as it was"):
        patch.setattr(os, "replace", boom)
        sec.change_passphrase(PASSPHRASE, NEW, kdf=FAST_KDF)
    assert stored.read_bytes() == before
    assert sec.load_secrets(PASSPHRASE)["lastfm_api_key"].reveal() == API_KEY
    assert sorted(p.name for p in stored.parent.iterdir() if "secrets" in p.name) == [
        "secrets.bin"]


def test_update_keeps_names_this_version_does_not_know(tmp_path):
    path = tmp_path / "secrets.bin"
    path.write_bytes(sec._seal({"lastfm_api_key": API_KEY, "from_a_newer_musicrec": "x"},
                               PASSPHRASE, FAST_KDF))
    sec.update_secrets({"lastfm_api_key": "replaced"}, PASSPHRASE, path=path, kdf=FAST_KDF)
    raw = sec._open(path.read_bytes(), PASSPHRASE, "test")
    assert {k: v.reveal() for k, v in raw.items()} == {"lastfm_api_key": "replaced",
                                                       "from_a_newer_musicrec": "x"}
