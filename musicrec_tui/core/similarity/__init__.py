"""Artist-to-artist similarity providers (offline co-listening, Last.fm)."""
