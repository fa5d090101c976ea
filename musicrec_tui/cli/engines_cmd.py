"""Placeholder for the `recommend` command; replaced by its owner."""

from __future__ import annotations


def register(sub) -> None:
    sub.add_parser("recommend", help="(in progress)")
