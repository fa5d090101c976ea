"""Placeholder for the `tui` command; replaced by its owner."""

from __future__ import annotations


def register(sub) -> None:
    sub.add_parser("tui", help="(in progress)")
