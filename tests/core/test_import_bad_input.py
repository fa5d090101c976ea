"""Every bad-input case: one line naming the file and the problem; good files still load."""

from __future__ import annotations

import io
import json
import os
import random
import tracemalloc
import zipfile

import pytest

from musicrec_tui.core.background import wait
from musicrec_tui.core.errors import InputError
from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.history.sources import Source
from musicrec_tui.core.settings import load_settings
from tests.helpers_audit import path_of, watching, writes
from tests.helpers_import import (
    basic_extended,
    extended_record,
    lastfm_csv,
    lb_listen,
    write_json,
)


def _problems(tmp_path, name: str, content: bytes) -> list[str]:
    """Load a good file beside a bad one; return the report's problem lines."""
    good = write_json(tmp_path / "good" / "endsong_0.json", basic_extended())
    bad = tmp_path / name
    bad.write_bytes(content)
    history = load_history([good, bad], use_cache=False)
    assert history.report.kept == 6  # the good file always loads
    return [f"{f.name}: {f.error}" for f in history.report.bad_files]


def test_missing_path(tmp_path):
    good = write_json(tmp_path / "endsong_0.json", basic_extended())
    history = load_history([good, tmp_path / "nope.json"], use_cache=False)
    assert [f.error for f in history.report.bad_files] == ["no such file or folder"]
    with pytest.raises(InputError, match=r"nope\.json.*no such file"):
        load_history([tmp_path / "nope.json"], use_cache=False)


def test_not_json(tmp_path):
    (line,) = _problems(tmp_path, "history.json", b"<html>not json</html>")
    assert "history.json" in line and "not JSON" in line


def test_malformed_json_names_the_byte(tmp_path):
    (line,) = _problems(tmp_path, "broken.json", b'[{"ts": "2024-01-01T00:00:00Z", x}]')
    assert "broken.json" in line and "not valid JSON" in line and "(byte 32)" in line


def test_truncated_json_gives_the_byte_offset(tmp_path):
    data = json.dumps(basic_extended()).encode()[:-40]
    (line,) = _problems(tmp_path, "cut.json", data)
    assert "cut.json" in line and "truncated JSON" in line and f"byte {len(data)}" in line


def test_unknown_schema_lists_keys_and_known_formats(tmp_path):
    (line,) = _problems(tmp_path, "other.json", json.dumps([{"when": 1, "who": "x"}]).encode())
    assert "unknown schema" in line and "when, who" in line
    assert "Spotify Extended" in line and "Last.fm CSV" in line


def test_not_a_known_csv(tmp_path):
    (line,) = _problems(tmp_path, "table.csv", b"name,colour\nbob,blue\n")
    assert "table.csv" in line and "not a known CSV layout" in line


def test_wrong_field_types(tmp_path):
    recs = basic_extended()
    for rec in recs:
        rec["ms_played"] = "lots"
    (line,) = _problems(tmp_path, "types.json", json.dumps(recs).encode())
    assert "types.json" in line and "wrong field types" in line and "ms_played" in line


def test_some_wrong_records_cost_only_those_rows(tmp_path):
    recs = basic_extended()
    recs[0]["ts"] = 12
    path = write_json(tmp_path / "endsong_0.json", recs)
    history = load_history([path], use_cache=False)
    assert history.report.kept == 5
    assert history.report.set_aside == {"malformed": 1}
    assert "1 record with wrong field types" in history.report.files[0].error


def test_empty_file(tmp_path):
    (line,) = _problems(tmp_path, "empty.json", b"  \n")
    assert line.endswith("empty.json: empty file")


def test_not_utf8(tmp_path):
    (line,) = _problems(tmp_path, "latin.csv",
                        "uts,artist,track\n1,Mot\xf6rhead,Ace\n".encode("latin-1"))
    assert "not UTF-8" in line and "0xf6 at byte 22" in line
    (line,) = _problems(tmp_path, "latin.json", json.dumps(basic_extended()).encode()
                        .replace(b"Roam", b"R\xf6am"))
    assert "latin.json" in line and "not UTF-8" in line
    (line,) = _problems(tmp_path, "wide.json", json.dumps(basic_extended()).encode("utf-16"))
    assert "UTF-16" in line


def test_zip_with_no_history_inside(tmp_path):
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.jpg", b"\xff\xd8")
    good = write_json(tmp_path / "endsong_0.json", basic_extended())
    history = load_history([good, path], use_cache=False)
    (bad,) = history.report.bad_files
    assert bad.path == str(path) and "no listening history" in bad.error
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("Userdata.json", json.dumps({"username": "x"}))
    with pytest.raises(InputError, match=r"other\.zip.*no listening history"):
        load_history([other], use_cache=False)


