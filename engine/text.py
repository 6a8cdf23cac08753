"""Turning any value into plain display text: no control sequences can reach a terminal."""

from __future__ import annotations

import json
import re
from typing import Any

# C0 and C1 controls and DEL, except tab and newline: enough to stop escape sequences.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text: str) -> str:
    """The text with control characters (other than newline and tab) removed."""
    return _CONTROL.sub("", text)


def one_line(text: str) -> str:
    """Text safe on one terminal line: control characters removed, line breaks shown as \\n."""
    return plain(text.replace("\r", "\\r").replace("\n", "\\n"))


def display(value: Any) -> str:
    """A value as a person reads it: text as is, true/false, numbers, mappings as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return plain(value)
    if isinstance(value, (int, float)):
        return str(value)
    return plain(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))
