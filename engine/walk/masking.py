"""Hiding secret values in texts and JSON-like values, however an echo of them is dressed.

A secret is hidden where it stands exactly, in any letter case (an API that lowercases what it
echoes), as a mapping key, and when control characters split it: those are removed before text
is shown, which would put the secret back together on the screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from engine.text import plain


def hide(text: str, secrets: Iterable[str], mark: str) -> str:
    """The text with every secret value replaced by `mark`."""
    pattern = _pattern(frozenset(s for s in secrets if s))
    if pattern is None:
        return text
    hidden = pattern.sub(mark, text)
    shown = plain(hidden)
    if shown != hidden and pattern.search(shown):
        return pattern.sub(mark, shown)
    return hidden


def hide_value(value: Any, secrets: Iterable[str], mark: str) -> Any:
    """A copy of a JSON-like value with every secret hidden in its strings, keys included."""
    known = frozenset(s for s in secrets if s)
    if not known:
        return value
    return _hide(value, known, mark)


def _hide(value: Any, secrets: frozenset[str], mark: str) -> Any:
    if isinstance(value, str):
        return hide(value, secrets, mark)
    if isinstance(value, Mapping):
        return {_hide(k, secrets, mark): _hide(v, secrets, mark) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_hide(item, secrets, mark) for item in value]
    return value


@lru_cache(maxsize=64)
def _pattern(secrets: frozenset[str]) -> re.Pattern[str] | None:
    """One pattern for all the secrets, longest first so no piece of a longer one is left."""
    if not secrets:
        return None
    ordered = sorted(secrets, key=lambda s: (-len(s), s))
    return re.compile("|".join(re.escape(s) for s in ordered), re.IGNORECASE)
