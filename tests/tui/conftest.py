"""Fixtures for the terminal app: the bundled Paya tree, walks with a frozen clock, test actions."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from engine.actions.config import Config, load_config
from engine.actions.registry import ActionFailed, ActionSpec, CallPlan, Param, Registry
from engine.library.index import Library
from engine.walk.action_runner import ActionRunner
from engine.walk.walker import Walk
from tui.app import BranchwiseApp, make_app

ROOT = Path(__file__).resolve().parents[2]
TREES = ROOT / "trees"
DATA = Path(__file__).resolve().parent / "data"
PAYA = "paya-connect/customer-portal-access"
FROZEN = 1_767_225_600.0  # 2026-01-01T00:00:00Z: timers and transcripts stay still


def frozen_clock() -> float:
    return FROZEN


class GatedAction:
    """An action that waits for a test to open its gate, then answers or fails."""

    def __init__(
        self,
        name: str = "paya.get_contact",
        *,
        result: Mapping[str, Any] | None = None,
        error: str | None = None,
        side_effects: bool = False,
    ) -> None:
        self.spec = ActionSpec(
            name=name,
            summary=f"Run {name} against the test service",
            params=(Param("contact_id", "text", True),),
            side_effects=side_effects,
        )
        self.gate = threading.Event()
        self.result = dict(result or {"id": "c-1", "is_user": True})
        self.error = error
        self.calls: list[Mapping[str, Any]] = []

    def configured(self, config: Config) -> bool:
        return True

    def plan(self, args: Mapping[str, Any], config: Config) -> CallPlan:
        return CallPlan(self.spec.name, "GET", f"https://svc.test/contacts/{args['contact_id']}")

    def call(self, args: Mapping[str, Any], config: Config) -> Mapping[str, Any]:
        self.calls.append(dict(args))
        if not self.gate.wait(10):
            raise ActionFailed("the test never opened the gate")
        if self.error:
            raise ActionFailed(self.error)
        return self.result


def library(*dirs: Path, registry: Registry | None = None) -> Library:
    """The bundled trees (or others), no cache: tests never touch the user's directories."""
    return Library(list(dirs) or [TREES], registry=registry)


def gated_runner(registry: Registry, tmp_path: Path) -> ActionRunner:
    """A runner that makes the registry's actions automatic (they say they are configured)."""
    return ActionRunner(registry, load_config(tmp_path / "absent.toml", {}))


def new_walk(
    tree_ref: str = PAYA,
    *,
    lib: Library | None = None,
    runner: ActionRunner | None = None,
    stubs: Mapping[str, Any] | None = None,
    store: Any = None,
    clock: Callable[[], float] = frozen_clock,
) -> Walk:
    """A walk with a frozen clock and a fixed session id, so screens look the same every run."""
    lib = lib or library()
    return Walk(
        lib.load(tree_ref),
        resolve_tree=lib.load,
        runner=runner or ActionRunner(stubs=dict(stubs or {})),
        recorder=store.recorder() if store is not None else None,
        session_id="5e55i0n1d001",
        clock=clock,
        agent="ann",
    )


def app_for(walk: Walk, lib: Library | None = None, **options: Any) -> BranchwiseApp:
    store = options.pop("store", None)
    return make_app(lib or library(), store, walk, clock=frozen_clock, **options)


@pytest.fixture
def paya_walk() -> Walk:
    return new_walk()
