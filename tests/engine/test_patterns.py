"""A tree's regular expressions are matched as Python's re reads them, and no clock decides."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.tree.builder import build_tree
from engine.tree.model import Input
from engine.tree.reader import read_text
from engine.tree.validation import check_document
from engine.walk import patterns
from engine.walk.answers import check_input
from engine.walk.pattern_risk import slow_reason
from engine.walk.pattern_syntax import class_ranges, parse
from engine.walk.re2_spelling import re2_spelling
from engine.walk.walker import Walk

LONG_VALUE = "a" * 5000 + "!"


def re_finds(pattern: str, text: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # re warns of `[[`: a possible nested set
        return re.search(pattern, text) is not None


@pytest.mark.parametrize("pattern", ["^(a+)+$", "^(a|aa)+$", r"^(\w+\s?)*$", "^(a|a)*$"])
def test_a_pattern_that_backtracks_in_re_is_answered_by_re2_truly(pattern: str) -> None:
    # re would take longer than the universe's age on these; the answer is still the true one.
    assert patterns.runs_in_linear_time(pattern)
    assert patterns.search(pattern, LONG_VALUE) is False
    assert patterns.search(pattern, "a" * 5000) is True


@pytest.mark.parametrize(
    "pattern",
    [r".*(\w+)::\1\(\)", r"^(?!error:)warning:", r"(?<=v)\d", r"\bcat\b", r"(?i)café", "a++b"],
)
def test_what_re2_cannot_mean_is_matched_by_re(pattern: str) -> None:
    assert not patterns.runs_in_linear_time(pattern)
    assert slow_reason(pattern) is None


def test_the_corpus_backreference_pattern_still_works() -> None:
    pattern = r"no matching function for call to '.*(\w+)::\1\(\)'"
    assert patterns.search(pattern, "error: no matching function for call to 'Foo::Foo()'")
    assert not patterns.search(pattern, "error: no matching function for call to 'Foo::Bar()'")


# Where RE2's own syntax or classes differ from re's, the pattern keeps re's meaning.
@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("a{e<=1}x", "a{e<=1}x", True),  # re reads braces that are no quantifier as text
        ("{i}", "{i}", True),
        ("x{,2}y", "y", True),  # RE2 would read '{,2}' as text
        ("[[:alpha:]]", ":]", True),  # re: a set of '[', ':', ... then ']'; not a POSIX class
        ("[[:alpha:]]", "a", False),
        ("(?x) a # [ {e<=1}\n b", "ab", True),  # verbose comments are left as they are
        (r"\N{EM DASH}{2}", "——", True),
        ("[]a]+", "]a", True),
        ("(?#[)[ab]", "b", True),
        ("a(?#c)*b", "aaab", True),  # a quantifier after a comment repeats what came before
        ("^[A-Z0-9-]+$", "ABC-123", True),
        ("x{2,3}", "xx", True),
        ("(?i)lee$", "Ann LEE", True),
        ("^ok$", "ok\n", True),  # re's `$` also matches before a last newline
        ("^ok$", "ok\n\n", False),
        ("ok$\n", "ok\n", True),
        (r"ok\Z", "ok\n", False),
        ("(?m)^b$", "a\nb\nc", True),
        ("^b", "a\nb", False),
        (r"\d", "٣", True),  # re's classes are Unicode's
        (r"\w", "é", True),
        (r"\s", "\x1c", True),
        (r"(?a)\w", "é", False),
        (r"[^\W\d]", "5", False),
        (".", "\n", False),
        ("(?s).", "\n", True),
        (r"\x41\u00e9\101", "AéA", True),
        (r"(?a)\B", "", False),  # re's \B never matches an empty text
        (r"(?a)\bé", "aé", True),  # é is no word character to ASCII
        ("(?#c)(?i)a", "A", True),  # global flags after a comment
        (r"(?#\))a", "a", True),
    ],
)
def test_patterns_read_as_re_reads_them(pattern: str, text: str, expected: bool) -> None:
    assert re_finds(pattern, text) is expected
    assert patterns.search(pattern, text) is expected


EVERY = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)


@pytest.mark.parametrize("letter", "dDwWsS")
@pytest.mark.parametrize("ascii", [False, True])
def test_each_class_means_in_re2_what_it_means_in_re(letter: str, ascii: bool) -> None:
    flags = re.ASCII if ascii else 0
    spelling = re2_spelling(parse(("(?a)" if ascii else "") + f"\\{letter}"))
    assert spelling is not None
    members = "".join(re.findall(f"\\{letter}", EVERY, flags))
    others = "".join(re.findall(f"[^\\{letter}]", EVERY, flags))
    assert len(members) + len(others) == len(EVERY)
    import re2

    # Every character re takes, RE2 takes; of all the others, RE2 takes none.
    assert re2.fullmatch(f"(?:{spelling})*", members) is not None
    assert re2.search(spelling, others) is None
    assert class_ranges(letter, ascii)


ATOMS = [
    *"ab1 .^$|*+?(){}[]#-\\\n",
    *[r"\d", r"\w", r"\s", r"\b", r"\A", r"\Z", "[ab]", "[^a]", "[a-z]", "(?:", "(?i)", "(?x)"],
    *["{2}", "{1,}", "{,2}", "{e<=1}", "[[:alpha:]]", "[]a]", "(?P<n>a)", "(?P=n)", "(?=b)"],
    *["(?<!b)", "*?", "++", "(?>", "(?#c)", r"\N{LATIN SMALL LETTER A}", "[[", r"\S", r"\W"],
    *["(?s)", "(?m)", "(?a)", "(?s:", "(?-i:", r"[\d\s]", r"[^\w-]", "é", r"\x1c", "\\1"],
    *[r"\B", r"(?#\))", r"[\]a]", r"[a\-z]", "(?(1)a|b)", r"\0", "[^]]", "(?i:", "(?!a)"],
]


@pytest.mark.filterwarnings("ignore:Possible:FutureWarning")  # re warns of `[[`, `||` in sets
@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(ATOMS), max_size=7), st.text("ab1 {}[]:#\n-é٣\x1c", max_size=8))
def test_any_pattern_re_accepts_is_matched_as_re_matches(pieces: list[str], text: str) -> None:
    pattern = "".join(pieces)
    if not patterns.is_valid(pattern):
        return
    assert patterns.search(pattern, text) is re_finds(pattern, text)
    parse(pattern)  # and it is read into its parts without a fault


def test_a_text_re2_cannot_read_is_matched_by_re() -> None:
    assert patterns.runs_in_linear_time("^a.b$")
    assert patterns.search("^a.b$", "a\ud800b") is True  # a lone surrogate is no UTF-8


def walk_with_patterns() -> list[str]:
    """The path a walk takes through choices decided by patterns, one of them backtracking."""
    choices = [
        {"label": "Slow shape", "goto": "a", "when": {"var": "serial", "matches": "^(a|aa)+$|!$"}},
        {"label": "Backref", "goto": "b", "when": {"var": "serial", "matches": r"(\w)\1!$"}},
        {"label": "Other", "goto": "b"},
    ]
    walk = Walk(
        build_tree(
            {
                "id": "t/patterns",
                "version": 1,
                "title": "Patterns",
                "start": "serial",
                "nodes": {
                    "serial": {"type": "input", "title": "Serial", "var": "serial", "next": "q"},
                    "q": {"type": "question", "title": "Which?", "choices": choices},
                    "a": {"type": "outcome", "status": "resolved", "title": "A"},
                    "b": {"type": "outcome", "status": "resolved", "title": "B"},
                },
            }
        )
    )
    patterns.search.cache_clear()
    walk.answer("a" * 30 + "!")
    labels = [option.label for option in walk.options()]
    walk.answer(labels[0])
    return [*labels, *walk.path()]


HOG = "import time\nend = time.monotonic() + 60\nwhile time.monotonic() < end: pass\n"


def test_the_same_walk_takes_the_same_path_under_a_cpu_hog() -> None:
    quiet = walk_with_patterns()
    # A backtracking search of the first takes ages before it finds the '!': found all the same.
    assert quiet == ["Slow shape", "Backref", "Other", "serial", "q", "a"]
    hogs = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(3)]
    try:
        time.sleep(0.2)  # the hogs are spinning before the walk starts
        assert all(hog.poll() is None for hog in hogs)
        for _ in range(5):
            assert walk_with_patterns() == quiet
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait(timeout=10)


def test_an_input_pattern_refuses_a_value_that_does_not_match() -> None:
    node = Input("code", "Code", var="code", next="done", pattern="^E[0-9]+$")
    assert check_input(node, "E12").value == "E12"
    assert (
        check_input(node, "F12").reason == "'F12' does not have the expected form"
    )  # never the pattern itself
    slow = Input("code", "Code", var="code", next="done", pattern="^(a+)+$")
    assert check_input(slow, LONG_VALUE).reason is not None
    assert check_input(slow, "aaaa").value == "aaaa"


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
  i: {type: input, title: I, var: y, pattern: '(x+y)+{e}', next: done}
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
