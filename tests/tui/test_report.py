"""The import report widget's content."""

from __future__ import annotations

import io

from rich.console import Console

from musicrec_tui.core.history.model import FileReport, ImportReport
from musicrec_tui.tui.widgets.report import render_report


def _text(report: ImportReport) -> str:
    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(render_report(report))
    return console.file.getvalue()


def test_the_reports_notes_are_shown():
    """A note (e.g. a damaged import cache that was rebuilt) reaches the app, as the CLI's."""
    report = ImportReport(files=[FileReport("/x/endsong_0.json", format="extended", kept=3)],
                          notes=["the import cache of these files was damaged: rebuilt"])
    assert "note: the import cache of these files was damaged: rebuilt" in _text(report)


def test_a_file_read_with_rows_set_aside_is_not_called_unreadable():
    read = FileReport("/x/scrobbles.csv", format="lastfm-csv", rows=2, kept=1,
                      error="1 row holding NUL bytes (a damaged file) set aside, first: data row 2")
    unread = FileReport("/x/broken.json", error="not valid JSON: unexpected input (byte 3)")
    text = _text(ImportReport(files=[read, unread]))
    assert "1 file could not be read" in text
    assert "scrobbles.csv" in text and "lastfm-csv" in text and "1 row holding NUL" in text
    assert ImportReport(files=[read]).unread_files == []
    assert "could not be read" not in _text(ImportReport(files=[read]))


def test_files_with_nothing_in_common_but_the_root_keep_their_full_paths():
    """Seen under tmux: a zip in /work and a file in /tmp were listed "in /" as
    "tmp/man/bad.json", a path that reads as relative."""
    report = ImportReport(files=[FileReport("/tmp/man/bad.json", error="not valid JSON"),
                                 FileReport("/work/data/endsong_0.json", format="extended",
                                            kept=3)])
    text = _text(report)
    assert "Files (2) in" not in text and "/tmp/man/bad.json" in text
    assert "/work/data/endsong_0.json" in text
    same = ImportReport(files=[FileReport("/x/a/endsong_0.json", format="extended", kept=1),
                               FileReport("/x/a/endsong_1.json", format="extended", kept=1)])
    assert "Files (2) in /x/a" in _text(same) and "/x/a/endsong_1" not in _text(same)
