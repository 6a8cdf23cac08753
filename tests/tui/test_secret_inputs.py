"""A secret input is typed into a one-line box that shows dots, and its value shows on no screen:
not in the box, the reason under it, the body, the answers, the action's result, the path, the
dialog that asks before going back, the transcript, the outcome or a notification."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, TextArea

from engine.sessions.store import Store
from engine.walk.walker import Walk
from tests.tui.conftest import app_for, library, new_walk
from tests.tui.pilot_steps import press, record_notifications, screen_text, wait_for
from tui.app import BranchwiseApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.help import HelpScreen
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
# The same id, in a library of its own: a secret in the titles and labels of steps that the path
# panel and the going-back dialog name.
TITLED_TREE = """\
schema: branchwise/v1
id: tui-test/secret
version: 1
title: Check a token
start: token
variables:
  token: {label: Token, secret: true}
nodes:
  token:
    type: input
    title: Which token does the merchant read out?
    prompt: Token
    var: token
    next: accepted
  accepted:
    type: question
    title: Token {{ token }} accepted
    choices:
      - {label: "Yes, {{ token }} works", key: y, goto: portal}
      - {label: "No", key: n, goto: refused}
  portal:
    type: question
    title: Does the portal open?
    choices:
      - {label: "Yes", key: y, goto: done}
      - {label: "No", key: n, goto: refused}
  done:
    type: outcome
    status: resolved
    title: Token works
  refused:
    type: outcome
    status: unresolved
    title: Token refused
"""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "sessions.sqlite3") as opened:
        yield opened


def secret_app(
    tmp_path: Path, store: Store | None = None, tree: str = TREE
) -> tuple[Walk, BranchwiseApp]:
    trees = tmp_path / "trees"
    trees.mkdir()
    (trees / "secret.yaml").write_text(tree, encoding="utf-8")
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
        assert "that value does not have the expected form" in text  # the reason, without the value
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


async def select_crumb(pilot: Pilot[Any], visit: int) -> None:
    """Choose the path panel's breadcrumb of this visit, as Enter on it does."""
    crumbs = pilot.app.screen.query_one("#crumbs", OptionList)
    crumbs.focus()
    crumbs.highlighted = crumbs.get_option_index(f"visit-{visit}")
    await press(pilot, "enter")


async def test_a_secret_in_a_step_title_shows_masked_in_the_path_and_going_back(
    tmp_path: Path,
) -> None:
    walk, app = secret_app(tmp_path, tree=TITLED_TREE)
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, *SECRET, "enter")
        assert walk.node.id == "accepted"
        await press(pilot, "y")
        assert walk.node.id == "portal"
        await pilot.pause(0.2)
        text = assert_hidden(pilot)
        assert "✓ Token ••• accepted" in text  # the breadcrumb
        assert "▸ Does the portal open?" in text
        await press(pilot, "ctrl+n", *f"read {SECRET} out", "enter")
        assert "· read ••• out" in assert_hidden(pilot)  # a note, as the store keeps it

        await select_crumb(pilot, 1)
        assert isinstance(pilot.app.screen, ConfirmScreen)
        text = assert_hidden(pilot)
        assert "Go back to “Token ••• accepted”?" in text
        assert "This forgets 1 answer(s):" in text
        assert "· Token ••• accepted — Yes, ••• works" in text
        await press(pilot, "y")
        assert walk.node.id == "accepted"
        assert_hidden(pilot)


async def test_help_lists_ctrl_o_for_a_secret_box(tmp_path: Path) -> None:
    _, app = secret_app(tmp_path)
    async with app.run_test(size=(100, 60)) as pilot:
        app.show_help()
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpScreen)
        await press(pilot, "end")
        rows = screen_text(pilot).splitlines()
        what = "in a secret's text box: show or hide what is typed"
        assert any("ctrl+o" in row and what in row for row in rows)
