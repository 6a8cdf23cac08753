"""Starter scenarios: one per outcome along the shortest path, so an author starts covered."""

from __future__ import annotations

import re
import re._parser as _parser  # type: ignore[import-not-found]
from collections import deque
from dataclasses import dataclass
from typing import Any

import yaml

from engine.answers import CONTINUE, check_input
from engine.model import Action, Input, Node, Outcome, Question, Step, Tree

# Values tried, in order, for an input whose pattern or kind must be satisfied.
_SAMPLES = ("1001", "ABC-123", "user@example.com", "42", "yes", "sample text", "a")


@dataclass(frozen=True)
class _Edge:
    answer: str
    target: str


def sample_value(node: Input) -> str | None:
    """A value the input accepts, or None when neither a sample nor its pattern gives one."""
    candidates = list(_SAMPLES)
    if node.pattern:
        candidates.insert(0, sample_for_pattern(node.pattern))
    for sample in candidates:
        if sample and check_input(node, sample).ok:
            return sample
    return None


def sample_for_pattern(pattern: str) -> str:
    """A short text the regular expression matches, for the common constructs ('' if unsure)."""
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError):
        return ""
    return str(_sample(parsed.data if hasattr(parsed, "data") else list(parsed)))


def _sample(items: Any) -> str:
    return "".join(_sample_item(op, arg) for op, arg in items)


def _sample_item(op: Any, arg: Any) -> str:
    name = str(op)
    if name == "LITERAL":
        return chr(arg)
    if name == "ANY":
        return "a"
    if name == "IN":
        return _sample_class(arg)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, _high, body = arg
        return str(_sample(body)) * max(int(low), 1)
    if name == "SUBPATTERN":
        return _sample(arg[-1])
    if name == "BRANCH":
        return _sample(arg[1][0])
    return ""  # anchors and lookarounds take no characters


def _sample_class(items: Any) -> str:
    negated = any(str(op) == "NEGATE" for op, _ in items)
    if negated:
        return "x"
    for op, arg in items:
        kind = str(op)
        if kind == "LITERAL":
            return chr(arg)
        if kind == "RANGE":
            return chr(arg[0])
        if kind == "CATEGORY":
            return {"CATEGORY_DIGIT": "1", "CATEGORY_SPACE": " "}.get(str(arg), "a")
    return "a"


def _edges(node: Node) -> list[_Edge]:
    if isinstance(node, Step):
        return [_Edge(CONTINUE, node.next)]
    if isinstance(node, Question):
        return [_Edge(c.label, c.goto) for c in node.choices]
    if isinstance(node, Input):
        value = sample_value(node)
        return [_Edge(value if value is not None else "FILL-IN", node.next)]
    if isinstance(node, Action):
        return [_Edge(r.label, r.goto) for r in node.routes]
    return []


def shortest_answers(tree: Tree) -> dict[str, list[str]]:
    """For each reachable outcome, the answers of a shortest walk there (actions by hand)."""
    found: dict[str, list[str]] = {}
    queue: deque[tuple[str, list[str], list[str]]] = deque([(tree.start, [tree.start], [])])
    seen = {tree.start}
    while queue:
        node_id, path, answers = queue.popleft()
        node = tree.nodes.get(node_id)
        if isinstance(node, Outcome):
            found.setdefault(node_id, answers)
            continue
        for edge in _edges(node) if node is not None else []:
            if edge.target in tree.nodes and edge.target not in seen:
                seen.add(edge.target)
                queue.append((edge.target, [*path, edge.target], [*answers, edge.answer]))
    return found


def starter_scenarios(tree: Tree) -> str:
    """A scenario file (YAML text) with one scenario per outcome reachable by hand."""
    scenarios: list[dict[str, Any]] = []
    for outcome_id, answers in shortest_answers(tree).items():
        node = tree.nodes[outcome_id]
        assert isinstance(node, Outcome)
        scenarios.append(
            {
                "name": f"reaches {outcome_id}",
                "answers": answers,
                "expect": {"outcome": outcome_id, "status": node.status},
            }
        )
    body = yaml.safe_dump(
        {"tree": tree.id, "scenarios": scenarios}, sort_keys=False, allow_unicode=True, width=100
    )
    header = (
        f"# Scenarios for {tree.id}: one per outcome, along the shortest path, actions by hand.\n"
        "# Add `actions: {NAME: {...}}` to stub results, and scenarios for the branches that\n"
        "# `branchwise test` lists as not taken.\n"
    )
    if "FILL-IN" in body:
        header += "# FILL-IN marks an input whose pattern no sample value matched: write one.\n"
    return header + re.sub(r"\n(?=- name:)", "\n\n", body)
