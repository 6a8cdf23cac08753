"""SVG snapshots of the main screens at 80×24 and 120×40 (tests/tui/__snapshots__, committed).

Update them with `pytest tests/tui/test_snapshots.py --snapshot-update` and look at the result.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from engine.actions.registry import Registry
from engine.sessions.store import Store
from tests.tui.conftest import (
    FROZEN,
    PAYA,
    GatedAction,
    app_for,
    frozen_clock,
    gated_runner,
    library,
    new_walk,
)
from tests.tui.pilot_steps import press, wait_for
from tui.app import make_app
from tui.widgets.action_panel import ActionPanel
from tui.widgets.node_body import NodeBody

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
TO_INPUT = ("1", "1", "1", "2", "y")


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the body is rendered as Markdown, so nothing moves in the picture."""
    body = pilot.app.screen.query_one(NodeBody)
    await wait_for(pilot, lambda: body.settled)
    await pilot.pause(0.1)
    steady_cursors(pilot)


def steady_cursors(pilot: Pilot[Any]) -> None:
    """Text boxes show their cursor for good: on a busy machine, half a second may pass before
    the picture is taken, and a blink would decide what it shows."""
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "sessions.sqlite3") as opened:
        yield opened


@pytest.mark.parametrize("size", SIZES)
def test_library(snap_compare: Any, size: tuple[int, int], store: Store) -> None:
    earlier = new_walk(store=store, clock=lambda: FROZEN - 2 * 86400)  # "2d ago", in any zone
    earlier.answer("Continue")
    app = make_app(library(), store, clock=frozen_clock)

    async def shown(pilot: Pilot[Any]) -> None:
        await pilot.pause(0.1)
        steady_cursors(pilot)

    assert snap_compare(app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_question(snap_compare: Any, size: tuple[int, int]) -> None:
    async def to_question(pilot: Pilot[Any]) -> None:
        await press(pilot, "1", "1", "1", "2")
        await settle(pilot)

    assert snap_compare(app_for(new_walk()), terminal_size=size, run_before=to_question)


@pytest.mark.parametrize("size", SIZES)
def test_input_with_an_error(snap_compare: Any, size: tuple[int, int]) -> None:
    async def type_badly(pilot: Pilot[Any]) -> None:
        await press(pilot, *TO_INPUT, "a", "b", "exclamation_mark")
        await settle(pilot)

    assert snap_compare(app_for(new_walk()), terminal_size=size, run_before=type_badly)


@pytest.mark.parametrize("size", SIZES)
def test_running_action(snap_compare: Any, size: tuple[int, int], tmp_path: Path) -> None:
    lookup = GatedAction()
    registry = Registry([lookup])
    lib = library(registry=registry)
    app = app_for(new_walk(PAYA, lib=lib, runner=gated_runner(registry, tmp_path)), lib)
    app.animation_level = "none"  # the spinner stands still: "Loading..."

    async def start_the_call(pilot: Pilot[Any]) -> None:
        await press(pilot, *TO_INPUT, *"1001", "enter")
        panel = pilot.app.screen.query_one(ActionPanel)
        await wait_for(pilot, lambda: panel.has_class("-running"))
        await settle(pilot)

    try:
        assert snap_compare(app, terminal_size=size, run_before=start_the_call)
    finally:
        lookup.gate.set()


@pytest.mark.parametrize("size", SIZES)
def test_outcome(snap_compare: Any, size: tuple[int, int]) -> None:
    async def to_escalation(pilot: Pilot[Any]) -> None:
        await press(pilot, "1", "1", "1", "2", "2")
        await pilot.pause(0.2)

    assert snap_compare(app_for(new_walk()), terminal_size=size, run_before=to_escalation)


@pytest.mark.parametrize("to", [("1", "1", "1", "2"), ("1", "1", "1", "2", "2")],
                         ids=["question", "outcome"])  # fmt: skip
def test_light_theme(snap_compare: Any, to: tuple[str, ...]) -> None:
    """The same screens in Textual's light theme: every colour comes from theme variables."""

    async def walk_on(pilot: Pilot[Any]) -> None:
        pilot.app.theme = "textual-light"
        await press(pilot, *to)
        if to[-1] == "2" and len(to) == 4:
            await settle(pilot)
        await pilot.pause(0.2)

    assert snap_compare(app_for(new_walk()), terminal_size=(80, 24), run_before=walk_on)
