"""Rules on the tree's graph: every target exists, every node is reached and can finish."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from engine.lint.context import LintContext
from engine.lint.registry import rule
from engine.tree.model import Action, Input, Link, Node, Question, Step
from engine.tree.problems import Problem
from engine.tree.reachability import finishing, reachable
from engine.tree.suggestions import did_you_mean

Where = tuple[str | int, ...]


def exits(node: Node) -> Iterator[tuple[str, Where]]:
    """Each target a node names, with where in the node it is written."""
    if isinstance(node, (Step, Input)) or (isinstance(node, Link) and node.next):
        yield node.next or "", ("next",)
    elif isinstance(node, Question):
        for i, choice in enumerate(node.choices):
            yield choice.goto, ("choices", i, "goto")
    elif isinstance(node, Action):
        for i, route in enumerate(node.routes):
            yield route.goto, ("routes", i, "goto")
        if node.on_error:
            yield node.on_error, ("on_error",)


@rule("missing-target")
def missing_target(ctx: LintContext) -> Iterator[Problem]:
    nodes = ctx.tree.nodes
    # Without a mapping of nodes (the schema says so), no start could be found in it.
    has_nodes = isinstance(ctx.data.get("nodes"), Mapping)
    if ctx.tree.start and ctx.tree.start not in nodes and has_nodes:
        message = _missing("start", ctx.tree.start) + did_you_mean(ctx.tree.start, nodes)
        yield ctx.error(ctx.at("start"), "missing-target", message)
    for node in ctx.nodes():
        for target, where in exits(node):
            if target and target not in nodes:
                field = "on_error" if where[0] == "on_error" else str(where[-1])
                pos = ctx.node_at(node.id, *where)
                message = _missing(field, target) + did_you_mean(target, nodes)
                yield ctx.error(pos, "missing-target", message, node.id)


def _missing(field: str, target: str) -> str:
    return f"'{field}' names node {target!r}, which does not exist"


@rule("no-outcome")
def no_outcome(ctx: LintContext) -> Iterator[Problem]:
    can_finish = finishing(ctx.tree, ctx.rejected)
    for node_id in ctx.tree.nodes:
        if node_id not in can_finish:
            yield ctx.error(
                ctx.node_at(node_id, key=True),
                "no-outcome",
                f"from node {node_id!r} no outcome can be reached (a trap or a cycle without exit)",
                node_id,
            )


@rule("unreachable")
def unreachable(ctx: LintContext) -> Iterator[Problem]:
    if ctx.tree.start not in ctx.tree.nodes:
        return
    reached = reachable(ctx.tree, ctx.tree.start, ctx.guesses)
    for node_id in ctx.tree.nodes:
        if node_id not in reached:
            yield ctx.warning(
                ctx.node_at(node_id, key=True),
                "unreachable",
                f"no path from start {ctx.tree.start!r} reaches node {node_id!r}",
                node_id,
            )
