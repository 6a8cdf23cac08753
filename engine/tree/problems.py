"""Problem: one diagnostic found in a tree file, the linter's only output."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """A diagnostic pointing at one YAML node of one file (lines and columns 1-based)."""

    path: str
    line: int
    column: int
    severity: Severity
    rule: str
    message: str
    node: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def error(
    path: str, pos: tuple[int, int], rule: str, message: str, node: str | None = None
) -> Problem:
    """A problem of severity error at a (line, column) position."""
    return Problem(path, pos[0], pos[1], Severity.ERROR, rule, message, node)


def warning(
    path: str, pos: tuple[int, int], rule: str, message: str, node: str | None = None
) -> Problem:
    """A problem of severity warning at a (line, column) position."""
    return Problem(path, pos[0], pos[1], Severity.WARNING, rule, message, node)
