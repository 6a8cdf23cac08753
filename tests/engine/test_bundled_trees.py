"""Every bundled tree validates clean, strictly, against the real action registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.actions.catalog import default_registry
from engine.tree.report import format_text
from engine.tree.validation import tree_files, validate_paths

TREES = Path(__file__).resolve().parents[2] / "trees"
SCHEMA_LINE = "# yaml-language-server: $schema="


def bundled() -> list[Path]:
    return tree_files([TREES])


def test_there_are_bundled_trees() -> None:
    assert len(bundled()) >= 3


def test_every_bundled_tree_has_no_problem_at_all() -> None:
    problems = validate_paths([TREES], default_registry())
    # No warning either: `branchwise validate --strict trees/` must pass.
    assert problems == [], format_text(problems)


@pytest.mark.parametrize("path", bundled(), ids=lambda p: p.name)
def test_every_bundled_tree_points_editors_at_the_schema(path: Path) -> None:
    first = path.read_text("utf-8").splitlines()[0]
    assert first.startswith(SCHEMA_LINE)
    schema = (path.parent / first.removeprefix(SCHEMA_LINE)).resolve()
    assert schema == (TREES.parent / "engine" / "schema" / "tree.schema.json").resolve()
