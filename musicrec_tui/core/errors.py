"""The project's own exception types. The CLI and the TUI turn these into one-line messages."""

from __future__ import annotations


class MusicrecError(Exception):
    """Base of every error the user should see as a message, never as a traceback."""


class InputError(MusicrecError):
    """A file (or zip member) that cannot be read as listening history."""

    def __init__(self, path: str, problem: str, member: str | None = None) -> None:
        self.path = str(path)
        self.member = member
        self.problem = problem
        super().__init__(self.describe())

    @property
    def where(self) -> str:
        return f"{self.path} → {self.member}" if self.member else self.path

    def describe(self) -> str:
        return f"{self.where}: {self.problem}"


class NothingLoaded(InputError):
    """Not one play could be loaded; ``report`` (an ImportReport) says what each file was
    and why, so a caller can still show it."""

    def __init__(self, path: str, problem: str, member: str | None = None, *,
                 report: object) -> None:
        super().__init__(path, problem, member)
        self.report = report


class SettingsError(MusicrecError):
    """A setting with a bad value; the message names the layer, key and value."""


class Cancelled(MusicrecError):
    """A long step was cancelled by the user."""
