"""Which YAML is a tree: by what its top level holds, or, unreadable, by its top-level keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.files import holds_a_tree, names_tree_keys
from engine.tree.reader import Limits, read_file, read_text
from engine.tree.validation import is_tree


@pytest.mark.parametrize(
    ("data", "tree"),
    [
        ({"schema": "branchwise/v1"}, True),
        ({"start": "a", "nodes": {}}, True),
        ({"start": "a"}, False),
        ({"repos": []}, False),
        ({"on": "push", "jobs": {}}, False),
        (["schema"], False),
        (None, False),
        ("schema: x", False),
    ],
)
def test_holds_a_tree(data: object, tree: bool) -> None:
    assert holds_a_tree(data) is tree


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("schema: branchwise/v1\ntitle: 'open\n", True),
        ("start: a\nnodes:\n  a: {\n", True),
        ("start: a\nsteps: [\n", False),
        ("  schema: nested, not top level\n", False),
        ("settings: {colour: red\n", False),
    ],
)
def test_names_tree_keys(text: str, tree: bool) -> None:
    assert names_tree_keys(text) is tree


def test_an_unreadable_file_is_a_tree_when_its_text_says_so(tmp_path: Path) -> None:
    file = tmp_path / "x.yaml"
    assert is_tree(read_text("schema: branchwise/v1\nid: [a\n", "x.yaml"), file)
    assert not is_tree(read_text("jobs: [a\n", "x.yaml"), file)
    assert not is_tree(read_text("", "x.yaml"), file)


def test_a_file_too_big_to_read_is_told_by_its_head(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("schema: branchwise/v1\n" + "# padding\n" * 100, encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text("openapi: 3.1.0\n" + "# padding\n" * 100, encoding="utf-8")
    small = Limits(max_bytes=100)
    assert is_tree(read_file(big, small), big)
    assert not is_tree(read_file(other, small), other)


def test_a_file_that_cannot_be_opened_is_reported(tmp_path: Path) -> None:
    missing = tmp_path / "gone.yaml"
    assert is_tree(read_file(missing), missing)
