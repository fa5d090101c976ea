"""Listening history: import every export format into one canonical table."""
