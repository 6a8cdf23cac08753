"""A tree's regular expressions, matched as re reads them and never by a clock: RE2 where it can."""

from __future__ import annotations

import re
import warnings
from functools import cache, lru_cache
from typing import Any


class Matcher:
    """One pattern ready to search: RE2's compiled form when it means what re means, and re's."""

    __slots__ = ("backtracking", "linear")

    def __init__(self, linear: Any, backtracking: re.Pattern[str]) -> None:
        self.linear = linear  # a re2 pattern, or None
        self.backtracking = backtracking

    def search(self, text: str) -> bool:
        if self.linear is not None and _utf8(text):
            return self.linear.search(text) is not None
        return self.backtracking.search(text) is not None


def is_valid(pattern: str) -> bool:
    """Whether Python's re accepts the pattern, as the schema check does."""
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


@lru_cache(maxsize=4096)
def search(pattern: str, text: str) -> bool:
    """Whether the pattern is found anywhere in the text. Raises re.error for a pattern re
    refuses."""
    return compiled(pattern).search(text)


@lru_cache(maxsize=1024)
def compiled(pattern: str) -> Matcher:
    """The pattern ready to search (raises re.error for a pattern re refuses)."""
    # Read only once a tree's pattern is matched: no start pays for the reader.
    from engine.walk.pattern_syntax import parse
    from engine.walk.re2_spelling import re2_compiled, re2_spelling

    with warnings.catch_warnings():
        # re warns of a possible nested set once, when the tree is checked; not again here.
        warnings.simplefilter("ignore", FutureWarning)
        backtracking = re.compile(pattern)
        spelling = re2_spelling(parse(pattern))
    return Matcher(re2_compiled(spelling) if spelling is not None else None, backtracking)


def runs_in_linear_time(pattern: str) -> bool:
    """Whether RE2 matches the pattern (in time linear in the text, whatever the pattern)."""
    return compiled(pattern).linear is not None


def _utf8(text: str) -> bool:
    """Whether RE2 can read the text (a lone surrogate cannot be UTF-8)."""
    return text.isascii() or _lone_surrogate().search(text) is None


@cache
def _lone_surrogate() -> re.Pattern[str]:
    return re.compile("[\\ud800-\\udfff]")
