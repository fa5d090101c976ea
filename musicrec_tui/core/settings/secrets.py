"""The Last.fm API key and shared secret: a masked type, and an encrypted file to keep them.

File format (``config_dir()/secrets.bin``), version 1, all integers single bytes::

    b"MRSEC" | version=1 | kdf=1 (scrypt) | log2(n) | r | p | salt (16) | nonce (12)
    | AES-256-GCM ciphertext of a small JSON object | GCM tag (16)

The 256-bit key is derived from the passphrase with scrypt (n=2**17, r=8, p=1 by default,
OWASP's minimum for scrypt: ~128 MiB and ~0.5 s per unlock; the parameters are stored in
the header so they can be raised later without breaking old files). Everything before the ciphertext
(magic, version, KDF parameters, salt, nonce) is the GCM associated data, so changing any
header byte makes decryption fail. Every write draws a fresh salt and nonce, and replaces
the file atomically with mode 0600.

This protects a key at rest (a copied disk, a backup, another user on a shared machine);
it cannot protect against malware running as the user, which can read the passphrase.
"""

from __future__ import annotations

import hmac
import json
import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from musicrec_tui.core.atomic import atomic_write
from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.locations import config_dir
from musicrec_tui.core.settings.layers import find_secret_env

MAGIC = b"MRSEC"
VERSION = 1
KDF_SCRYPT = 1
SALT_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32  # AES-256
HEADER_BYTES = len(MAGIC) + 5  # version, kdf, log2(n), r, p
PREFIX_BYTES = HEADER_BYTES + SALT_BYTES + NONCE_BYTES
# A damaged header must not make us allocate gigabytes: scrypt needs 128·r·n bytes.
MAX_SCRYPT_MEMORY = 1 << 30
MAX_LOG2_N = 22
MAX_R = 32
MAX_P = 16

# Stored name → environment variable that takes precedence over the store.
SECRET_ENV = {"lastfm_api_key": "LASTFM_API_KEY", "lastfm_shared_secret": "LASTFM_SHARED_SECRET"}
PASSPHRASE_ENV = "MUSICREC_PASSPHRASE"
# Only read by `musicrec config passphrase`, so scripts can change it without prompts.
NEW_PASSPHRASE_ENV = "MUSICREC_NEW_PASSPHRASE"


# Why a stored key is not used, and how to unlock it (the CLI prompts on a terminal).
LOCKED = ("the Last.fm API key is in the encrypted key store, which is locked: set "
          f"{PASSPHRASE_ENV}, or run the command on a terminal to be asked for the passphrase")


class SecretsError(MusicrecError):
    """The secrets file cannot be used; the message never contains a secret."""


class Secret:
    """A string that never shows itself: repr/str/format print a mask; ``reveal()`` the value.

    It refuses to be pickled (so it never lands in a cache) and is not JSON-serialisable
    by msgspec; ``json.dumps(..., default=str)`` gets the mask.
    """

    __slots__ = ("_value",)
    MASK = "•••••"

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret holds a str")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self.MASK!r})"

    def __str__(self) -> str:
        return self.MASK

    def __format__(self, spec: str) -> str:
        return format(self.MASK, spec)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    __hash__ = None  # type: ignore[assignment]  # equal-by-value but never a dict key

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self


@dataclass(frozen=True)
class KdfParams:
    """scrypt cost. The default is the production cost; tests pass a cheap one."""

    n: int = 2**17
    r: int = 8
    p: int = 1

    def check(self) -> None:
        log2_n = self.n.bit_length() - 1
        if self.n < 2 or self.n != 1 << log2_n or log2_n > MAX_LOG2_N:
            raise SecretsError(f"scrypt n must be a power of two up to 2**{MAX_LOG2_N}")
        # Bounded so a damaged header cannot make one unlock take minutes.
        if not (1 <= self.r <= MAX_R and 1 <= self.p <= MAX_P):
            raise SecretsError(f"scrypt r must be 1..{MAX_R} and p 1..{MAX_P}")
        if 128 * self.r * self.n > MAX_SCRYPT_MEMORY:
            raise SecretsError("scrypt parameters need more than 1 GiB of memory")


DEFAULT_KDF = KdfParams()


def secrets_path() -> Path:
    return config_dir() / "secrets.bin"


def _passphrase_bytes(passphrase: str | Secret) -> bytes:
    text = passphrase.reveal() if isinstance(passphrase, Secret) else passphrase
    if not text:
        raise SecretsError("the passphrase is empty")
    # NFC so the same passphrase typed on different systems derives the same key.
    return unicodedata.normalize("NFC", text).encode("utf-8")


