"""Which nodes a walk can reach from where, and from which ones it can still finish."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

from engine.tree.model import Link, Outcome, Tree


def reachable(
    tree: Tree, start: str, guessed: Mapping[str, Iterable[str]] | None = None
) -> set[str]:
    """Every node id a walk from `start` can reach, `start` included (missing ids skipped);
    `guessed` adds the targets a node the schema rejected may have meant."""
    if start not in tree.nodes:
        return set()
    seen = {start}
    queue = deque([start])
    extra = guessed or {}
    while queue:
        node_id = queue.popleft()
        for target in (*tree.nodes[node_id].targets(), *extra.get(node_id, ())):
            if target in tree.nodes and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def finishing(tree: Tree, assumed: Iterable[str] = ()) -> set[str]:
    """Every node from which some path ends the walk.

    Outcomes end it, and so does a link without `next` (it ends on the linked tree's outcome). A
    node with a target that does not exist counts as finishing: that is reported once, as a
    missing target, not again at every node before it; so do the `assumed` nodes (those the
    schema rejected, whose way on is unknown).
    """
    assumed = set(assumed)
    predecessors: dict[str, list[str]] = {node_id: [] for node_id in tree.nodes}
    ends: list[str] = []
    for node_id, node in tree.nodes.items():
        targets = node.targets()
        ends_here = isinstance(node, Outcome) or (isinstance(node, Link) and not node.next)
        if ends_here or node_id in assumed or any(t not in tree.nodes for t in targets):
            ends.append(node_id)
        for target in targets:
            if target in predecessors:
                predecessors[target].append(node_id)
    return _walk_back(ends, predecessors)


def _walk_back(ends: Iterable[str], predecessors: dict[str, list[str]]) -> set[str]:
    seen = set(ends)
    queue = deque(seen)
    while queue:
        for before in predecessors[queue.popleft()]:
            if before not in seen:
                seen.add(before)
                queue.append(before)
    return seen
