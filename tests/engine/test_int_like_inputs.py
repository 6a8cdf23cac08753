"""Int-like texts in any base and length, as answers and in trees: refused or kept, never raised."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.authoring.diagram import to_dot, to_mermaid
from engine.tree.reader import read_text
from engine.tree.validation import check_document
from engine.walk.action_runner import ActionRunner
from engine.walk.answers import Option, match_option
from engine.walk.walker import InvalidAnswer, Walk
from tests.fuzz_inputs import answers, tree_text, tree_texts

IN_PROCESS = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def fuzz_walk() -> Walk:
    checked = check_document(read_text(tree_text(), "fuzz.yaml"), None, frozenset())
    assert checked.ok and checked.tree is not None, checked.problems
    return Walk(checked.tree, runner=ActionRunner())


@IN_PROCESS
@given(st.lists(answers, min_size=1, max_size=5))
def test_answers_are_taken_or_refused_at_every_node(typed: list[str]) -> None:
    walk = fuzz_walk()
    for text in typed:
        if walk.finished:
            break
        try:
            walk.answer(text)
        except InvalidAnswer as refused:
            assert refused.message and "\n" not in refused.message


def test_digits_pick_by_position_only_when_short_ascii_or_decimal() -> None:
    options = [Option(label, "x", None, i) for i, label in enumerate(["A", "B", "C"])]
    assert match_option("2", options) is options[1]
    assert match_option("٣", options) is options[2]  # a decimal digit in another script
    for text in ("²", "9" * 5000, "0" * 10 + "1", "-1", "0", "4"):
        assert match_option(text, options) is None


@IN_PROCESS
@given(tree_texts)
def test_any_tree_text_is_checked_built_and_drawn_without_raising(text: str) -> None:
    checked = check_document(read_text(text, "fuzz.yaml"), None, frozenset())
    for problem in checked.problems:
        assert problem.message and "\n" not in problem.message
    if checked.ok and checked.tree is not None:
        assert checked.tree.version < 2**53
        to_mermaid(checked.tree)
        to_dot(checked.tree)


def test_a_pattern_whose_repetition_python_cannot_count_is_a_schema_error() -> None:
    for pattern in ("^[0-9]{99999999999999999999,8}$", "a{4294967296}", "x{1,99999999999}"):
        text = tree_text().replace('"^[a-z]+$"', repr(pattern))
        checked = check_document(read_text(text, "fuzz.yaml"), None, frozenset())
        [problem] = [p for p in checked.problems if p.is_error]
        assert problem.rule == "schema" and "is not a valid regular expression" in problem.message
