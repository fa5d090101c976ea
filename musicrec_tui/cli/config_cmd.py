"""`musicrec config …`: show/explain settings, paths in use, edit the user TOML, manage keys
and the key store's passphrase."""

from __future__ import annotations

import argparse
import json
import re
import stat
import sys
from typing import Any

from rich.markup import escape
from rich.table import Table

from musicrec_tui.cli import prompts
from musicrec_tui.cli.common import console, print_json
from musicrec_tui.core.locations import cache_dir, config_dir
from musicrec_tui.core.settings import (
    DEFAULTS_LAYER,
    explain_settings,
    layers,
)
from musicrec_tui.core.settings import secrets as sec
from musicrec_tui.core.settings.secrets import Secret, SecretsError
from musicrec_tui.core.settings.user_config import set_in_user_config
from musicrec_tui.core.wording import plural

# What Last.fm issues; anything else is most likely a paste of the wrong value.
LASTFM_KEY_SHAPE = re.compile(r"[0-9a-f]{32}")


def register(sub: Any, name: str) -> None:
    parser = sub.add_parser(
        name, help="show and edit settings; store the Last.fm key encrypted",
        description="Settings come from, highest first: command-line flags, "
                    "MUSICREC_<SECTION>_<KEY> variables, .env files, your config.toml, "
                    "the defaults.")
    parser.set_defaults(func=lambda _args: parser.print_help() or 2)
    cmds = parser.add_subparsers(dest="config_command", metavar="ACTION")

    show = cmds.add_parser("show", help="effective settings and where each came from")
    show.add_argument("--reveal", action="store_true",
                      help="also show the stored secrets (asks for the passphrase)")
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    show.set_defaults(func=cmd_show)

    path = cmds.add_parser("path", help="the files and folders in use")
    path.add_argument("--json", action="store_true", help="print JSON for scripts")
    path.set_defaults(func=cmd_path)

    setter = cmds.add_parser("set", help="set KEY (section.key) to VALUE in your config.toml",
                             epilog="example: musicrec config set ensemble.shares "
                                    "play_next=0.5,rediscover=0.25,discover=0.25")
    setter.add_argument("key", metavar="KEY")
    setter.add_argument("value", metavar="VALUE")
    setter.set_defaults(func=cmd_set)

    set_key = cmds.add_parser("set-key", help="store the Last.fm API key encrypted")
    set_key.add_argument("--stdin", action="store_true",
                         help="read the key (and with --secret the shared secret on the "
                              "next line) from standard input instead of prompting")
    set_key.add_argument("--secret", action="store_true",
                         help="also store the Last.fm shared secret")
    set_key.set_defaults(func=cmd_set_key)

    forget = cmds.add_parser("forget-key", help="delete the encrypted key file")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    forget.set_defaults(func=cmd_forget_key)

    change = cmds.add_parser(
        "passphrase", help="change the passphrase of the encrypted key store",
        description="Asks for the current passphrase, then the new one twice, and\n"
                    "re-encrypts every stored secret with it. The file is replaced\n"
                    "atomically: an interruption leaves the old passphrase working.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
               "  musicrec config passphrase     # asks: current, new, new again\n"
               f"  {sec.PASSPHRASE_ENV}=… {sec.NEW_PASSPHRASE_ENV}=… musicrec config passphrase\n"
               "                                 # scripts: no prompts")
    change.set_defaults(func=cmd_passphrase)


# ---- show ----------------------------------------------------------------------------------

def format_value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in value.items())
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _secret_rows(reveal: bool) -> dict[str, dict[str, str]]:
    unlocked: dict[str, Secret] | None = None
    if reveal and sec.secrets_path().exists():
        unlocked = sec.load_secrets(prompts.passphrase(new=False))
    rows: dict[str, dict[str, str]] = {}
    for name, var in sec.SECRET_ENV.items():
        row = {"status": sec.secret_status(name, unlocked=unlocked)}
        if reveal:
            found = layers.find_secret_env(var)
            value = found[0] if found else (unlocked or {}).get(name)
            if value:
                row["value"] = value.reveal() if isinstance(value, Secret) else value
        rows[name] = row
    return rows


def cmd_show(args: argparse.Namespace) -> int:
    explained = explain_settings()
    secrets_rows = _secret_rows(args.reveal)
    if args.json:
        print_json({
            "settings": {e.key: {"value": e.value, "source": e.source} for e in explained},
            "secrets": secrets_rows,
        })
        return 0
    table = Table(title="musicrec settings (highest layer wins)", title_justify="left")
    table.add_column("key", style="bold")
    table.add_column("value")
    table.add_column("source", style="dim")
    for e in explained:
        source = e.source if e.source != DEFAULTS_LAYER else "default"
        table.add_row(e.key, escape(format_value(e.value)), escape(source),
                      style=None if e.source == DEFAULTS_LAYER else "green")
    for name, row in secrets_rows.items():
        shown = row.get("value", Secret.MASK if row["status"].startswith("set") else "")
        table.add_row(name, escape(shown), escape(row["status"]), style="yellow")
    console.print(table)
    return 0


# ---- path ----------------------------------------------------------------------------------

