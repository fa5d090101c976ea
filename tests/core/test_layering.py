"""The core must import and run without Textual (the CLI, tests and benchmarks rely on it)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import musicrec_tui.core as core


def _core_modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(core.__path__, prefix="musicrec_tui.core.")]


def test_core_never_imports_textual():
    modules = _core_modules()
    assert "musicrec_tui.core.settings" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core pulled in Textual: {out.stdout}"
