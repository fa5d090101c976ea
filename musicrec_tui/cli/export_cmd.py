"""Placeholder for the `export` command; replaced by its owner."""

from __future__ import annotations


def register(sub) -> None:
    sub.add_parser("export", help="(in progress)")
