"""Starter scenarios: one per outcome along the shortest path, so an author starts covered."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from engine.errors import BranchwiseError
from engine.tree.model import Action, Input, Link, Node, Outcome, Question, Step, Tree
from engine.walk.answers import CONTINUE, check_input
from engine.walk.conditions import AllOf, AnyOf, Condition, VarTest, holds, variables_of
from engine.walk.pattern_syntax import Alt, Backref, Chars, Group, Part, Ranges, Repeat, Seq, parse

# Values tried, in order, for an input whose pattern or kind must be satisfied.
_SAMPLES = ("1001", "ABC-123", "user@example.com", "42", "yes", "sample text", "a")


@dataclass(frozen=True)
class _Edge:
    answer: str  # an input's value is chosen later, from the conditions on the path after it
    target: str
    when: Condition | None = None
    assigns: frozenset[str] = frozenset()
    through: tuple[str, ...] | None = None  # a link's: the answers given in the linked tree


# The tree a link names, by id; raises BranchwiseError when there is none.
Resolver = Callable[[str], Tree]


def sample_value(node: Input) -> str | None:
    """A value the input accepts, or None when neither a sample nor its pattern gives one."""
    return _first_accepted(node, _base_candidates(node), ())


def value_for(node: Input, conditions: Sequence[Condition]) -> str | None:
    """A value the input accepts that makes every condition on its variable hold, or None."""
    wanted = [c for c in conditions if set(variables_of(c)) == {node.var}]
    if not wanted:
        return sample_value(node)
    texts = list(dict.fromkeys(t for c in wanted for t in _texts_for(c) if t))
    # `matches` searches anywhere in the value, so one value holding every sample fits them all.
    candidates = [" ".join(texts), *texts, *_base_candidates(node)]
    return _first_accepted(node, candidates, wanted)


def _base_candidates(node: Input) -> list[str]:
    pattern = [sample_for_pattern(node.pattern)] if node.pattern else []
    return [*pattern, *_SAMPLES]


def _first_accepted(node: Input, candidates: list[str], wanted: Sequence[Condition]) -> str | None:
    for candidate in candidates:
        checked = check_input(node, candidate) if candidate else None
        if checked and checked.ok and all(holds(c, {node.var: checked.value}) for c in wanted):
            return candidate
    return None


def _texts_for(condition: Condition) -> list[str]:
    """Texts that make a condition hold: a sample of each regex, the value it must equal."""
    if isinstance(condition, AllOf):
        return [text for item in condition.items for text in _texts_for(item)]
    if isinstance(condition, AnyOf):
        return _texts_for(condition.items[0]) if condition.items else []
    if not isinstance(condition, VarTest):
        return []
    if condition.test == "matches" and isinstance(condition.value, str):
        return [sample_for_pattern(condition.value)]
    if condition.test == "equals" and not isinstance(condition.value, bool):
        return [str(condition.value)]
    if condition.test == "in" and condition.value:
        return [str(condition.value[0])]
    return []


def sample_for_pattern(pattern: str) -> str:
    """A short text the regular expression matches, for the common constructs ('' if unsure)."""
    try:
        parsed = parse(pattern)
    except (re.error, RecursionError):
        return ""
    return _sample(parsed, {})


def _sample(part: Part, groups: dict[str, str]) -> str:
    if isinstance(part, Chars):
        return _sample_char(part.ranges)
    if isinstance(part, Seq):
        return "".join(_sample(item, groups) for item in part.items)
    if isinstance(part, Alt):
        return _sample(part.branches[0], groups)
    if isinstance(part, Repeat):
        return _sample(part.body, groups) * max(part.low, 1)
    if isinstance(part, Group):
        text = _sample(part.body, groups)
        groups.update(dict.fromkeys(part.names, text))  # a backreference repeats what it took
        return text
    if isinstance(part, Backref):
        return groups.get(part.group, "")
    return ""  # anchors and lookarounds take no characters


def _sample_char(ranges: Ranges) -> str:
    """A plain character of the ranges: a letter, a digit or a space where one fits."""
    for char in "a0 x":
        if any(low <= ord(char) <= high for low, high in ranges):
            return char
    return chr(ranges[0][0]) if ranges else ""


def _edges(node: Node, linked: Callable[[Link], list[str] | None]) -> list[_Edge]:
    if isinstance(node, Link) and node.next:
        answers = linked(node)
        return [] if answers is None else [_Edge("", node.next, through=tuple(answers))]
    if isinstance(node, Step):
        return [_Edge(CONTINUE, node.next)]
    if isinstance(node, Question):
        return [_Edge(c.label, c.goto, c.when, frozenset(c.set)) for c in node.choices]
    if isinstance(node, Input):
        return [_Edge("", node.next, assigns=frozenset({node.var}))]
    if isinstance(node, Action):
        saved = frozenset({node.action.save_as} if node.action.save_as else ())
        return [_Edge(r.label, r.goto, assigns=saved) for r in node.routes]
    return []


def shortest_answers(
    tree: Tree, resolve: Resolver | None = None, opened: frozenset[str] = frozenset()
) -> dict[str, list[str]]:
    """For each reachable outcome, the answers of a shortest walk there (actions by hand); with
    `resolve`, a link with `next` is walked through its tree's first outcome."""
    opened = opened | {tree.id}

    def linked(link: Link) -> list[str] | None:
        if resolve is None or link.tree in opened:
            return None
        try:
            ends = shortest_answers(resolve(link.tree), resolve, opened)
        except BranchwiseError:
            return None
        return next(iter(ends.values()), None)

    return {outcome: _answers(steps) for outcome, steps in _shortest_paths(tree, linked).items()}