def test_not_a_zip(tmp_path):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(InputError, match=r"broken\.zip.*not a readable zip"):
        load_history([path], use_cache=False)


def test_oversized_member_by_declared_size(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Streaming_History_Audio_2024.json", b"[" + b" " * (2 << 20) + b"]")
        zf.writestr("endsong_0.json", json.dumps(basic_extended()))
    settings = load_settings({"import": {"max_member_mib": 1}})
    history = load_history([path], settings=settings, use_cache=False)
    (bad,) = history.report.bad_files
    assert bad.member == "Streaming_History_Audio_2024.json"
    assert "zip-bomb guard" in bad.error and "declares more than 1 MiB" in bad.error
    assert history.report.kept == 6


def test_oversized_member_by_counting_while_reading(tmp_path):
    """A forged small declared size is caught by counting the bytes actually read."""
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.json", b"[" + b" " * 50_000 + b"]")
    src = Source(str(path), "a.json", "liar.zip/a.json", 10, True)
    with pytest.raises(InputError, match="unpacks to more than"):
        src.read(limit=1000)


def test_nothing_loaded_raises_one_line(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_bytes(b"[1, 2")
    with pytest.raises(InputError) as info:
        load_history([bad], use_cache=False)
    assert "\n" not in str(info.value) and "x.json" in str(info.value)


def test_only_podcasts_is_nothing_loaded(tmp_path):
    path = write_json(tmp_path / "endsong.json", [
        extended_record("2024-03-03T08:00:00Z", None, None, 60000, episode="Ep")])
    with pytest.raises(InputError, match=r"no music plays.*podcast 1"):
        load_history([path], use_cache=False)


def test_files_are_only_read(tmp_path):
    """Nothing under the export is opened for writing, created, renamed or changed: every
    file operation is watched (permission bits would stop nothing when tests run as root)."""
    folder = tmp_path / "export"
    write_json(folder / "endsong_0.json", basic_extended())
    with zipfile.ZipFile(folder / "more.zip", "w") as zf:
        zf.writestr("inner.zip", _zip_bytes({"endsong_1.json": json.dumps(basic_extended())}))
    inside = os.path.realpath(folder)
    touched = []

    def watch(event: str, args: tuple) -> None:
        if writes(event, args) and (where := path_of(args) or "").startswith(inside):
            touched.append((event, where))

    before = sorted(os.walk(folder))
    with watching(watch):
        history = load_history([folder])  # with the cache on: it lives elsewhere
        wait()
    assert history.report.kept == 6 and not history.report.bad_files
    assert touched == [] and sorted(os.walk(folder)) == before


def _zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_oversized_plain_file(tmp_path):
    path = tmp_path / "huge.json"
    path.write_bytes(b"[" + b" " * (2 << 20) + b"]")
    settings = load_settings({"import": {"max_member_mib": 1}})
    with pytest.raises(InputError, match=r"huge\.json: file is larger than 1 MiB"):
        load_history([path], settings=settings, use_cache=False)


def test_json_problems_are_worded_by_us_whatever_the_decoder_says(tmp_path):
    """The decoder's message is never shown: encoding, truncation and nesting are ours."""
    (line,) = _problems(tmp_path, "deep.json", b'{"a":' * 3000)
    assert line.endswith("deep.json: not valid JSON: nested too deeply")
    (line,) = _problems(tmp_path, "deep_list.json", b"[" * 3000 + b"]" * 3000)
    assert "deep_list.json" in line and "nested too deeply" in line
    lines = b'{"listened_at": 1, "track_metadata": {}}\n{"listened_at": 2, "track\n'
    (line,) = _problems(tmp_path, "cut.jsonl", lines + b'{"listened_at": 3}\n')
    assert line.endswith(f"cut.jsonl: not valid JSON: unexpected input (byte {len(lines) - 1})")
    (line,) = _problems(tmp_path, "mid_string.json", b'[{"ts": "2024')
    assert line.endswith("mid_string.json: truncated JSON: the file ends mid-value at byte 13")


def _blank_member(zf: zipfile.ZipFile, name: str, mib: int, blanks: bytes) -> None:
    """A member of ``mib`` MiB: "[", then characters drawn from ``blanks``, then "]"."""
    rng = random.Random(5)
    with zf.open(name, "w", force_zip64=True) as out:
        out.write(b"[")
        for _ in range(mib):
            out.write(bytes(rng.choices(blanks, k=1 << 20)) if len(blanks) > 1
                      else blanks * (1 << 20))
        out.write(b"]")


def _load_bounded(path):
    """load_history with Python's allocations traced: (history, peak MiB)."""
    tracemalloc.start()
    try:
        history = load_history([path], use_cache=False)
        return history, tracemalloc.get_traced_memory()[1] / (1 << 20)
    finally:
        tracemalloc.stop()


def test_member_packed_far_beyond_any_export_is_not_unpacked(tmp_path):
    """64 MiB of spaces pack into ~64 KiB (about 1000:1): refused from the zip's own
    directory, before a byte is unpacked; the good member beside it loads."""
    path = tmp_path / "padded.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        _blank_member(zf, "Streaming_History_Audio_2024.json", 64, b" ")
        zf.writestr("endsong_0.json", json.dumps(basic_extended()))
    history, peak = _load_bounded(path)
    (bad,) = history.report.bad_files
    assert bad.member == "Streaming_History_Audio_2024.json"
    assert bad.error.startswith("member would unpack to 64 MiB from ")
    assert "listening exports pack about 10-25:1): not unpacked (zip-bomb guard)" in bad.error
    assert history.report.kept == 6 and peak < 16


def test_member_of_blank_space_is_refused_after_two_mib(tmp_path):
    """Blanks in random order pack only ~4:1, so the ratio cannot tell: the unpacked bytes
    do, and reading stops two MiB in (Python's peak stays far below the member's size)."""
    path = tmp_path / "blank.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        _blank_member(zf, "Streaming_History_Audio_2024.json", 24, b" \n\t\r")
        zf.writestr("endsong_0.json", json.dumps(basic_extended()))
    history, peak = _load_bounded(path)
    (bad,) = history.report.bad_files
    assert bad.member == "Streaming_History_Audio_2024.json"
    assert bad.error == ("member is blank space from byte 0 (MiBs of spaces and newlines): "
                         "padding, not listening history; not unpacked further")
    assert history.report.kept == 6 and peak < 12


def test_csv_with_nul_bytes_loses_only_those_rows(tmp_path):
    lines = lastfm_csv().splitlines(keepends=True)
    lines[2] = lines[2].replace("Tyler", "Ty\x00ler")
    path = tmp_path / "scrobbles.csv"
    path.write_text("".join(lines), encoding="utf-8")
    history = load_history([path], use_cache=False)
    rep = history.report
    assert rep.kept == 2 and rep.set_aside == {"malformed": 1}
    (damaged,) = rep.bad_files
    assert damaged.error == ("1 row holding NUL bytes (a damaged file) set aside, "
                             "first: data row 2")
    assert "Ty\x00ler, The Creator" not in set(history.plays["artist"])


def test_deep_nesting_in_a_zip_member_and_in_json_lines(tmp_path):
    listen = b'{"listened_at": 1700000000, "track_metadata": {"artist_name": "A"}}\n'
    (line,) = _problems(tmp_path, "listens.jsonl", listen + b'{"a":' * 3000 + b"\n")
    assert line.endswith("/listens.jsonl: not valid JSON: nested too deeply")
    good = write_json(tmp_path / "good" / "endsong_0.json", basic_extended())
    path = tmp_path / "deep.zip"
    path.write_bytes(_zip_bytes({"Streaming_History_Audio_2024.json": b'{"a":' * 3000}))
    history = load_history([good, path], use_cache=False)
    (bad,) = history.report.bad_files
    assert (bad.path, bad.member, bad.error) == (
        str(path), "Streaming_History_Audio_2024.json", "not valid JSON: nested too deeply")
    assert history.report.kept == 6


def test_wrong_field_types_are_worded_by_us(tmp_path):
    """Which field, what it should hold and what it holds: from the declared fields, never
    the decoder's message (its wording changes between releases)."""
    good = basic_extended()[0]
    cases = [({**good, "ms_played": "lots"}, "`ms_played` should be a whole number, not text"),
             ({**good, "ts": 12}, "`ts` should be text, not a whole number"),
             ({k: v for k, v in good.items() if k != "ts"}, "no `ts` field"),
             ({**good, "shuffle": "yes"}, "`shuffle` should be true/false or null, not text"),
             ("just text", "text instead of a record")]
    path = write_json(tmp_path / "endsong_0.json", [good, *(record for record, _ in cases)])
    (report,) = load_history([path], use_cache=False).report.files
    assert report.error == ("5 records with wrong field types set aside, first: record 1: "
                            "`ms_played` should be a whole number, not text")
    for i, (record, words) in enumerate(cases[1:]):
        path = write_json(tmp_path / f"endsong_{i + 1}.json", [good, record])
        (report,) = load_history([path], use_cache=False).report.files
        assert report.error.endswith(f"first: record 1: {words}")
    listens = [lb_listen(1741986000, "A", "T"), lb_listen(1741986100, "B", "U")]
    listens[1]["track_metadata"]["artist_name"] = 5
    path = tmp_path / "listens.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in listens), encoding="utf-8")
    (report,) = load_history([path], use_cache=False).report.files
    assert report.error.endswith("first: line 2: `track_metadata.artist_name` should be text "
                                 "or null, not a whole number")
