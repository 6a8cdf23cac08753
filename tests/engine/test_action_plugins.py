"""Action plugins found through real `branchwise.actions` entry points of an installed dist-info."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.actions.catalog import (
    builtin_actions,
    default_registry,
    load_plugins,
    plugin_warnings,
    setup_hint,
)
from engine.actions.config import Config
from engine.actions.registry import Registry
from tests.fakes.plugin_dist import install_plugin

PLUGIN_SOURCE = """
from engine.actions.registry import ActionSpec, CallPlan, Param


class TicketNote:
    spec = ActionSpec("helpdesk.add_note", "Add a note to a ticket",
                      (Param("ticket", "text", True),), side_effects=True)

    def configured(self, config):
        return True

    def plan(self, args, config):
        return CallPlan(self.spec.name, "POST", "helpdesk", dict(args))

    def call(self, args, config):
        return {"noted": args["ticket"]}


class Lookup:
    def __init__(self, name):
        self.spec = ActionSpec(name, "Look something up")

    def configured(self, config):
        return False

    def setup_hint(self, config):
        return "set HELPDESK_TOKEN"

    def plan(self, args, config):
        return CallPlan(self.spec.name, "GET", "helpdesk")

    def call(self, args, config):
        return {}


class NoCall:
    spec = ActionSpec("helpdesk.no_call", "Cannot run")

    def configured(self, config):
        return True

    def plan(self, args, config):
        return CallPlan(self.spec.name, "GET", "x")


NOTE = TicketNote()
NOT_AN_ACTION = 42
SHADOW = Lookup("paya.get_contact")
BAD_NAME = Lookup("Helpdesk Lookup")


def several():
    return (Lookup(f"helpdesk.{n}") for n in ("find_user", "find_ticket"))


def explode():
    raise RuntimeError("the helpdesk plugin needs a token")


def incomplete():
    return [NoCall(), "text"]
"""

ENTRY_POINTS = """
[branchwise.actions]
note = {module}:NOTE
several = {module}:several
missing_module = {module}_not_there:thing
explodes = {module}:explode
not_an_action = {module}:NOT_AN_ACTION
shadow = {module}:SHADOW
bad_name = {module}:BAD_NAME
incomplete = {module}:incomplete
"""


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The plugin package and its dist-info on sys.path, found by importlib.metadata."""
    module = f"bw_plugin_{uuid.uuid4().hex[:8]}"
    site = install_plugin(tmp_path / "site", module, PLUGIN_SOURCE, ENTRY_POINTS)
    monkeypatch.syspath_prepend(str(site))
    yield module
    sys.modules.pop(module, None)


def test_the_builtin_actions() -> None:
    names = [action.spec.name for action in builtin_actions()]
    assert names == ["paya.get_contact", "paya.find_contacts", "http.request"]


def test_good_plugins_are_registered(installed_plugin: str) -> None:
    registry = Registry(builtin_actions())
    load_plugins(registry)
    for name in ("helpdesk.add_note", "helpdesk.find_user", "helpdesk.find_ticket"):
        assert name in registry
    note = registry.get("helpdesk.add_note")
    assert note is not None
    assert note.call({"ticket": "T-1"}, Config()) == {"noted": "T-1"}


def test_each_broken_plugin_is_skipped_with_a_warning(installed_plugin: str) -> None:
    registry = Registry(builtin_actions())
    warnings = "\n".join(load_plugins(registry))
    origin = f"({installed_plugin}"
    assert f"action plugin 'missing_module' {origin}_not_there:thing) was skipped: " in warnings
    assert "ModuleNotFoundError" in warnings
    assert "'explodes'" in warnings and "the helpdesk plugin needs a token" in warnings
    assert "'not_an_action'" in warnings and "neither an action nor a callable" in warnings
    assert "two actions are registered as 'paya.get_contact'" in warnings
    assert "'Helpdesk Lookup' is not a valid action name" in warnings
    assert "helpdesk.no_call has no call method; skipped" in warnings
    assert "'text' is not an action" in warnings
    assert len(warnings.splitlines()) == 7


def test_a_plugin_never_replaces_a_builtin(installed_plugin: str) -> None:
    registry = Registry(builtin_actions())
    load_plugins(registry)
    action = registry.get("paya.get_contact")
    assert action is not None and type(action).__module__ == "engine.actions.paya"
    assert "helpdesk.no_call" not in registry
    assert "Helpdesk Lookup" not in registry


def test_setup_hint_comes_from_the_action_when_it_has_one(installed_plugin: str) -> None:
    registry = Registry()
    load_plugins(registry)
    find_user = registry.get("helpdesk.find_user")
    note = registry.get("helpdesk.add_note")
    assert find_user is not None and note is not None
    assert setup_hint(find_user, Config()) == "set HELPDESK_TOKEN"
    assert "documentation of the package" in setup_hint(note, Config())


def test_no_plugins_installed_means_no_warnings() -> None:
    registry = Registry(builtin_actions())
    assert load_plugins(registry) == []
    assert registry.names() == ["http.request", "paya.find_contacts", "paya.get_contact"]


def test_the_default_registry_is_built_once() -> None:
    assert default_registry() is default_registry()
    assert "paya.get_contact" in default_registry()
    assert plugin_warnings() == ()


def test_a_builtin_name_is_found_without_loading_plugins(installed_plugin: str) -> None:
    loads: list[Registry] = []
    registry = Registry(builtin_actions(), plugins=loads.append)
    assert "paya.get_contact" in registry
    assert registry.spec("paya.find_contacts") is not None
    assert loads == []
    assert installed_plugin not in sys.modules


def test_plugins_load_once_when_a_name_is_not_built_in(installed_plugin: str) -> None:
    calls: list[list[str]] = []

    def loader(registry: Registry) -> None:
        calls.append(load_plugins(registry))

    registry = Registry(builtin_actions(), plugins=loader)
    assert "helpdesk.add_note" in registry
    assert "nobody.has_this" not in registry
    assert len(calls) == 1 and len(calls[0]) == 7


def test_listing_every_action_loads_the_plugins(installed_plugin: str) -> None:
    registry = Registry(builtin_actions(), plugins=load_plugins)
    assert "helpdesk.find_user" in registry.names()
    listed = [action.spec.name for action in Registry(builtin_actions(), plugins=load_plugins)]
    assert "helpdesk.add_note" in listed and "paya.get_contact" in listed
