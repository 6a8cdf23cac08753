"""Templates: `{{ name }}` and `{{ result.field }}` replaced by values as plain text, no more."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from engine.text import display, plain

TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}")


def names_in(text: str) -> Iterator[str]:
    """The variable references of a text, dotted names included, in order."""
    if "{{" not in text:
        return
    for match in TEMPLATE.finditer(text):
        yield match.group(1)


def lookup(variables: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    """(found, value) of a possibly dotted name; a missing step is absent, never an error."""
    head, *rest = name.split(".")
    if head not in variables:
        return False, None
    value = variables[head]
    for part in rest:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and _is_index(part) and int(part) < len(value):
            value = value[int(part)]
        else:
            return False, None
    return True, value


def render(
    text: str, variables: Mapping[str, Any], missing: Callable[[str], str] | None = None
) -> str:
    """The text with each reference replaced by its value as plain text.

    A reference to a variable that has no value renders as empty text (or what `missing`
    returns); the text around it is kept as written, control characters removed.
    """
    if "{{" not in text:
        return _static(text)

    def substitute(match: re.Match[str]) -> str:
        found, value = lookup(variables, match.group(1))
        if found:
            return display(value)
        return missing(match.group(1)) if missing else ""

    return plain(TEMPLATE.sub(substitute, text))


@lru_cache(maxsize=8192)
def _static(text: str) -> str:
    """A text without references, cleaned once: titles and labels are shown again and again."""
    return plain(text)


def render_value(value: Any, variables: Mapping[str, Any]) -> Any:
    """An action parameter rendered: strings as templates; a lone reference keeps its type."""
    if isinstance(value, str):
        whole = TEMPLATE.fullmatch(value.strip())
        if whole:
            found, result = lookup(variables, whole.group(1))
            return result if found else None
        return render(value, variables)
    if isinstance(value, Mapping):
        return {k: render_value(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [render_value(v, variables) for v in value]
    return value


def _is_index(part: str) -> bool:
    """Whether a dotted name's part is a list index: a few ASCII digits (`isdigit` takes `²`,
    and Python refuses to convert more than 4,300 digits)."""
    return part.isascii() and part.isdigit() and len(part) <= 9
