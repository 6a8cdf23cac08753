"""Two versions of a tree compared by meaning: what changed in its nodes, ways, variables, paths.

Formatting, comments, key order and the order of nodes in the file are not changes; a node's
title, type, body, status, ways out (choices, routes, `next`, `on_error`), input rules, action
call and link target are, as are the tree's start, title, version and variables. The scenarios
of the tree are walked on both versions to find those that now take another path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.authoring.scenarios import Result, Scenario, run_scenario
from engine.errors import BranchwiseError, TreeNotFound, UsageError
from engine.files import holds_a_tree
from engine.text import display
from engine.tree.model import (
    Action,
    ActionCall,
    Choice,
    Input,
    Link,
    Node,
    Outcome,
    Question,
    Route,
    Step,
    Tree,
)
from engine.walk.conditions import AllOf, AnyOf, Condition, Not, VarTest

TreeLoader = Callable[[str], Tree]


@dataclass(frozen=True)
class Change:
    """One difference: `kind` names it for programs, `what` says it for people."""

    kind: str
    node: str | None
    what: str
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "node": self.node,
            "what": self.what,
            "old": self.old,
            "new": self.new,
        }


@dataclass(frozen=True)
class PathChange:
    """A scenario that walks differently on the new version."""

    name: str
    where: str  # FILE:LINE of the scenario
    old_path: tuple[str, ...]
    new_path: tuple[str, ...]
    old_end: str  # the outcome reached and its status, or where the walk stopped
    new_end: str
    passes: bool  # whether the scenario's own expectations hold on the new version

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "where": self.where,
            "old_path": list(self.old_path),
            "new_path": list(self.new_path),
            "old_end": self.old_end,
            "new_end": self.new_end,
            "passes": self.passes,
        }


@dataclass
class TreeDiff:
    """Everything that differs between two versions of one tree."""

    old: Tree
    new: Tree
    changes: list[Change] = field(default_factory=list)
    paths: list[PathChange] = field(default_factory=list)
    scenarios: int = 0  # how many scenarios were walked on both versions

    @property
    def same(self) -> bool:
        return not self.changes and not self.paths

    def to_dict(self) -> dict[str, Any]:
        return {
            "same": self.same,
            "old": _side(self.old),
            "new": _side(self.new),
            "changes": [change.to_dict() for change in self.changes],
            "scenarios": {
                "walked": self.scenarios,
                "changed": [path.to_dict() for path in self.paths],
            },
        }


def _side(tree: Tree) -> dict[str, Any]:
    return {"tree": tree.id, "version": tree.version, "path": tree.path}


def read_version(raw: bytes, shown: str) -> Tree:
    """One version of a tree from its file's bytes; a clear error when it is no tree at all.

    A version with schema or graph errors is still compared: an author wants to see what an
    edit in progress changes.
    """
    from engine.tree.builder import build_tree
    from engine.tree.reader import read_bytes

    doc = read_bytes(raw, shown)
    if doc.problems:  # unreadable, over the limits, or a repeated key that would hide a node
        first = doc.problems[0]
        raise UsageError(
            f"cannot compare {shown}: {first.line}:{first.column}: {first.message} ({first.rule})"
        )
    data = doc.data
    if not holds_a_tree(data):
        raise UsageError(f"{shown} is not a tree (no 'schema', nor 'start' and 'nodes')")
    return build_tree(data, shown, doc.sha256)


def compare(
    old: Tree,
    new: Tree,
    scenarios: Sequence[Scenario] = (),
    load_linked: TreeLoader | None = None,
) -> TreeDiff:
    """The differences between two versions of a tree, and the scenarios whose path changed."""
    result = TreeDiff(old, new, list(tree_changes(old, new)))
    for scenario in scenarios:
        result.scenarios += 1
        changed = _path_change(scenario, old, new, load_linked)
        if changed is not None:
            result.paths.append(changed)
    return result


def tree_changes(old: Tree, new: Tree) -> Iterator[Change]:
    """Each difference of meaning between two versions, tree-wide first, then node by node."""
    yield from _field(None, "tree-id", "tree id", old.id, new.id)
    yield from _field(None, "version", "version", old.version, new.version)
    yield from _field(None, "tree-title", "tree title", old.title, new.title)
    yield from _field(None, "start", "start", old.start, new.start)
    yield from _variables(old, new)
    for node_id in old.nodes:
        if node_id not in new.nodes:
            yield _node_presence("node-removed", old.nodes[node_id], "removed")
    for node_id, node in new.nodes.items():
        if node_id not in old.nodes:
            yield _node_presence("node-added", node, "added")
        else:
            yield from node_changes(old.nodes[node_id], node)


def _field(node: str | None, kind: str, name: str, old: Any, new: Any) -> Iterator[Change]:
    if old != new:
        yield Change(kind, node, f"{name}: {_shown(old)} → {_shown(new)}", _data(old), _data(new))


def _shown(value: Any) -> str:
    if isinstance(value, (VarTest, AllOf, AnyOf, Not)):
        return condition_text(value)
    if value is None or value == "":
        return "(none)"
    if isinstance(value, str):
        return repr(value)
    return display(value)


def _data(value: Any) -> Any:
    """A value as JSON-ready data (conditions as their text)."""
    if isinstance(value, (VarTest, AllOf, AnyOf, Not)):
        return condition_text(value)
    if isinstance(value, Mapping):
        return {str(k): _data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_data(v) for v in value]
    return value


def _node_presence(kind: str, node: Node, verb: str) -> Change:
    status = f", {node.status}" if isinstance(node, Outcome) else ""
    what = f"{verb} ({node.type}{status}): {node.title!r}"
    return Change(
        kind,
        node.id,
        what,
        None if verb == "added" else node.type,
        node.type if verb == "added" else None,
    )


def _variables(old: Tree, new: Tree) -> Iterator[Change]:
    for name in old.variables:
        if name not in new.variables:
            yield Change("variable-removed", None, f"variable {name!r} removed", name, None)
    for name, var in new.variables.items():
        before = old.variables.get(name)
        if before is None:
            yield Change("variable-added", None, f"variable {name!r} added", None, name)
            continue
        for part in ("label", "default", "secret"):
            yield from _field(
                None,
                "variable-changed",
                f"variable {name!r} {part}",
                getattr(before, part),
                getattr(var, part),
            )


def node_changes(old: Node, new: Node) -> Iterator[Change]:
    """What differs between two versions of one node."""
    if old.type != new.type:
        yield Change("node-type", new.id, f"type: {old.type} → {new.type}", old.type, new.type)
    yield from _field(new.id, "node-retitled", "title", old.title, new.title)
    if old.body != new.body:
        yield Change("node-body", new.id, "body edited", old.body, new.body)
    if isinstance(old, Outcome) and isinstance(new, Outcome):
        yield from _field(new.id, "outcome-status", "status", old.status, new.status)
    yield from _next(old, new)
    if isinstance(old, Question) and isinstance(new, Question):
        yield from _ways(new.id, "choice", old.choices, new.choices)
    if isinstance(old, Action) and isinstance(new, Action):
        yield from _action(old, new)
    if isinstance(old, Input) and isinstance(new, Input):
        for part in ("var", "prompt", "kind", "pattern", "required"):
            yield from _field(new.id, "input-changed", part, getattr(old, part), getattr(new, part))
    if isinstance(old, Link) and isinstance(new, Link):
        yield from _field(new.id, "link-changed", "linked tree", old.tree, new.tree)


def _next(old: Node, new: Node) -> Iterator[Change]:
    """`next` re-pointed, for the node types that have it on both sides."""
    with_next = (Step, Input, Link)
    if isinstance(old, with_next) and isinstance(new, with_next) and old.next != new.next:
        what = f"next now goes to {_shown(new.next)} (was {_shown(old.next)})"
        yield Change("next-repointed", new.id, what, old.next, new.next)


def _action(old: Action, new: Action) -> Iterator[Change]:
    yield from _call(new.id, old.action, new.action)
    yield from _ways(new.id, "route", old.routes, new.routes)
    if old.on_error != new.on_error:
        what = f"on_error now goes to {_shown(new.on_error)} (was {_shown(old.on_error)})"
        yield Change("on-error-repointed", new.id, what, old.on_error, new.on_error)
    if old.manual != new.manual:
        yield Change("manual-edited", new.id, "manual instructions edited", old.manual, new.manual)


def _call(node: str, old: ActionCall, new: ActionCall) -> Iterator[Change]:
    yield from _field(node, "action-changed", "action", old.uses, new.uses)
    yield from _field(
        node, "action-changed", "action parameters", dict(old.params), dict(new.params)
    )
    yield from _field(node, "action-changed", "save_as", old.save_as, new.save_as)
    yield from _field(node, "action-changed", "confirm", old.confirm, new.confirm)


Way = Choice | Route


def _ways(node: str, kind: str, old: Sequence[Way], new: Sequence[Way]) -> Iterator[Change]:
    """Choices or routes matched by label: added, removed, relabelled, re-pointed, rewritten."""
    before = {way.label: way for way in old}
    after = {way.label: way for way in new}
    gone = [way for way in old if way.label not in after]
    came = [way for way in new if way.label not in before]
    for way in new:
        if way.label in before:
            yield from _way_changes(node, kind, before[way.label], way)
    for removed, added in _relabelled(gone, came):
        what = f"{kind} {removed.label!r} relabelled {added.label!r}"
        yield Change(f"{kind}-relabelled", node, what, removed.label, added.label)
        yield from _way_changes(node, kind, removed, added, added.label)
        gone.remove(removed)
        came.remove(added)
    for way in gone:
        what = f"{kind} {way.label!r} removed (went to {way.goto!r})"
        yield Change(f"{kind}-removed", node, what, way.label, None)
    for way in came:
        what = f"{kind} {way.label!r} added, going to {way.goto!r}"
        yield Change(f"{kind}-added", node, what, None, way.label)
    if [w.label for w in old if w.label in after] != [w.label for w in new if w.label in before]:
        yield Change(
            f"{kind}s-reordered",
            node,
            f"{kind}s reordered",
            [w.label for w in old],
            [w.label for w in new],
        )


def _relabelled(gone: Sequence[Way], came: Sequence[Way]) -> Iterable[tuple[Way, Way]]:
    """Pairs of a way that left and one that came at the same place with the same target."""
    return [(a, b) for a, b in zip(gone, came, strict=False) if a.goto == b.goto]


def _way_changes(
    node: str, kind: str, old: Way, new: Way, label: str | None = None
) -> Iterator[Change]:
    name = f"{kind} {label or new.label!r}"
    if old.goto != new.goto:
        what = f"{name} now goes to {new.goto!r} (was {old.goto!r})"
        yield Change(f"{kind}-repointed", node, what, old.goto, new.goto)
    yield from _field(node, f"{kind}-changed", f"{name} condition", old.when, new.when)
    if isinstance(old, Choice) and isinstance(new, Choice):
        yield from _field(node, "choice-changed", f"{name} key", old.key, new.key)
        yield from _field(node, "choice-changed", f"{name} set", dict(old.set), dict(new.set))


def condition_text(condition: Condition | None) -> str:
    """A condition as one line: `contact.is_user equals true`, `all(…, …)`."""
    if condition is None:
        return "(always)"
    if isinstance(condition, VarTest):
        return f"{condition.var} {condition.test} {display(condition.value)}"
    if isinstance(condition, Not):
        return f"not({condition_text(condition.item)})"
    name = "all" if isinstance(condition, AllOf) else "any"
    return f"{name}({', '.join(condition_text(item) for item in condition.items)})"


# Scenarios walked on both versions.


def _path_change(
    scenario: Scenario, old: Tree, new: Tree, load_linked: TreeLoader | None
) -> PathChange | None:
    before = _walked(scenario, _loader(scenario, old, load_linked))
    after = _walked(scenario, _loader(scenario, new, load_linked))
    if before.path == after.path and before.end == after.end:
        return None
    return PathChange(
        scenario.name,
        f"{scenario.path}:{scenario.line}",
        tuple(before.path),
        tuple(after.path),
        before.end,
        after.end,
        after.passed,
    )


def _walked(scenario: Scenario, load: TreeLoader) -> Result:
    """The scenario walked on one version; a version it cannot walk at all (a start that names
    no node, a linked tree missing) ends it where it stands, with the reason."""
    try:
        return run_scenario(scenario, load)
    except BranchwiseError as exc:
        return Result(scenario, failures=[exc.message], end=f"not walked: {exc.message}")


def _loader(scenario: Scenario, version: Tree, load_linked: TreeLoader | None) -> TreeLoader:
    """The version for the scenario's own tree, the library for the trees it links to."""
    own = {scenario.tree_id, version.id}

    def load(ref: str) -> Tree:
        if ref in own:
            return version
        if load_linked is None:
            raise TreeNotFound(f"no tree {ref!r} beside the compared versions")
        return load_linked(ref)

    return load