def cmd_path(args: argparse.Namespace) -> int:
    secrets_file = sec.secrets_path()
    info: dict[str, Any] = {
        "config_dir": str(config_dir()),
        "config_file": str(layers.user_config_path()),
        "config_file_exists": layers.user_config_path().is_file(),
        "dotenv": [{"path": str(p), "exists": p.is_file()} for p in layers.dotenv_paths()],
        "secrets_file": str(secrets_file),
        "secrets_file_exists": secrets_file.is_file(),
        "cache_dir": str(cache_dir()),
    }
    if secrets_file.is_file():
        info["secrets_file_mode"] = oct(stat.S_IMODE(secrets_file.stat().st_mode))
    if args.json:
        print_json(info)
        return 0

    def mark(exists: bool) -> str:
        return "" if exists else "  [dim](not present)[/]"

    console.print(f"config dir    {escape(info['config_dir'])}")
    console.print(f"config file   {escape(info['config_file'])}{mark(info['config_file_exists'])}")
    for n, entry in enumerate(info["dotenv"]):
        label = ".env files   " if n == 0 else "             "
        console.print(f"{label} {escape(entry['path'])}{mark(entry['exists'])}")
    extra = f"  (mode {info['secrets_file_mode']})" if "secrets_file_mode" in info else ""
    console.print(f"secrets file  {escape(info['secrets_file'])}"
                  f"{mark(info['secrets_file_exists'])}{extra}")
    console.print(f"cache dir     {escape(info['cache_dir'])}")
    return 0


# ---- set -----------------------------------------------------------------------------------

def cmd_set(args: argparse.Namespace) -> int:
    path, value = set_in_user_config(args.key, args.value)
    console.print(f"{escape(args.key)} = {escape(format_value(value))}  →  {escape(str(path))}",
                  highlight=False)
    key = layers.MOVED.get(args.key, args.key)
    source = next(e.source for e in explain_settings() if e.key == key)
    if not source.startswith("user config"):
        console.print(f"[yellow]note:[/] {escape(source)} overrides this value", highlight=False)
    return 0


# ---- keys ----------------------------------------------------------------------------------

def _read_keys(args: argparse.Namespace) -> dict[str, str]:
    if args.stdin:
        lines = [line.strip() for line in sys.stdin.read().splitlines()]
        lines = [line for line in lines if line]
        if not lines or (args.secret and len(lines) < 2):
            raise SecretsError("expected the API key" +
                               (" and the shared secret on two lines" if args.secret else "") +
                               " on standard input")
        values = {"lastfm_api_key": lines[0]}
        if args.secret:
            values["lastfm_shared_secret"] = lines[1]
        return values
    instead = ("pipe it into `musicrec config set-key --stdin"
               + (" --secret`" if args.secret else "`"))
    values = {"lastfm_api_key": prompts.prompt_hidden("Last.fm API key: ",
                                                      instead=instead).strip()}
    if args.secret:
        values["lastfm_shared_secret"] = prompts.prompt_hidden("Last.fm shared secret: ",
                                                               instead=instead).strip()
    if not all(values.values()):
        raise SecretsError("empty input; nothing was stored")
    return values


def cmd_set_key(args: argparse.Namespace) -> int:
    values = _read_keys(args)
    exists = sec.secrets_path().exists()
    path = sec.update_secrets(values, prompts.passphrase(new=not exists))
    stored = " and shared secret" if args.secret else ""
    console.print(f"stored the Last.fm API key{stored} in {escape(str(path))} "
                  "(AES-256-GCM, scrypt-derived key, mode 0600)", highlight=False)
    if not LASTFM_KEY_SHAPE.fullmatch(values["lastfm_api_key"]):
        console.print("[yellow]note:[/] Last.fm API keys are 32 hexadecimal characters; "
                      "this one is not (stored anyway)", highlight=False)
    for name in values:
        status = sec.secret_status(name)
        if status.startswith("set (") and "encrypted store" not in status:
            console.print(f"[yellow]note:[/] {escape(status[5:-1])} takes precedence over "
                          "the stored value", highlight=False)
    return 0


def _new_passphrase() -> Secret:
    from_env = sec.env_passphrase(sec.NEW_PASSPHRASE_ENV)
    if from_env:
        return from_env
    instead = f"set {sec.NEW_PASSPHRASE_ENV}"
    first = prompts.prompt_hidden("New passphrase: ", instead=instead)
    if not first:
        raise SecretsError("the new passphrase is empty; nothing changed")
    if prompts.prompt_hidden("Repeat the new passphrase: ", instead=instead) != first:
        raise SecretsError("the two new passphrases differ; nothing changed")
    return Secret(first)


def cmd_passphrase(args: argparse.Namespace) -> int:
    path = sec.existing_store()  # before any prompt: maybe there is nothing to protect yet
    old = sec.env_passphrase()
    if old is None:
        old = prompts.prompt_hidden("Current passphrase: ", instead=f"set {sec.PASSPHRASE_ENV}")
        if not old:
            raise SecretsError("the passphrase is empty")
        # Checked now, so a typo fails before the new one is typed twice (one extra
        # key derivation, ~0.5 s, is worth that).
        sec.load_secrets(old, path=path)
    count = sec.change_passphrase(old, _new_passphrase(), path=path)
    console.print(f"re-encrypted {plural(count, 'stored secret')} in "
                  f"{escape(str(path))} with the new passphrase", highlight=False)
    if sec.env_passphrase() is not None:
        console.print(f"[yellow]note:[/] {sec.PASSPHRASE_ENV} still holds the old passphrase;"
                      " update it where it is set", highlight=False)
    return 0


def cmd_forget_key(args: argparse.Namespace) -> int:
    path = sec.secrets_path()
    if not path.exists():
        console.print(f"no key store at {escape(str(path))}", highlight=False)
        return 0
    if not args.yes and not prompts.confirm(f"Delete the encrypted key store {path}?"):
        console.print("kept the key store")
        return 1
    sec.forget_secrets(path)
    console.print(f"deleted {escape(str(path))}", highlight=False)
    return 0
