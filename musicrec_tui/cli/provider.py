"""The similar-artist provider for `recommend` and `export`: the core's choice, after
unlocking a stored Last.fm key (a passphrase prompt on a terminal), or saying plainly why a
locked key is not used."""

from __future__ import annotations

from typing import Any

from musicrec_tui.cli import prompts
from musicrec_tui.cli.common import console_err
from musicrec_tui.core.settings import secrets as sec


def choose(kind: str | None, settings: Any, history: Any, *, offline: bool = False) -> Any:
    """``kind`` as for core's choose_provider ("auto", "lastfm", "listenbrainz", "offline";
    None: the providers.similar setting). What is sent where is said once on stderr, when
    the first request leaves."""
    from musicrec_tui.core.similarity.select import choose_provider, effective_kind

    kind = kind or settings.providers.similar
    api_key = None
    if kind in ("auto", "lastfm") and not offline and sec.is_locked("lastfm_api_key"):
        if prompts.has_terminal():
            api_key = sec.load_secrets(prompts.passphrase(new=False)).get("lastfm_api_key")
        elif kind == "lastfm":
            raise sec.SecretsError(sec.LOCKED)
        else:
            instead = ("ListenBrainz" if effective_kind(kind, settings, has_key=False)
                       == "listenbrainz" else "offline co-listening")
            console_err.print(f"note: {sec.LOCKED}; until then similar artists come from "
                              f"{instead}", markup=False, highlight=False)
    return choose_provider(kind, settings, history, api_key=api_key, offline=offline,
                           notify=_notice)


def _notice(text: str) -> None:
    console_err.print(f"note: {text}", markup=False, highlight=False, soft_wrap=True)