def _derive(passphrase: str | Secret, salt: bytes, kdf: KdfParams) -> bytes:
    return Scrypt(salt=salt, length=KEY_BYTES, n=kdf.n, r=kdf.r, p=kdf.p).derive(
        _passphrase_bytes(passphrase))


def encrypt(values: Mapping[str, Secret | str | None], passphrase: str | Secret,
            *, kdf: KdfParams | None = None) -> bytes:
    """The file bytes for ``values`` (names from :data:`SECRET_ENV`; None/"" are dropped).

    ``kdf=None`` means :data:`DEFAULT_KDF`, looked up at call time so tests can lower it.
    """
    unknown = set(values) - set(SECRET_ENV)
    if unknown:
        raise SecretsError(f"unknown secret name(s): {', '.join(sorted(unknown))}")
    return _seal(values, passphrase, kdf)


def _seal(values: Mapping[str, Secret | str | None], passphrase: str | Secret,
          kdf: KdfParams | None) -> bytes:
    kdf = kdf or DEFAULT_KDF
    kdf.check()
    plain = {name: (v.reveal() if isinstance(v, Secret) else v)
             for name, v in values.items() if v}
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    header = MAGIC + bytes([VERSION, KDF_SCRYPT, kdf.n.bit_length() - 1, kdf.r, kdf.p])
    prefix = header + salt + nonce
    body = json.dumps(plain, separators=(",", ":")).encode("utf-8")
    return prefix + AESGCM(_derive(passphrase, salt, kdf)).encrypt(nonce, body, prefix)


def decrypt(blob: bytes, passphrase: str | Secret, *, where: str = "secrets file"
            ) -> dict[str, Secret]:
    """Decrypt file bytes; any problem is one SecretsError (the blob is not modified)."""
    return {name: value for name, value in _open(blob, passphrase, where).items()
            if name in SECRET_ENV}


def _open(blob: bytes, passphrase: str | Secret, where: str) -> dict[str, Secret]:
    """Every entry of the file, including names this version does not use."""
    start = blob[: len(MAGIC)]
    if not blob or start != MAGIC[: len(start)]:
        raise SecretsError(f"{where} is not a musicrec secrets file")
    # The smallest body is "{}": two bytes of ciphertext.
    if len(blob) < PREFIX_BYTES + 2 + TAG_BYTES:
        raise SecretsError(f"{where} is truncated")
    version, kdf_id, log2_n, r, p = blob[len(MAGIC):HEADER_BYTES]
    if version != VERSION:
        raise SecretsError(f"{where} has format version {version}; this musicrec reads "
                           f"version {VERSION} (upgrade musicrec, or run config set-key again)")
    if kdf_id != KDF_SCRYPT:
        raise SecretsError(f"{where} has a damaged header (unknown key derivation {kdf_id})")
    kdf = KdfParams(n=1 << log2_n, r=r, p=p)
    try:
        kdf.check()
    except SecretsError:
        raise SecretsError(f"{where} has a damaged header (bad scrypt parameters)") from None
    prefix = blob[:PREFIX_BYTES]
    salt = blob[HEADER_BYTES:HEADER_BYTES + SALT_BYTES]
    nonce = blob[HEADER_BYTES + SALT_BYTES:PREFIX_BYTES]
    try:
        body = AESGCM(_derive(passphrase, salt, kdf)).decrypt(nonce, blob[PREFIX_BYTES:], prefix)
    except InvalidTag:
        raise SecretsError(f"cannot unlock {where}: wrong passphrase, or the file was "
                           "modified or damaged") from None
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise SecretsError(f"{where} decrypted to something unexpected") from None
    return {name: Secret(value) for name, value in data.items()}


def _read(target: Path) -> bytes:
    try:
        return target.read_bytes()
    except FileNotFoundError:
        raise SecretsError(f"no stored key at {target}: run `musicrec config set-key`") from None
    except OSError as exc:
        raise SecretsError(f"cannot read {target} ({exc.__class__.__name__})") from None


def load_secrets(passphrase: str | Secret, *, path: Path | None = None) -> dict[str, Secret]:
    target = path or secrets_path()
    return decrypt(_read(target), passphrase, where=str(target))


def save_secrets(values: Mapping[str, Secret | str | None], passphrase: str | Secret, *,
                 path: Path | None = None, kdf: KdfParams | None = None) -> Path:
    """Encrypt and atomically (re)write the file with mode 0600; returns its path."""
    return _write(path or secrets_path(), encrypt(values, passphrase, kdf=kdf))


def _write(target: Path, blob: bytes) -> Path:
    # A failure is atomic's WriteError (one line; any old file left as it was).
    return atomic_write(target, blob, mode=0o600, folder_mode=0o700)


