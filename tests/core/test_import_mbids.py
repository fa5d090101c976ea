"""Artist MBIDs an export gives are kept (ListenBrainz ``mbid_mapping``, a Last.fm CSV's
``artist_mbid``), so discovery through ListenBrainz needs no MusicBrainz lookup for them."""

from __future__ import annotations

import pandas as pd

from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.settings import load_settings
from musicrec_tui.core.similarity.listenbrainz import ListenBrainzProvider, export_mbids
from musicrec_tui.core.similarity.names import normalise_name
from tests.helpers_import import LASTFM_HEADER, extended_record, lb_listen, write_json

HARBOURS = "3f1c2b8e-1111-4c6a-9d2e-5b7a0e9c1234"
LIGHTS = "5e6f7a8b-3333-4c2d-9e1f-6a7b8c9d0e1f"


def _mapped(listen: dict, *mbids: str) -> dict:
    listen["track_metadata"]["mbid_mapping"] = {
        "recording_mbid": "7d2e9c41-0a3b-4f5e-9c8d-6b1a2f3e4d5c", "artist_mbids": list(mbids),
        "artists": [{"artist_mbid": m, "artist_credit_name": "x", "join_phrase": ""}
                    for m in mbids], "caa_id": None}
    return listen


def test_mbids_from_a_listenbrainz_export_and_a_lastfm_csv(tmp_path):
    lb = write_json(tmp_path / "lb.json", [
        _mapped(lb_listen(1741986180, "The Quiet Harbours", "Paper Lanterns"), HARBOURS),
        _mapped(lb_listen(1741986400, "Quiet Harbours feat. Ada", "Duet"), HARBOURS, LIGHTS),
        lb_listen(1741986600, "Unmapped Band", "Song"),
    ])
    csv = tmp_path / "scrobbles.csv"
    csv.write_text(LASTFM_HEADER
                   + f'"1741985940","x","Northbound Lights","{LIGHTS.upper()}","A","","T",""\n'
                   + '"1741985700","x","No Id Band","","A","","T",""\n', encoding="utf-8")
    spotify = write_json(tmp_path / "ext" / "Streaming_History_Audio_2024_0.json",
                         [extended_record("2024-03-01T10:03:00Z", "Spotify Band", "S", 180_000)])
    history = load_history([lb, csv, spotify], use_cache=False)
    got = dict(zip(history.plays["artist"].astype(str), history.plays["artist_mbid"],
                   strict=True))
    assert got["The Quiet Harbours"] == HARBOURS and got["Northbound Lights"] == LIGHTS
    for unnamed in ("Quiet Harbours feat. Ada", "Unmapped Band", "No Id Band", "Spotify Band"):
        assert pd.isna(got[unnamed])  # a credit of two artists names neither alone
    assert export_mbids(history) == {normalise_name("The Quiet Harbours"): HARBOURS,
                                     normalise_name("Northbound Lights"): LIGHTS}
    provider = ListenBrainzProvider(load_settings(), history=history)
    assert provider.mbids == export_mbids(history)


def test_the_column_survives_the_import_cache(tmp_path):
    lb = write_json(tmp_path / "lb.json", [
        _mapped(lb_listen(1741986180, "The Quiet Harbours", "Paper Lanterns"), HARBOURS)])
    cold = load_history([lb])
    warm = load_history([lb])
    assert warm.report.from_cache
    assert list(warm.plays["artist_mbid"].astype(str)) == [HARBOURS]
    pd.testing.assert_frame_equal(cold.plays, warm.plays)


def test_the_mbid_on_most_plays_wins():
    other = "9a8b7c6d-2222-4e5f-8a9b-0c1d2e3f4a5b"
    plays = pd.DataFrame({
        "artist": pd.Categorical(["X", "X", "X", "Y", "Z", "Z"]),
        "artist_mbid": pd.Categorical([HARBOURS, other, other, None, LIGHTS, "not-an-mbid"]),
    })
    history = type("H", (), {"plays": plays})()
    assert export_mbids(history) == {"x": other, "z": LIGHTS}
