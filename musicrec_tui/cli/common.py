"""Shared CLI plumbing: consoles, the parser class and range-checked option types, errors as
one line, Rich progress."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

from rich.console import Console, ConsoleDimensions
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from musicrec_tui.core import background
from musicrec_tui.core.errors import Cancelled, MusicrecError

if TYPE_CHECKING:
    import pandas as pd

    from musicrec_tui.core.history.model import History
    from musicrec_tui.core.settings import Settings

# Wide enough for any line we print (paths, keys, error messages) to stay on one line.
PIPE_WIDTH = 1 << 16


class StdStream:
    """``sys.stdout`` or ``sys.stderr``, looked up at each write (tests and Rich's progress
    swap them). A failed write (a full device, a closed pipe) is atomic's WriteError: one
    line from ``run_command``, not a traceback."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def stream(self) -> Any:
        stream = getattr(sys, self.name)
        return getattr(stream, "rich_proxied_file", stream)  # Rich's progress redirect

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except OSError as exc:
            raise self._failed(exc) from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as exc:
            raise self._failed(exc) from None

    def _failed(self, exc: OSError) -> Exception:
        from musicrec_tui.core.atomic import STDERR, STDOUT, WriteError  # here: a light launch

        return WriteError.from_os_error(STDOUT if self.name == "stdout" else STDERR, exc)

    def isatty(self) -> bool:
        try:
            return bool(self.stream.isatty())
        except (AttributeError, ValueError):  # no isatty, or closed (end of a pytest run)
            return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


class PlainConsole(Console):
    """A Rich console that, when its stream is not a terminal, never wraps, cuts or
    ellipsises a line: a table is as wide as its content, a message stays one line, so
    what lands in a file or a pipe can be pasted back (keys, setting names, paths). On a
    terminal it behaves as Rich does. Decided at each print by the stream itself (not by
    FORCE_COLOR or COLUMNS), since tests and redirections swap the stream."""

    def __init__(self, stream: str) -> None:
        super().__init__(file=StdStream(stream))

    @property
    def size(self) -> ConsoleDimensions:
        size = Console.size.fget(self)  # type: ignore[attr-defined]
        return size if self.file.isatty() else ConsoleDimensions(PIPE_WIDTH, size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


console = PlainConsole("stdout")
console_err = PlainConsole("stderr")


class Parser(argparse.ArgumentParser):
    """argparse with a usage mistake worded as one line (exit code 2), like our own errors;
    sub-command parsers inherit it."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def whole_number(low: int = 1) -> Callable[[str], int]:
    """An argparse ``type=``: a whole number of at least ``low``, else one line naming the
    option (``--top -1`` must not list everything, ``--k 0`` must not be ignored)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be {low} or more (got {value})")
        return value

    return parse


def add_history_args(parser: argparse.ArgumentParser, *, json_flag: bool = True) -> None:
    """Paths plus the options every history-reading command shares."""
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="export files, folders (searched recursively) or .zip files")
    parser.add_argument("--tz", metavar="ZONE",
                        help="IANA timezone for local-time features (default: this computer's)")
    parser.add_argument("--no-cache", action="store_true",
                        help="parse the files again instead of reusing the import cache")
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def print_json(data: Any) -> None:
    console.file.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@contextmanager
def progress_bar(description: str, *, enabled: bool = True) -> Iterator[Any]:
    """Yield a ``progress(done, total)`` callback drawing a Rich bar on stderr."""
    if not enabled or not console_err.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console_err, transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield update


def run_command(args: argparse.Namespace) -> int:
    """Run a sub-command; our own errors become one line on stderr, never a traceback.

    Writes the command left running in the background (the import cache, also the app's)
    are waited for here, so they are on disk before the process exits.
    """
    try:
        _retired_settings()
        try:
            code = int(args.func(args) or 0)
        finally:
            background.wait()
        console.file.flush()  # a full device shows here, not as a traceback at exit
        return code
    except Cancelled:
        console_err.print("[yellow]cancelled[/]")
        return 130
    except KeyboardInterrupt:
        console_err.print("[yellow]interrupted[/]")
        return 130
    except MusicrecError as exc:
        from musicrec_tui.core.atomic import STDOUT, WriteError  # here: a light launch

        if isinstance(exc, WriteError) and exc.where == STDOUT:
            _discard_stdout()
            if exc.errno == errno.EPIPE:  # `musicrec … | head`: the reader has what it wanted
                return 141
        console_err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 2


def _retired_settings() -> None:
    """A note per retired setting a config still sets (the command itself goes on)."""
    from musicrec_tui.core.settings import retired_notes  # here: a light launch

    try:
        notes = retired_notes()
    except MusicrecError:
        return  # the command reports a broken config itself, in full
    for note in notes:
        console_err.print(f"[yellow]note:[/] {escape(note)}", highlight=False)


def _discard_stdout() -> None:
    """Point stdout at the null device, so the interpreter's flush at exit does not fail
    again (with a traceback) on what could not be written."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


def load_paths(args: argparse.Namespace, settings: Settings, *, quiet: bool = False) -> History:
    """Import ``args.paths`` with a progress bar; each bad file is one warning line on stderr
    (the good files still load)."""
    from musicrec_tui.core.history.importer import load_history

    with progress_bar("Reading history", enabled=not quiet) as progress:
        history = load_history(args.paths, settings=settings, tz=args.tz, progress=progress,
                               use_cache=False if args.no_cache else None)
    for bad in history.report.bad_files:
        console_err.print(f"[yellow]warning:[/] {escape(bad.name)}: {escape(bad.error or '')}",
                          highlight=False)
    for note in history.report.notes:
        console_err.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    return history


def parse_time(text: str | None, tz: str, flag: str) -> pd.Timestamp | None:
    """"2024-01-01" or an ISO time; naive times are in the history's zone. Result in UTC."""
    import pandas as pd

    from musicrec_tui.core.analysis import to_utc

    if text is None:
        return None
    try:
        stamp = to_utc(text, tz)
    except (ValueError, TypeError):
        stamp = pd.NaT
    if stamp is pd.NaT:
        raise MusicrecError(f"{flag}: {text!r} is not a date like 2024-01-01 or an ISO time "
                            "like 2024-01-01T08:30")
    return stamp


def parse_as_of(text: str | None, history: History) -> pd.Timestamp | None:
    """``--as-of`` for every command: a time after the last play is refused, since every
    score would decay towards 0 (one rule: the cutoff is a moment inside the history)."""
    stamp = parse_time(text, history.tz, "--as-of")
    if stamp is None or history.empty:
        return stamp  # `cut` words an empty history
    last = history.plays["ts"].iloc[-1]
    if stamp > last:
        raise MusicrecError(f"--as-of {text} is after your last play "
                            f"({last.tz_convert(history.tz):%Y-%m-%d}): leave --as-of out to "
                            "use every play, or give an earlier date")
    return stamp
