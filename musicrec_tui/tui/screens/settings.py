"""Settings: the tunables people change most, saved to the user config; the Last.fm key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Footer, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from musicrec_tui.core.engines.views import VIEWS
from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.settings import Settings, default_config, load_settings, parse_settings
from musicrec_tui.core.settings.checks import PROVIDER_KINDS, relative_weights
from musicrec_tui.tui.navigation import NavBar
from musicrec_tui.tui.runs import SHARES
from musicrec_tui.tui.screens.base import MusicrecScreen, describe_error

if TYPE_CHECKING:
    from musicrec_tui.core.settings.secrets import Secret

PROVIDERS = PROVIDER_KINDS


@dataclass(frozen=True)
class _Weights:
    """A table of relative weights edited as one box per name (``prefix.name`` fields)."""

    key: str  # the setting, e.g. "ensemble.shares"
    prefix: str
    label: str  # per box: "Mix share: play next"
    title: str  # of the table, in messages
    names: tuple[str, ...]

    def current(self, s: Settings) -> dict[str, float]:
        section, _, name = self.key.partition(".")
        return getattr(getattr(s, section), name)


WEIGHTS = (
    _Weights("ensemble.shares", "share", "Mix share", "Mix shares", tuple(SHARES.values())),
    _Weights("discover.weights", "view", "Discover view", "Discover views", VIEWS),
)


def _weight_fields(s: Settings, table: _Weights) -> list[tuple[str, str, str, str]]:
    values = table.current(s)
    return [(f"{table.prefix}.{name}", f"{table.label}: {name.replace('_', ' ')}",
             f"{values.get(name, 0.0):g}",
             "relative; scaled to sum to 1 when saved" if name == table.names[-1] else "")
            for name in table.names]


def _fields(s: Settings) -> list[tuple[str, str, str, str]]:
    """(config key, label, current text, hint) for each plain-text setting on the form."""
    return [
        ("import.timezone", "Timezone", s.import_.timezone,
         "IANA zone such as Europe/Paris; empty = this computer's (re-import to apply)"),
        ("import.min_play_seconds", "Min play length (s)", f"{s.import_.min_play_seconds:g}",
         "shorter plays are kept but not counted (re-import to apply)"),
        *_weight_fields(s, WEIGHTS[0]),
        ("content.tier", "Discovery tier", s.content.tier,
         "ranks to seed discovery from, e.g. 1-50 or 51-200"),
        *_weight_fields(s, WEIGHTS[1]),
        ("context.k", "Contexts (k)", str(s.context.k), "0 = choose by silhouette"),
    ]


def _field_id(key: str) -> str:
    return "set-" + key.replace(".", "-").replace("_", "-")


class SettingsScreen(MusicrecScreen):
    """Edit and save settings; store the Last.fm key encrypted."""

    @dataclass
    class KeyStored(Message):
        """The Last.fm key was stored encrypted in ``path`` with ``passphrase``."""

        path: Path
        passphrase: Secret
        stored: dict[str, Secret]  # what was written, for the status line only

    HELP_TITLE = "Settings"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="settings.save", tooltip="Save to the user config"),
        Binding("escape", "leave_box", "Leave box", id="settings.leave",
                tooltip="Leave the text box, so that 1-6 switch screens again"),
    ]

    def compose(self) -> ComposeResult:
        settings = self.session.settings
        yield NavBar("settings")
        with VerticalScroll(id="settings-form"):
            for key, label, value, hint in _fields(settings):
                with Horizontal(classes="setting"):
                    yield Label(label)
                    yield Input(value, id=_field_id(key), compact=True,
                                placeholder="(default)")
                if hint:
                    yield Static(hint, classes="hint")
            with Horizontal(classes="setting"):
                yield Label("Similar artists")
                yield Select([(p, p) for p in PROVIDERS], value=settings.providers.similar,
                             allow_blank=False, id="set-provider", compact=True)
            yield Static("auto = Last.fm when a key is set, else ListenBrainz if you allowed it,"
                         " else offline co-listening",
                         classes="hint")
            with Horizontal(classes="setting"):
                yield Label("Last.fm API key")
                yield Input(password=True, placeholder="paste your key (hidden)",
                            id="set-key", compact=True)
            with Horizontal(classes="setting"):
                yield Label("Passphrase")
                yield Input(password=True, placeholder="encrypts the key on disk",
                            id="set-passphrase", compact=True)
            yield Static("", id="set-key-status", classes="hint")
            with Horizontal(id="settings-buttons"):
                yield Button("Save settings (ctrl+s)", variant="primary", id="set-save")
                yield Button("Store key", id="set-store-key")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._key_status()

    def _key_status(self, unlocked: dict[str, Secret] | None = None) -> None:
        """Where the key comes from; ``unlocked``: the store's contents, when known."""
        from musicrec_tui.core.settings.secrets import secret_status

        self.query_one("#set-key-status", Static).update(
            f"Last.fm key: {secret_status('lastfm_api_key', unlocked=unlocked)}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return isinstance(self.focused, Input) if action == "leave_box" else True

    def action_leave_box(self) -> None:
        self.set_focus(self.query_one("#settings-form"))

    # -- saving settings -----------------------------------------------------------------
    @on(Button.Pressed, "#set-save")
    def action_save(self) -> None:
        from musicrec_tui.core.settings.user_config import set_in_user_config

        settings = self.session.settings
        current = {key: value for key, _label, value, _hint in _fields(settings)}
        # An empty box says "(default)", and means it.
        defaults = {key: value for key, _label, value, _hint
                    in _fields(parse_settings(default_config()))}
        wanted = {key: self.query_one(f"#{_field_id(key)}", Input).value.strip() or defaults[key]
                  for key in current}
        prefixes = tuple(f"{table.prefix}." for table in WEIGHTS)
        changes = {k: v for k, v in wanted.items()
                   if not k.startswith(prefixes) and v != current[k]}
        for table in WEIGHTS:
            boxes = [k for k in current if k.startswith(f"{table.prefix}.")]
            if all(wanted[k] == current[k] for k in boxes):
                continue
            try:
                scaled = relative_weights({k.split(".", 1)[1]: float(wanted[k] or 0)
                                           for k in boxes}, list(table.names), table.key)
            except (ValueError, MusicrecError) as exc:
                self.notify(f"{table.title}: {describe_error(exc)}", severity="error")
                return
            changes[table.key] = ", ".join(f"{k}={v:.4g}" for k, v in scaled.items())
        provider = str(self.query_one("#set-provider", Select).value)
        if provider != settings.providers.similar:
            changes["providers.similar"] = provider
        if not changes:
            self.notify("Nothing changed")
            return
        try:
            path = None
            for key, text in changes.items():
                path, _value = set_in_user_config(key, text)
            self.session.settings = load_settings()
        except MusicrecError as exc:
            self.notify(describe_error(exc), severity="error", timeout=10)
            return
        self.session.forget_provider()
        self.notify(f"Saved {', '.join(changes)} to {path}", title="Settings saved", timeout=8)

    # -- the Last.fm key -----------------------------------------------------------------
    @on(Button.Pressed, "#set-store-key")
    @on(Input.Submitted, "#set-key, #set-passphrase")
    def _store_key(self) -> None:
        key = self.query_one("#set-key", Input).value.strip()
        passphrase = self.query_one("#set-passphrase", Input).value
        if not key or not passphrase:
            self.notify("Enter the key and a passphrase to encrypt it with", severity="warning")
            return
        self.query_one("#set-key-status", Static).update("Encrypting…")
        self._encrypt(key, passphrase)

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings",
          description="Encrypting the Last.fm key")
    def _encrypt(self, key: str, passphrase: str) -> None:
        from musicrec_tui.core.settings.secrets import Secret, update_secrets

        secret = Secret(passphrase)
        stored = {"lastfm_api_key": Secret(key)}
        # scrypt takes about half a second: keep it off the UI thread.
        path = update_secrets(stored, secret)
        self.post_message(self.KeyStored(path, secret, stored))

    @on(KeyStored)
    def _key_stored(self, event: KeyStored) -> None:
        self.session.passphrase = event.passphrase
        self.session.forget_provider()
        for id_ in ("#set-key", "#set-passphrase"):
            self.query_one(id_, Input).value = ""
        self._key_status(unlocked=event.stored)
        self.notify(f"Last.fm key stored encrypted in {event.path}", title="Key saved")

    def worker_ended(self, worker: Worker, state: WorkerState) -> None:
        self._key_status()
