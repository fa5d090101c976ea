"""The import report: what was kept, what was set aside and why, and files that failed."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

from musicrec_tui.core.wording import plural

if TYPE_CHECKING:
    from musicrec_tui.core.history.model import ImportReport


def _day(value) -> str:
    return value.strftime("%Y-%m-%d") if value else "–"


def _common_folder(paths: list[str]) -> str:
    """The folder every file is in (shown once in the title, not on each row); "" when that
    is only the filesystem's root (a path cut after it would read as relative)."""
    folders = [os.path.dirname(p) for p in paths]
    if not folders:
        return ""
    try:
        common = os.path.commonpath(folders)
    except ValueError:
        return ""
    return "" if os.path.dirname(common) == common else common


def render_report(report: ImportReport, seconds: float | None = None) -> Group:
    """A Rich renderable of ``report`` (``seconds``: how long the import took)."""
    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("Kept", f"{plural(report.kept, 'play')} of {plural(report.rows_read, 'row')} read")
    summary.add_row("Counted", f"{report.counted:,} (long enough to count)")
    summary.add_row("Range", f"{_day(report.first)} → {_day(report.last)}")
    summary.add_row("Library", f"{plural(report.artists, 'artist')}, {plural(report.tracks, 'track')}")
    summary.add_row("Timezone", report.timezone)
    if seconds is not None:
        rate = report.kept / seconds if seconds > 0 else 0
        source = "import cache" if report.from_cache else "parsed"
        summary.add_row("Took", f"{seconds:.2f} s ({source}, {rate:,.0f} plays/s)")
    parts: list = [summary]
    aside = {reason: n for reason, n in sorted(report.set_aside.items()) if n}
    if aside:
        table = Table(title="Set aside", title_justify="left", box=None, pad_edge=False)
        table.add_column("reason")
        table.add_column("rows", justify="right")
        for reason, count in aside.items():
            table.add_row(reason.replace("_", " "), f"{count:,}")
        parts += [Text(""), table]
    base = _common_folder([f.path for f in report.files])
    where = f" in {base}" if base else ""
    files = Table(title=f"Files ({len(report.files)}){where}", title_justify="left", box=None,
                  pad_edge=False, expand=True)
    files.add_column("file", ratio=1, overflow="fold")
    files.add_column("format", no_wrap=True)
    files.add_column("kept", justify="right", no_wrap=True)
    for f in sorted(report.files, key=lambda f: (f.error is None, f.name)):
        name = f.name[len(base):].lstrip(os.sep) if base else f.name
        if f.error and not f.kept:
            files.add_row(Text(name, style="bold red"), Text("error", style="red"), "–")
            files.add_row(Text(f"  {f.error}", style="red"), "", "")
        else:
            files.add_row(name, f.format or "?", f"{f.kept:,}")
            if f.error:  # read, with some rows set aside
                files.add_row(Text(f"  {f.error}", style="yellow"), "", "")
    parts += [Text(""), files]
    parts += [Text(f"note: {note}", style="yellow") for note in report.notes]
    if report.unread_files:
        parts.insert(0, Text(f"{plural(len(report.unread_files), 'file')} could not be read — see below",
                             style="bold red"))
    return Group(*parts)
