"""Where plain mode's answers come from: a `--answers` list or stdin, one answer at a time."""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from typing import Protocol, TextIO

from engine.text import well_formed
from tui.streams import is_terminal


def split_answers(text: str) -> list[str]:
    r"""`--answers` text as a list: commas separate, `\,` is a comma and `\\` a backslash."""
    answers: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            current.append(char if char in ",\\" else "\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            answers.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    answers.append("".join(current))
    # Bytes that are not UTF-8 arrive as lone surrogates, which no store or terminal takes.
    return [well_formed(answer) for answer in answers]


class AnswerFeed(Protocol):
    """Gives the next answer, or None when there are no more."""

    @property
    def interactive(self) -> bool:
        """Whether a person types the answers (a bad one is asked again, not fatal)."""

    def next(self, *, secret: bool = False) -> str | None:
        """The next answer; `secret` asks a person's terminal not to echo it."""


class ListFeed:
    """Answers given up front, in order (`--answers`)."""

    interactive = False

    def __init__(self, answers: Iterable[str]) -> None:
        self._answers = list(answers)
        self._position = 0

    def next(self, *, secret: bool = False) -> str | None:
        if self._position >= len(self._answers):
            return None
        answer = self._answers[self._position]
        self._position += 1
        return answer


class LineFeed:
    """One answer per line of a stream: a person at a terminal, or a script's pipe."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.interactive = is_terminal(stream)

    def next(self, *, secret: bool = False) -> str | None:
        if secret and self.interactive:
            try:
                return well_formed(getpass.getpass(prompt=""))
            except EOFError:
                return None
        line = self._stream.readline()
        if not line:
            return None
        return well_formed(line.rstrip("\r\n"))
