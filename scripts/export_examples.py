"""Regenerate the export examples in docs/export.md from the demo history.

    python scripts/export_examples.py            # rewrite the examples in docs/export.md
    python scripts/export_examples.py --check    # exit 1 if docs/export.md is out of date

The examples are real output of ``core.export.render`` on a generated demo history
(fixed seed, offline provider, timestamp pinned to the last play), shortened for reading:
long lists are cut to their first entries, nothing else is changed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from musicrec_tui.core.analysis import analyse
from musicrec_tui.core.demo import DEFAULT_SEED, DEFAULT_STREAMS, generate_demo
from musicrec_tui.core.export import render
from musicrec_tui.core.history.importer import load_history
from musicrec_tui.core.settings import load_settings
from musicrec_tui.core.similarity.colisten import CoListenProvider

DOC = Path(__file__).resolve().parents[1] / "docs" / "export.md"
START = "<!-- export-examples:start -->"
END = "<!-- export-examples:end -->"
STREAMS = DEFAULT_STREAMS  # the same history `musicrec demo` opens
SEED = DEFAULT_SEED
# The context engine picks for the time of day: a fixed moment keeps the examples (and
# `--check`) the same whenever they are generated.
AT = "2025-12-31T08:30:00Z"
KEEP = 2  # list entries kept per list in the examples


def abridge(value: Any, keep: int = KEEP) -> Any:
    """Cut every list of objects (and the per-context mapping) to ``keep`` entries."""
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return value  # short lists of names (engines) read better whole
        return [abridge(v, keep) for v in value[:keep]]
    if isinstance(value, dict):
        keys = list(value)
        if keys and all(isinstance(value[k], dict) and "picks" in value[k] for k in keys):
            keys = keys[:1]  # context_aware: one context shows the shape
        return {k: abridge(value[k], keep) for k in keys}
    return value


def first_lines(text: str, n: int) -> str:
    return "".join(text.splitlines(keepends=True)[:n])


def examples() -> str:
    settings = load_settings()
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate_demo(Path(tmp) / "demo", streams=STREAMS, seed=SEED)
        history = load_history([folder], settings=settings, tz="UTC", use_cache=False)
        provider = CoListenProvider(history, settings)
        analysis = analyse(history, settings, provider=provider, at=AT)
        # Rendered while the files exist, so the example shows their real hashes.
        now = analysis.as_of.to_pydatetime()
        out = {fmt: render(analysis, fmt, now=now) for fmt in
               ("comprehensive", "summary", "csv", "tracks", "m3u")}
    comprehensive = json.dumps(abridge(json.loads(out["comprehensive"]), 1), indent=2,
                               ensure_ascii=False, sort_keys=True)
    summary = json.dumps(abridge(json.loads(out["summary"]), 3), indent=2, ensure_ascii=False,
                         sort_keys=True)
    csv_text = first_lines(out["csv"], 4).replace("\r\n", "\n")
    return "\n".join([
        START,
        f"Produced by `python scripts/export_examples.py` from `musicrec demo` data "
        f"({STREAMS:,} streams, seed {SEED}); lists are cut short here.",
        "",
        "**summary** (`--format summary`, first 3 items of each list):",
        "", "```json", summary, "```", "",
        "**csv** (`--format csv`, RFC 4180, first 3 rows: the Mix comes first):",
        "", "```csv", csv_text.rstrip("\n"), "```", "",
        "**tracks** (`--format tracks`, paste into a Spotify desktop playlist; first 3):",
        "", "```text", first_lines(out["tracks"], 3).rstrip("\n"), "```", "",
        "**m3u** (`--format m3u`, first 2 entries):",
        "", "```text", first_lines(out["m3u"], 7).rstrip("\n"), "```", "",
        "**comprehensive** (`--format comprehensive`, every list cut to one entry):",
        "", "<details><summary>show</summary>", "", "```json", comprehensive, "```", "",
        "</details>",
        END,
    ])


def updated(doc: str, block: str) -> str:
    if START not in doc or END not in doc:
        raise SystemExit(f"{DOC}: markers {START} … {END} not found")
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + block + tail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/export.md is stale")
    args = parser.parse_args()
    current = DOC.read_text(encoding="utf-8")
    new = updated(current, examples())
    if args.check:
        stale = new != current
        print("docs/export.md examples are " + ("out of date" if stale else "up to date"))
        return 1 if stale else 0
    DOC.write_text(new, encoding="utf-8")
    print(f"updated {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
