"""The key store's edges, each found by a mutant that survived the other secrets tests
(scripts/mutation.py secrets): cost bounds, every message naming the file, the cost and
path a caller passes, where a key comes from, the folder's mode, odd plaintexts."""

from __future__ import annotations

import json
import os
import stat

import pytest

from musicrec_tui.core.settings import secrets as sec
from musicrec_tui.core.settings.secrets import KdfParams, Secret, SecretsError
from tests.helpers_settings import API_KEY, FAST_KDF, PASSPHRASE, documented_seal


@pytest.mark.parametrize("kdf", [
    KdfParams(n=2, r=1, p=1),                    # the smallest n
    KdfParams(n=2**sec.MAX_LOG2_N, r=1, p=1),    # the largest n (512 MiB at r=1)
    KdfParams(n=2, r=sec.MAX_R, p=sec.MAX_P),    # the largest r and p
    KdfParams(n=2**20, r=8, p=1),                # exactly 1 GiB
])
def test_cost_limits_are_inclusive(kdf):
    kdf.check()


@pytest.mark.parametrize(("kdf", "message"), [
    (KdfParams(n=1, r=8, p=1), "power of two"),
    (KdfParams(n=3, r=8, p=1), "power of two"),
    (KdfParams(n=2**(sec.MAX_LOG2_N + 1), r=1, p=1), "power of two"),
    (KdfParams(n=2, r=0, p=1), "r must be"),
    (KdfParams(n=2, r=sec.MAX_R + 1, p=1), "r must be"),
    (KdfParams(n=2, r=8, p=0), "r must be"),
    (KdfParams(n=2, r=8, p=sec.MAX_P + 1), "r must be"),
    (KdfParams(n=2**20, r=9, p=1), "more than 1 GiB"),
    (KdfParams(n=2**22, r=8, p=1), "more than 1 GiB"),
])
def test_costs_out_of_bounds_are_refused(kdf, message):
    with pytest.raises(SecretsError, match=message):
        kdf.check()


def test_a_file_with_another_cost_opens():
    blob = documented_seal(json.dumps({"lastfm_api_key": API_KEY}).encode(), log2_n=9, r=4, p=2)
    assert sec.decrypt(blob, PASSPHRASE) == {"lastfm_api_key": Secret(API_KEY)}


def test_the_smallest_file_is_not_truncated(tmp_path):
    """An empty store ("{}" sealed) is exactly the shortest valid file."""
    path = sec.save_secrets({}, PASSPHRASE, path=tmp_path / "s.bin", kdf=FAST_KDF)
    assert len(path.read_bytes()) == sec.PREFIX_BYTES + 2 + sec.TAG_BYTES
    assert sec.load_secrets(PASSPHRASE, path=path) == {}
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(SecretsError, match=r"s\.bin is truncated$"):
        sec.load_secrets(PASSPHRASE, path=path)


@pytest.mark.parametrize("blob", [b"XXXXX" + bytes(60), b"MRSEQ" + bytes(60), b"\0"])
def test_not_a_secrets_file(blob):
    with pytest.raises(SecretsError, match=r"^where is not a musicrec secrets file$"):
        sec.decrypt(blob, PASSPHRASE, where="where")


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"not json", b'{"lastfm_api_key": 1}'])
def test_a_plaintext_that_is_not_an_object_of_strings(body):
    with pytest.raises(SecretsError, match=r"^where decrypted to something unexpected$"):
        sec.decrypt(documented_seal(body), PASSPHRASE, where="where")


def test_header_messages_name_the_file(tmp_path):
    path = sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE, path=tmp_path / "s.bin",
                            kdf=FAST_KDF)
    good = path.read_bytes()
    for at, value, message in ((6, 2, "has a damaged header (unknown key derivation 2)"),
                               (7, 40, "has a damaged header (bad scrypt parameters)")):
        blob = bytearray(good)
        blob[at] = value
        path.write_bytes(bytes(blob))
        with pytest.raises(SecretsError) as err:
            sec.load_secrets(PASSPHRASE, path=path)
        assert str(err.value) == f"{path} {message}"
    assert sec.decrypt(good, PASSPHRASE)  # the default name in a message
    with pytest.raises(SecretsError, match=r"^cannot unlock secrets file: wrong passphrase"):
        sec.decrypt(good, "wrong")


