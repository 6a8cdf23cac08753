"""The tree model: frozen dataclasses built from a checked tree file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from engine.walk.conditions import Condition

STATUSES = ("resolved", "escalated", "unresolved")


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Variable:
    """A variable the tree declares: its label, default value, and whether it is secret."""

    name: str
    label: str = ""
    default: Any = None
    secret: bool = False


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer of a question."""

    label: str
    goto: str
    key: str | None = None
    when: Condition | None = None
    set: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True, slots=True)
class Route:
    """One way out of an action node; the first route whose `when` holds is taken."""

    label: str
    goto: str
    when: Condition | None = None


@dataclass(frozen=True, slots=True)
class ActionCall:
    """What an action node calls: the action's name, its parameters and where the result goes."""

    uses: str
    params: Mapping[str, Any] = field(default_factory=_empty)
    save_as: str | None = None
    confirm: bool = False


@dataclass(frozen=True, slots=True)
class Node:
    """What every node has; the subclasses add their own fields."""

    id: str
    title: str
    body: str = ""

    @property
    def type(self) -> str:
        return type(self).__name__.lower()

    def targets(self) -> tuple[str, ...]:
        """The ids of the nodes this one can lead to."""
        return ()


@dataclass(frozen=True, slots=True)
class Step(Node):
    """Something to say or do, then on to `next`."""

    next: str = ""

    def targets(self) -> tuple[str, ...]:
        return (self.next,)


@dataclass(frozen=True, slots=True)
class Question(Node):
    """A question answered by one of its choices."""

    choices: tuple[Choice, ...] = ()

    def targets(self) -> tuple[str, ...]:
        return tuple(c.goto for c in self.choices)


@dataclass(frozen=True, slots=True)
class Input(Node):
    """A value to type, checked by kind and pattern, kept in `var`."""

    var: str = ""
    next: str = ""
    prompt: str = ""
    kind: str = "text"
    pattern: str | None = None
    required: bool = True
    invalid: str = ""  # what to say of a value the pattern refuses

    def targets(self) -> tuple[str, ...]:
        return (self.next,)


@dataclass(frozen=True, slots=True)
class Action(Node):
    """A call made by the engine (or done by hand), leaving by the first route that holds."""

    action: ActionCall = field(default_factory=lambda: ActionCall(""))
    routes: tuple[Route, ...] = ()
    on_error: str | None = None
    manual: str = ""

    def targets(self) -> tuple[str, ...]:
        exits = tuple(r.goto for r in self.routes)
        return (*exits, self.on_error) if self.on_error else exits


@dataclass(frozen=True, slots=True)
class Outcome(Node):
    """The end of a walk, with its status."""

    status: str = "resolved"


@dataclass(frozen=True, slots=True)
class Link(Node):
    """A walk through another tree, then on to `next` (or ending there without it).

    Its title is optional: the library gives an untitled link the linked tree's title.
    """

    tree: str = ""
    next: str | None = None

    def targets(self) -> tuple[str, ...]:
        return (self.next,) if self.next else ()


@dataclass(frozen=True)
class Tree:
    """A whole tree: its metadata, variables and nodes by id."""

    id: str
    version: int
    title: str
    start: str
    nodes: Mapping[str, Node]
    summary: str = ""
    product: str = ""
    tags: tuple[str, ...] = ()
    variables: Mapping[str, Variable] = field(default_factory=_empty)
    path: str = ""
    sha256: str = ""
    tests: tuple[Any, ...] = ()

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    @property
    def secrets(self) -> frozenset[str]:
        """Names of the variables declared secret."""
        return frozenset(name for name, var in self.variables.items() if var.secret)


def defined_variables(tree: Tree) -> set[str]:
    """Every variable name something in the tree defines."""
    names = set(tree.variables)
    for node in tree.nodes.values():
        if isinstance(node, Input) and node.var:
            names.add(node.var)
        elif isinstance(node, Action) and node.action.save_as:
            names.add(node.action.save_as)
        elif isinstance(node, Question):
            for choice in node.choices:
                names.update(choice.set)
    return names
