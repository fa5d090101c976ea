"""Recently opened sources, kept in ``config_dir()/recent.json`` (written atomically; 0600 in a
0700 folder: the paths of your exports say who you are)."""

from __future__ import annotations

import json
from pathlib import Path

from musicrec_tui.core.atomic import atomic_write, private_folder
from musicrec_tui.core.locations import config_dir

MAX_RECENT = 10


def recent_file() -> Path:
    return config_dir() / "recent.json"


def load_recent() -> list[list[str]]:
    """Each entry is the list of paths opened together, newest first; [] if unreadable."""
    try:
        data = json.loads(recent_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, list):
        return []
    return [[str(p) for p in entry] for entry in data
            if isinstance(entry, list) and entry and all(isinstance(p, str) for p in entry)]


def remember(paths: list[str]) -> list[list[str]]:
    """Put ``paths`` first in the recent list and save it; returns the new list."""
    entry = [str(Path(p).resolve()) for p in paths]
    entries = [entry, *(e for e in load_recent() if e != entry)][:MAX_RECENT]
    target = recent_file()
    private_folder(target.parent)
    atomic_write(target, json.dumps(entries, ensure_ascii=False, indent=1), mode=0o600)
    return entries
