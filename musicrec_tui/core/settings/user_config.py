"""Edit the user's TOML config in place: keep its comments, validate first, write atomically.

Shared by `musicrec config set` and the TUI's Settings screen.
"""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path
from typing import Any

import tomlkit

from musicrec_tui.core.atomic import atomic_write, private_folder
from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.locations import config_dir
from musicrec_tui.core.settings import DEFAULTS_LAYER, default_config, layers, resolve, schema


def set_in_user_config(key: str, text: str) -> tuple[Path, Any]:
    """Set one key in the user TOML, keeping its comments; validate first, write atomically."""
    types = schema()
    key = layers.MOVED.get(key, key)
    if key not in types:
        raise layers.unknown_key(key, types, "config set")
    value = layers.coerce(key, text, types[key], "config set")
    path = layers.user_config_path()
    old_text = path.read_text(encoding="utf-8") if path.is_file() else ""
    try:
        doc = tomlkit.parse(old_text)
    except tomlkit.exceptions.TOMLKitError as exc:
        raise SettingsError(f"user config {path}: not valid TOML ({exc})") from None
    section, _, name = key.partition(".")
    if section not in doc:
        doc.add(section, tomlkit.table())
    if isinstance(value, dict):
        inline = tomlkit.inline_table()
        inline.update(value)
        doc[section][name] = inline
    else:
        doc[section][name] = value
    new_text = tomlkit.dumps(doc)
    # Validate the file as it would be written, on top of the defaults only: a bad value
    # elsewhere in the environment must not block (or excuse) this file.
    name_ = f"user config {path}"
    resolve([layers.nested_layer(DEFAULTS_LAYER, default_config(), types),
             layers.nested_layer(name_, tomllib.loads(new_text), types)], types)
    # A new config is private (it tells your provider choices); an existing one keeps its mode.
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o600
    if path.parent == config_dir():
        private_folder(path.parent)
    # A dotfile manager's symlink stays a symlink: write the file it points at.
    atomic_write(path.resolve() if path.is_symlink() else path, new_text, mode=mode,
                 folder_mode=0o700)
    return path, value
