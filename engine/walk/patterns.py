"""A tree's regular expressions: read as Python `re` reads them, matched with a time limit."""

from __future__ import annotations

import re
import re._parser as _parser  # type: ignore[import-not-found]
import warnings
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import regex

# Python's re cannot be stopped once a match starts, and a pattern that backtracks
# catastrophically (`^(a|aa)+$` on forty letters) would freeze the walk; the regex module can.
TIME_LIMIT = 0.2

_OUTSIDE_SET = r"""\\N\{[^}]*\}            # a named character, whose braces are not a quantifier
      | \\.                     # any other escape
      | \(\?\#(?:\\.|[^\\)])*\) # a comment
      | \[\^?\]?                # a set opens; a ']' right after it is a member
      | \{(?:\d+|\d*,\d*)\}     # a quantifier
      | ."""


@lru_cache(maxsize=1)
def _scanners() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The scanners of a pattern's pieces (outside a set, the same in verbose mode, inside a
    set), compiled when a tree's pattern is first matched, not by every start."""
    return (
        re.compile(_OUTSIDE_SET, re.DOTALL | re.VERBOSE),
        re.compile(r"\#[^\n]* |" + _OUTSIDE_SET, re.DOTALL | re.VERBOSE),
        re.compile(r"\\N\{[^}]*\}|\\.|.", re.DOTALL),
    )


def is_valid(pattern: str) -> bool:
    """Whether Python's re accepts the pattern, as the schema check does."""
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


@lru_cache(maxsize=4096)
def search(pattern: str, text: str) -> bool | None:
    """Whether the pattern is found anywhere in the text; None when that was not known within
    TIME_LIMIT seconds. Raises re.error for a pattern re refuses."""
    compiled = _compiled(pattern)
    if compiled is None:
        return None
    try:
        return compiled.search(text, timeout=TIME_LIMIT) is not None
    except TimeoutError:
        return None


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> regex.Pattern[str] | None:
    """The pattern compiled by the regex module to mean what it means to re; None in the
    (unseen) case where the regex module refuses every spelling re reads the same way."""
    import regex  # imported only once a tree's pattern is matched: it costs a start ~14 ms

    reading = _reading(pattern)  # raises re.error for a pattern re refuses
    verbose = bool(reading[1] & re.VERBOSE)
    for spelling in (_regex_spelling(pattern, verbose), pattern):
        if _reading(spelling) == reading:
            try:
                return regex.compile(spelling, regex.VERSION0)
            except regex.error:
                continue
    return None


def _reading(pattern: str) -> tuple[str, int]:
    """How re reads a pattern: its parsed items and flags, to compare two spellings."""
    with warnings.catch_warnings():
        # re warns of a possible nested set once, when the tree is checked; not again here.
        warnings.simplefilter("ignore", FutureWarning)
        re.compile(pattern)  # compiling finds errors parsing does not (a look-behind's width)
        parsed: Any = _parser.parse(pattern)
    return repr(parsed.data), int(parsed.state.flags)


def _regex_spelling(pattern: str, verbose: bool) -> str:
    """The pattern with every brace re takes as text and every bracket inside a set escaped:
    the regex module reads a fuzzy-match constraint (`{e<=1}`) or a POSIX class there."""
    plain_outside, verbose_outside, inside_set = _scanners()
    outside = verbose_outside if verbose else plain_outside
    pieces: list[str] = []
    position, in_set = 0, False
    while position < len(pattern):
        found = (inside_set if in_set else outside).match(pattern, position)
        assert found is not None  # the last alternative takes any one character
        piece, position = found.group(), found.end()
        pieces.append("\\" + piece if piece == ("[" if in_set else "{") else piece)
        in_set = piece != "]" if in_set else piece.startswith("[")
    return "".join(pieces)
