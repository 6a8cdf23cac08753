"""The action registry: every action a tree may name, its parameters, side effects and state.

A tree names an action by `namespace.name`; only actions registered here (built in, or from an
installed package's `branchwise.actions` entry point) can run. Nothing named in a tree is ever
imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from engine.errors import BranchwiseError

if TYPE_CHECKING:
    from engine.actions.config import Config

PARAM_KINDS = ("text", "number", "boolean", "mapping", "list", "any")


@dataclass(frozen=True)
class Param:
    """One parameter an action takes in its `with:` mapping."""

    name: str
    kind: str = "text"
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class ActionSpec:
    """What an action declares about itself, enough to lint a tree without running anything."""

    name: str
    summary: str
    params: tuple[Param, ...] = ()
    side_effects: bool = False
    result: str = ""
    # Of an action with side effects, the calls that have none after all (http.request's GET).
    reads_only: Callable[[Mapping[str, Any]], bool] | None = None

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def has_side_effects(self, args: Mapping[str, Any] | None = None) -> bool:
        """Whether a call with these arguments may change something (without them: any call)."""
        if not self.side_effects:
            return False
        return args is None or self.reads_only is None or not self.reads_only(args)


@dataclass(frozen=True)
class CallPlan:
    """What a call would do, for --dry-run and confirmation prompts; secrets already masked."""

    action: str
    method: str
    target: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.action}: {self.method} {self.target}" + (f" ({shown})" if shown else "")


class ActionFailed(BranchwiseError):
    """An action ran and failed; the message is meant for the person walking the tree."""


class ActionImpl(Protocol):
    """An action that can run: its spec, whether it is configured, its plan, and the call."""

    spec: ActionSpec

    def configured(self, config: Config) -> bool: ...

    def plan(self, args: Mapping[str, Any], config: Config) -> CallPlan: ...

    def call(self, args: Mapping[str, Any], config: Config) -> Mapping[str, Any]: ...


class Registry:
    """Actions by name; installed plugins' actions, when given a loader, only once needed.

    Looking up a built-in name (what most trees use) never scans the installed packages: the
    loader runs the first time a name is not found, or when every action is listed.
    """

    def __init__(
        self,
        actions: tuple[ActionImpl, ...] | list[ActionImpl] = (),
        plugins: Callable[[Registry], object] | None = None,
    ) -> None:
        self._by_name: dict[str, ActionImpl] = {}
        for action in actions:
            self.register(action)
        self._plugins = plugins

    def include_plugins(self) -> None:
        """Register the plugins' actions now, if they are not registered yet."""
        load, self._plugins = self._plugins, None
        if load is not None:
            load(self)

    def register(self, action: ActionImpl) -> None:
        name = action.spec.name
        if name in self._by_name:
            raise BranchwiseError(f"two actions are registered as {name!r}")
        self._by_name[name] = action

    def get(self, name: str) -> ActionImpl | None:
        action = self._by_name.get(name)
        if action is None and self._plugins is not None:
            self.include_plugins()
            action = self._by_name.get(name)
        return action

    def spec(self, name: str) -> ActionSpec | None:
        action = self.get(name)
        return action.spec if action is not None else None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[ActionImpl]:
        self.include_plugins()
        return iter(sorted(self._by_name.values(), key=lambda a: a.spec.name))

    def names(self) -> list[str]:
        self.include_plugins()
        return sorted(self._by_name)
