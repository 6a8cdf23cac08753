"""Scenario tests: walk a tree with given answers and stubbed actions, compare, measure coverage."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import BranchwiseError
from engine.tree.model import Action, Question, Tree
from engine.tree.reader import position_of, read_file
from engine.walk.action_runner import ActionRunner
from engine.walk.answers import describe_options
from engine.walk.walker import InvalidAnswer, Walk

TreeLoader = Callable[[str], Tree]


@dataclass(frozen=True)
class Scenario:
    """One scenario: where it is written, its answers, stubs and expectations."""

    name: str
    tree_id: str
    path: str
    line: int
    answers: tuple[str, ...]
    variables: Mapping[str, Any]
    stubs: Mapping[str, Any]
    expect: Mapping[str, Any]


@dataclass
class Result:
    """How one scenario went: passed, or the reasons it failed and where the walk went."""

    scenario: Scenario
    failures: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    taken: set[tuple[str, str, str]] = field(default_factory=set)
    end: str = ""  # how the walk ended: `resolved at NODE`, or `open at NODE`

    @property
    def passed(self) -> bool:
        return not self.failures


def _answer_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def scenarios_in(data: Any, path: str, default_tree: str | None) -> list[Scenario]:
    """The scenarios a scenario file (or a tree's `tests:` list) holds."""
    if not isinstance(data, Mapping):
        raise BranchwiseError(f"{path}: a scenario file is a mapping with 'tree' and 'scenarios'")
    if "nodes" in data:
        items, tree_id, where = data.get("tests") or [], data.get("id"), ("tests",)
    else:
        items, tree_id, where = data.get("scenarios") or [], data.get("tree"), ("scenarios",)
    tree_id = tree_id or default_tree
    if not isinstance(tree_id, str) or not isinstance(items, list):
        raise BranchwiseError(f"{path}: needs 'tree: TREE_ID' and a 'scenarios' list")
    return [
        _scenario(item, tree_id, path, position_of(data, (*where, i))[0], i)
        for i, item in enumerate(items)
    ]


def _scenario(item: Any, tree_id: str, path: str, line: int, index: int) -> Scenario:
    if not isinstance(item, Mapping):
        raise BranchwiseError(f"{path}:{line}: scenario {index + 1} must be a mapping")
    answers = item.get("answers") or []
    if not isinstance(answers, list):
        raise BranchwiseError(f"{path}:{line}: 'answers' must be a list")
    for key in ("vars", "actions"):
        if not isinstance(item.get(key) or {}, Mapping):
            raise BranchwiseError(f"{path}:{line}: '{key}' must be a mapping")
    expect = item.get("expect") or {}
    return Scenario(
        name=str(item.get("name") or f"scenario {index + 1}"),
        tree_id=tree_id,
        path=path,
        line=line,
        answers=tuple(_answer_text(a) for a in answers),
        variables=dict(item.get("vars") or {}),
        stubs=dict(item.get("actions") or {}),
        expect=dict(expect) if isinstance(expect, Mapping) else {},
    )


def run_scenario(scenario: Scenario, load: TreeLoader) -> Result:
    """Walk the scenario's tree with its answers; nothing real is called."""
    result = Result(scenario)
    runner = ActionRunner(stubs=scenario.stubs)
    walk = Walk(
        load(scenario.tree_id),
        resolve_tree=load,
        runner=runner,
        variables=scenario.variables,
        session_id="scenario",
    )
    _feed(walk, scenario.answers, result)
    _settle(walk)
    result.path = walk.path()
    result.taken = _taken(walk)
    result.end = f"{walk.status} at {walk.outcome or walk.path()[-1]}"
    if result.failures:
        result.failures[:0] = _left_the_path(result.path, scenario.expect)
    else:
        result.failures.extend(_compare(walk, scenario.expect))
    result.failures[:0] = _stubs_run_out(runner)
    return result


def _left_the_path(went: list[str], expect: Mapping[str, Any]) -> list[str]:
    """Where a walk that stopped short had already left the expected path, if it had."""
    expected = list(expect.get("path") or [])
    if not expected or went == expected[: len(went)]:
        return []
    return [path_difference(expected, went)]


def _stubs_run_out(runner: ActionRunner) -> list[str]:
    """An action called more often than its list of stubbed results is long."""
    return [
        f"{uses} was called {runner.stub_calls[uses]} times, but its stub lists "
        f"{len(stub)} result(s)"
        for uses, stub in runner.stubs.items()
        if isinstance(stub, list) and runner.stub_calls[uses] > len(stub)
    ]


def _settle(walk: Walk) -> None:
    while not walk.finished and walk.error is None and walk.pending_call() is not None:
        walk.run_pending()


def _feed(walk: Walk, answers: Sequence[str], result: Result) -> None:
    for i, answer in enumerate(answers):
        _settle(walk)
        if walk.error is not None:
            result.failures.append(f"the walk stopped at {walk.node.id!r}: {walk.error}")
            return
        if walk.finished:
            left = len(answers) - i
            result.failures.append(
                f"the walk ended at {walk.outcome!r} with {left} answer(s) unused: "
                f"{', '.join(answers[i:])}"
            )
            return
        try:
            walk.answer(answer)
        except InvalidAnswer as exc:
            expected = describe_options(walk.options()) or f"a value for {walk.node.id!r}"
            result.failures.append(
                f"answer {i + 1} {answer!r} does not fit node {walk.node.id!r}: "
                f"{exc.message.split(';')[0]}; expected: {expected}; "
                f"the walk went {' → '.join(walk.path())}"
            )
            return


def _taken(walk: Walk) -> set[tuple[str, str, str]]:
    return {(v.tree_id, v.node_id, v.taken) for v in walk.visits if v.taken}


def _compare(walk: Walk, expect: Mapping[str, Any]) -> list[str]:
    failures = []
    where = f"the walk went {' → '.join(walk.path())}"
    if "outcome" in expect and walk.outcome != expect["outcome"]:
        reached = walk.outcome or f"no outcome (stopped at {walk.node.id!r}, status open)"
        failures.append(f"expected outcome {expect['outcome']!r}, got {reached}; {where}")
    if "status" in expect and walk.status != expect["status"]:
        failures.append(f"expected status {expect['status']!r}, got {walk.status!r}; {where}")
    if "path" in expect and walk.path() != list(expect["path"]):
        failures.append(path_difference(list(expect["path"]), walk.path()))
    for name, value in (expect.get("variables") or {}).items():
        actual = walk.public_variables().get(name)
        if actual != value:
            failures.append(f"expected variable {name!r} = {value!r}, got {actual!r}")
    return failures


def first_difference(one: Sequence[str], other: Sequence[str]) -> int:
    """The index of the first step where two paths differ (the shorter's length if none)."""
    return next(
        (i for i, (a, b) in enumerate(zip(one, other, strict=False)) if a != b),
        min(len(one), len(other)),
    )


def path_difference(expected: Sequence[str], went: Sequence[str]) -> str:
    """Where a walk left the expected path, and both paths from the step before it."""
    at = first_difference(expected, went)
    wanted = repr(expected[at]) if at < len(expected) else "the end of the walk"
    got = repr(went[at]) if at < len(went) else "the end of the walk"
    since = max(0, at - 1)
    return (
        f"the path differs at step {at + 1}: expected {wanted}, the walk went to {got}; "
        f"expected {' → '.join(expected[since:])}; went {' → '.join(went[since:])}"
    )


@dataclass(frozen=True)
class Branch:
    """One way out of a node that a scenario can take."""

    tree_id: str
    node_id: str
    taken: str
    label: str
    path: str
    line: int


def branches(tree: Tree, data: Any) -> list[Branch]:
    """Every choice, route and on_error of a tree, with where each is written."""
    found = []
    for node in tree.nodes.values():
        ways: list[tuple[str, str, tuple[Any, ...]]] = []
        if isinstance(node, Question):
            ways = [(f"choice:{i}", c.label, ("choices", i)) for i, c in enumerate(node.choices)]
        elif isinstance(node, Action):
            ways = [(f"route:{i}", r.label, ("routes", i)) for i, r in enumerate(node.routes)]
            if node.on_error:
                ways.append(("on_error", "on_error", ("on_error",)))
        for taken, label, where in ways:
            line = position_of(data, ("nodes", node.id, *where))[0]
            found.append(Branch(tree.id, node.id, taken, label, tree.path, line))
    return found


@dataclass
class Coverage:
    """The branches of some trees, and which of them no scenario took."""

    total: int = 0
    missed: list[Branch] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 if self.total == 0 else 100.0 * (self.total - len(self.missed)) / self.total


def coverage(trees: Iterable[Tree], taken: set[tuple[str, str, str]]) -> Coverage:
    """Which branches of these trees the taken set misses."""
    result = Coverage()
    for tree in trees:
        data = read_file(Path(tree.path)).data if tree.path else None
        for branch in branches(tree, data):
            result.total += 1
            if (branch.tree_id, branch.node_id, branch.taken) not in taken:
                result.missed.append(branch)
    return result
