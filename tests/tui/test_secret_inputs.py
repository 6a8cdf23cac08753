"""A secret input is typed into a one-line box that shows dots, and its value shows on no screen:
not in the box, the reason under it, the body, the answers, the action's result, the path, the
transcript, the outcome or a notification."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from engine.store import Store
from engine.walker import Walk
from tests.tui.conftest import app_for, library, new_walk
from tests.tui.pilot_steps import press, record_notifications, screen_text, wait_for
from tui.app import BranchwiseApp
from tui.screens.outcome import OutcomeScreen
from tui.screens.transcript import TranscriptScreen
from tui.widgets.action_panel import ActionPanel
from tui.widgets.input_panel import InputPanel

SECRET = "K-4711"
TREE = """\
schema: branchwise/v1
id: tui-test/secret
version: 1
title: Check a licence
start: key
variables:
  licence_key: {label: Licence key, secret: true}
nodes:
  key:
    type: input
    title: Which licence key does the merchant read out?
    prompt: Licence key
    var: licence_key
    pattern: "^K-[0-9]{4}$"
    next: check
  check:
    type: action
    title: Check the licence
    action:
      uses: paya.get_contact
      with: {contact_id: "{{ licence_key }}"}
      save_as: licence
    routes:
      - {label: Valid, goto: confirm, when: {var: licence.valid, equals: true}}
      - {label: Not valid, goto: refused}
  confirm:
    type: question
    title: Did the merchant confirm the key?
    body: |
      Read the key back: **{{ licence_key }}** (the service saw `{{ licence.echo }}`).
    choices:
      - {label: "Yes, {{ licence_key }} is right", key: y, goto: done}
      - {label: "No", key: n, goto: refused}
  done:
    type: outcome
    status: resolved
    title: Licence checked
    body: The key {{ licence_key }} works.
  refused:
    type: outcome
    status: unresolved
    title: Licence refused
"""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "sessions.sqlite3") as opened:
        yield opened


def secret_app(tmp_path: Path, store: Store | None = None) -> tuple[Walk, BranchwiseApp]:
    trees = tmp_path / "trees"
    trees.mkdir()
    (trees / "secret.yaml").write_text(TREE, encoding="utf-8")
    lib = library(trees)
    stubs = {"paya.get_contact": {"valid": True, "echo": SECRET}}
    walk = new_walk("tui-test/secret", lib=lib, stubs=stubs, store=store)
    return walk, app_for(walk, lib, store=store)


def assert_hidden(pilot: Pilot[Any]) -> str:
    text = screen_text(pilot)
    assert SECRET.casefold() not in text.casefold()
    assert "K-47" not in text
    return text


async def test_a_secret_is_typed_as_dots_and_shows_on_no_screen(
    tmp_path: Path, store: Store
) -> None:
    walk, app = secret_app(tmp_path, store)
    notifications = record_notifications(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        panel = pilot.app.screen.query_one(InputPanel)
        await press(pilot, *"K-47")
        focused = pilot.app.focused
        assert isinstance(focused, Input) and focused.password
        assert not any(box.display for box in panel.query(TextArea))
        text = assert_hidden(pilot)
        assert "••••" in text
        assert "••• does not have the expected form" in text  # the reason, without the value
        await press(pilot, "enter")
        assert walk.node.id == "key"
        assert_hidden(pilot)

        await press(pilot, *"11")
        assert panel.value == SECRET
        assert "does not have the expected form" not in assert_hidden(pilot)
        await press(pilot, "enter")
        assert walk.variables["licence_key"] == SECRET
        action = pilot.app.screen.query_one(ActionPanel)
        await wait_for(pilot, lambda: action.has_class("-done"))
        assert "echo" in assert_hidden(pilot)  # the result table, the echo masked
        await press(pilot, "1")

        assert walk.node.id == "confirm"
        await pilot.pause(0.2)
        text = assert_hidden(pilot)
        assert "Read the key back: •••" in text
        assert "Yes, ••• is right" in text
        assert "✓ Which licence key" in text  # the path panel is on the screen
        await press(pilot, "ctrl+n", *"called back", "enter")
        await press(pilot, "ctrl+t")
        assert isinstance(pilot.app.screen, TranscriptScreen)
        await pilot.pause(0.2)
        assert "called back" in assert_hidden(pilot)
        await press(pilot, "escape", "y")

        assert isinstance(pilot.app.screen, OutcomeScreen)
        await pilot.pause(0.2)
        text = assert_hidden(pilot)
        assert "Licence checked" in text and "The key ••• works." in text
        assert "Note added to this step." in notifications
    assert notifications and not any(SECRET in message for message in notifications)


async def test_going_back_to_a_secret_input_asks_again_with_an_empty_box(tmp_path: Path) -> None:
    walk, app = secret_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *SECRET, "enter")
        action = pilot.app.screen.query_one(ActionPanel)
        await wait_for(pilot, lambda: action.has_class("-done"))
        await press(pilot, "1")
        assert walk.node.id == "confirm"
        await press(pilot, "escape")
        assert walk.node.id == "key"
        assert pilot.app.screen.query_one(InputPanel).value == ""
        assert_hidden(pilot)


async def test_ctrl_o_shows_and_hides_the_secret_as_the_hint_and_footer_say(
    tmp_path: Path,
) -> None:
    _, app = secret_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *SECRET)
        text = assert_hidden(pilot)
        assert "Enter submits · typed as dots · ctrl+o shows it" in text
        assert "^o Show/hide" in text.splitlines()[-1]
        await press(pilot, "ctrl+o")
        text = screen_text(pilot)
        assert SECRET in text
        assert "ctrl+o hides it" in text
        await press(pilot, "ctrl+o")
        assert_hidden(pilot)
