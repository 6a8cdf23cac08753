"""Answers: matching typed text to an option, describing options, checking input values."""

from __future__ import annotations

import pytest

from engine.tree.model import Input
from engine.walk.answers import CONTINUE, Option, check_input, describe_options, match_option

OPTIONS = [
    Option("Yes, it works", "a", "y", 0),
    Option("No", "b", None, 1),
    Option("2", "c", None, 2),  # a label that looks like a number
    Option("Maybe later", "d", "m", 3),
]


@pytest.mark.parametrize(
    ("typed", "goto"),
    [
        ("Yes, it works", "a"),
        ("  yes,   IT works ", "a"),  # case and spacing do not matter
        ("y", "a"),
        ("Y", "a"),
        ("1", "a"),
        ("no", "b"),
        ("2", "c"),  # a label wins over a position
        ("4", "d"),
        ("m", "d"),
    ],
)
def test_match_option(typed: str, goto: str) -> None:
    option = match_option(typed, OPTIONS)
    assert option is not None and option.goto == goto


@pytest.mark.parametrize("typed", ["", "5", "0", "-1", "Yes", "x", "maybe"])
def test_no_match(typed: str) -> None:
    assert match_option(typed, OPTIONS) is None


def test_enter_continues_a_step_only() -> None:
    step = [Option(CONTINUE, "next", None, 0)]
    assert match_option("", step) == step[0]
    assert match_option("  ", step) == step[0]
    assert match_option("", [Option("Yes", "a", None, 0)]) is None


def test_describe_options_lists_numbers_labels_and_keys() -> None:
    assert describe_options(OPTIONS[:2]) == "1 Yes, it works (y), 2 No"
    assert describe_options([]) == ""


def node(**fields: object) -> Input:
    return Input(id="ask", title="Value", var="value", next="end", **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "typed", "value"),
    [
        ({}, " text ", "text"),
        ({"kind": "number"}, "42", 42),
        ({"kind": "number"}, "-1.5", -1.5),
        ({"kind": "number"}, "1e3", 1000),
        ({"kind": "email"}, "a.b@example.co.uk", "a.b@example.co.uk"),
        ({"required": False}, "  ", ""),
        ({"pattern": "[0-9]"}, "abc1", "abc1"),  # pattern searches anywhere
    ],
)
def test_check_input_accepts(fields: dict[str, object], typed: str, value: object) -> None:
    checked = check_input(node(**fields), typed)
    assert checked.ok and checked.value == value
    assert type(checked.value) is type(value)


@pytest.mark.parametrize(
    ("fields", "typed", "reason"),
    [
        ({}, "", "a value is required"),
        ({"kind": "number"}, "inf", "'inf' is not a number"),
        ({"kind": "number"}, "12abc", "'12abc' is not a number"),
        ({"kind": "email"}, "a@b", "'a@b' is not an email address"),
        ({"kind": "email"}, "a b@example.com", "is not an email address"),
        ({"pattern": "^[0-9]+$"}, "12a", "'12a' does not have the expected form"),
        (
            {"pattern": "^[A-Z]-[0-9]+$", "invalid": "Letters, digits and dashes, like A-1002"},
            "A1002",
            "Letters, digits and dashes, like A-1002",
        ),
    ],
)
def test_check_input_refuses_with_a_reason(
    fields: dict[str, object], typed: str, reason: str
) -> None:
    checked = check_input(node(**fields), typed)
    assert not checked.ok and reason in str(checked.reason)
    assert "^" not in str(checked.reason)  # never the regular expression itself


def test_an_input_pattern_that_is_no_regular_expression_refuses_with_the_reason() -> None:
    checked = check_input(node(pattern="(["), "anything")
    assert not checked.ok
    assert checked.reason == (
        "the tree's pattern '([' is not a valid regular expression, so no answer fits; "
        "go back, or fix the tree"
    )
