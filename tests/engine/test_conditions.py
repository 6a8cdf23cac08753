"""Conditions: parsed from data, evaluated against variables, dotted names, absent variables."""

from __future__ import annotations

from typing import Any

import pytest

from engine.walk.conditions import AllOf, AnyOf, Not, VarTest, holds, parse_condition, variables_of

VARIABLES: dict[str, Any] = {
    "answer": "51",
    "count": 3,
    "ratio": 0.5,
    "flag": True,
    "name": "Ann Lee",
    "contact": {"is_user": True, "email": "ann@example.com", "tags": ["a", "b"], "n": None},
}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"var": "answer", "equals": "51"}, True),
        ({"var": "answer", "equals": 51}, True),  # typed text equals the tree's number
        ({"var": "count", "equals": 3}, True),
        ({"var": "flag", "equals": True}, True),
        ({"var": "flag", "equals": 1}, False),  # true is not 1
        ({"var": "count", "equals": True}, False),
        ({"var": "answer", "not_equals": "52"}, True),
        ({"var": "answer", "not_equals": 51}, False),
        ({"var": "count", "in": [1, 2, 3]}, True),
        ({"var": "name", "in": ["Bob"]}, False),
        ({"var": "name", "matches": "Lee$"}, True),
        ({"var": "name", "matches": "^Lee"}, False),  # searches, anchors respected
        ({"var": "count", "matches": "^3$"}, True),
        ({"var": "contact", "matches": "ann"}, False),  # a mapping is not matched as text
        ({"var": "count", "lt": 4}, True),
        ({"var": "count", "le": 3}, True),
        ({"var": "count", "gt": 3}, False),
        ({"var": "ratio", "ge": 0.5}, True),
        ({"var": "answer", "gt": 50}, True),  # number-like text compares as a number
        ({"var": "name", "gt": 1}, False),  # text that is no number never compares
        ({"var": "flag", "gt": 0}, False),  # nor does a boolean
        ({"var": "name", "exists": True}, True),
        ({"var": "nothing", "exists": False}, True),
        ({"var": "nothing", "exists": True}, False),
    ],
)
def test_each_test(condition: dict[str, Any], expected: bool) -> None:
    parsed = parse_condition(condition)
    assert parsed is not None
    assert holds(parsed, VARIABLES) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"var": "contact.is_user", "equals": True}, True),
        ({"var": "contact.email", "matches": "@example\\.com$"}, True),
        ({"var": "contact.tags.1", "equals": "b"}, True),
        ({"var": "contact.tags.7", "exists": True}, False),
        ({"var": "contact.n", "exists": True}, True),  # present, though null
        ({"var": "contact.missing.deeper", "exists": False}, True),
        ({"var": "name.first", "exists": True}, False),  # no field inside text
    ],
)
def test_dotted_names_reach_into_results(condition: dict[str, Any], expected: bool) -> None:
    parsed = parse_condition(condition)
    assert parsed is not None and holds(parsed, VARIABLES) is expected


@pytest.mark.parametrize("test", ["equals", "in", "matches", "lt", "le", "gt", "ge"])
def test_a_missing_variable_is_absent_not_an_error(test: str) -> None:
    value: Any = {"in": ["x"], "matches": "x"}.get(test, 1)
    parsed = parse_condition({"var": "ghost.field", test: value})
    assert parsed is not None
    assert holds(parsed, {}) is False
    assert holds(Not(parsed), {}) is True


def test_not_equals_holds_for_an_absent_variable() -> None:
    parsed = parse_condition({"var": "ghost", "not_equals": "x"})
    assert parsed is not None and holds(parsed, {}) is True


def test_all_any_not_combine() -> None:
    parsed = parse_condition(
        {
            "all": [
                {"var": "count", "gt": 1},
                {"any": [{"var": "name", "equals": "Bob"}, {"var": "flag", "equals": True}]},
                {"not": {"var": "contact.is_user", "equals": False}},
            ]
        }
    )
    assert isinstance(parsed, AllOf)
    assert holds(parsed, VARIABLES) is True
    assert holds(parsed, {**VARIABLES, "flag": False}) is False
    assert sorted(variables_of(parsed)) == ["contact.is_user", "count", "flag", "name"]


def test_empty_all_holds_and_empty_any_does_not() -> None:
    assert holds(AllOf(()), {}) is True
    assert holds(AnyOf(()), {}) is False
    assert holds(None, {}) is True


@pytest.mark.parametrize(
    "data",
    [
        None,
        "x == 1",
        {"var": "x"},
        {"var": "x", "equals": 1, "gt": 0},
        {"var": 3, "equals": 1},
        {"all": [{"var": "x"}]},
        {"any": "not a list"},
        {"not": {"var": "x"}},
        {"something": "else"},
        # Operands of the wrong kind (the schema refuses them; a cache that lied would not).
        {"var": "x", "in": 5},
        {"var": "x", "in": "abc"},
        {"var": "x", "matches": "(["},
        {"var": "x", "matches": 5},
        {"var": "x", "gt": "many"},
        {"var": "x", "le": True},
        {"all": [{"var": "x", "equals": 1}, {"var": "x", "lt": None}]},
    ],
)
def test_invalid_conditions_parse_to_none(data: Any) -> None:
    assert parse_condition(data) is None


def test_parsed_lists_become_tuples_so_conditions_stay_frozen() -> None:
    parsed = parse_condition({"var": "x", "in": [1, 2]})
    assert parsed == VarTest("x", "in", (1, 2))
    assert hash(parsed)


def test_a_condition_is_data_never_code() -> None:
    hostile = {"var": "__import__('os').system('false')", "equals": 0}
    parsed = parse_condition(hostile)
    assert parsed is not None and holds(parsed, VARIABLES) is False
