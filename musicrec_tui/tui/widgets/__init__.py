"""Reusable widgets (their styles live in DEFAULT_CSS; app styles live in app.tcss)."""
