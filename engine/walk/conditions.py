"""Conditions (`when`): parsed from data into small objects and evaluated, never run as code."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from engine.walk import patterns
from engine.walk.templates import lookup

TESTS = ("equals", "not_equals", "in", "matches", "exists", "lt", "le", "gt", "ge")


@dataclass(frozen=True, slots=True)
class VarTest:
    """{var: NAME, <test>: VALUE}: one test on one variable."""

    var: str
    test: str
    value: Any


@dataclass(frozen=True, slots=True)
class AllOf:
    """{all: [...]}: every condition holds."""

    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """{any: [...]}: at least one condition holds."""

    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """{not: ...}: the condition does not hold."""

    item: Condition


Condition = VarTest | AllOf | AnyOf | Not


def parse_condition(data: Any) -> Condition | None:
    """The condition a `when` mapping describes, or None when it is not a valid condition."""
    if not isinstance(data, Mapping):
        return None
    if "var" in data and isinstance(data["var"], str):
        tests = [t for t in TESTS if t in data]
        if len(tests) != 1:
            return None
        value = data[tests[0]]
        if not _operand_fits(tests[0], value):
            return None
        if isinstance(value, list):
            value = tuple(value)
        return VarTest(data["var"], tests[0], value)
    for key, kind in (("all", AllOf), ("any", AnyOf)):
        if key in data and isinstance(data[key], list):
            items = tuple(parse_condition(item) for item in data[key])
            if any(item is None for item in items):
                return None
            return kind(items)  # type: ignore[arg-type]
    if "not" in data:
        inner = parse_condition(data["not"])
        return Not(inner) if inner is not None else None
    return None


def _operand_fits(test: str, value: Any) -> bool:
    """Whether a test's operand is of the kind the test needs (the schema says the same; a
    condition walked without the schema's check must still never fail while evaluated)."""
    if test == "in":
        return isinstance(value, list)
    if test == "matches":
        return isinstance(value, str) and patterns.is_valid(value)
    if test in ("lt", "le", "gt", "ge"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True


def variables_of(condition: Condition) -> Iterator[str]:
    """Every variable name a condition reads."""
    if isinstance(condition, VarTest):
        yield condition.var
    elif isinstance(condition, (AllOf, AnyOf)):
        for item in condition.items:
            yield from variables_of(item)
    else:
        yield from variables_of(condition.item)


def holds(condition: Condition | None, variables: Mapping[str, Any]) -> bool:
    """Whether the condition is true for these variables (no condition always holds)."""
    if condition is None:
        return True
    if isinstance(condition, AllOf):
        return all(holds(item, variables) for item in condition.items)
    if isinstance(condition, AnyOf):
        return any(holds(item, variables) for item in condition.items)
    if isinstance(condition, Not):
        return not holds(condition.item, variables)
    found, value = lookup(variables, condition.var)
    return _test(condition.test, condition.value, found, value)


def _test(test: str, expected: Any, found: bool, value: Any) -> bool:
    if test == "exists":
        return found == bool(expected)
    if test == "not_equals":
        return not (found and _same(value, expected))
    if not found:
        return False
    if test == "equals":
        return _same(value, expected)
    if test == "in":
        return any(_same(value, option) for option in expected)
    if test == "matches":
        return isinstance(value, (str, int, float)) and _found(expected, str(value))
    return _compare(test, value, expected)


def _same(value: Any, expected: Any) -> bool:
    """Equality that lets an input's text '51' equal a tree's number 51, but not True equal 1."""
    if isinstance(value, bool) or isinstance(expected, bool):
        return isinstance(value, bool) and isinstance(expected, bool) and value == expected
    if isinstance(expected, (int, float)) and isinstance(value, str):
        number = to_number(value)
        return number is not None and number == expected
    return bool(value == expected)


def _compare(test: str, value: Any, expected: Any) -> bool:
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if number is None and isinstance(value, str):
        number = to_number(value)
    if number is None:
        return False
    result: bool = {
        "lt": number < expected,
        "le": number <= expected,
        "gt": number > expected,
        "ge": number >= expected,
    }[test]
    return result


def to_number(text: str) -> float | None:
    """The number a text spells, or None."""
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


def _found(pattern: str, text: str) -> bool:
    """Whether the pattern is found in the text."""
    try:
        return patterns.search(pattern, text)
    except (re.error, RecursionError, OverflowError):  # only in a tree the schema never checked
        return False
