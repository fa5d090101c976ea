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


def test_the_mix_says_what_it_is():
    """Mutation survivors of scripts/mutation.py ensemble: the list's name and meta, a Mix of
    one item, the offset of the divisor rule (3:1 shares: P P R P, not P R P P)."""
    one = mix(lists(), SHARES, top=1)
    assert one.name == "mix" and [r.artist for r in one.items] == ["P0"]
    assert one.meta == {"shares": {"play-next": 0.5, "rediscover": 0.25, "discover": 0.25},
                        "diversity": 0.0}
    three_to_one = mix(lists(), {"play_next": 0.75, "rediscover": 0.25}, top=4)
    assert [r.artist for r in three_to_one.items] == ["P0", "P1", "R0", "P2"]


def test_shares_of_the_lists_that_have_items():
    """The shares used (not only the note) follow the lists that have items; a list at share
    0 or with nothing in any list adds no note; a bad table names ensemble.shares."""
    assert mix(lists(disc=0), SHARES, top=2).meta["shares"] == pytest.approx(
        {"play-next": 2 / 3, "rediscover": 1 / 3})
    out = mix(lists(redis=0, disc=0), SHARES, top=2)
    assert out.notes == ["no items from rediscover, discover: shares play-next 100%"]
    quiet = mix(lists(disc=0), {"play_next": 0.5, "rediscover": 0.5, "discover": 0}, top=2)
    assert quiet.notes == []
    nothing = mix(lists(0, 0, 0), SHARES, top=5)
    assert nothing.items == [] and nothing.notes == []
    with pytest.raises(SettingsError, match=r"^ensemble\.shares"):
        mix_shares(lists(), {"play_next": -1, "rediscover": 1})


def test_diversity_leaves_an_artist_without_groups_as_it_is():
    """An artist with no known group (a new one, say) takes no penalty and does not crash the
    step; between equal scores the list's own order wins; the penalty is the group's share of
    the Mix so far (1/2 here), not more."""
    own = {"play-next": listed("play-next", ["A1", "A2", "N1", "N2"], [1.0, 0.9, 0.7, 0.7])}
    groups = {"A1": {"a"}, "A2": {"a"}}
    spread = mix(own, SHARES, top=4, diversity=0.5, groups=groups)
    # After A1: A2 .9 − .5·1 = .4 < N1 .7; then A's share is 1/2: A2 .65 < N2 .7; then A2.
    assert [r.artist for r in spread.items] == ["A1", "N1", "N2", "A2"]
    light = mix(own, SHARES, top=3, diversity=0.3, groups=groups)
    # After A1: A2 .6 < N1 .7; then A's share 1/2: A2 .75 beats N2 .7.
    assert [r.artist for r in light.items] == ["A1", "N1", "A2"]
