"""The actions branchwise knows: its built-in ones and those installed packages declare."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from engine.actions.http_request import HttpRequest
from engine.actions.paya import FindContacts, GetContact
from engine.actions.registry import ActionImpl, ActionSpec, Registry
from engine.errors import BranchwiseError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from engine.actions.config import Config

ENTRY_POINT_GROUP = "branchwise.actions"
ACTION_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_METHODS = ("configured", "plan", "call")


def builtin_actions() -> list[ActionImpl]:
    """The actions shipped with branchwise."""
    return [GetContact(), FindContacts(), HttpRequest()]


def load_plugins(registry: Registry) -> list[str]:
    """Register every action of the `branchwise.actions` entry points; a warning per broken one.

    An entry point names an action object, or a callable returning an iterable of them. A plugin
    that fails to load, returns something else or repeats a registered name is skipped.
    """
    # Imported here: reading the installed packages' metadata costs more than most commands.
    from importlib.metadata import entry_points

    warnings: list[str] = []
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        try:
            actions = _actions_of(point)
        except Exception as exc:  # a broken plugin must never stop branchwise
            warnings.append(f"{_origin(point)} was skipped: {type(exc).__name__}: {exc}")
            continue
        for action in actions:
            problem = _register(registry, action)
            if problem:
                warnings.append(f"{_origin(point)}: {problem}")
    return warnings


def _origin(point: EntryPoint) -> str:
    return f"action plugin {point.name!r} ({point.value})"


def _actions_of(point: EntryPoint) -> list[Any]:
    loaded = point.load()
    if _looks_like_action(loaded):
        return [loaded]
    if not callable(loaded):
        raise TypeError(f"{point.value} is neither an action nor a callable returning actions")
    produced = loaded()
    if _looks_like_action(produced):
        return [produced]
    if not isinstance(produced, Iterable) or isinstance(produced, (str, bytes)):
        raise TypeError(f"{point.value}() returned {type(produced).__name__}, not actions")
    return list(produced)


def _looks_like_action(value: Any) -> bool:
    return isinstance(getattr(value, "spec", None), ActionSpec)


def _register(registry: Registry, action: Any) -> str:
    """Register one plugin action; the reason it was skipped, or "" when it was registered."""
    if not _looks_like_action(action):
        return f"{action!r} is not an action (it has no ActionSpec `spec`); skipped"
    name = action.spec.name
    if not isinstance(name, str) or not ACTION_NAME.match(name):
        return f"{name!r} is not a valid action name (namespace.name, lower case); skipped"
    missing = [m for m in _METHODS if not callable(getattr(action, m, None))]
    if missing:
        return f"{name} has no {', '.join(missing)} method; skipped"
    try:
        registry.register(action)
    except BranchwiseError as exc:
        return f"{exc.message}; the plugin's {name} was skipped"
    return ""


def setup_hint(action: ActionImpl, config: Config) -> str:
    """What the operator should set to configure an action, when the action says."""
    describe = getattr(action, "setup_hint", None)
    if not callable(describe):
        return "see the documentation of the package that provides it"
    try:
        return str(describe(config))
    except Exception as exc:  # a plugin's hint must not break the listing
        return f"(its setup hint failed: {type(exc).__name__})"


class _PluginLoader:
    """Registers the installed plugins' actions into a registry, keeping why some were skipped."""

    def __init__(self) -> None:
        self.warnings: tuple[str, ...] = ()

    def __call__(self, registry: Registry) -> None:
        self.warnings = tuple(load_plugins(registry))


@cache
def _default() -> tuple[Registry, _PluginLoader]:
    loader = _PluginLoader()
    return Registry(builtin_actions(), plugins=loader), loader


def default_registry() -> Registry:
    """The built-in actions, and every installed plugin's once a name is not built in or all
    are listed; built once per process."""
    return _default()[0]


def plugin_warnings() -> tuple[str, ...]:
    """Why some installed plugins were skipped when the default registry loaded them."""
    registry, loader = _default()
    registry.include_plugins()
    return loader.warnings
