"""Walking the Paya Connect tree to each of its outcomes, by keys and by clicks."""

from __future__ import annotations

import pytest

from tests.tui.conftest import app_for, new_walk
from tests.tui.pilot_steps import click_answer, press, screen_text, wait_for
from tui.screens.outcome import OutcomeScreen
from tui.screens.walk import WalkScreen
from tui.widgets.action_panel import ActionPanel

CONTACT = "5f2b1c9a7d3e4f60a1b2c3d4"


async def test_keys_walk_to_user_created() -> None:
    walk = new_walk()
    async with app_for(walk).run_test(size=(100, 30)) as pilot:
        await press(pilot, "enter", "1", "1")
        assert "Do you see the 'Create User' button?" in screen_text(pilot)
        await press(pilot, "y", "1", "1")
        assert isinstance(pilot.app.screen, OutcomeScreen)
        assert walk.outcome == "done-user-created"
        assert walk.status == "resolved"
        assert "✓ Resolved" in screen_text(pilot)
        assert pilot.app.exit_code == 0


async def test_keys_walk_to_escalation() -> None:
    walk = new_walk()
    async with app_for(walk).run_test(size=(80, 24)) as pilot:
        await press(pilot, "1", "1", "1", "2", "2")
        assert walk.outcome == "escalated-solution-provider"
        assert "▲ Escalated" in screen_text(pilot)


@pytest.mark.parametrize(
    ("stub", "route_answer", "outcome"),
    [
        ({"id": CONTACT, "is_user": True}, None, "done-advised"),
        ({"id": CONTACT, "is_user": False}, "2", "escalated-solution-provider"),
        ({"error": "Contact not found"}, "y", "done-advised"),
    ],
)
async def test_keys_walk_through_the_lookup(
    stub: dict[str, object], route_answer: str | None, outcome: str
) -> None:
    walk = new_walk(stubs={"paya.get_contact": stub})
    async with app_for(walk).run_test(size=(100, 30)) as pilot:
        await press(pilot, "1", "1", "1", "2", "y")
        assert "Contact ID" in screen_text(pilot)
        await press(pilot, *CONTACT, "enter")
        panel = pilot.app.screen.query_one(ActionPanel)
        await wait_for(pilot, lambda: panel.has_class("-done"))
        shown = screen_text(pilot)
        assert ("▸ Is User: YES" in shown) == (stub.get("is_user") is True)
        await press(pilot, "1")  # past the result
        if route_answer is not None:
            await press(pilot, route_answer)
        if walk.node.type == "step":
            await press(pilot, "1")
        assert isinstance(pilot.app.screen, OutcomeScreen)
        assert walk.outcome == outcome
        assert walk.variables["contact_id"] == CONTACT


async def test_clicks_walk_to_user_created_and_escalation() -> None:
    walk = new_walk()
    async with app_for(walk).run_test(size=(120, 40)) as pilot:
        for _ in range(3):
            await click_answer(pilot, "Continue")
        await click_answer(pilot, "Yes")
        await click_answer(pilot, "Continue")
        await click_answer(pilot, "Continue")
        assert walk.outcome == "done-user-created"
        await press(pilot, "n")  # a new session of the same tree
        assert isinstance(pilot.app.screen, WalkScreen)
        second = pilot.app.screen.walk
        assert second is not walk and second.tree.id == walk.tree.id
        for _ in range(3):
            await click_answer(pilot, "Continue")
        await click_answer(pilot, "No")
        await click_answer(pilot, "No")
        assert second.outcome == "escalated-solution-provider"


async def test_arrows_and_enter_pick_the_focused_answer() -> None:
    walk = new_walk()
    async with app_for(walk).run_test(size=(100, 30)) as pilot:
        await press(pilot, "1", "1", "1", "down", "enter")
        assert walk.node.id == "created-before"
        await press(pilot, "down", "up", "enter")
        assert walk.node.id == "enter-contact-id"


async def test_invalid_input_says_why_under_the_box_and_is_not_taken() -> None:
    walk = new_walk(stubs={"paya.get_contact": {"is_user": True}})
    async with app_for(walk).run_test(size=(100, 30)) as pilot:
        await press(pilot, "1", "1", "1", "2", "1", "a", "b", "exclamation_mark", "enter")
        assert walk.node.id == "enter-contact-id"
        assert "does not have the expected form" in screen_text(pilot)
        await press(pilot, "backspace", "enter")
        assert walk.node.id != "enter-contact-id"


async def test_escape_goes_back_and_ctrl_q_leaves_the_session_open() -> None:
    walk = new_walk()
    app = app_for(walk)
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "1", "1", "1", "2")
        assert walk.node.id == "created-before"
        await press(pilot, "escape")
        assert walk.node.id == "create-user-visible"
        await press(pilot, "ctrl+q")
    assert walk.status == "open"
    assert app.exit_code == 1


async def test_the_header_names_the_linked_tree_while_the_walk_is_inside_it() -> None:
    walk = new_walk("paya-connect/portal-login-help")
    async with app_for(walk).run_test(size=(100, 30)) as pilot:
        header = pilot.app.screen.query_one("#header")
        assert "Customer cannot log in to the Customer Portal" in str(header.render())
        await press(pilot, "c", *"dev.patel@example.com", "enter", "2", "2")
        assert walk.current_tree.id == "paya-connect/customer-portal-access"
        shown = str(header.render())
        assert "↳ Grant a contact access to the Customer Portal · v1" in shown
        await press(pilot, "escape")  # back in the tree the walk began with
        assert "↳" not in str(header.render())
        assert "Customer cannot log in to the Customer Portal" in str(header.render())
