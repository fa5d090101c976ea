"""The consent step: before Discover first asks a similarity service, say exactly what is sent
to which host, and remember the answer in the user config.

A yes turns the provider on for good (``providers.allow_listenbrainz``; ``providers.similar``
back to ``auto`` if it was ``offline``); a no is remembered as ``providers.similar =
"offline"``, so the app offers the step again only when the user asks for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from musicrec_tui.core.settings import Settings
from musicrec_tui.core.similarity.consent import Sending

SERVICES = {"lastfm": "Last.fm", "listenbrainz": "ListenBrainz"}


def consent_text(kind: str, sendings: list[Sending], tier: str) -> Text:
    """What asking ``kind`` sends, to which hosts, and what for: the modal's body."""
    service = SERVICES.get(kind, kind)
    text = Text()
    text.append("Discover finds new artists by asking a similarity service about artists "
                "you play. ")
    text.append(f"{service} " + ("needs no key" if kind == "listenbrainz"
                                 else "uses your API key") + ". Turning it on sends:\n\n")
    for sending in sendings:
        text.append("  • ")
        text.append(sending.what)
        text.append(" to ")
        text.append(sending.host, style="bold")
        text.append(f" ({sending.why})\n")
    text.append(f"\nThe artists are those Discover starts from: your tier ({tier}), the ones "
                "you have been playing more lately and those of the listening context of "
                "the moment. Nothing else: no plays, no account, no files. Answers are "
                "cached, so later runs send only what is not.\n\n")
    text.append("Your answer is remembered; Settings (6) changes it.", style="dim")
    return text


def record(yes: bool, kind: str, settings: Settings) -> Path:
    """Remember the answer in the user config; returns the file written."""
    from musicrec_tui.core.settings.user_config import set_in_user_config
    from musicrec_tui.core.similarity.consent import allow_listenbrainz, stay_offline

    if not yes:
        return stay_offline()
    path = allow_listenbrainz(True) if kind == "listenbrainz" else None
    if path is None or settings.providers.similar == "offline":
        path, _ = set_in_user_config("providers.similar", "auto")
    return path


class ConsentScreen(ModalScreen[bool | None]):
    """Yes (y) / No (n) to asking a similarity service; escape leaves the question open."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "dismiss(None)", "Not now"),
    ]

    def __init__(self, kind: str, sendings: list[Sending], tier: str) -> None:
        super().__init__()
        self._kind = kind
        self._body = consent_text(kind, sendings, tier)

    def compose(self) -> ComposeResult:
        service = SERVICES.get(self._kind, self._kind)
        with Vertical(id="consent-dialog") as dialog:
            dialog.border_title = f"Ask {service} for similar artists?"
            yield Static(self._body, id="consent-text")
            with Horizontal(id="consent-buttons"):
                yield Button(f"Yes, ask {service} (y)", variant="primary", id="consent-yes")
                yield Button("No, stay offline (n)", id="consent-no")

    def on_mount(self) -> None:
        self.query_one("#consent-no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "consent-yes")
