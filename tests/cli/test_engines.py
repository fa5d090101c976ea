"""`musicrec artists | contexts | recommend | evaluate` on small exports written by the tests."""

from __future__ import annotations

import json

import pytest

from musicrec_tui.cli import main
from tests.helpers_library import write_extended_export, yearly_plays


def _no_nan(text: str):
    def refuse(name):
        raise AssertionError(f"{name} in JSON output")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return str(write_extended_export(tmp_path_factory.mktemp("export"), yearly_plays(days=300)))


@pytest.fixture(scope="module")
def dormant_export(tmp_path_factory):
    """The yearly export plus a band only played in its first month (dormant after)."""
    gone = [(f"2023-01-{d:02d}T12:00:00+00:00", "Gone Band") for d in range(1, 29)]
    return str(write_extended_export(tmp_path_factory.mktemp("dormant"),
                                     yearly_plays(days=300) + gone))


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_artists_json_and_search(capsys, export):
    code, out, _ = run(capsys, "artists", export, "--json", "--top", "3", "--tz", "UTC")
    assert code == 0
    data = _no_nan(out)
    assert len(data["artists"]) == 3 and data["total"] == 8
    assert [a["rank"] for a in data["artists"]] == [1, 2, 3]
    code, out, _ = run(capsys, "artists", export, "--json", "--search", "portshead")
    assert _no_nan(out)["artists"][0]["artist"] == "Portishead"
    code, out, _ = run(capsys, "artists", export, "--top", "2")
    assert code == 0 and "artists" in out


def test_contexts_json(capsys, export):
    code, out, _ = run(capsys, "contexts", export, "--json", "--k", "3")
    assert code == 0
    data = _no_nan(out)
    assert len(data["contexts"]) == 3
    slots = [tuple(s) for c in data["contexts"] for s in c["slots"]]
    assert len(slots) == len(set(slots))
    assert all(c["label"] and c["picks"] for c in data["contexts"])
    code, out, _ = run(capsys, "contexts", export, "--k", "3")
    assert code == 0 and "listening contexts" in out


def test_recommend_mix_json(capsys, export):
    code, out, _ = run(capsys, "recommend", export, "--json", "--top", "5", "--offline",
                       "--as-of", "2023-06-01", "--at", "2023-06-01 08:00")
    assert code == 0
    data = _no_nan(out)
    assert data["list"] == "mix" and data["engine"] is None and data["provider"] == "offline"
    assert data["as_of"].startswith("2023-06-01")
    assert data["at"].startswith("2023-06-01T08:00")
    assert data["origins"] and set(data["origins"]) == {"offline"}
    assert sum(data["shares"].values()) == pytest.approx(1.0)
    recs = data["recommendations"]
    assert len(recs) == 5
    for rec in recs:
        assert set(rec) == {"artist", "score", "list", "engines", "why", "in_library"}
        assert rec["list"] in ("play-next", "rediscover")
        assert sum(rec["engines"].values()) == pytest.approx(rec["score"], abs=1e-3)
    assert any("need a similarity provider" in n for n in data["notes"])


@pytest.mark.parametrize("name", ["play-next", "rediscover", "discover"])
def test_recommend_each_list(capsys, dormant_export, name):
    code, out, _ = run(capsys, "recommend", dormant_export, "--json", "--list", name,
                       "--offline", "--as-of", "2023-06-01")
    assert code == 0
    data = _no_nan(out)
    assert data["list"] == name and data["shares"] is None
    assert all(r["list"] == name for r in data["recommendations"])
    if name == "discover":  # offline: no new artists, and how to get some
        assert data["recommendations"] == []
        assert any("musicrec config set-key" in n for n in data["notes"])
    else:
        assert data["recommendations"]
    if name == "rediscover":
        assert data["recommendations"][0]["artist"] == "Gone Band"


