"""What a lint rule may look at: the file's marked data, the built tree and the world around it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from engine.actions.registry import Registry
from engine.tree.model import Node, Tree
from engine.tree.problems import Problem, error, warning
from engine.tree.reader import position_of


@dataclass(frozen=True)
class LintContext:
    """One tree under lint. `registry` and `known_trees` are None when not checked."""

    path: str
    data: Any
    tree: Tree
    registry: Registry | None = None
    known_trees: frozenset[str] | None = None
    # Nodes the schema rejected: a problem that only follows from one (a node after it "not
    # reached", a variable it would have set "not defined") is not reported beside it.
    rejected: frozenset[str] = frozenset()

    @cached_property
    def guesses(self) -> Mapping[str, frozenset[str]]:
        """For each rejected node, every text its data holds: the names it may have meant (node
        ids it would go to, variables it would set) under a misspelled or misplaced field."""
        nodes = self.data.get("nodes") if isinstance(self.data, Mapping) else None
        raw = nodes if isinstance(nodes, Mapping) else {}
        return {node_id: frozenset(_texts_in(raw.get(node_id))) for node_id in self.rejected}

    @cached_property
    def rejected_texts(self) -> frozenset[str]:
        """Every text of every rejected node."""
        return frozenset().union(*self.guesses.values())

    def at(self, *where: Any, key: bool = False) -> tuple[int, int]:
        return position_of(self.data, where, key=key)

    def node_at(self, node_id: str, *where: Any, key: bool = False) -> tuple[int, int]:
        return self.at("nodes", node_id, *where, key=key)

    def error(
        self, pos: tuple[int, int], rule: str, message: str, node: str | None = None
    ) -> Problem:
        return error(self.path, pos, rule, message, node)

    def warning(
        self, pos: tuple[int, int], rule: str, message: str, node: str | None = None
    ) -> Problem:
        return warning(self.path, pos, rule, message, node)

    def nodes(self) -> Iterator[Node]:
        return iter(self.tree.nodes.values())


def _texts_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _texts_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts_in(item)
