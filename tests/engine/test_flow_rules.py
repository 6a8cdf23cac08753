"""Which paths leave a variable unset: the analysis behind the unset-variable warning."""

from __future__ import annotations

from typing import Any

from engine.lint.flow_rules import Paths, may_flows
from engine.tree.builder import build_tree


def tree(nodes: dict[str, Any], start: str = "a") -> Any:
    return build_tree({"id": "t/t", "start": start, "nodes": nodes})


def outcome() -> dict[str, Any]:
    return {"type": "outcome", "status": "resolved", "title": "End"}


def test_a_variable_set_on_every_path_is_never_sometimes_unset() -> None:
    built = tree(
        {
            "a": {"type": "input", "title": "A", "var": "x", "next": "b"},
            "b": {"type": "step", "title": "B", "next": "c"},
            "c": outcome(),
        }
    )
    paths = Paths(built, "x")
    assert not any(paths.sometimes_unset(n) for n in ("a", "b", "c"))


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
    paths = Paths(built, "x")
    assert paths.sometimes_unset("b")
    assert paths.unset_path("b") == ["a", "b"]
    assert not paths.sometimes_unset("ask")  # set on no path there: not "some paths"


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
    paths = Paths(built, "x")
    assert paths.sometimes_unset("a")
    assert paths.unset_path("a") == ["a"]
    assert not paths.sometimes_unset("end")


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
        paths = Paths(built, name)
        for node_id in built.nodes:
            both = bool(unset.get(node_id, 0) & set_.get(node_id, 0) & bit)
            assert both is paths.sometimes_unset(node_id), (name, node_id)
