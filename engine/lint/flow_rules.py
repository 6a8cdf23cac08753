"""Rules on what a walk carries from node to node: a variable read where a path left it unset."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from engine.lint.context import LintContext
from engine.lint.reference_rules import references, template_position
from engine.lint.registry import rule
from engine.tree.model import (
    Action,
    Input,
    Link,
    Node,
    Question,
    Step,
    Tree,
    defined_variables,
)
from engine.tree.problems import Problem


@dataclass(frozen=True, slots=True)
class Edge:
    """A way from one node to another, with the variables taking it sets."""

    target: str
    sets: frozenset[str] = frozenset()


def edges(node: Node) -> Iterator[Edge]:
    """The ways out of a node: an input sets its variable, a choice its `set`, an action's routes
    its `save_as` (not `on_error`: a failed call saves nothing)."""
    if isinstance(node, Input):
        yield Edge(node.next, frozenset({node.var}))
    elif isinstance(node, Question):
        for choice in node.choices:
            yield Edge(choice.goto, frozenset(choice.set))
    elif isinstance(node, Action):
        saved = frozenset({node.action.save_as} if node.action.save_as else ())
        for route in node.routes:
            yield Edge(route.goto, saved)
        if node.on_error:
            yield Edge(node.on_error)
    elif isinstance(node, (Step, Link)) and node.next:
        yield Edge(node.next)


class Paths:
    """For one variable, the nodes a walk can reach without it set, each with the node before
    it on such a path: a path that leaves it unset (what a warning names)."""

    def __init__(self, tree: Tree, name: str) -> None:
        self.unset_from: dict[str, str | None] = {}  # node -> the node before it, unset
        if tree.start not in tree.nodes:
            return
        self.unset_from[tree.start] = None
        queue = deque([tree.start])
        while queue:
            node_id = queue.popleft()
            for edge in edges(tree.nodes[node_id]):
                fresh = edge.target in tree.nodes and edge.target not in self.unset_from
                if fresh and name not in edge.sets:
                    self.unset_from[edge.target] = node_id
                    queue.append(edge.target)

    def unset_path(self, node_id: str) -> list[str]:
        """A path from the start to the node on which the variable is never set."""
        path: list[str] = []
        step: str | None = node_id
        while step is not None:
            path.append(step)
            step = self.unset_from[step]
        return path[::-1]


def may_flows(tree: Tree, bits: Mapping[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """For each node reached from the start, two masks of the variables' bits: those some path
    there leaves unset, and those some path there sets. All variables at once, as bits of an int,
    so a tree of a hundred variables costs one pass rather than a hundred."""
    out = {
        node_id: [(e.target, _mask(e.sets, bits)) for e in edges(node) if e.target in tree.nodes]
        for node_id, node in tree.nodes.items()
    }
    unset, set_ = {tree.start: sum(bits.values())}, {tree.start: 0}
    queue = deque([tree.start])
    while queue:
        node_id = queue.popleft()
        here_unset, here_set = unset[node_id], set_[node_id]
        for target, sets in out[node_id]:
            new_unset = unset.get(target, 0) | (here_unset & ~sets)
            new_set = set_.get(target, 0) | here_set | sets
            if target not in unset or (new_unset, new_set) != (unset[target], set_[target]):
                unset[target], set_[target] = new_unset, new_set
                queue.append(target)
    return unset, set_


def _mask(names: frozenset[str], bits: Mapping[str, int]) -> int:
    return sum(bits[name] for name in names if name in bits)


@rule("unset-variable")
def unset_variable(ctx: LintContext) -> Iterator[Problem]:
    if ctx.tree.start not in ctx.tree.nodes:
        return
    reads = list(_reads(ctx))
    # Only variables read somewhere get a bit: a tree of thousands of inputs nobody reads back
    # costs nothing here.
    read = sorted({root for _node, root, *_ in reads})
    if not read:
        return
    bits = {name: 1 << i for i, name in enumerate(read)}
    unset, set_ = may_flows(ctx.tree, bits)
    paths: dict[str, Paths] = {}
    for node_id, root, name, where, k in reads:
        if not unset.get(node_id, 0) & set_.get(node_id, 0) & bits[root]:
            continue
        found = paths.get(root)
        if found is None:  # two graph walks: once per linked tree, not once per warning
            found = paths[root] = Paths(ctx.tree, root)
        pos = ctx.node_at(node_id, *where)
        if k is not None:
            pos = template_position(ctx, pos, name, k)
        message = (
            f"variable {root!r} is set on some paths to node {node_id!r} but not on "
            f"all: not on {' → '.join(found.unset_path(node_id))}"
        )
        yield ctx.warning(pos, "unset-variable", message, node_id)


Read = tuple[str, str, str, tuple[str | int, ...], int | None]


def _reads(ctx: LintContext) -> Iterator[Read]:
    """(node, variable, name as written, where, k) of each read of a variable the walk sets on
    its way; declared variables come with a default or from --var, before the walk starts."""
    raw_nodes = ctx.data.get("nodes")
    if not isinstance(raw_nodes, Mapping):
        return
    settable = defined_variables(ctx.tree) - set(ctx.tree.variables)
    for node_id, raw in raw_nodes.items():
        node = ctx.tree.nodes.get(node_id)
        if node is None or not isinstance(raw, Mapping):
            continue
        for name, where, k in references(raw):
            root = name.split(".", 1)[0]
            if root in settable and not _read_after_saving(node, root, where):
                yield node_id, root, name, where, k


def _read_after_saving(node: Node, name: str, where: tuple[str | int, ...]) -> bool:
    """Whether the read is a route's condition of the action that saves the variable: routes
    are chosen once its result is saved."""
    return isinstance(node, Action) and node.action.save_as == name and where[0] == "routes"
