"""What a lint rule may look at: the file's marked data, the built tree and the world around it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
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
