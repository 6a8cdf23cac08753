"""Turning any value into plain display text: no control sequences can reach a terminal."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

# C0 and C1 controls and DEL, except tab and newline: enough to stop escape sequences. Also the
# bidirectional embeddings, overrides and isolates, which make text read other than it is.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@functools.cache
def _json_raw() -> re.Pattern[str]:
    """What JSON leaves raw inside strings that a terminal could still act on (compiled when
    first needed: the character class costs a start a quarter of a millisecond)."""
    return re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def well_formed(text: str) -> str:
    """The text with each lone surrogate (an undecodable byte of a file name, argument or input,
    kept by surrogateescape) replaced by U+FFFD."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")  # only a lone surrogate cannot be encoded
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


def plain(text: str) -> str:
    """The text with control characters (other than newline and tab) removed."""
    return well_formed(_CONTROL.sub("", text))


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


def json_text(value: Any, indent: int | None = None) -> str:
    """JSON that keeps every value but can print nothing a terminal acts on.

    Escapes DEL, C1 controls and bidi overrides as \\uXXXX (JSON itself escapes C0), and turns
    lone surrogates into U+FFFD, so the text is valid UTF-8 and decodes to the same strings.
    """
    text = json.dumps(value, indent=indent, ensure_ascii=False, default=str)
    return _json_raw().sub(lambda m: f"\\u{ord(m.group()):04x}", well_formed(text))


def well_formed_value(value: Any) -> Any:
    """A copy of a JSON-like value with every string (keys too) made well-formed."""
    if isinstance(value, str):
        return well_formed(value)
    if isinstance(value, Mapping):
        return {well_formed_value(k): well_formed_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [well_formed_value(item) for item in value]
    return value
