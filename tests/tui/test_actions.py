"""Action nodes in the app: a call runs in a worker, then shows its result and route; failures,
confirmations and doing it by hand; and a real lookup against a local Paya Connect API."""

from __future__ import annotations

from pathlib import Path

from engine.actions.catalog import default_registry
from engine.actions.config import Config
from engine.actions.registry import Registry
from engine.walk.action_runner import ActionRunner
from tests.fakes.paya_server import USER_CONTACT_ID
from tests.tui.conftest import DATA, PAYA, GatedAction, app_for, gated_runner, library, new_walk
from tests.tui.pilot_steps import press, screen_text, wait_for
from tui.screens.confirm import ConfirmScreen
from tui.screens.outcome import OutcomeScreen
from tui.screens.transcript import TranscriptScreen
from tui.screens.walk import WalkScreen
from tui.widgets.action_panel import ActionPanel

pytest_plugins = ["tests.fakes.fixtures"]


def panel(pilot: object) -> ActionPanel:
    return pilot.app.screen.query_one(ActionPanel)  # type: ignore[attr-defined, no-any-return]


async def test_a_running_call_keeps_the_screen_responsive_then_shows_result_and_route(
    tmp_path: Path,
) -> None:
    lookup = GatedAction(result={"id": "c-1", "first_name": "Dana", "is_user": True})
    registry = Registry([lookup])
    lib = library(registry=registry)
    walk = new_walk(PAYA, lib=lib, runner=gated_runner(registry, tmp_path))
    async with app_for(walk, lib).run_test(size=(100, 30)) as pilot:
        await press(pilot, "1", "1", "1", "2", "y", *"abc-1", "enter")
        await wait_for(pilot, lambda: panel(pilot).has_class("-running"))
        shown = screen_text(pilot)
        assert "Run paya.get_contact against the test service…" in shown
        assert "GET https://svc.test/contacts/abc-1" in shown
        await press(pilot, "ctrl+t")  # the app answers keys while the call is out
        assert isinstance(pilot.app.screen, TranscriptScreen)
        await press(pilot, "escape")
        lookup.gate.set()
        await wait_for(pilot, lambda: panel(pilot).has_class("-done"))
        shown = screen_text(pilot)
        assert "first_name  Dana" in shown
        assert "▸ Is User: YES" in shown
        assert lookup.calls == [{"contact_id": "abc-1"}]
        await press(pilot, "enter")
        assert walk.node.id == "advise-login"


async def actions_app(tmp_path: Path, lookup: GatedAction, grant: GatedAction) -> object:
    registry = Registry([lookup, grant])
    lib = library(DATA, registry=registry)
    walk = new_walk("tui-test/actions", lib=lib, runner=gated_runner(registry, tmp_path))
    return app_for(walk, lib), walk


async def test_a_failed_call_offers_retry_then_side_effects_are_confirmed(tmp_path: Path) -> None:
    lookup = GatedAction("test.lookup", error="the service is down")
    grant = GatedAction("test.grant", side_effects=True, result={"granted": True})
    lookup.gate.set()
    grant.gate.set()
    app, walk = await actions_app(tmp_path, lookup, grant)
    running = app.run_test(size=(100, 30), notifications=True)  # type: ignore[attr-defined]
    async with running as pilot:
        await press(pilot, *"c-7", "enter")
        await wait_for(pilot, lambda: panel(pilot).has_class("-failed"))
        shown = screen_text(pilot)
        assert "test.lookup failed: the service is down" in shown
        assert "Retry  (r)" in shown and "Do it by hand  (h)" in shown and "Back  (b)" in shown
        lookup.error = None
        await press(pilot, "r")
        await wait_for(pilot, lambda: panel(pilot).has_class("-done"))
        await press(pilot, "1")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        assert "Run test.grant now?" in screen_text(pilot)
        assert "going back will not undo it" in screen_text(pilot)
        await press(pilot, "n")
        assert grant.calls == []
        assert "Not called yet." in screen_text(pilot)
        await press(pilot, "r", "y")
        await wait_for(pilot, lambda: panel(pilot).has_class("-done"))
        assert grant.calls == [{"contact_id": "c-7"}]
        await press(pilot, "1")
        assert isinstance(pilot.app.screen, OutcomeScreen)
        await press(pilot, "escape")  # back from the outcome: the grant cannot be undone
        assert isinstance(pilot.app.screen, WalkScreen)
        assert walk.node.id == "ask-id"
        assert "test.grant was already called" in screen_text(pilot)


