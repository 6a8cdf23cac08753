""" "Did you mean": the known name closest to a misspelled one, for messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# difflib's ratio from which two names read as one misspelled (its own default): 'choises' and
# 'choices' are 0.86 alike, 'vra' and 'var' 0.67, 'goto' and 'next' 0.
_CUTOFF = 0.6


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate a misspelled name most likely meant, or None when none is close."""
    found = difflib.get_close_matches(name, [c for c in candidates if c != name], 1, _CUTOFF)
    return found[0] if found else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`; did you mean 'X'?` to append to a message, or "" when no candidate is close."""
    match = closest(name, candidates)
    return "" if match is None else f"; did you mean {match!r}?"
