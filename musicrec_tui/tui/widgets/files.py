"""Picking sources: a filesystem completer for the path Input and a tidy directory tree."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from textual.suggester import Suggester
from textual.widgets import DirectoryTree


class PathSuggester(Suggester):
    """Suggests the first existing entry that starts with what was typed (→ accepts)."""

    def __init__(self) -> None:
        # The filesystem changes under us, so don't cache; case matters on most systems.
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        expanded = os.path.expanduser(value)
        folder, _, stem = expanded.rpartition(os.sep)
        base = Path(folder or ("/" if expanded.startswith(os.sep) else "."))
        try:
            names = sorted(entry.name for entry in os.scandir(base)
                           if entry.name.startswith(stem)
                           and (stem.startswith(".") or not entry.name.startswith(".")))
        except OSError:
            return None
        if not names or names[0] == stem:
            return None
        completed = names[0] + (os.sep if (base / names[0]).is_dir() else "")
        # Keep what the user typed (e.g. "~/") and add only the completion.
        return value + completed[len(stem):]


class SourceTree(DirectoryTree):
    """A directory tree without hidden files (exports never live in dot-folders)."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [path for path in paths if not path.name.startswith(".")]
