"""The Textual app: a thin shell over ``musicrec_tui.core`` (see ``app.make_app``)."""
