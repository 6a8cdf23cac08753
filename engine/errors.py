"""The one error base class of branchwise; each error carries the exit code the CLI returns."""

from __future__ import annotations


class BranchwiseError(Exception):
    """An error meant for the user: its message is shown as is, never a traceback."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(BranchwiseError):
    """The command line itself is wrong (unknown tree, bad option value)."""

    exit_code = 2


class TreeNotFound(UsageError):
    """A tree named by path or id does not exist in the library."""


class InvalidTree(BranchwiseError):
    """A tree has errors and cannot be walked; carries the problems found."""

    def __init__(self, message: str, problems: list[object]) -> None:
        super().__init__(message)
        self.problems = problems


class StoreFailed(BranchwiseError):
    """The session store could not read or write (a locked, read-only, full or damaged file)."""
