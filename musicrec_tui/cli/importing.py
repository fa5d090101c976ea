"""Placeholder for the `import` command; replaced by its owner."""

from __future__ import annotations


def register(sub) -> None:
    sub.add_parser("import", help="(in progress)")
