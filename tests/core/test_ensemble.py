"""The Mix: lists interleaved by their shares (one weights rule), deduplicated, diversified;
and lists built from engine results (scores relative to each list's best)."""

from __future__ import annotations

import pytest

from musicrec_tui.core.engines.base import EngineResult, Item, RankedList, Recommendation
from musicrec_tui.core.engines.ensemble import mix, mix_shares
from musicrec_tui.core.errors import SettingsError
from musicrec_tui.core.lists import ranked_list, scaled

SHARES = {"play_next": 0.5, "rediscover": 0.25, "discover": 0.25}


def listed(name: str, artists: list[str], scores: list[float] | None = None) -> RankedList:
    scores = scores or [1.0 - i / 10 for i in range(len(artists))]
    return RankedList(name, [Recommendation(a, s, {"x": s}, f"{name} likes {a}", True, name)
                             for a, s in zip(artists, scores, strict=True)])


def lists(play=8, redis=8, disc=8) -> dict[str, RankedList]:
    return {"play-next": listed("play-next", [f"P{i}" for i in range(play)]),
            "rediscover": listed("rediscover", [f"R{i}" for i in range(redis)]),
            "discover": listed("discover", [f"D{i}" for i in range(disc)])}


def test_positions_follow_the_shares():
    out = mix(lists(), SHARES, top=8)
    assert [r.artist for r in out.items] == ["P0", "R0", "D0", "P1", "P2", "R1", "D1", "P3"]
    assert [r.list for r in out.items].count("play-next") == 4
    assert out.meta["shares"] == {"play-next": 0.5, "rediscover": 0.25, "discover": 0.25}
    assert out.notes == []


def test_an_artist_in_two_lists_appears_once():
    both = lists()
    both["rediscover"] = listed("rediscover", ["P1", "R1"])
    out = mix(both, SHARES, top=6)
    names = [r.artist for r in out.items]
    assert len(names) == len(set(names)) and "R1" in names


def test_an_empty_list_gives_its_share_to_the_others_and_says_so():
    out = mix(lists(disc=0), SHARES, top=6)
    assert {r.list for r in out.items} == {"play-next", "rediscover"}
    assert [r.list for r in out.items].count("play-next") == 4
    assert out.notes == ["no items from discover: shares play-next 67%, rediscover 33%"]
    # A list that runs out mid-way: the others fill the rest.
    short = mix(lists(redis=1), SHARES, top=8)
    assert len(short.items) == 8 and [r.list for r in short.items].count("rediscover") == 1


def test_one_weights_rule_rescales_and_says_so():
    notes: list[str] = []
    assert mix_shares(lists(), {"play_next": 2, "rediscover": 1, "discover": 1}, notes) == \
        pytest.approx({"play-next": 0.5, "rediscover": 0.25, "discover": 0.25})
    assert notes == ["ensemble.shares summed to 4; rescaled to sum to 1"]
    # Names left out weigh 0.
    assert mix_shares(lists(), {"play_next": 0.5}) == {"play-next": 1.0}
    for bad, message in (({"play_next": 1, "vibes": 1}, "unknown name 'vibes'"),
                         ({"play_next": 1.5, "discover": -0.5}, "negative weight"),
                         ({"play_next": 0}, "at least one weight above 0")):
        with pytest.raises(SettingsError, match=message):
            mix_shares(lists(), bad)


def test_a_mix_of_no_items_is_refused():
    for top in (0, -1):
        with pytest.raises(SettingsError, match=f"at least 1 \\(got {top}\\)"):
            mix(lists(), SHARES, top=top)


def test_diversity_spreads_groups_within_a_list():
    artists = ["A1", "A2", "A3", "B1", "B2"]
    own = {"play-next": listed("play-next", artists, [1.0, 0.95, 0.9, 0.7, 0.65])}
    groups = {a: {("context", a[0])} for a in artists}
    plain = mix(own, SHARES, top=4, groups=groups)
    assert [r.artist for r in plain.items] == ["A1", "A2", "A3", "B1"]
    spread = mix(own, SHARES, top=4, diversity=0.8, groups=groups)
    # After A1 the A group fills the Mix (penalty .8): B1 .7 beats A2 .15; then A's share
    # is 1/2: A2 .55 beats B2 .25; then A's 2/3: B2 .383 beats A3 .367.
    assert [r.artist for r in spread.items] == ["A1", "B1", "A2", "B2"]
    assert {r.artist: r.score for r in spread.items}["B1"] == 0.7  # scores are not changed


def test_scores_relative_to_the_best_and_ties_are_all_one():
    """#16: a list whose scores all tie was scaled to 0 in the blend; it must stay 1."""
    assert scaled([Item("A", 4.0, ""), Item("B", 1.0, "")]) == [1.0, 0.25]
    assert scaled([Item("A", 0.5, ""), Item("B", 0.5, ""), Item("C", 0.5, "")]) == [1.0] * 3
    assert scaled([Item("A", 0.0, "")]) == [1.0]
    tied = EngineResult("content", [Item(a, 0.5, f"similar to {a}", {"in_library": False})
                                    for a in ("New A", "New B", "New C")])
    discover = ranked_list("discover", tied, missing="", only_new=True)
    assert [r.score for r in discover.items] == [1.0, 1.0, 1.0]
    assert [r.engines for r in discover.items] == [{"content": 1.0}] * 3
    both = {**lists(disc=0), "discover": discover}
    out = mix(both, SHARES, top=8)
    assert [r.artist for r in out.items if r.list == "discover"] == ["New A", "New B"]
    assert all(r.score == 1.0 and r.in_library is False
               for r in out.items if r.list == "discover")


def test_engine_parts_split_the_score():
    result = EngineResult("rediscover", [
        Item("Old", 8.0, "why", {"engines": {"recency": 6.0, "temporal": 2.0}}),
        Item("Older", 2.0, "why", {"engines": {"recency": 2.0, "temporal": 0.0}})])
    out = ranked_list("rediscover", result, missing="")
    assert out.items[0].engines == {"recency": 0.75, "temporal": 0.25}
    assert out.items[1].score == 0.25 and out.items[1].engines["recency"] == 0.25
    assert all(r.list == "rediscover" for r in out.items)
    assert ranked_list("rediscover", None, missing="did not run").notes == ["did not run"]
