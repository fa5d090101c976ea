"""musicrec_tui: recommendations from your own listening export, in the terminal."""

__version__ = "0.1.0"
