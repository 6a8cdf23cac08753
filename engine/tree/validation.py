"""Validation from disk to problems: read, check the schema, build, lint; files and libraries."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.actions.registry import Registry
from engine.files import SCENARIO_SUFFIX, is_tree_file
from engine.library.schema_cache import SchemaCache
from engine.lint import LintContext, lint
from engine.tree.builder import build_tree
from engine.tree.checker import check_schema
from engine.tree.model import Tree
from engine.tree.problems import Problem, error
from engine.tree.reader import Document, Limits, position_of, read_file


@dataclass
class Checked:
    """One file after validation: its document, its tree (when it could be built), its problems."""

    doc: Document
    tree: Tree | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.tree is not None and not any(p.is_error for p in self.problems)


def tree_files(paths: Iterable[Path]) -> list[Path]:
    """Tree files under the given files and directories, recursively, in a stable order.

    A file named twice (itself and through its directory) is checked once, or it would clash
    with its own id; a scenario file is skipped even when named, as a shell glob would name it.
    """
    found: dict[Path, Path] = {}
    for path in paths:
        if _is_dir(path):
            listed = sorted(p for p in path.rglob("*.yaml") if _is_file(p) and is_tree_file(p))
        else:
            listed = [] if path.name.endswith(SCENARIO_SUFFIX) else [path]
        for file in listed:
            # realpath, unlike Path.resolve, does not raise on a symlink loop.
            found.setdefault(Path(os.path.realpath(file)), file)
    return list(found.values())


def _is_file(path: Path) -> bool:
    """Whether a listed path is a file; one that cannot be looked at is kept, so reading it
    reports why."""
    try:
        return path.is_file()
    except OSError:
        return True


def _is_dir(path: Path) -> bool:
    """Whether a path is a directory; one that cannot be looked at is taken as a file, so
    reading it reports why."""
    try:
        return path.is_dir()
    except OSError:
        return False


def check_document(
    doc: Document,
    registry: Registry | None = None,
    known_trees: frozenset[str] | None = None,
    cache: SchemaCache | None = None,
) -> Checked:
    """Schema, build and lint for one document already read."""
    checked = Checked(doc, None, list(doc.problems))
    if not doc.readable:
        return checked
    schema_problems = cache.check(doc) if cache is not None else check_schema(doc.data, doc.path)
    checked.problems.extend(schema_problems)
    if not isinstance(doc.data, dict):
        return checked
    tree = build_tree(doc.data, doc.path, doc.sha256)
    checked.tree = tree
    ctx = LintContext(doc.path, doc.data, tree, registry, known_trees)
    checked.problems.extend(lint(ctx))
    return checked


def check_file(
    path: Path,
    registry: Registry | None = None,
    known_trees: frozenset[str] | None = None,
    cache: SchemaCache | None = None,
    limits: Limits | None = None,
) -> Checked:
    """Read and check one tree file."""
    return check_document(read_file(path, limits), registry, known_trees, cache)


def duplicate_ids(checked: Sequence[Checked]) -> list[Problem]:
    """A `duplicate-tree-id` problem for each file whose id an earlier file already has."""
    first: dict[str, str] = {}
    problems = []
    for item in checked:
        if item.tree is None or not item.tree.id:
            continue
        tree_id = item.tree.id
        if tree_id in first:
            problems.append(
                error(
                    item.doc.path,
                    position_of(item.doc.data, ("id",)),
                    "duplicate-tree-id",
                    f"tree id {tree_id!r} is already used by {first[tree_id]}",
                )
            )
        else:
            first[tree_id] = item.doc.path
    return problems


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems by file, line and column, as a person reads them."""
    return sorted(problems, key=lambda p: (p.path, p.line, p.column, p.rule, p.message))


def validate_paths(
    paths: Sequence[Path],
    registry: Registry | None = None,
    library_ids: frozenset[str] = frozenset(),
    limits: Limits | None = None,
) -> list[Problem]:
    """Every problem in the trees under the given paths, sorted; a broken file stops nothing."""
    checked = [read_file(path, limits) for path in tree_files(paths)]
    ids = {
        doc.data["id"]
        for doc in checked
        if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str)
    }
    known = library_ids | frozenset(ids)
    results = [check_document(doc, registry, known) for doc in checked]
    problems = [p for result in results for p in result.problems]
    return sort_problems([*problems, *duplicate_ids(results)])
