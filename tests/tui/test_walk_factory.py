"""`--var` parsing: names a tree could use, values kept as given, bad pairs refused clearly."""

from __future__ import annotations

import pytest

from engine.errors import UsageError
from tui.walk_factory import parse_vars


def test_values_are_kept_as_given_after_the_first_equals_sign() -> None:
    assert parse_vars(["a=1", "b_2= x=y ", "_c="]) == {"a": "1", "b_2": " x=y ", "_c": ""}


@pytest.mark.parametrize(
    ("pair", "says"),
    [
        ("novalue", "expected NAME=VALUE"),
        ("=1", "expected NAME=VALUE"),
        ("contact.id=5", "'contact.id' is not a variable name"),
        ("1st=5", "'1st' is not a variable name"),
        ("\x1b[2J=5", "is not a variable name"),
    ],
)
def test_a_pair_no_tree_could_use_is_a_usage_error(pair: str, says: str) -> None:
    with pytest.raises(UsageError, match=says) as refused:
        parse_vars([pair])
    assert "\x1b" not in refused.value.message


def test_undecodable_bytes_in_a_value_become_replacement_characters() -> None:
    given = b"v=caf\xe9".decode("utf-8", "surrogateescape")
    assert parse_vars([given]) == {"v": "caf\ufffd"}