def test_recommend_single_engine_and_shares(capsys, export, dormant_export):
    code, out, _ = run(capsys, "recommend", export, "--json", "--engine", "ranking", "--top", "2")
    data = _no_nan(out)
    assert code == 0 and len(data["recommendations"]) == 2
    assert data["engine"] == "ranking" and data["list"] is None
    assert set(data["recommendations"][0]["engines"]) == {"ranking"}
    assert not [n for n in data["notes"] if n.startswith(("mix: ", "discover: "))]
    # One weights rule for flags, settings and the app: relative shares are rescaled, and
    # the notes say so.
    code, out, _ = run(capsys, "recommend", dormant_export, "--json", "--shares",
                       "play-next=2,rediscover=2", "--offline", "--as-of", "2023-06-01")
    data = _no_nan(out)
    assert code == 0
    assert data["shares"] == {"play-next": 0.5, "rediscover": 0.5}
    assert "mix: ensemble.shares summed to 4; rescaled to sum to 1" in data["notes"]
    code, out, err = run(capsys, "recommend", export, "--offline", "--top", "3")
    assert code == 0 and "Mix as of" in out and "offline" in err


@pytest.mark.parametrize("args,message", [
    (["--as-of", "2019-01-01"], "no plays on or before 2019-01-01; the history starts 2023-01-01"),
    (["--as-of", "yesterday-ish"], "--as-of: 'yesterday-ish' is not a date"),
    (["--tier", "50-1"], "content.tier"),
    (["--shares", "play-next=0"], "needs at least one weight above 0"),
    (["--shares", "vibes=1"], "unknown name 'vibes'"),
])
def test_recommend_errors_are_one_line(capsys, export, args, message):
    code, _, err = run(capsys, "recommend", export, "--offline", *args)
    assert code == 2
    assert message in " ".join(err.split())
    assert "Traceback" not in err


def test_evaluate_json_and_table(capsys, export):
    code, out, _ = run(capsys, "evaluate", export, "--json", "--every", "45")
    assert code == 0
    data = _no_nan(out)
    assert len(data["cutoffs"]) == 4 and data["protocol"]["step_days"] == 45
    lists = {r["list"]: r for r in data["lists"]}
    assert list(lists) == ["play-next", "rediscover", "context picks", "mix"]
    play = lists["play-next"]
    assert play["metric"] == "NDCG@20" and play["cutoffs"] == 4
    assert [b["name"] for b in play["baselines"]] == ["decayed counts", "recent counts",
                                                     "all-time counts"]
    for b in play["baselines"]:
        assert set(b) == {"name", "score", "difference", "relative", "interval", "won"}
    assert [b["name"] for b in lists["rediscover"]["baselines"]] == [
        "all-time counts", "all-time × recency"]
    assert lists["context picks"]["metric"] == "hit@10"
    code, out, _ = run(capsys, "evaluate", export)
    assert code == 0 and "NDCG@20" in out and "hit@10" in out
    assert "vs decayed counts" in out and "won" in out
    assert "[too few cutoffs for an interval]" in out  # 5 cutoffs, blocks of 3


def test_evaluate_too_short(capsys, tmp_path):
    short = write_extended_export(tmp_path, [("2024-01-01T10:00", "A"),
                                             ("2024-01-20T10:00", "B")])
    code, _, err = run(capsys, "evaluate", str(short))
    assert code == 2 and "too short for a backtest" in err


@pytest.mark.parametrize("command", ["artists", "contexts", "recommend", "evaluate"])
def test_help_has_an_example(capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "example:" in out and f"musicrec {command}" in out


def test_one_artist_export_gives_json_without_nan(capsys, tmp_path):
    solo = write_extended_export(tmp_path, [(f"2024-01-{d:02d}T10:00", "Solo")
                                            for d in range(1, 10)])
    for flag in (["--list", "mix"], ["--list", "play-next"], ["--list", "rediscover"],
                 *(["--engine", e] for e in ("ranking", "recency", "temporal", "context",
                                             "content"))):
        code, out, _ = run(capsys, "recommend", str(solo), "--json", "--offline", *flag)
        assert code == 0, flag
        data = _no_nan(out)
        assert all(r["artist"] == "Solo" for r in data["recommendations"]), flag


def test_a_bad_file_is_a_warning_and_the_good_ones_still_load(capsys, export, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('[{"ts": "2024-01-01T00:00:00Z", "ms_pl', encoding="utf-8")
    assert main(["recommend", export, str(bad), "--json", "--top", "3"]) == 0
    out, err = capsys.readouterr()
    assert len(json.loads(out)["recommendations"]) == 3
    assert "warning:" in err and "broken.json" in err


def test_one_match_is_singular(capsys, export):
    code, out, _ = run(capsys, "artists", export, "--search", "portishead", "--top", "1")
    assert code == 0
    assert "1 best match for 'portishead' among 8 artists" in " ".join(out.split())
