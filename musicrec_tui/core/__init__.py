"""Everything that is not UI. Never imports Textual (tests/test_layering.py checks)."""
