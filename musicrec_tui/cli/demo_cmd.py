"""Placeholder for the `demo` command; replaced by its owner."""

from __future__ import annotations


def register(sub) -> None:
    sub.add_parser("demo", help="(in progress)")
