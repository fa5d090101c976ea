"""No export carries an IP address, user name, user agent, API key or passphrase.

The values are planted where they really occur (a Spotify export's personal fields, the
folder the export sits in, the environment) and every format's output is searched.
"""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from musicrec_tui.cli import main
from musicrec_tui.core.export import FORMATS
from musicrec_tui.core.export.sources import public_name, public_report
from musicrec_tui.core.history.model import FileReport, ImportReport
from tests.helpers_export import (
    PLANTED_AGENT,
    PLANTED_IP,
    PLANTED_IP_V6,
    PLANTED_USERNAME,
    write_spotify_export,
)

API_KEY = "f00dfacecafe0123456789abcdef4242"
PASSPHRASE = "correct horse battery planted"


def _needles() -> list[str]:
    return [PLANTED_USERNAME, PLANTED_IP, PLANTED_IP_V6, PLANTED_AGENT, unquote(PLANTED_AGENT),
            "PlantedAgent", API_KEY, PASSPHRASE]


def test_no_export_contains_planted_personal_values(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LASTFM_API_KEY", API_KEY)
    monkeypatch.setenv("MUSICREC_PASSPHRASE", PASSPHRASE)
    # The user name is also in the folder the export lives in, as in /home/<user>/….
    data = write_spotify_export(tmp_path / PLANTED_USERNAME / "Downloads")
    outdir = tmp_path / "out"
    outdir.mkdir()  # exports never create folders
    outputs = {}
    for fmt in FORMATS:
        out = outdir / f"export.{fmt}"
        assert main(["export", str(data), "--format", fmt, "--out", str(out),
                     "--provider", "offline", "--no-cache"]) == 0
        outputs[fmt] = out.read_text(encoding="utf-8")
    assert main(["export", str(data), "--format", "comprehensive", "--out", "-",
                 "--provider", "offline", "--no-cache"]) == 0
    streams = capsys.readouterr()
    outputs["stdout"] = streams.out
    assert '"export_metadata"' in outputs["stdout"]
    for name, text in outputs.items():
        assert text.strip(), name
        leaks = [n for n in _needles() if n.lower() in text.lower()]
        assert leaks == [], f"{name} export leaks {leaks}"


def test_listenbrainz_archive_user_name_is_masked():
    assert public_name("listenbrainz_jo_smith_1712345678.zip") == "listenbrainz_…_1712345678.zip"
    assert public_name("Streaming_History_Audio_2024_0.json") == "Streaming_History_Audio_2024_0.json"


def test_report_keeps_base_names_and_scrubs_error_paths(tmp_path):
    folder = tmp_path / PLANTED_USERNAME
    bad = folder / "broken.json"
    report = ImportReport(files=[FileReport(str(bad), None, None, 0, 0,
                                            f"{bad}: not JSON (see {folder}/other.json)")])
    data = public_report(report)
    assert data["files"][0]["path"] == "broken.json"
    assert PLANTED_USERNAME not in str(data)
    assert "broken.json" in data["files"][0]["error"]


@pytest.mark.parametrize("name", ["listenbrainz_a_b_c_99.zip", "x/listenbrainz_u_1.json"])
def test_listenbrainz_names_with_underscores(name):
    masked = public_name(name)
    assert "…" in masked and masked.endswith(name.rsplit("_", 1)[1])
