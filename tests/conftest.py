"""Autouse isolation: no test reads the real user's config, cache or secrets."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    config_dir = tmp_path / "config"
    cache_dir = tmp_path / "cache"
    config_dir.mkdir()
    cache_dir.mkdir()
    monkeypatch.setenv("MUSICREC_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("MUSICREC_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("MUSICREC_CONFIG_FILE", str(config_dir / "config.toml"))
    for name in ("LASTFM_API_KEY", "LASTFM_SHARED_SECRET", "MUSICREC_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TZ", "UTC")
    yield
