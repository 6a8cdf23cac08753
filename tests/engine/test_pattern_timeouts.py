"""A tree's regular expressions never freeze a walk, and still read as Python's re reads them."""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.tree.builder import build_tree
from engine.tree.model import Input
from engine.tree.reader import read_text
from engine.tree.validation import check_document
from engine.walk import patterns
from engine.walk.answers import check_input
from engine.walk.conditions import holds, parse_condition
from engine.walk.walker import InvalidAnswer, Walk

# `^(a+)+$` backtracks for ages in re; `^(a|aa)+$` does in the regex module too.
SLOW = "^(a|aa)+$"
SLOW_PATTERNS = ["^(a+)+$", SLOW]
LONG_VALUE = "a" * 40 + "!"
PROMPT = 2.0  # seconds: far above the time limit, far below a hang, for a slow CI machine


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def re_finds(pattern: str, text: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # re warns of `[[`: a possible nested set
        return re.search(pattern, text) is not None


@pytest.mark.parametrize("pattern", SLOW_PATTERNS)
def test_a_slow_matches_condition_is_false_promptly(pattern: str) -> None:
    condition = parse_condition({"var": "serial", "matches": pattern})
    held, seconds = timed(lambda: holds(condition, {"serial": LONG_VALUE}))
    assert held is False
    assert seconds < PROMPT
    negated = parse_condition({"not": {"var": "serial", "matches": pattern}})
    assert holds(negated, {"serial": LONG_VALUE}) is True  # not matched, so `not` holds


def test_the_timeout_is_what_ends_the_slow_match() -> None:
    found, seconds = timed(lambda: patterns.search("^(a|aa)+$", "a" * 41 + "!"))
    assert found is None
    assert patterns.TIME_LIMIT <= seconds < PROMPT
    assert patterns.search("^(a|aa)+$", "a" * 41) is True  # a short way to a match exists


def slow_tree() -> Walk:
    early = {"label": "Early model", "goto": "early", "when": {"var": "serial", "matches": SLOW}}
    return Walk(
        build_tree(
            {
                "id": "t/slow",
                "version": 1,
                "title": "Slow patterns",
                "start": "serial",
                "nodes": {
                    "serial": {"type": "input", "title": "Serial", "var": "serial", "next": "kind"},
                    "kind": {
                        "type": "question",
                        "title": "Which kind?",
                        "choices": [early, {"label": "Other model", "goto": "code"}],
                    },
                    "code": {
                        "type": "input",
                        "title": "Code",
                        "var": "code",
                        "pattern": SLOW,
                        "next": "early",
                    },
                    "early": {"type": "outcome", "status": "resolved", "title": "Done"},
                },
            }
        )
    )


def test_a_slow_condition_hides_its_choice_in_a_walk() -> None:
    walk = slow_tree()
    _, seconds = timed(lambda: walk.answer(LONG_VALUE + "?"))
    options, again = timed(walk.options)
    assert [o.label for o in options] == ["Other model"]
    assert seconds + again < PROMPT  # the verdict is kept: the choices are not matched again


@pytest.mark.parametrize("pattern", SLOW_PATTERNS)
def test_a_slow_input_pattern_refuses_promptly(pattern: str) -> None:
    node = Input("code", "Code", var="code", next="done", pattern=pattern)
    checked, seconds = timed(lambda: check_input(node, LONG_VALUE + pattern))
    assert not checked.ok
    assert seconds < PROMPT
    assert checked.value is None
    assert check_input(node, "aaaa").value == "aaaa"


def test_a_timed_out_input_says_so_and_the_walk_stays() -> None:
    walk = slow_tree()
    walk.answer("b")
    walk.answer("Other model")
    with pytest.raises(InvalidAnswer) as refused:
        walk.answer("a" * 42 + "!")
    assert "could not be checked against the pattern (^(a|aa)+$) in time" in str(refused.value)
    assert walk.node.id == "code"
    walk.answer("aaa")
    assert walk.finished


def test_a_value_that_does_not_match_is_still_told_so() -> None:
    node = Input("code", "Code", var="code", next="done", pattern="^E[0-9]+$")
    assert check_input(node, "E12").value == "E12"
    assert check_input(node, "F12").reason == "'F12' does not have the expected form (^E[0-9]+$)"


# Where the regex module's own syntax differs from re's, the pattern keeps re's meaning.
@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("a{e<=1}x", "a{e<=1}x", True),  # re reads braces that are no quantifier as text
        ("a{e<=1}x", "abx", False),  # regex would read a fuzzy match allowing one error
        ("{i}", "{i}", True),
        ("[[:alpha:]]", ":]", True),  # re: a set of '[', ':', ... then ']'; not a POSIX class
        ("[[:alpha:]]", "a", False),
        ("(?x) a # [ {e<=1}\n b", "ab", True),  # verbose comments are left as they are
        (r"\N{EM DASH}{2}", "——", True),
        ("[]a]+", "]a", True),
        ("(?#[)[ab]", "b", True),
        ("^[A-Z0-9-]+$", "ABC-123", True),
        ("x{2,3}", "xx", True),
        ("x{,2}y", "y", True),
        ("(?i)lee$", "Ann LEE", True),
    ],
)
def test_patterns_read_as_re_reads_them(pattern: str, text: str, expected: bool) -> None:
    assert re_finds(pattern, text) is expected
    assert patterns.search(pattern, text) is expected


ATOMS = [
    *"ab1 .^$|*+?(){}[]#-\\",
    *[r"\d", r"\w", r"\s", r"\b", r"\A", r"\Z", "[ab]", "[^a]", "[a-z]", "(?:", "(?i)", "(?x)"],
    *["{2}", "{1,}", "{,2}", "{e<=1}", "[[:alpha:]]", "[]a]", "(?P<n>a)", "(?P=n)", "(?=b)"],
    *["(?<!b)", "*?", "++", "(?>", "(?#c)", r"\N{LATIN SMALL LETTER A}", "[[", "\n"],
]


@pytest.mark.filterwarnings("ignore:Possible:FutureWarning")  # re warns of `[[`, `||` in sets
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ATOMS), max_size=6), st.text("ab1 {}[]:#\n-", max_size=8))
def test_any_pattern_re_accepts_is_matched_as_re_matches(pieces: list[str], text: str) -> None:
    pattern = "".join(pieces)
    if not patterns.is_valid(pattern):
        return
    assert patterns.search(pattern, text) is re_finds(pattern, text)


def test_a_pattern_the_schema_accepts_is_matched_and_one_it_refuses_is_a_schema_error() -> None:
    text = """\
schema: branchwise/v1
id: t/odd
version: 1
title: Odd patterns
start: q
variables: {x: {label: X}}
nodes:
  q:
    type: question
    title: Q
    choices:
      - {label: A, goto: i, when: {var: x, matches: '^a{e<=1}$'}}
      - {label: B, goto: i}
  i: {type: input, title: I, var: y, pattern: '(x+x+)+y{e}', next: done}
  done: {type: outcome, status: resolved, title: Done}
"""
    checked = check_document(read_text(text, "odd.yaml"))
    assert checked.ok and checked.problems == []
    assert checked.tree is not None
    walk = Walk(checked.tree, variables={"x": "a{e<=1}"})
    assert [o.label for o in walk.options()] == ["A", "B"]
    walk.answer("A")
    walk.answer("xxy{e}")
    assert walk.finished
    broken = check_document(read_text(text.replace("'^a{e<=1}$'", "'(['"), "broken.yaml"))
    assert [p.rule for p in broken.problems] == ["schema"]
