"""Questions the CLI asks on the terminal: hidden input (keys, passphrases) and yes/no.

Without a terminal a hidden prompt is refused in one line saying what to do instead (getpass
would fall back to reading stdin with a GetPassWarning). Module-level functions, so tests
can replace them.
"""

from __future__ import annotations

import getpass
import os
import sys

from musicrec_tui.core.settings import secrets as sec
from musicrec_tui.core.settings.secrets import Secret, SecretsError


def has_terminal() -> bool:
    """Whether a hidden prompt can be asked: getpass asks on the controlling terminal, which
    is there even when stdin is a pipe."""
    if os.name == "posix":
        try:
            fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
        except OSError:
            return False
        os.close(fd)
        return True
    return bool(sys.stdin is not None and sys.stdin.isatty())


def prompt_hidden(label: str, *, instead: str) -> str:
    """Read without echo (getpass never prints what is typed); without a terminal, or on
    closed input, one SecretsError that says what to do ``instead``."""
    what = label.strip().rstrip(":")
    if not has_terminal():
        raise SecretsError(f"cannot ask for {what!r} without a terminal: {instead}")
    try:
        return getpass.getpass(label)
    except EOFError:  # stdin closed: one line, not a traceback
        raise SecretsError(f"no answer to {what!r} (input closed); {instead}") from None


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
    instead = f"set {sec.PASSPHRASE_ENV}"
    first = prompt_hidden("Passphrase for the key store: ", instead=instead)
    if not first:
        raise SecretsError("the passphrase is empty")
    if new and prompt_hidden("Repeat the passphrase: ", instead=instead) != first:
        raise SecretsError("the two passphrases differ; nothing was stored")
    return Secret(first)
