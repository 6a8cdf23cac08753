"""Answers: the options a node offers, matching typed text to one, and checking input values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from engine.tree.model import Input
from engine.walk import patterns
from engine.walk.conditions import to_number

CONTINUE = "Continue"
_MAX_POSITION_DIGITS = 9
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"  # compiled on first use (re keeps it)


@dataclass(frozen=True, slots=True)
class Option:
    """One answer a person can give: its label (rendered), key, and what it leads to."""

    label: str
    goto: str
    key: str | None = None
    index: int = 0  # position among the options shown, from 0; digits pick index + 1


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def match_option(text: str, options: list[Option]) -> Option | None:
    """The option a typed answer names: its number, its key, or its label (case-insensitive)."""
    wanted = text.strip()
    if not wanted:
        return options[0] if len(options) == 1 and options[0].label == CONTINUE else None
    folded = _fold(wanted)
    for option in options:
        if _fold(option.label) == folded:
            return option
    for option in options:
        if option.key is not None and option.key.casefold() == folded:
            return option
    number = _position(wanted)
    if number is not None and 1 <= number <= len(options):
        return options[number - 1]
    return None


def _position(text: str) -> int | None:
    """The number a typed answer spells, when it is a short run of digits: a long one names no
    option, and Python refuses to convert more than 4,300 digits. `isdigit` would take `²`."""
    return int(text) if text.isdecimal() and len(text) <= _MAX_POSITION_DIGITS else None


def describe_options(options: list[Option]) -> str:
    """The options as a person would type them: `1 Yes (y), 2 No`."""
    return ", ".join(f"{o.index + 1} {o.label}" + (f" ({o.key})" if o.key else "") for o in options)


@dataclass(frozen=True, slots=True)
class Checked:
    """An input value checked: the value to store, or why it was refused."""

    value: Any = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def check_input(node: Input, text: str, *, secret: bool = False) -> Checked:
    """The value an input node keeps for typed text, or the reason it refuses it; a reason
    never quotes a `secret` value."""
    value = text.strip()
    if not value:
        return Checked(None, "a value is required") if node.required else Checked("")
    quoted = "that value" if secret else repr(value)
    if node.kind == "number":
        number = to_number(value)
        if number is None:
            return Checked(reason=f"{quoted} is not a number")
        return _pattern(node, value, int(number) if number.is_integer() else number, quoted)
    if node.kind == "email" and not re.match(_EMAIL, value):
        return Checked(reason=f"{quoted} is not an email address")
    return _pattern(node, value, value, quoted)


def _pattern(node: Input, text: str, value: Any, quoted: str) -> Checked:
    if not node.pattern:
        return Checked(value)
    try:
        found = patterns.search(node.pattern, text)
    except (re.error, RecursionError, OverflowError):
        # Only a file the schema refused has one; say so rather than fail the walk.
        return Checked(
            reason=f"the tree's pattern {node.pattern!r} is not a valid regular "
            "expression, so no answer fits; go back, or fix the tree"
        )
    if not found:
        # The author's words when the tree has some; never the regular expression itself.
        return Checked(reason=node.invalid or f"{quoted} does not have the expected form")
    return Checked(value)
