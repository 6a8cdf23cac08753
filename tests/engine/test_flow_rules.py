"""Which paths leave a variable unset: the analysis behind the unset-variable warning."""

from __future__ import annotations

from collections import deque
from typing import Any

from engine.lint.flow_rules import Paths, edges, may_flows
from engine.tree.builder import build_tree


def tree(nodes: dict[str, Any], start: str = "a") -> Any:
    return build_tree({"id": "t/t", "start": start, "nodes": nodes})


def outcome() -> dict[str, Any]:
    return {"type": "outcome", "status": "resolved", "title": "End"}


def sometimes_unset(built: Any, name: str) -> set[str]:
    """The nodes the warning's analysis (every variable at once) finds the variable set on some
    paths to and unset on others."""
    unset, set_ = may_flows(built, {name: 1})
    return {node for node in built.nodes if unset.get(node, 0) & set_.get(node, 0)}


def one_at_a_time(built: Any, name: str) -> set[str]:
    """The same found by two plain graph walks for one variable: the nodes reached without it
    set (Paths), and those reached after a way that sets it."""
    unset_from = Paths(built, name).unset_from
    queue = deque(
        edge.target
        for node_id in unset_from
        for edge in edges(built.nodes[node_id])
        if name in edge.sets and edge.target in built.nodes
    )
    set_at = set(queue)
    while queue:
        for edge in edges(built.nodes[queue.popleft()]):
            if edge.target in built.nodes and edge.target not in set_at:
                set_at.add(edge.target)
                queue.append(edge.target)
    return set_at & set(unset_from)


def test_a_variable_set_on_every_path_is_never_sometimes_unset() -> None:
    built = tree(
        {
            "a": {"type": "input", "title": "A", "var": "x", "next": "b"},
            "b": {"type": "step", "title": "B", "next": "c"},
            "c": outcome(),
        }
    )
    assert not sometimes_unset(built, "x") & {"a", "b", "c"}


def test_one_branch_that_skips_the_input_names_that_branch() -> None:
    built = tree(
        {
            "a": {
                "type": "question",
                "title": "A",
                "choices": [{"label": "ask", "goto": "ask"}, {"label": "skip", "goto": "b"}],
            },
            "ask": {"type": "input", "title": "Ask", "var": "x", "next": "b"},
            "b": outcome(),
        }
    )
    assert "b" in sometimes_unset(built, "x")
    assert Paths(built, "x").unset_path("b") == ["a", "b"]
    assert "ask" not in sometimes_unset(built, "x")  # set on no path there: not "some paths"


def test_a_loop_back_before_the_input_sets_it_on_some_paths_only() -> None:
    built = tree(
        {
            "a": {"type": "step", "title": "A {{ x }}", "next": "ask"},
            "ask": {"type": "input", "title": "Ask", "var": "x", "next": "again"},
            "again": {
                "type": "question",
                "title": "Again?",
                "choices": [{"label": "yes", "goto": "a"}, {"label": "no", "goto": "end"}],
            },
            "end": outcome(),
        }
    )
    assert "a" in sometimes_unset(built, "x")
    assert Paths(built, "x").unset_path("a") == ["a"]
    assert "end" not in sometimes_unset(built, "x")


def test_a_failed_action_saves_nothing() -> None:
    built = tree(
        {
            "a": {
                "type": "action",
                "title": "Look up",
                "action": {"uses": "x.y", "save_as": "r"},
                "routes": [{"label": "ok", "goto": "b"}],
                "on_error": "b",
            },
            "b": outcome(),
        }
    )
    assert Paths(built, "r").unset_path("b") == ["a", "b"]


def test_all_variables_at_once_agree_with_one_at_a_time() -> None:
    built = tree(
        {
            "a": {
                "type": "question",
                "title": "A",
                "choices": [
                    {"label": "x", "goto": "ask", "set": {"y": 1}},
                    {"label": "skip", "goto": "act"},
                ],
            },
            "ask": {"type": "input", "title": "Ask", "var": "x", "next": "act"},
            "act": {
                "type": "action",
                "title": "Act",
                "action": {"uses": "x.y", "save_as": "r"},
                "routes": [{"label": "again", "goto": "a"}, {"label": "on", "goto": "end"}],
                "on_error": "end",
            },
            "end": outcome(),
        }
    )
    bits = {"x": 1, "y": 2, "r": 4}
    unset, set_ = may_flows(built, bits)
    for name, bit in bits.items():
        reference = one_at_a_time(built, name)
        for node_id in built.nodes:
            both = bool(unset.get(node_id, 0) & set_.get(node_id, 0) & bit)
            assert both is (node_id in reference), (name, node_id)