def test_every_entry_point_names_the_file_it_could_not_open(tmp_path):
    path = sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE, path=tmp_path / "s.bin",
                            kdf=FAST_KDF)
    expected = (f"cannot unlock {path}: wrong passphrase, or the file was modified or "
                "damaged")
    for call in (lambda: sec.load_secrets("wrong", path=path),
                 lambda: sec.update_secrets({"lastfm_api_key": "x"}, "wrong", path=path),
                 lambda: sec.change_passphrase("wrong", "new", path=path),
                 lambda: sec.get_secret("lastfm_api_key", passphrase="wrong", path=path)):
        with pytest.raises(SecretsError) as err:
            call()
        assert str(err.value) == expected


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_unreadable_store_is_one_line_naming_it(tmp_path):
    folder = tmp_path / "s.bin"
    folder.mkdir()  # reading a folder fails for root too
    with pytest.raises(SecretsError) as err:
        sec.load_secrets(PASSPHRASE, path=folder)
    assert str(err.value) == f"cannot read {folder} (IsADirectoryError)"


def test_unknown_names_are_refused_by_name():
    with pytest.raises(SecretsError) as err:
        sec.encrypt({"zeta": "1", "alpha": "2", "lastfm_api_key": API_KEY}, PASSPHRASE,
                    kdf=FAST_KDF)
    assert str(err.value) == "unknown secret name(s): alpha, zeta"


def test_the_cost_a_caller_passes_is_the_one_written(tmp_path):
    cost = KdfParams(n=2**9, r=4, p=2)
    path = tmp_path / "s.bin"
    sec.update_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE, path=path, kdf=cost)
    assert tuple(path.read_bytes()[7:10]) == (9, 4, 2)
    sec.update_secrets({"lastfm_shared_secret": "s"}, PASSPHRASE, path=path, kdf=FAST_KDF)
    assert tuple(path.read_bytes()[7:10]) == (10, 8, 1)
    sec.change_passphrase(PASSPHRASE, "new", path=path, kdf=cost)
    assert tuple(path.read_bytes()[7:10]) == (9, 4, 2)


def test_get_secret_reads_the_store_it_is_given(tmp_path):
    path = sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE, path=tmp_path / "s.bin",
                            kdf=FAST_KDF)
    assert not sec.secrets_path().exists()
    assert sec.get_secret("lastfm_api_key", passphrase=PASSPHRASE, path=path) == Secret(API_KEY)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_new_folder_for_the_store_is_0700(tmp_path):
    path = sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE,
                            path=tmp_path / "new" / "s.bin", kdf=FAST_KDF)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_status_of_an_unlocked_store(tmp_path):
    unlocked = {"lastfm_api_key": Secret(API_KEY)}
    assert sec.secret_status("lastfm_api_key", unlocked=unlocked) == "set (encrypted store)"
    assert sec.secret_status("lastfm_shared_secret", unlocked=unlocked) == "not set"
    assert sec.secret_status("lastfm_api_key", path=tmp_path / "none.bin") == "not set"


def test_locked_means_a_store_and_nothing_to_open_it(tmp_path, monkeypatch):
    path = tmp_path / "s.bin"
    assert not sec.is_locked("lastfm_api_key", path=path)  # no store
    sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE, path=path, kdf=FAST_KDF)
    assert sec.is_locked("lastfm_api_key", path=path)
    monkeypatch.setenv("MUSICREC_PASSPHRASE", PASSPHRASE)
    assert not sec.is_locked("lastfm_api_key", path=path)
    monkeypatch.delenv("MUSICREC_PASSPHRASE")
    monkeypatch.setenv("LASTFM_API_KEY", API_KEY)
    assert not sec.is_locked("lastfm_api_key", path=path)


def test_programming_errors_say_what_is_wrong():
    with pytest.raises(TypeError, match=r"^Secret holds a str$"):
        Secret(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^a Secret cannot be pickled$"):
        Secret(API_KEY).__reduce__()


def test_a_format_spec_applies_to_the_mask():
    assert f"{Secret(API_KEY):>7}|{Secret(API_KEY):<6}|" == "  •••••|••••• |"


def test_refusals_are_worded_exactly(tmp_path):
    path = tmp_path / "s.bin"
    cases = [
        (lambda: sec.save_secrets({"lastfm_api_key": API_KEY}, "", path=path, kdf=FAST_KDF),
         "the passphrase is empty"),
        (lambda: sec.change_passphrase(PASSPHRASE, "new", path=path),
         f"no key store at {path}: nothing to re-encrypt (store a key with "
         "`musicrec config set-key`)"),
        (lambda: KdfParams(n=2**22, r=8, p=1).check(),
         "scrypt parameters need more than 1 GiB of memory"),
    ]
    for call, message in cases:
        with pytest.raises(SecretsError) as err:
            call()
        assert str(err.value) == message
    sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE, path=path, kdf=FAST_KDF)
    with pytest.raises(SecretsError) as err:
        sec.change_passphrase(PASSPHRASE, PASSPHRASE, path=path)
    assert str(err.value) == "the new passphrase is the same as the old one; nothing changed"
