"""Where musicrec keeps its files (XDG-style, via platformdirs).

``MUSICREC_CACHE_DIR`` and ``MUSICREC_CONFIG_DIR`` override the folders, so tests and
portable installs never touch the real user's directories.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_path, user_config_path

APP = "musicrec"


def cache_dir() -> Path:
    override = os.environ.get("MUSICREC_CACHE_DIR")
    return Path(override) if override else user_cache_path(APP, appauthor=False)


def config_dir() -> Path:
    override = os.environ.get("MUSICREC_CONFIG_DIR")
    return Path(override) if override else user_config_path(APP, appauthor=False)
