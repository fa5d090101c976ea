"""docs/configuration.md's settings table and key-store figures are the code's; this keeps
them from drifting."""

from __future__ import annotations

import importlib.util
import os
import re
import stat
from pathlib import Path

import pytest

from musicrec_tui.core.settings import default_config_text, schema
from musicrec_tui.core.settings import secrets as sec
from tests.helpers_settings import API_KEY, FAST_KDF, PASSPHRASE

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("gen_config_docs",
                                                  ROOT / "scripts" / "gen_config_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_table_matches_default_toml():
    gen = _script()
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    table = gen.render_table(default_config_text())
    assert gen.update(doc, table) == doc, (
        "docs/configuration.md settings table is stale: run `python scripts/gen_config_docs.py`")


def test_table_has_every_key_once_with_env_name_and_comment():
    table = _script().render_table(default_config_text())
    rows = table.splitlines()[2:]
    assert len(rows) == len(schema())
    for key in schema():
        row = next(r for r in rows if r.startswith(f"| `{key}` |"))
        env = "MUSICREC_" + key.replace(".", "_").upper()
        assert f"`{env}`" in row
        assert not row.endswith("|  |"), f"{key} has no comment in default.toml"


def test_render_and_update_are_idempotent():
    gen = _script()
    text = ('# header comment\n\n[a]\n# first line\n# second | line\nx = "s#1"\n\n'
            "# orphan comment\n\ny = { p = 0.5, q = 0.5 }\nz = true\n")
    table = gen.render_table(text)
    assert "| `a.x` | `\"s#1\"` | `MUSICREC_A_X` | first line second \\| line |" in table
    assert "| `a.y` | `{ p = 0.5, q = 0.5 }` | `MUSICREC_A_Y` |  |" in table
    assert "| `a.z` | `true` |" in table
    doc = f"intro\n{gen.BEGIN}\nold\n{gen.END}\noutro\n"
    once = gen.update(doc, table)
    assert gen.update(once, table) == once
    assert once.startswith("intro\n") and once.endswith(f"{gen.END}\noutro\n")


def _crypto_section() -> str:
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    start = doc.index("## The Last.fm key: encrypted at rest")
    end = doc.find("\n## ", start + 1)
    return " ".join(doc[start:end if end > 0 else None].split())


def _number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found, f"docs/configuration.md no longer says {pattern!r}"
    return int(found.group(1).translate(SUPERSCRIPTS))


SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def test_docs_crypto_parameters_are_the_codes():
    """Each figure docs/configuration.md gives for the key store is the one the code uses (what the
    code does with them is tested in test_secrets, by an independent reader and writer)."""
    text = _crypto_section()
    assert _number(r"AES-(\d+)-GCM", text) == sec.KEY_BYTES * 8
    assert _number(r"(\d+)-bit key", text) == sec.KEY_BYTES * 8
    assert _number(r"(\d+)-bit nonce", text) == sec.NONCE_BYTES * 8
    assert _number(r"(\d+)-bit tag", text) == sec.TAG_BYTES * 8
    assert 1 << _number(r"n = 2([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", text) == sec.DEFAULT_KDF.n
    assert _number(r"n = 2[⁰¹²³⁴⁵⁶⁷⁸⁹]+, r = (\d+)", text) == sec.DEFAULT_KDF.r
    assert _number(r"r = \d+, p = (\d+)", text) == sec.DEFAULT_KDF.p
    assert _number(r"random (\d+)-byte salt", text) == sec.SALT_BYTES
    layout = (r'`b"MRSEC"` · version (\d+) · KDF id · log₂n · r · p · salt \((\d+)\) · '
              r"nonce \((\d+)\) · ciphertext · tag \((\d+)\)")
    found = re.search(layout, text)
    assert found, "the documented file layout changed"
    assert sec.MAGIC == b"MRSEC"
    assert tuple(map(int, found.groups())) == (sec.VERSION, sec.SALT_BYTES, sec.NONCE_BYTES,
                                               sec.TAG_BYTES)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_documented_file_mode_is_the_written_one():
    mode = _number(r"mode (0[0-7]{3})", _crypto_section())
    path = sec.save_secrets({"lastfm_api_key": API_KEY}, PASSPHRASE, kdf=FAST_KDF)
    assert stat.S_IMODE(path.stat().st_mode) == int(str(mode), 8)