def _shortest_paths(
    tree: Tree, linked: Callable[[Link], list[str] | None]
) -> dict[str, list[tuple[Node, _Edge]]]:
    found: dict[str, list[tuple[Node, _Edge]]] = {}
    queue: deque[tuple[str, list[tuple[Node, _Edge]]]] = deque([(tree.start, [])])
    seen = {tree.start}
    while queue:
        node_id, steps = queue.popleft()
        node = tree.nodes.get(node_id)
        if isinstance(node, Outcome):
            found.setdefault(node_id, steps)
        elif node is not None:
            for edge in _edges(node, linked):
                if edge.target in tree.nodes and edge.target not in seen:
                    seen.add(edge.target)
                    queue.append((edge.target, [*steps, (node, edge)]))
    return found


def _answers(steps: list[tuple[Node, _Edge]]) -> list[str]:
    answers = []
    for i, (node, edge) in enumerate(steps):
        if isinstance(node, Input):
            value = value_for(node, _conditions_after(node.var, steps[i + 1 :]))
            answers.append(value if value is not None else "FILL-IN")
        elif edge.through is not None:
            answers.extend(edge.through)
        else:
            answers.append(edge.answer)
    return answers


def _conditions_after(var: str, steps: list[tuple[Node, _Edge]]) -> list[Condition]:
    """The conditions of the choices taken while the variable still holds the input's value."""
    conditions = []
    for _node, edge in steps:
        if edge.when is not None:
            conditions.append(edge.when)
        if var in edge.assigns:
            break
    return conditions


def starter_scenarios(tree: Tree, resolve: Resolver | None = None) -> str:
    """A scenario file (YAML text) with one scenario per outcome reachable by hand; `resolve`
    finds the trees links walk through."""
    scenarios: list[dict[str, Any]] = []
    for outcome_id, answers in shortest_answers(tree, resolve).items():
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
        header += (
            "# FILL-IN marks an input for which no sample value fits its form and the choices\n"
            "# taken after it: write one.\n"
        )
    return header + re.sub(r"\n(?=- name:)", "\n\n", body)
