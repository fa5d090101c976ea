"""Placeholder for the `config` command; replaced by its owner."""

from __future__ import annotations


def register(sub) -> None:
    sub.add_parser("config", help="(in progress)")
