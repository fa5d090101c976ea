"""Textual's private names are used in one module only (tui/textual_patches.py), so that a
Textual upgrade touches that file alone."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from functools import cache
from pathlib import Path

import textual

import musicrec_tui
import musicrec_tui.tui

ROOT = Path(musicrec_tui.__file__).parent.parent
PATCHES = ROOT / "musicrec_tui" / "tui" / "textual_patches.py"
CHECKED = ("musicrec_tui", "tests", "benchmarks", "scripts")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _defined(tree: ast.AST) -> set[str]:
    """Private names a class body defines: methods, class attributes, ``self._x = …``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _private(node.name):
            names.add(node.name)
        elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
              and isinstance(node.value, ast.Name) and node.value.id == "self"
              and _private(node.attr)):
            names.add(node.attr)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                targets = (item.targets if isinstance(item, ast.Assign) else
                           [item.target] if isinstance(item, ast.AnnAssign) else [])
                names.update(t.id for t in targets
                             if isinstance(t, ast.Name) and _private(t.id))
    return names


@cache
def _class_names(cls: type) -> frozenset[str]:
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return frozenset()
    return frozenset(_defined(ast.parse(source)))


@cache
def _textual_private() -> frozenset[str]:
    names: set[str] = set()
    for path in Path(textual.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {n for cls in ast.walk(tree) if isinstance(cls, ast.ClassDef)
                  for n in _defined(cls)}
    return frozenset(names)


def _sources() -> list[Path]:
    return [path for folder in CHECKED if (ROOT / folder).is_dir()
            for path in sorted((ROOT / folder).rglob("*.py")) if path != PATCHES]


def _our_class_names(trees: dict[Path, ast.AST]) -> set[str]:
    return {n for tree in trees.values() for cls in ast.walk(tree)
            if isinstance(cls, ast.ClassDef) for n in _defined(cls)}


def test_no_private_textual_import():
    bad = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("textual"):
                parts = node.module.split(".")
                names = [alias.name for alias in node.names]
                if any(_private(p) for p in parts) or any(_private(n) for n in names):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("textual") and any(
                            _private(p) for p in alias.name.split(".")):
                        bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bad, f"private Textual modules imported outside textual_patches.py: {bad}"


def test_no_private_textual_attribute_read():
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in _sources()}
    # A private name that our own classes define too is ours (shadowing is the next test).
    theirs = _textual_private() - _our_class_names(trees)
    bad = [f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}"
           for path, tree in trees.items() for node in ast.walk(tree)
           if isinstance(node, ast.Attribute) and node.attr in theirs]
    assert not bad, f"private Textual names used outside textual_patches.py: {bad}"


def test_no_private_textual_name_overridden():
    """Our widgets, screens and app neither override Textual's private methods nor shadow
    its private attributes (one of ours named like one of theirs would overwrite it)."""
    bad = []
    for info in pkgutil.walk_packages(musicrec_tui.tui.__path__, "musicrec_tui.tui."):
        module = importlib.import_module(info.name)
        if Path(module.__file__ or "") == PATCHES:
            continue
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            textual_bases = [c for c in cls.__mro__ if c.__module__.startswith("textual")]
            theirs = frozenset().union(*map(_class_names, textual_bases))
            ours = frozenset().union(*(_class_names(c) for c in cls.__mro__
                                       if c.__module__ == module.__name__))
            bad += [f"{cls.__qualname__}.{name}" for name in sorted(ours & theirs)]
    assert not bad, f"Textual's private names overridden outside textual_patches.py: {bad}"
