"""Shared bits for the settings/secrets tests (not a conftest: see the brief)."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from musicrec_tui.core.settings.secrets import KdfParams

# Cheap scrypt so the suite stays fast; production uses secrets.DEFAULT_KDF.
FAST_KDF = KdfParams(n=2**10, r=8, p=1)
API_KEY = "0123456789abcdef0123456789abcdef"
SHARED = "fedcba9876543210fedcba9876543210"
PASSPHRASE = "correct horse battery staple"


# The key store's format as docs/configuration.md documents it, built from the primitives
# alone: an independent reader and writer for the tests to hold the code to.
def documented_key(salt: bytes, n: int, r: int, p: int, passphrase: str = PASSPHRASE) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def documented_seal(body: bytes, *, log2_n: int = 10, r: int = 8, p: int = 1) -> bytes:
    """A version-1 scrypt file: magic, 5 header bytes, salt (16), nonce (12), then the
    AES-256-GCM ciphertext and tag, with the whole prefix as associated data."""
    salt, nonce = os.urandom(16), os.urandom(12)
    prefix = b"MRSEC" + bytes([1, 1, log2_n, r, p]) + salt + nonce
    return prefix + AESGCM(documented_key(salt, 1 << log2_n, r, p)).encrypt(nonce, body, prefix)
