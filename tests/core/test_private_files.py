"""Files about the user are 0600 in 0700 folders: a config we create and a new export (one
the user overwrites keeps the mode they gave it). The app's recent list: tests/tui/test_load.py."""

from __future__ import annotations

import os
import stat

import pytest

from musicrec_tui.core.export import export
from musicrec_tui.core.locations import config_dir
from musicrec_tui.core.settings.user_config import set_in_user_config
from tests.helpers_export import fake_analysis

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _loose_umask():
    """Under the common 022 umask a file left to the default would be 0644."""
    old = os.umask(0o022)
    config_dir().chmod(0o755)  # as a folder made before the rule would be
    yield
    os.umask(old)


def test_a_config_we_create_is_private():
    path, _ = set_in_user_config("ensemble.top", 7)
    assert _mode(path) == 0o600 and _mode(config_dir()) == 0o700


def test_a_new_export_is_private_and_an_overwritten_one_keeps_its_mode(tmp_path):
    analysis = fake_analysis()
    new = export(analysis, "summary", tmp_path / "recs.json")
    assert _mode(new) == 0o600
    shared = tmp_path / "mix.m3u"
    shared.write_text("old")
    shared.chmod(0o644)  # the user made it readable for a media player
    export(analysis, "m3u", shared, force=True)
    assert _mode(shared) == 0o644 and shared.read_text().startswith("#EXTM3U")
