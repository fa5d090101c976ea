"""Fuzz: mutated or truncated exports either load or fail as the importer's own error."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from musicrec_tui.core.errors import InputError
from musicrec_tui.core.history.importer import load_history
from tests.helpers_import import (
    account_music,
    basic_extended,
    extended_record,
    lastfm_csv,
    lastfm_headerless_csv,
    lb_listen,
)

SEEDS = {
    "endsong_0.json": json.dumps([*basic_extended("A"),
                                  extended_record("2024-03-09T10:00:00Z", None, None, 5000,
                                                  episode="E")], indent=1).encode(),
    "StreamingHistory_music_0.json": json.dumps(account_music()).encode(),
    "scrobbles.csv": lastfm_csv().encode(),
    "old.csv": lastfm_headerless_csv().encode(),
    "4.jsonl": "\n".join(json.dumps(lb_listen(1618500000 + i, "A", f"t{i}"))
                         for i in range(3)).encode(),
    "lb.json": json.dumps([lb_listen(1618500000.5, "A", "t")]).encode(),
}


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "swap"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "truncate":
            del data[at:]
        elif kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from([b'"', b"{", b"]", b",", b"null", b"\xff",
                                                b"-1e999", b'"ts"', b"\n", b"0"]))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif kind == "swap":
            for old, new in ((b'"ms_played": ', b'"ms_played": "'), (b"false", b"0"),
                             (b'"Z"', b'"Q"'), (b"2024-", b"20x4-"), (b",", b";")):
                if old in data and draw(st.booleans()):
                    data = bytearray(bytes(data).replace(old, new, 1))
    return name, bytes(data)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutated())
def test_mutations_load_or_fail_cleanly(case):
    name, data = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            history = load_history([path], use_cache=False)
        except InputError as exc:
            assert name in str(exc) and "\n" not in str(exc)
            return
        rep = history.report
        assert rep.kept == len(history.plays) > 0
        assert history.plays["ts"].is_monotonic_increasing
        assert history.plays["engagement"].between(0, 1).all()
        assert rep.rows_read >= rep.kept + sum(
            v for k, v in rep.set_aside.items() if k != "overlap")
