"""Recommendation engines. No file I/O, no UI: fit on a History, return explained results."""

# Every engine, in the order they run and are shown (the one place this is defined).
ENGINES = ("ranking", "recency", "temporal", "context", "content")
