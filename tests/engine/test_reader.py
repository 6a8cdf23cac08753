"""The safe YAML reader: YAML 1.2 scalars, refused tags, limits, duplicate keys and encodings."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from engine.actions.registry import Registry
from engine.tree.problems import Problem
from engine.tree.reader import (
    FileRefused,
    Limits,
    MarkedDict,
    position_of,
    read_bytes,
    read_file,
    read_regular_file,
    read_text,
    resolve_plain,
)
from engine.tree.validation import check_document, validate_paths


def rules(problems: list[Problem]) -> list[tuple[str, int, int]]:
    return [(p.rule, p.line, p.column) for p in problems]


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "No", "ON", "Off", "y", "n"])
def test_yaml_1_1_booleans_stay_text(word: str) -> None:
    doc = read_text(f"label: {word}\n", "t.yaml")
    assert doc.data == {"label": word}
    assert doc.problems == []


def test_a_choice_labelled_no_is_the_text_no() -> None:
    doc = read_text("choices:\n  - {label: No, goto: x}\n  - {label: 'No', key: n}\n", "t.yaml")
    assert [c["label"] for c in doc.data["choices"]] == ["No", "No"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("-7", -7),
        ("+3", 3),
        ("0x1f", 31),
        ("0o17", 15),
        ("1.5", 1.5),
        ("-.5", -0.5),
        ("1e3", 1000.0),
        (".inf", float("inf")),
        ("-.Inf", float("-inf")),
        ("true", True),
        ("False", False),
        ("null", None),
        ("~", None),
        ("", None),
        ("1_000", "1_000"),
        ("2001-12-14", "2001-12-14"),
        ("0b101", "0b101"),
        ("nothing", "nothing"),
        ("tRue", "tRue"),
    ],
)
def test_plain_scalars_follow_the_yaml_1_2_core_schema(text: str, value: object) -> None:
    resolved = resolve_plain(text)
    assert resolved == value
    assert type(resolved) is type(value)


def test_nan_is_a_float() -> None:
    value = read_text("a: .nan\n", "t.yaml").data["a"]
    assert isinstance(value, float) and value != value


def test_quoted_scalars_are_always_text() -> None:
    doc = read_text("a: '1'\nb: \"true\"\nc: 'null'\nd: |\n  12\n", "t.yaml")
    assert doc.data == {"a": "1", "b": "true", "c": "null", "d": "12\n"}


def test_keys_keep_the_text_written() -> None:
    doc = read_text("1: a\nyes: b\nnull: c\n", "t.yaml")
    assert list(doc.data) == ["1", "yes", "null"]


def test_explicit_core_tags_are_honoured() -> None:
    doc = read_text("a: !!str 5\nb: !!int '7'\nc: !!float 2\nd: !!bool true\n", "t.yaml")
    assert doc.data == {"a": "5", "b": 7, "c": 2.0, "d": True}
    assert isinstance(doc.data["c"], float)


def test_an_explicit_tag_that_does_not_fit_its_value_is_a_syntax_error() -> None:
    doc = read_text("a: !!int seven\n", "t.yaml")
    assert doc.data is None
    assert rules(doc.problems) == [("yaml-syntax", 1, 4)]


def test_a_number_too_long_for_python_stays_text() -> None:
    digits = "9" * 5000
    doc = read_text(f"a: {digits}\n", "t.yaml")
    assert doc.data == {"a": digits}


@pytest.mark.parametrize("prefix, digit", [("0x", "f"), ("0o", "7"), ("-", "9"), ("", "9")])
def test_an_int_in_any_base_too_long_to_print_stays_text(prefix: str, digit: str) -> None:
    big = prefix + digit * 5000
    doc = read_text(f"a: {big}\nb: {prefix}{digit * 300}\n", "t.yaml")
    assert doc.data["a"] == big
    assert isinstance(doc.data["b"], int) and len(str(doc.data["b"])) < 4300


@pytest.mark.parametrize("text", ["0b1010", "1_000", "0x_ff", "+0x10", "0X10", "٣"])
def test_ints_outside_yaml_1_2_core_stay_text(text: str) -> None:
    assert read_text(f"a: {text}\n", "t.yaml").data == {"a": text}


def test_python_tags_are_refused_and_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "constructed"
    text = (
        f"a: !!python/object/apply:os.system ['touch {marker}']\n"
        "b: !!python/object/apply:pathlib.Path.touch\n"
        f"  - !!python/object/apply:pathlib.Path ['{marker}']\n"
        "c: !!python/name:os.system\n"
    )
    doc = read_text(text, "t.yaml")
    assert doc.data is None
    [problem] = doc.problems
    assert (problem.rule, problem.line, problem.column) == ("yaml-syntax", 1, 4)
    assert "python/object/apply:os.system" in problem.message
    assert not marker.exists()


@pytest.mark.parametrize(
    "tagged", ["!!binary aGk=", "!!timestamp 2001-12-14", "!!set {a}", "!custom x", "!!omap []"]
)
def test_other_tags_are_refused(tagged: str) -> None:
    doc = read_text(f"a: {tagged}\n", "t.yaml")
    assert rules(doc.problems) == [("yaml-syntax", 1, 4)]


def billion_laughs(levels: int = 10) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_in_well_under_a_second() -> None:
    text = billion_laughs()
    started = time.perf_counter()
    doc = read_text(text, "bomb.yaml")
    elapsed = time.perf_counter() - started
    assert rules(doc.problems) == [("yaml-limits", 5, 10)]
    assert doc.data is None
    assert elapsed < 1.0


def test_validating_a_billion_laughs_file_costs_under_a_second(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(
        "schema: branchwise/v1\ntags:\n  - " + billion_laughs(9).replace("\n", "\n  - ")
    )
    started = time.perf_counter()
    problems = validate_paths([bomb])
    assert time.perf_counter() - started < 1.0
    assert [p.rule for p in problems] == ["yaml-limits"]


def test_too_many_aliases_are_refused() -> None:
    text = "a: &x 1\n" + "".join(f"k{i}: *x\n" for i in range(101))
    doc = read_text(text, "t.yaml")
    assert rules(doc.problems) == [("yaml-limits", 102, 7)]


def test_a_few_aliases_are_fine_and_share_their_value() -> None:
    doc = read_text("base: &b {label: Yes}\ncopy: *b\n", "t.yaml")
    assert doc.problems == []
    assert doc.data["copy"] == {"label": "Yes"}


def test_aliases_may_repeat_as_much_text_as_the_file_holds_and_64_kib_more() -> None:
    body = "x" * 100_000
    text = f"a: &body {body}\n" + "".join(f"k{i}: *body\n" for i in range(2))
    doc = read_text(text, "t.yaml")
    [problem] = doc.problems
    assert (problem.rule, problem.line, problem.column) == ("yaml-limits", 3, 5)
    assert problem.message == (
        "aliases repeat 200,000 characters of text by here, more than the file holds plus "
        "65,536 (*body repeats 100,000)"
    )
    assert doc.data is None
    nested = f"a: &n {{t: [{body}, {body}], k: v}}\nb: *n\nc: *n\n"
    assert rules(read_text(nested, "t.yaml").problems) == [("yaml-limits", 3, 4)]
    assert read_text(text[: text.rindex("k1")], "t.yaml").problems == []
    small = "a: &s {label: Yes, goto: b}\n" + "".join(f"k{i}: *s\n" for i in range(100))
    assert read_text(small, "t.yaml").problems == []


def test_an_alias_without_anchor_is_a_syntax_error() -> None:
    doc = read_text("a: *nowhere\n", "t.yaml")
    assert rules(doc.problems) == [("yaml-syntax", 1, 4)]


@pytest.mark.parametrize("style", ["block", "flow"])
def test_ten_thousand_deep_nesting_is_refused_quickly(style: str) -> None:
    depth = 10_000
    if style == "flow":
        text = "a: " + "[" * depth + "]" * depth + "\n"
    else:
        text = "".join(" " * i + "-\n" for i in range(depth))
    started = time.perf_counter()
    doc = read_text(text, "deep.yaml", Limits(max_bytes=100_000_000))
    assert time.perf_counter() - started < 1.0
    assert [p.rule for p in doc.problems] == ["yaml-limits"]
    assert doc.data is None


def test_nesting_at_the_limit_is_read() -> None:
    text = "a: " + "[" * 63 + "]" * 63 + "\n"
    doc = read_text(text, "t.yaml")
    assert doc.problems == []
    assert rules(read_text("a: " + "[" * 64 + "]" * 64, "t.yaml").problems) == [
        ("yaml-limits", 1, 67)
    ]


def test_size_limit_is_checked_before_parsing() -> None:
    raw = b"a: [" + b"1, " * 1000 + b"]\n"
    doc = read_bytes(raw, "big.yaml", Limits(max_bytes=1000))
    assert doc.data is None
    assert rules(doc.problems) == [("yaml-limits", 1, 1)]
    assert "over the limit of 1,000" in doc.problems[0].message
    assert read_text(raw.decode(), "big.yaml", Limits(max_bytes=1000)).problems == doc.problems


def test_the_default_size_limit_is_two_mebibytes() -> None:
    assert Limits().max_bytes == 2 * 1024 * 1024


def test_bytes_that_are_not_utf8_are_reported_at_their_line() -> None:
    doc = read_bytes(b"a: 1\nb: caf\xe9\n", "latin1.yaml")
    assert doc.data is None
    assert rules(doc.problems) == [("yaml-syntax", 2, 1)]
    assert "UTF-8" in doc.problems[0].message


def test_a_lone_surrogate_in_text_is_reported_not_raised() -> None:
    doc = read_text("a: 1\nb: x\ud800\n", "t.yaml")
    assert rules(doc.problems) == [("yaml-syntax", 2, 5)]


def test_control_characters_are_reported_at_their_position() -> None:
    doc = read_text("a: café\nb: x\x07\n", "t.yaml")
    assert rules(doc.problems) == [("yaml-syntax", 2, 5)]
    assert "U+0007" in doc.problems[0].message
    assert "\n" not in doc.problems[0].message


def test_a_bom_is_skipped() -> None:
    assert read_bytes(b"\xef\xbb\xbfa: 1\n", "bom.yaml").data == {"a": 1}
    assert read_text("\ufeffa: 1\n", "bom.yaml").data == {"a": 1}


def test_a_second_document_is_refused() -> None:
    doc = read_text("a: 1\n---\nb: 2\n", "two.yaml")
    assert doc.data is None
    assert rules(doc.problems) == [("yaml-syntax", 2, 1)]


def test_an_empty_file_reads_as_nothing() -> None:
    for text in ("", "# only a comment\n", "---\n"):
        doc = read_text(text, "empty.yaml")
        assert doc.data is None and doc.problems == []


def test_duplicate_keys_are_reported_at_the_second_key_and_not_merged() -> None:
    text = "nodes:\n  a: {type: step}\n  b: {}\n  a: {type: outcome}\n"
    doc = read_text(text, "dup.yaml")
    assert rules(doc.problems) == [("duplicate-key", 4, 3)]
    assert "line 2" in doc.problems[0].message
    assert doc.problems[0].node == "a"
    assert doc.data["nodes"]["a"] == {"type": "step"}


def test_duplicate_keys_in_flow_mappings_are_found_too() -> None:
    doc = read_text("a: {x: 1, y: 2, x: 3}\n", "dup.yaml")
    assert rules(doc.problems) == [("duplicate-key", 1, 17)]


def test_a_mapping_as_key_is_refused() -> None:
    doc = read_text("? [a, b]\n: 1\n", "t.yaml")
    assert rules(doc.problems) == [("yaml-syntax", 1, 3)]


def test_an_unclosed_quote_is_reported_where_it_opens() -> None:
    doc = read_text("a: 1\ntitle: 'never closed\nb: 2\n", "t.yaml")
    assert rules(doc.problems) == [("yaml-syntax", 2, 8)]


def test_syntax_errors_point_at_the_problem() -> None:
    doc = read_text("a:\n  b: 1\n c: 2\n", "t.yaml")
    assert doc.data is None
    [problem] = doc.problems
    assert (problem.rule, problem.line) == ("yaml-syntax", 3)


def test_positions_of_keys_and_values() -> None:
    doc = read_text("nodes:\n  ask:\n    choices:\n      - {label: x, goto: y}\n", "t.yaml")
    data = doc.data
    assert isinstance(data, MarkedDict)
    assert position_of(data, ("nodes", "ask"), key=True) == (2, 3)
    assert position_of(data, ("nodes", "ask", "choices", 0, "goto")) == (4, 26)
    assert position_of(data, ("nodes", "ask", "choices", 0, "goto"), key=True) == (4, 20)
    # A path that goes past what exists answers for the deepest part found.
    assert position_of(data, ("nodes", "ask", "missing", 3)) == (3, 5)
    assert position_of(data, ()) == (1, 1)


def test_an_unreadable_file_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    doc = read_file(tmp_path / "absent.yaml")
    assert doc.data is None
    assert [p.rule for p in doc.problems] == ["yaml-syntax"]
    assert "cannot read" in doc.problems[0].message


def test_reading_never_recurses() -> None:
    # Deep input within the limit must not lean on the interpreter's stack.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(120)
    try:
        doc = read_text("a: " + "[" * 60 + "]" * 60, "t.yaml")
    finally:
        sys.setrecursionlimit(limit)
    assert doc.problems == []


def test_a_clean_tree_is_read_once_and_keeps_no_marks(registry: Registry) -> None:
    text = (Path(__file__).resolve().parent.parent / "data/valid/every-node-type.yaml").read_text()
    doc = read_text(text, "t.yaml")
    checked = check_document(doc, registry, frozenset({"tests/shipping-guide"}))
    assert checked.problems == []
    assert isinstance(doc.data, MarkedDict) and doc.data.source is not None
    # Positions are worked out only for a problem to point at; a clean tree never needs them.
    assert doc.data.source.marked is None
    assert type(doc.data["nodes"]) is dict
    assert position_of(doc.data, ("nodes", "welcome", "next")) == (21, 11)
    assert doc.data.source.marked is not None


def test_a_duplicate_key_in_a_lean_read_still_names_the_first_line() -> None:
    doc = read_text("a:\n  b: 1\n  c: 2\n  b: 3\n", "t.yaml")
    assert [(p.line, p.column, "line 2" in p.message) for p in doc.problems] == [(4, 3, True)]
    assert doc.data == {"a": {"b": 1, "c": 2}}


# Files that are not plain files, or far too big: refused before any byte is read.


def test_a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "tree.yaml"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(FileRefused, match="not a regular file \\(a FIFO\\)"):
        read_regular_file(fifo, 1000)
    assert time.monotonic() - started < 2
    doc = read_file(fifo)
    assert rules(doc.problems) == [("yaml-syntax", 1, 1)]
    assert doc.problems[0].message == "cannot read: not a regular file (a FIFO)"


def test_a_device_and_a_directory_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match="a device"):
        read_regular_file(Path("/dev/zero"), 1000)
    with pytest.raises(FileRefused, match="a directory"):
        read_regular_file(tmp_path, 1000)


def test_a_huge_sparse_file_is_refused_by_its_size_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(3 * 1024**3)
    started = time.monotonic()
    doc = read_file(huge)
    assert time.monotonic() - started < 1
    assert rules(doc.problems) == [("yaml-limits", 1, 1)]
    assert doc.problems[0].message == "the file is 3,221,225,472 bytes, over the limit of 2,097,152"


def test_a_file_within_the_limit_is_read_whole(tmp_path: Path) -> None:
    small = tmp_path / "small.yaml"
    small.write_bytes(b"a: 1\n")
    assert read_regular_file(small, 5) == b"a: 1\n"
    with pytest.raises(FileRefused) as refused:
        read_regular_file(small, 4)
    assert refused.value.size == 5
