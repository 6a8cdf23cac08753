"""Masking secrets in texts and JSON-like values, however an echo of them is dressed.

One `Mask` holds the secret values a walk knows of (secret variables, config credentials) and
replaces each with `MASK` wherever it stands: as is, in any letter case (an API that lowercases
what it echoes), URL-encoded (`%40`, `%20` or `+`, whole or in part), JSON- or Python-escaped
(`\\u00e9`, `\\"`), as a mapping key, and when control characters split it (those are removed
before text is shown, which would put the secret back together on the screen). Fields whose
names say they hold a credential (`api_key`, `password`, ...) are masked whatever they hold.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from engine.text import plain

MASK = "•••"

# Field names that hold credentials in API results and parameters, whatever their value.
_CREDENTIAL_FIELD = (
    r"(^|[_-])(password|passwd|passphrase|secret|token|api[_-]?key|authori[sz]ation|cookie|"
    r"credentials?)$"
)
# How a JSON or Python string literal may write a character besides itself.
_ESCAPES = {
    '"': [r"\""],
    "'": [r"\'"],
    "\\": [r"\\"],
    "/": [r"\/"],
    "\n": [r"\n"],
    "\t": [r"\t"],
    "\r": [r"\r"],
    "\b": [r"\b"],
    "\f": [r"\f"],
}


class Mask:
    """The secrets one walk knows of, and any text or value with each of them masked."""

    __slots__ = ("secrets",)

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = frozenset(s for s in secrets if s and s != MASK)

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mask) and other.secrets == self.secrets

    def __hash__(self) -> int:
        return hash(self.secrets)

    def __or__(self, other: Mask) -> Mask:
        return Mask(self.secrets | other.secrets)

    def text(self, text: str) -> str:
        """The text with every secret masked, in whatever spelling it stands."""
        pattern = _pattern(self.secrets)
        if pattern is None:
            return text
        masked = pattern.sub(MASK, text)
        shown = plain(text)
        if shown == text:
            return masked
        # Controls a display drops may split a secret: then mask the text as it will be shown.
        joined = pattern.sub(MASK, shown)
        return joined if joined != plain(masked) else masked

    def value(self, value: Any, *, fields: bool = True) -> Any:
        """A copy of a JSON-like value with every secret masked in its strings, keys included,
        and (unless `fields` is false) credential-named fields masked whatever they hold."""
        return self._value(mask_credential_fields(value) if fields else value)

    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self._value(k): self._value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._value(item) for item in value]
        return value


def mask_credential_fields(value: Any) -> Any:
    """A copy of a JSON-like value with the values of credential-named fields masked."""
    if isinstance(value, Mapping):
        return {
            key: MASK if _holds_credential(str(key), item) else mask_credential_fields(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_credential_fields(item) for item in value]
    return value


def _holds_credential(key: str, value: Any) -> bool:
    found = re.search(_CREDENTIAL_FIELD, key, re.IGNORECASE)
    return found is not None and value not in (None, "", True, False)


@functools.lru_cache(maxsize=64)
def _pattern(secrets: frozenset[str]) -> re.Pattern[str] | None:
    """One pattern for all the secrets in every spelling, longest first so that no piece of a
    longer one is left."""
    if not secrets:
        return None
    spellings = {variant for s in secrets for variant in (s, s.upper(), s.casefold())}
    ordered = sorted(spellings, key=lambda s: (-len(s), s))
    return re.compile("|".join(_spelled(s) for s in ordered), re.IGNORECASE)


def _spelled(secret: str) -> str:
    """A pattern for the secret, each character as itself or in any of its encodings."""
    return "".join(_character(c) for c in secret)


@functools.lru_cache(maxsize=1024)
def _character(char: str) -> str:
    forms = [re.escape(char)]
    forms += ["".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))]
    forms += [re.escape(e) for e in _ESCAPES.get(char, [])]
    code = ord(char)
    if code > 0xFFFF:
        high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        forms += [re.escape(f"\\u{high:04x}\\u{low:04x}"), re.escape(f"\\U{code:08x}")]
    else:
        forms += [re.escape(f"\\u{code:04x}")]
        forms += [re.escape(f"\\x{code:02x}")] if code < 0x100 else []
    if char == " ":
        forms.append(r"\+")
    return "(?:" + "|".join(dict.fromkeys(forms)) + ")"
