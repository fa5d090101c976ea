"""Recommendation engines. No file I/O, no UI: fit on a History, return explained results."""
