"""Autouse isolation: no test sees the developer's settings, secrets, config, cache or .env.

Every test starts with no ``MUSICREC_*`` or ``LASTFM_*`` variable but the locations set
here (nor COLUMNS, NO_COLOR and the like), in an empty current folder of its own (so no
``./.env`` is read), with config and cache dirs under its ``tmp_path`` (so no user ``.env``
or config.toml is read) and TZ=UTC. Subprocesses inherit this environment.
``scripts/hostile_env_check.sh`` proves it.

Hypothesis runs the ``fixed`` profile (CI, the README command): derandomised, with no
example database, so every run tries the same inputs. ``HYPOTHESIS_PROFILE=thorough``
tries 20 times as many, freshly random ones.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import settings

# Prefixes of the variables the app reads; the developer's own must not reach a test.
APP_ENV_PREFIXES = ("MUSICREC_", "LASTFM_")
# Terminal shape and colour, read by Rich and Textual when a console or app is made, some
# at import (the CLI's console): removed here, before any test module is imported.
TERMINAL_ENV = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE")
for _name in TERMINAL_ENV:
    os.environ.pop(_name, None)

# No deadline: a loaded machine must not fail a test. print_blob lets a thorough run's
# failure be replayed with @reproduce_failure.
settings.register_profile("fixed", derandomize=True, database=None, deadline=None,
                          max_examples=100, print_blob=True)
settings.register_profile("thorough", derandomize=False, database=None, deadline=None,
                          max_examples=2000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))


def _use_dirs(mp: pytest.MonkeyPatch, root: Path, cwd: Path) -> None:
    """Config and cache dirs under ``root``; ``cwd`` (empty, outside ``root``, which a test
    may import as a folder) becomes the current folder."""
    for name in ("config", "cache"):
        (root / name).mkdir()
    mp.chdir(cwd)
    mp.setenv("MUSICREC_CONFIG_DIR", str(root / "config"))
    mp.setenv("MUSICREC_CACHE_DIR", str(root / "cache"))
    mp.setenv("MUSICREC_CONFIG_FILE", str(root / "config" / "config.toml"))


@pytest.fixture(scope="session", autouse=True)
def _isolated_session(tmp_path_factory):
    """For the session, so module-scoped fixtures (a shared analysis) are isolated too."""
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(APP_ENV_PREFIXES):
                mp.delenv(name)
        _use_dirs(mp, tmp_path_factory.mktemp("session"), tmp_path_factory.mktemp("cwd"))
        mp.setenv("TZ", "UTC")
        time.tzset()  # the C library's local time too, not only what Python reads from TZ
        yield
    time.tzset()


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, tmp_path_factory, monkeypatch):
    """Fresh dirs per test; a test's own setenv/delenv is undone after it."""
    _use_dirs(monkeypatch, tmp_path, tmp_path_factory.mktemp("cwd"))
    yield
