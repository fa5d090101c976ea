"""Questions the CLI asks on the terminal: hidden input (keys, passphrases) and yes/no.

Module-level functions, so tests can replace them.
"""

from __future__ import annotations

import getpass

from musicrec_tui.core.settings import secrets as sec
from musicrec_tui.core.settings.secrets import Secret, SecretsError


def prompt_hidden(label: str) -> str:
    """Read without echo (getpass never prints what is typed)."""
    try:
        return getpass.getpass(label)
    except EOFError:  # no terminal and stdin closed: one line, not a traceback
        raise SecretsError(f"no answer to {label.strip().rstrip(':')!r} (input closed); "
                           f"in scripts set {sec.PASSPHRASE_ENV}") from None


def confirm(question: str) -> bool:
    try:
        return input(f"{question} [y/N] ").strip().lower() in {"y", "yes"}
    except EOFError:
        return False


def passphrase(*, new: bool) -> Secret:
    """``MUSICREC_PASSPHRASE`` or a hidden prompt; a new store asks twice."""
    from_env = sec.env_passphrase()
    if from_env:
        return from_env
    first = prompt_hidden("Passphrase for the key store: ")
    if not first:
        raise SecretsError("the passphrase is empty")
    if new and prompt_hidden("Repeat the passphrase: ") != first:
        raise SecretsError("the two passphrases differ; nothing was stored")
    return Secret(first)
