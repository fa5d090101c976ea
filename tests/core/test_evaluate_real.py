"""The quality bar on the real sample exports (skipped when ../shared/data is absent):
the ensemble's NDCG@20 beats the 30-day decayed-count baseline, and its per-slot picks'
hit@10 at least matches the global-decay picks."""

from __future__ import annotations

from pathlib import Path

import pytest

from musicrec_tui.core.evaluate import evaluate
from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.settings import load_settings

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
EXPORTS = ["spotify_extended_2021-2025.zip", "spotify_account_2023-2024",
           "lastfm_scrobbles_2024.csv"]


@pytest.mark.parametrize("name", EXPORTS)
def test_ensemble_meets_the_quality_bar(name):
    path = DATA / name
    if not path.exists():
        pytest.skip("real sample exports not available")
    settings = load_settings()
    table = evaluate(load_history([path], settings=settings, tz="UTC"), settings)
    ensemble, baseline = table.row("ensemble"), table.row("decayed counts")
    assert ensemble.ndcg > baseline.ndcg, (ensemble, baseline)
    assert ensemble.hit >= baseline.hit - 1e-9, (ensemble, baseline)
