"""Shared bits for the settings/secrets tests (not a conftest: see the brief)."""

from __future__ import annotations

from musicrec_tui.core.settings.secrets import KdfParams

# Cheap scrypt so the suite stays fast; production uses secrets.DEFAULT_KDF.
FAST_KDF = KdfParams(n=2**10, r=8, p=1)
API_KEY = "0123456789abcdef0123456789abcdef"
SHARED = "fedcba9876543210fedcba9876543210"
PASSPHRASE = "correct horse battery staple"
