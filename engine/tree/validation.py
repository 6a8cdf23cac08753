"""Validation from disk to problems: read, check the schema, build, lint; files and libraries."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.actions.registry import Registry
from engine.files import SCENARIO_SUFFIX, holds_a_tree, is_tree_file, names_tree_keys, read_head
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


def is_tree(doc: Document, file: Path) -> bool:
    """Whether a file read is a tree (SPEC 1); one that could not be read is when its text names
    a tree's top-level keys, or when none of it can be read (so the reason is reported)."""
    if doc.readable:
        return holds_a_tree(doc.data)
    text = doc.text or read_head(file)
    return text is None or names_tree_keys(text)


def linked_ids(data: Any) -> set[str]:
    """The ids of the trees a tree file's data links to."""
    nodes = data.get("nodes") if isinstance(data, Mapping) else None
    if not isinstance(nodes, Mapping):
        return set()
    return {
        node["tree"]
        for node in nodes.values()
        if isinstance(node, Mapping)
        and node.get("type") == "link"
        and isinstance(node.get("tree"), str)
    }


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
    rejected = frozenset(p.node for p in schema_problems if p.node is not None)
    ctx = LintContext(doc.path, doc.data, tree, registry, known_trees, rejected)
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


@dataclass(frozen=True)
class Validation:
    """What validating some paths found: the problems, sorted; how many trees were checked and
    how many other YAML files were skipped."""

    problems: list[Problem]
    trees: int
    skipped: int


def validate_paths(
    paths: Sequence[Path],
    registry: Registry | None = None,
    library_ids: frozenset[str] = frozenset(),
    limits: Limits | None = None,
) -> list[Problem]:
    """Every problem in the trees under the given paths, sorted; a broken file stops nothing."""
    return validate_trees(paths, registry, library_ids, limits).problems


def validate_trees(
    paths: Sequence[Path],
    registry: Registry | None = None,
    library_ids: frozenset[str] = frozenset(),
    limits: Limits | None = None,
    beside: Callable[[list[Path]], frozenset[str]] | None = None,
) -> Validation:
    """The problems of the trees under the given paths; YAML files that are no tree are skipped.

    `beside` gives the ids of the trees in the folders of files named on their own, asked only
    when a link names a tree found nowhere else.
    """
    files = tree_files(paths)
    read = ((file, read_file(file, limits)) for file in files)
    checked = [doc for file, doc in read if is_tree(doc, file)]
    ids = {
        doc.data["id"]
        for doc in checked
        if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str)
    }
    known = library_ids | frozenset(ids)
    named = [path for path in paths if not _is_dir(path)]
    links = set().union(*(linked_ids(doc.data) for doc in checked))
    if beside is not None and named and not links <= known:
        known |= beside(named)
    results = [check_document(doc, registry, known) for doc in checked]
    problems = [p for result in results for p in result.problems]
    found = sort_problems([*problems, *duplicate_ids(results)])
    return Validation(found, len(checked), len(files) - len(checked))
