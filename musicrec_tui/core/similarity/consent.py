"""What asking a provider sends where, and the user's standing consent for ListenBrainz.

Asking for similar artists sends the names of the user's artists to a third party. The CLI
prints :func:`notice` once, when the first request is about to leave; the app's consent
step shows :func:`sendings` and records a yes with :func:`allow_listenbrainz`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

HOW_TO_STOP = "--provider offline, or `musicrec config set providers.similar offline`"


@dataclass(frozen=True)
class Sending:
    """One thing a provider sends: what, to which host, and what for."""

    what: str
    host: str
    why: str


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def sendings(kind: str, settings) -> list[Sending]:
    """What provider ``kind`` ("lastfm", "listenbrainz" or "offline") sends, and where.

    The names are those of the artists discovery starts from (the tier). Never the user's
    plays, account, key store or files: Last.fm also gets the API key, as its terms require.
    Every request carries the app's User-Agent (its name and version, nothing about the user).
    """
    if kind == "lastfm":
        return [Sending("artist names and your API key", _host(settings.lastfm.base_url),
                        "to ask for similar artists")]
    if kind == "listenbrainz":
        return [
            Sending("artist names", _host(settings.musicbrainz.base_url),
                    "to find their MusicBrainz IDs, for artists your export gives none"),
            Sending("those artists' MusicBrainz IDs", _host(settings.listenbrainz.labs_url),
                    "to ask for similar artists"),
        ]
    return []


def notice(kind: str, settings) -> str:
    """One line saying what is being sent where, and how to stop it."""
    parts = [f"{s.what} to {s.host} ({s.why})" for s in sendings(kind, settings)]
    if not parts:
        return "offline: nothing is sent anywhere"
    return "sending " + "; ".join(parts) + f". To stop: {HOW_TO_STOP}"


def should_offer(settings, *, has_key: bool) -> bool:
    """Whether the app should offer the ListenBrainz consent step: the choice is left to
    ``auto``, there is no Last.fm key, and the user has not answered yet (a yes is
    :func:`allow_listenbrainz`, a no :func:`stay_offline`)."""
    p = settings.providers
    return p.similar == "auto" and not has_key and not p.allow_listenbrainz


def allow_listenbrainz(allowed: bool = True) -> Path:
    """Record (or withdraw) the user's consent in the user config; returns the file written."""
    from musicrec_tui.core.settings.user_config import set_in_user_config

    path, _ = set_in_user_config("providers.allow_listenbrainz", "true" if allowed else "false")
    return path


def stay_offline() -> Path:
    """Record a "no": ``providers.similar = "offline"``, so nothing is sent and the consent
    step is not offered again (Settings can still turn a provider on)."""
    from musicrec_tui.core.settings.user_config import set_in_user_config

    path, _ = set_in_user_config("providers.similar", "offline")
    return path
