"""AnswerKeys: what keys typed at a list of answers mean, without a screen."""

from __future__ import annotations

from engine.walk.answers import Option
from tui.answer_keys import FILTERED, HELD, IGNORED, AnswerKeys


def answers(count: int, key_of: dict[int, str] | None = None) -> list[Option]:
    keys = key_of or {}
    return [Option(f"answer {i + 1}", "next", keys.get(i), i) for i in range(count)]


def test_with_nine_answers_or_fewer_a_digit_picks_at_once() -> None:
    keys = AnswerKeys(answers(9))
    picked = keys.press("3")
    assert isinstance(picked, Option) and picked.index == 2
    assert keys.press("0") is IGNORED


def test_with_thirty_answers_two_digits_make_one_number() -> None:
    keys = AnswerKeys(answers(30))
    assert keys.press("2") is HELD
    picked = keys.press("5")
    assert isinstance(picked, Option) and picked.index == 24
    assert keys.press("4") == answers(30)[3]  # 4 cannot start a number up to 30
    assert keys.press("3") is HELD  # 3 could start 30
    taken = keys.take_held()
    assert taken is not None and taken.index == 2 and keys.digits == ""


def test_a_digit_that_cannot_follow_spills_to_the_next_list() -> None:
    keys = AnswerKeys(answers(30))
    assert keys.press("3") is HELD
    assert keys.spills("5") and not keys.spills("0")


def test_a_choice_key_picks_and_other_letters_filter_a_long_list() -> None:
    keys = AnswerKeys(answers(12, {0: "y"}))
    assert keys.press("y") == answers(12, {0: "y"})[0]
    assert keys.press("a") is FILTERED and keys.press("n") is FILTERED
    assert keys.press("y") is FILTERED  # while filtering, letters are the filter's
    assert keys.shown() == []
    assert keys.erase() and keys.filter == "an"
    assert len(keys.shown()) == 12
    assert keys.clear_filter() and not keys.clear_filter()
    assert AnswerKeys(answers(3)).press("q") is IGNORED  # a short list is not filtered
