"""Answer feeds: `--answers` splitting with its escapes, and stdin lines that are not UTF-8."""

from __future__ import annotations

import io

import pytest

from tui.answer_feed import LineFeed, split_answers


@pytest.mark.parametrize(
    ("text", "answers"),
    [
        ("a,b", ["a", "b"]),
        ("a\\,b", ["a,b"]),
        ("a\\\\,b", ["a\\", "b"]),
        ("a\\", ["a\\"]),  # a trailing backslash stays itself
        ("\\,,\\\\,\\", [",", "\\", "\\"]),
        ("a\\nb", ["a\\nb"]),  # other escapes are kept as written
        ("", [""]),
        (",", ["", ""]),
    ],
)
def test_split_answers(text: str, answers: list[str]) -> None:
    assert split_answers(text) == answers


def test_undecodable_argument_bytes_become_replacement_characters() -> None:
    given = b"Yes,caf\xe9".decode("utf-8", "surrogateescape")
    assert split_answers(given) == ["Yes", "caf\ufffd"]


def test_stdin_lines_with_undecodable_bytes_become_replacement_characters() -> None:
    raw = io.BytesIO(b"Continue\r\n\xff\xfe bin\n")
    feed = LineFeed(io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape"))
    assert feed.next() == "Continue"
    assert feed.next() == "\ufffd\ufffd bin"
    assert feed.next() is None
