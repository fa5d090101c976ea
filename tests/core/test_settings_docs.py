"""docs/configuration.md's settings table is generated from default.toml; this keeps them
from drifting."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from musicrec_tui.core.settings import default_config_text, schema

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


def test_docs_describe_the_crypto_accurately():
    section = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for phrase in ("AES-256-GCM", "scrypt", "not Fernet", "AES-128-CBC", "Threat model",
                   "0600", "MUSICREC_CONFIG_FILE"):
        assert phrase in section
