"""Everything that is not UI. Never imports Textual (tests/core/test_layering.py checks)."""
