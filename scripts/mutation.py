"""Mutation testing of the modules that guard user data and correctness (not part of pytest).

For each module, mutmut makes hundreds of small plausible bugs (a flipped comparison, a
dropped argument, a changed constant) and runs only the test files that cover it against
each; a mutant no test fails on "survived". The scores and what was done about each
survivor are in docs/development.md.

    pip install -e ".[dev]"                 # mutmut is in the dev extra
    python scripts/mutation.py              # every module below (~5-10 min each on 2 cores)
    python scripts/mutation.py secrets      # one module
    python scripts/mutation.py clean --show # and print the diff of every survivor

Each module runs in a scratch copy of the working tree (tracked and untracked, not ignored
files), so nothing is written into the repository and uncommitted tests count.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# module → (file to mutate, the test files that cover it)
MODULES: dict[str, tuple[str, list[str]]] = {
    "secrets": ("musicrec_tui/core/settings/secrets.py",
                ["tests/core/test_secrets.py", "tests/core/test_secrets_edges.py",
                 "tests/core/test_settings_docs.py"]),
    "clean": ("musicrec_tui/core/history/clean.py",
              ["tests/core/test_import_dedupe.py", "tests/core/test_merge_edges.py",
               "tests/core/test_import_extended.py", "tests/core/test_import_scrobbles.py",
               "tests/core/test_import_formats.py", "tests/core/test_reconcile_assignment.py"]),
    "reconcile": ("musicrec_tui/core/history/reconcile.py",
                  ["tests/core/test_reconcile_assignment.py", "tests/core/test_import_dedupe.py",
                   "tests/core/test_import_scrobbles.py", "tests/core/test_import_extended.py"]),
    "ensemble": ("musicrec_tui/core/engines/ensemble.py",
                 ["tests/core/test_ensemble.py", "tests/core/test_lists.py",
                  "tests/core/test_analysis.py"]),
}
STATUSES = ("killed", "survived", "timeout", "no tests", "suspicious", "skipped")


def _copy_tree(dest: Path) -> None:
    names = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in names)):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def _configure(scratch: Path, target: str, tests: list[str]) -> None:
    quoted = ", ".join(f'"{t}"' for t in tests)
    with (scratch / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[tool.mutmut]\nsource_paths = ["musicrec_tui"]\n'
                f'only_mutate = ["{target}"]\n'
                # mutmut runs the tests in mutants/: what they read beside the package.
                f'also_copy = ["config", "docs", "scripts", "README.md"]\n'
                f"pytest_add_cli_args_test_selection = [{quoted}]\n")


def run_module(name: str, *, show: bool) -> collections.Counter[str]:
    target, tests = MODULES[name]
    with tempfile.TemporaryDirectory(prefix=f"musicrec-mutation-{name}-") as tmp:
        scratch = Path(tmp)
        _copy_tree(scratch)
        _configure(scratch, target, tests)
        mutmut = [sys.executable, "-m", "mutmut"]
        env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_PROFILE"}
        run = subprocess.run([*mutmut, "run"], cwd=scratch, env=env, capture_output=True,
                             text=True)
        if run.returncode != 0:
            sys.exit(f"mutmut run failed for {name}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
        listing = subprocess.run([*mutmut, "results", "--all", "true"], cwd=scratch, env=env,
                                 capture_output=True, text=True, check=True).stdout
        results = dict(re.findall(r"^\s*(\S+): (.+)$", listing, flags=re.M))
        counts = collections.Counter(results.values())
        for mutant, status in sorted(results.items()):
            if status in ("survived", "no tests"):
                print(f"  {status}: {mutant}")
                if show:
                    diff = subprocess.run([*mutmut, "show", mutant], cwd=scratch, env=env,
                                          capture_output=True, text=True).stdout
                    print("\n".join("      " + line for line in diff.splitlines()
                                    if line[:1] in "+-" and line[:3] not in ("+++", "---")))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE",
                        help=f"any of {', '.join(MODULES)} (default: all)")
    parser.add_argument("--show", action="store_true", help="print each survivor's diff")
    args = parser.parse_args()
    unknown = set(args.modules) - set(MODULES)
    if unknown:
        parser.error(f"unknown module(s) {', '.join(sorted(unknown))}; known: {', '.join(MODULES)}")
    rows = []
    for name in args.modules or MODULES:
        print(f"{name}: {MODULES[name][0]} against {', '.join(MODULES[name][1])}", flush=True)
        counts = run_module(name, show=args.show)
        total = sum(counts.values())
        killed = counts["killed"] + counts["timeout"]
        rows.append((name, total, counts, killed / total if total else 0.0))
        print(f"{name}: {total} mutants, " + ", ".join(f"{counts[s]} {s}" for s in STATUSES
                                                      if counts[s]), flush=True)
    print(f"\n{'module':<10} {'mutants':>7} " + " ".join(f"{s:>10}" for s in STATUSES)
          + "   score")
    for name, total, counts, score in rows:
        print(f"{name:<10} {total:>7} " + " ".join(f"{counts[s]:>10}" for s in STATUSES)
              + f"   {score:.1%}")


if __name__ == "__main__":
    main()
