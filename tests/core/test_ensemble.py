"""Ensemble: normalisation, weights validation and renormalisation, exclusion, diversity."""

from __future__ import annotations

import pytest

from musicrec_tui.core.engines.base import EngineResult, Item
from musicrec_tui.core.engines.ensemble import (
    blend,
    check_weights,
    heavy_rotation,
    parse_weights,
)
from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.settings import load_settings
from tests.helpers_library import make_history


def result(engine: str, scores: dict[str, float], **extra) -> EngineResult:
    return EngineResult(engine, [Item(a, s, f"{engine} likes {a}", dict(extra))
                                 for a, s in scores.items()])


def settings(diversity: float = 0.0, top: int = 20):
    return load_settings({"ensemble": {"diversity": diversity, "top": top}})


def test_min_max_and_weighted_contributions():
    results = {"recency": result("recency", {"A": 10, "B": 5, "C": 0}),
               "temporal": result("temporal", {"B": 3, "C": 1})}
    recs = blend(results, settings(), weights={"recency": 0.6, "temporal": 0.4})
    by = {r.artist: r for r in recs}
    assert by["A"].engines == {"recency": pytest.approx(0.6)}
    assert by["B"].score == pytest.approx(0.6 * 0.5 + 0.4 * 1.0)
    assert by["B"].engines == {"temporal": pytest.approx(0.4), "recency": pytest.approx(0.3)}
    assert by["C"].score == 0.0
    assert [r.artist for r in recs] == ["B", "A", "C"]
    assert by["B"].why == "temporal likes B · recency likes B"


def test_weights_must_sum_to_one_and_be_known():
    with pytest.raises(SettingsError, match="sum to 1"):
        check_weights({"recency": 0.5, "temporal": 0.4})
    with pytest.raises(SettingsError, match="unknown engine"):
        check_weights({"recency": 0.5, "vibes": 0.5})
    with pytest.raises(SettingsError, match="≥ 0"):
        check_weights({"recency": 1.5, "temporal": -0.5})
    assert check_weights({"recency": 0.3333333, "temporal": 0.6666667})


def test_parse_weights():
    assert parse_weights("recency=0.4, temporal=0.6") == {"recency": 0.4, "temporal": 0.6}
    with pytest.raises(SettingsError, match="engine=number"):
        parse_weights("recency:0.4")
    with pytest.raises(SettingsError, match="engine=number"):
        parse_weights("recency=lots")


def test_missing_engines_are_dropped_and_renormalised_with_a_note():
    notes: list[str] = []
    results = {"recency": result("recency", {"A": 2, "B": 1}),
               "context": EngineResult("context", [])}
    recs = blend(results, settings(), weights={"recency": 0.5, "temporal": 0.3,
                                               "context": 0.2}, notes=notes)
    assert recs[0].artist == "A" and recs[0].score == pytest.approx(1.0)
    assert notes and "context, temporal" in notes[0]


def test_exclude_and_ties_by_name_and_top():
    results = {"recency": result("recency", {"Zed": 1, "Abe": 1, "Moe": 1, "Hot": 5})}
    recs = blend(results, settings(top=2), weights={"recency": 1.0}, exclude={"Hot"})
    assert [r.artist for r in recs] == ["Abe", "Moe"]


def test_in_library_flag_from_content_items():
    results = {"content": result("content", {"New": 1.0}, in_library=False)}
    (rec,) = blend(results, settings(), weights={"content": 1.0})
    assert rec.in_library is False


def test_diversity_spreads_groups():
    scores = {"A1": 1.0, "A2": 0.95, "A3": 0.9, "A4": 0.85, "B1": 0.7, "B2": 0.65}
    results = {"recency": result("recency", scores)}
    groups = {a: {("context", a[0])} for a in scores}
    plain = blend(results, settings(0.0, top=4), weights={"recency": 1.0}, groups=groups)
    assert [r.artist for r in plain] == ["A1", "A2", "A3", "A4"]
    spread = blend(results, settings(0.8, top=4), weights={"recency": 1.0}, groups=groups)
    # Normalised: A1 1, A2 .857, A3 .714, B1 .143, B2 0. After A1 the A group fills the list
    # (penalty .8): B1 .143 beats A2 .057; then A's share is 1/2: A2 .457 beats B2 −.4 …
    assert [r.artist for r in spread] == ["A1", "B1", "A2", "A3"]
    # Scores stay the blended scores; only the order changes.
    assert {r.artist: r.score for r in spread}["B1"] == pytest.approx(0.05 / 0.35)


def test_heavy_rotation_is_the_top_of_the_last_window():
    plays = [("2024-01-01T10:00", "Old")] * 50
    plays += [(f"2024-03-{d:02d}T10:00", "Hot") for d in range(1, 20)]
    plays += [("2024-03-20T10:00", "Warm")]
    history = make_history(plays)
    s = load_settings({"ensemble": {"heavy_rotation_top": 1}})
    assert heavy_rotation(history, s) == {"Hot"}
    s2 = load_settings({"ensemble": {"heavy_rotation_top": 5}})
    assert heavy_rotation(history, s2) == {"Hot", "Warm"}
