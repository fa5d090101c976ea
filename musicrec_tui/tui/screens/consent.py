"""The consent step: before Discover first asks a similarity service, say exactly what is sent
to which host, and remember the answer in the user config.

A yes turns the provider on for good (``providers.allow_listenbrainz``; ``providers.similar``
back to ``auto`` if it was ``offline``); a no is remembered as ``providers.similar =
"offline"``, so the app offers the step again only when the user asks for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.settings import Settings
from musicrec_tui.core.similarity.consent import Sending
from musicrec_tui.tui.screens.base import describe_error

if TYPE_CHECKING:
    from musicrec_tui.core.analysis import Analysis

SERVICES = {"lastfm": "Last.fm", "listenbrainz": "ListenBrainz"}


def consent_text(kind: str, sendings: list[Sending], tier: str, seeds: int = 0) -> Text:
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
    count = f" ({seeds} now)" if seeds else ""
    text.append(f"\nThe artists are those Discover starts from{count}: your tier ({tier}), the "
                "ones you have been playing more lately and those of the listening context "
                "of the moment. Nothing else: no plays, no account, no files. Answers are "
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

    def __init__(self, kind: str, sendings: list[Sending], tier: str, seeds: int = 0) -> None:
        super().__init__()
        self._kind = kind
        self._body = consent_text(kind, sendings, tier, seeds)

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


class ConsentStep:
    """The Recommend screen's part of the consent step (mixed into it): the ``p`` action,
    the unasked pointer to it on an empty Discover, and what a yes or a no changes. The screen has
    ``session``, ``_list``, ``_kind``, ``action_reblend`` and the ``#provider-select`` and
    ``#tier-input`` boxes."""

    session: Any
    _list: str
    _kind: str
    _offered: bool = False  # pointed at unasked already (once per app run)

    def _consented(self, kind: str) -> bool:
        """Whether the user already agreed to ``kind`` being asked (a stored Last.fm key is
        the consent for Last.fm; ListenBrainz needs its own yes, or its name in Settings)."""
        providers = self.session.settings.providers
        return kind == "lastfm" or providers.allow_listenbrainz \
            or providers.similar == "listenbrainz"

    def _provider_on(self, analysis: Analysis) -> bool:
        """A network provider was asked for this analysis (even if it then failed)."""
        asked = analysis.similarity.requested if analysis.similarity is not None else ""
        return (asked or analysis.provider or "offline") != "offline"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "consent":
            analysis = self.session.analysis
            return self._list in ("mix", "discover") and analysis is not None \
                and not self._provider_on(analysis)
        return super().check_action(action, parameters)  # type: ignore[misc]

    def action_consent(self) -> None:
        """The consent step for the provider ``auto`` would turn to: Last.fm when a key is
        stored, else ListenBrainz."""
        from musicrec_tui.core.settings.secrets import get_api_key

        settings = self.session.settings
        has_key = settings.providers.similar == "offline" and get_api_key(
            settings, passphrase=self.session.passphrase) is not None
        self._ask("lastfm" if has_key else "listenbrainz")

    def _ask(self, kind: str, *, picked: bool = False) -> None:
        """The consent step for ``kind``; ``picked``: the user chose it in “Discover from”,
        so a no only puts the box back (the question came from that choice)."""
        from musicrec_tui.core.similarity.consent import sendings

        self._offered = True
        tier = self.query_one("#tier-input", Input).value.strip()
        content = self.session.analysis.results.get("content") if self.session.analysis else None
        seeds = content.meta.get("seeds", {}).get("asked", 0) if content is not None else 0
        question = ConsentScreen(kind, sendings(kind, self.session.settings), tier, seeds)
        self.app.push_screen(question, lambda yes: self._answered(
            kind, None if picked and not yes else yes))

    def _answered(self, kind: str, yes: bool | None) -> None:
        """Remember a yes or a no; a yes asks the provider at once (no refit)."""
        from musicrec_tui.core.settings import load_settings

        select = self.query_one("#provider-select", Select)
        if yes is None:  # not now: nothing remembered, the box goes back
            select.value = self._kind or select.value
            return
        try:
            path = record(yes, kind, self.session.settings)
            self.session.settings = load_settings()
        except MusicrecError as exc:
            self.notify(describe_error(exc), severity="error", timeout=10)
            return
        self.session.forget_provider()
        if not yes:
            self._kind = "offline"
            select.value = "offline"
            self.notify(f"Staying offline: nothing is sent (saved to {path}). "
                        "p offers the choice again.", timeout=8)
            return
        self.notify(f"{SERVICES[kind]} turned on (saved to {path}); asking it for similar "
                    "artists…", timeout=8)
        self._kind = ""  # whatever the box says now, Discover is asked again
        if select.value == "offline":
            select.value = "auto"  # its change asks again
        elif self.session.analysis is not None:
            self.action_reblend()

    def _maybe_offer(self, analysis: Analysis) -> None:
        """Point at the consent step once per app run, on a Discover that no provider served,
        until the user has answered (core's should_offer). A notice, not the modal itself:
        a question popping up while the user steps through the tabs would take their keys."""
        from musicrec_tui.core.similarity.consent import should_offer

        if (self._list == "discover" and not self._offered and not self._provider_on(analysis)
                and should_offer(self.session.settings, has_key=False)):
            self._offered = True
            self.notify("Discover can ask ListenBrainz for new artists, with no key: press p "
                        "to see what it would be sent and answer", title="New artists",
                        timeout=10)