def update_secrets(changes: Mapping[str, Secret | str | None], passphrase: str | Secret, *,
                   path: Path | None = None, kdf: KdfParams | None = None) -> Path:
    """Change some secrets, keeping the others, even names this version does not know (a
    file written by a newer musicrec). An existing file must open with the same passphrase
    (else SecretsError and nothing is written); a None value removes a name."""
    target = path or secrets_path()
    current: dict[str, Secret | str | None] = {}
    if target.exists():
        current.update(_open(_read(target), passphrase, str(target)))
    current.update(changes)
    return _write(target, _seal(current, passphrase, kdf))


def existing_store(path: Path | None = None) -> Path:
    """The store's path, or SecretsError when there is none to re-encrypt."""
    target = path or secrets_path()
    if not target.exists():
        raise SecretsError(f"no key store at {target}: nothing to re-encrypt (store a key "
                           "with `musicrec config set-key`)")
    return target


def change_passphrase(old: str | Secret, new: str | Secret, *, path: Path | None = None,
                      kdf: KdfParams | None = None) -> int:
    """Re-encrypt every stored secret under ``new``; returns how many there are.

    The file is replaced atomically (fresh salt and nonce, mode 0600), so an interruption
    leaves it readable with the old passphrase. Every entry is kept, even names this
    version does not know (a file written by a newer musicrec). The KDF cost becomes the
    current default, so a change also upgrades an old file's cost.
    """
    target = existing_store(path)
    new_bytes = _passphrase_bytes(new)  # an empty new passphrase fails before any work
    if hmac.compare_digest(_passphrase_bytes(old), new_bytes):
        raise SecretsError("the new passphrase is the same as the old one; nothing changed")
    values = _open(_read(target), old, str(target))
    _write(target, _seal(values, new, kdf))
    return len(values)


def forget_secrets(path: Path | None = None) -> bool:
    """Delete the file; False if there was none. (Deleting cannot scrub SSD/journal copies;
    the content was only ever ciphertext.)"""
    target = path or secrets_path()
    try:
        target.unlink()
    except FileNotFoundError:
        return False
    return True


def env_passphrase(variable: str = PASSPHRASE_ENV) -> Secret | None:
    value = os.environ.get(variable)
    return Secret(value) if value else None


def get_secret(name: str, *, passphrase: str | Secret | None = None,
               path: Path | None = None) -> Secret | None:
    """Environment (incl. ``.env``) first, then the store if a passphrase is available
    (argument or ``MUSICREC_PASSPHRASE``); None when neither has it. A store that exists
    but does not open with the given passphrase raises SecretsError."""
    found = find_secret_env(SECRET_ENV[name])
    if found:
        return Secret(found[0])
    passphrase = passphrase or env_passphrase()
    target = path or secrets_path()
    if not passphrase or not target.exists():
        return None
    return load_secrets(passphrase, path=target).get(name)


def is_locked(name: str, *, path: Path | None = None) -> bool:
    """The store exists but nothing opens it: no environment value for ``name`` takes
    precedence and no passphrase is set (so :func:`get_secret` answers None)."""
    return (not find_secret_env(SECRET_ENV[name]) and env_passphrase() is None
            and (path or secrets_path()).exists())


def get_api_key(settings: object = None, *, passphrase: str | Secret | None = None
                ) -> Secret | None:
    """The Last.fm API key, or None. ``settings`` is accepted for the agreed signature;
    secrets never live in Settings, so they cannot leak through a settings dump."""
    del settings
    return get_secret("lastfm_api_key", passphrase=passphrase)


def secret_status(name: str, *, unlocked: Mapping[str, Secret] | None = None,
                  path: Path | None = None) -> str:
    """Where a secret comes from, without its value: ``set (env LASTFM_API_KEY)``,
    ``set (.env /path/.env)``, ``set (encrypted store)``, ``encrypted store (locked)``
    (the store exists and no passphrase opens it), ``encrypted store (MUSICREC_PASSPHRASE
    does not open it)`` or ``not set``."""
    found = find_secret_env(SECRET_ENV[name])
    if found:
        return f"set ({found[1]})"
    target = path or secrets_path()
    if unlocked is None and target.exists() and (passphrase := env_passphrase()):
        try:
            unlocked = load_secrets(passphrase, path=target)
        except SecretsError:
            return f"encrypted store ({PASSPHRASE_ENV} does not open it)"
    if unlocked is not None:
        return "set (encrypted store)" if unlocked.get(name) else "not set"
    return "encrypted store (locked)" if target.exists() else "not set"
