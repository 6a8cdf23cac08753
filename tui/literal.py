"""Text from trees, inputs and APIs made safe to show: literal Content, escaped Markdown."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from textual.content import Content

from engine.text import display, plain
from engine.walk.templates import TEMPLATE, lookup

if TYPE_CHECKING:
    from textual.app import App
    from textual.notifications import SeverityLevel

# Characters that would make a value into Markdown structure (a link, emphasis, a heading…).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def literal(text: object) -> Content:
    """Any text shown exactly as it is: never read as markup, control characters removed."""
    return Content(plain(text if isinstance(text, str) else display(text)))


def escape_markdown(text: str) -> str:
    """A value written so that Markdown shows it as the characters it is."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", plain(text))


def markdown_template(template: str, variables: Mapping[str, Any]) -> str:
    """A Markdown body with `{{ name }}` filled in: the author's Markdown kept, values escaped."""
    if "{{" not in template:
        return plain(template)

    def substitute(match: re.Match[str]) -> str:
        found, value = lookup(variables, match.group(1))
        return escape_markdown(display(value)) if found else ""

    return plain(TEMPLATE.sub(substitute, template))


def notify_plain(
    app: App[Any], message: str, severity: SeverityLevel = "information", timeout: float = 5
) -> None:
    """A notification whose text is shown as is (notify reads markup by default)."""
    app.notify(plain(message), severity=severity, timeout=timeout, markup=False)
