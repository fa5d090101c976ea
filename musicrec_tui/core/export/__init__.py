"""Export an analysis: render it in one of :data:`FORMATS` and write it atomically.

``render`` is pure (analysis in, text out); ``export`` adds the file handling: an existing
file is never replaced without ``force`` (the CLI's ``--force``; the TUI asks first), the
write goes through :func:`~musicrec_tui.core.atomic.atomic_write`, and ``"-"`` means stdout.
"""

from __future__ import annotations

import json
import stat
import sys
from collections.abc import Callable
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from musicrec_tui.core.atomic import STDOUT, TargetExistsError, WriteError, atomic_write
from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.export import documents, flat

_RENDERERS: dict[str, Callable[[Any, datetime | None], str]] = {
    "comprehensive": lambda a, now: documents.dumps(documents.comprehensive(a, now=now)),
    "summary": lambda a, now: documents.dumps(documents.summary(a, now=now)),
    "csv": lambda a, now: flat.render_csv(a),
    "tracks": lambda a, now: flat.render_tracks(a),
    "m3u": lambda a, now: flat.render_m3u(a),
}
FORMATS: tuple[str, ...] = tuple(_RENDERERS)

# Default file name stem and extension per format.
_FILE_NAMES = {
    "comprehensive": ("recommendations", "json"),
    "summary": ("summary", "json"),
    "csv": ("recommendations", "csv"),
    "tracks": ("tracks", "txt"),
    "m3u": ("tracks", "m3u"),
}
SCHEMAS = {"comprehensive": "comprehensive.schema.json", "summary": "summary.schema.json"}


def _check_format(fmt: str) -> None:
    if fmt not in _RENDERERS:
        raise MusicrecError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")


def render(analysis: Any, fmt: str, *, now: datetime | None = None) -> str:
    """The export as text. ``now`` fixes the timestamp (default: the current UTC time)."""
    _check_format(fmt)
    return _RENDERERS[fmt](analysis, now)


def export(analysis: Any, fmt: str, out: str | Path, *, force: bool = False,
           now: datetime | None = None) -> Path:
    """Render and write to ``out`` (``"-"`` = stdout); return the path written.

    Raises :class:`TargetExistsError` if ``out`` exists and ``force`` is false, and
    :class:`WriteError` if it cannot be written (a missing folder is not created: a typo
    must not make folders). A failed write leaves any earlier file as it was and no
    temporary file behind.
    """
    text = render(analysis, fmt, now=now)
    if str(out) == "-":
        _to_stdout(text)
        return Path("-")
    target = out_path(out)
    # A new export is readable by you only (it is your listening); one you overwrite keeps
    # the mode you gave it.
    mode = stat.S_IMODE(target.stat().st_mode) if target.is_file() else 0o600
    return atomic_write(target, text, mode=mode, overwrite=force, create_folder=False)


def out_path(out: str | Path) -> Path:
    """The file an ``--out`` names; a folder is refused with a hint (a file name is needed)."""
    path = Path(out).expanduser()
    if path.is_dir():
        raise MusicrecError(f"{path}: is a folder; give a file name to export to")
    return path


def _to_stdout(text: str) -> None:
    # UTF-8 bytes, untranslated: a C-locale stdout cannot encode every artist name, and
    # text mode on Windows would turn CSV's CRLF into CR CR LF.
    try:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            buffer.write(text.encode("utf-8"))
            buffer.flush()
    except OSError as exc:  # a full device, a closed pipe
        raise WriteError.from_os_error(STDOUT, exc) from None


def default_export_path(fmt: str, directory: str | Path | None = None, *,
                        today: date | None = None) -> Path:
    """``musicrec-<what>-YYYYMMDD.<ext>`` in ``directory`` (default: the current folder)."""
    _check_format(fmt)
    stem, ext = _FILE_NAMES[fmt]
    day = (today or date.today()).strftime("%Y%m%d")
    return Path(directory if directory is not None else Path.cwd()) / f"musicrec-{stem}-{day}.{ext}"


def load_schema(fmt: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) shipped for a JSON format."""
    if fmt not in SCHEMAS:
        raise MusicrecError(f"no JSON Schema for format {fmt!r}")
    text = resources.files("musicrec_tui").joinpath("schemas", SCHEMAS[fmt]).read_text("utf-8")
    return json.loads(text)


TrackList = flat.TrackList
track_list = flat.track_list

__all__ = [
    "FORMATS",
    "TargetExistsError",
    "TrackList",
    "default_export_path",
    "export",
    "load_schema",
    "out_path",
    "render",
    "track_list",
]