async def test_doing_a_failed_call_by_hand_shows_the_manual_and_route_buttons(
    tmp_path: Path,
) -> None:
    lookup = GatedAction("test.lookup", error="timed out")
    grant = GatedAction("test.grant", side_effects=True)
    lookup.gate.set()
    app, walk = await actions_app(tmp_path, lookup, grant)
    async with app.run_test(size=(100, 30)) as pilot:  # type: ignore[attr-defined]
        await press(pilot, "x", "enter")
        await wait_for(pilot, lambda: panel(pilot).has_class("-failed"))
        await press(pilot, "h")
        shown = screen_text(pilot)
        assert "Look the contact up by hand in the admin page." in shown
        assert "1  Found" in shown
        await press(pilot, "1")
        assert walk.node.id == "change"


async def test_dry_run_marks_the_screen_and_calls_nothing_that_changes_things(
    tmp_path: Path,
) -> None:
    lookup = GatedAction("test.lookup")
    grant = GatedAction("test.grant", side_effects=True)
    lookup.gate.set()
    registry = Registry([lookup, grant])
    lib = library(DATA, registry=registry)
    runner = gated_runner(registry, tmp_path)
    runner.dry_run = True
    walk = new_walk("tui-test/actions", lib=lib, runner=runner)
    async with app_for(walk, lib, dry_run=True).run_test(size=(100, 30)) as pilot:
        assert "DRY RUN" in screen_text(pilot)
        await press(pilot, "x", "enter")
        await wait_for(pilot, lambda: panel(pilot).has_class("-done"))
        await press(pilot, "1")
        shown = screen_text(pilot)
        assert "not called: test.grant: GET https://svc.test/contacts/x" in shown
        assert "1  Granted" in shown
        assert grant.calls == []


async def test_a_real_lookup_against_the_local_paya_api(paya_config: Config) -> None:
    runner = ActionRunner(default_registry(), paya_config)
    walk = new_walk(PAYA, runner=runner)
    async with app_for(walk).run_test(size=(100, 30)) as pilot:
        await press(pilot, "1", "1", "1", "2", "y", *USER_CONTACT_ID, "enter")
        await wait_for(pilot, lambda: panel(pilot).has_class("-done"))
        shown = screen_text(pilot)
        assert "Maria" in shown
        assert "▸ Is User: YES" in shown
        await press(pilot, "1", "1")
        assert walk.outcome == "done-advised"


async def test_contacts_found_are_listed_one_a_line_in_the_result(paya_config: Config) -> None:
    runner = ActionRunner(default_registry(), paya_config)
    walk = new_walk("paya-connect/portal-login-help", runner=runner)
    async with app_for(walk).run_test(size=(80, 40)) as pilot:
        await press(pilot, "c", *"dev.patel@example.com", "enter")
        await wait_for(pilot, lambda: panel(pilot).has_class("-done"))
        lines = [" ".join(line.strip("│ ").split()) for line in screen_text(pilot).splitlines()]
        assert "▸ Several contacts found" in lines
        listed = [line for line in lines if line[:3] in ("1. ", "2. ")]
        assert [line[:3] for line in listed] == ["1. ", "2. "]
        shown = " ".join(lines)
        assert "contacts 2 items" in shown
        assert shown.count("email: dev.patel@example.com") == 2
        assert "account_number: A-1002" in shown and "account_number: A-1004" in shown
        assert "company_name" not in shown  # empty fields are left out
