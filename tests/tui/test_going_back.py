"""Going back through the breadcrumbs, restarting, and notes: each asks or says what it drops."""

from __future__ import annotations

from textual.widgets import OptionList

from tests.tui.conftest import app_for, new_walk
from tests.tui.pilot_steps import press, screen_text
from tui.screens.confirm import ConfirmScreen
from tui.screens.walk import WalkScreen


async def test_choosing_an_earlier_breadcrumb_asks_then_goes_back() -> None:
    walk = new_walk()
    async with app_for(walk).run_test(size=(120, 40)) as pilot:
        await press(pilot, "1", "1", "1", "2")
        assert walk.node.id == "created-before"
        text = screen_text(pilot)
        assert "✓ Search for the contact" in text
        assert "▸ Have you created other" in text
        await pilot.click("#crumbs", offset=(3, 2))  # the second crumb: Search for the contact
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmScreen)
        shown = screen_text(pilot)
        assert "Go back to “Search for the contact”?" in shown
        assert "This forgets 3 answer(s)" in shown
        await press(pilot, "n")
        assert walk.node.id == "created-before"
        await pilot.click("#crumbs", offset=(3, 2))
        await press(pilot, "y")
        assert isinstance(pilot.app.screen, WalkScreen)
        assert walk.path() == ["open-contacts", "find-contact"]
        assert pilot.app.screen.query_one("#crumbs", OptionList).option_count == 2


async def test_restart_asks_first_and_starts_from_the_top() -> None:
    walk = new_walk()
    async with app_for(walk).run_test(size=(100, 30)) as pilot:
        await press(pilot, "1", "1", "1", "y")
        await press(pilot, "ctrl+r")
        assert "Start this tree again from its first step?" in screen_text(pilot)
        await press(pilot, "escape")
        assert walk.node.id == "create-user"
        await press(pilot, "ctrl+r", "y")
        assert walk.path() == ["open-contacts"]


async def test_notes_show_in_the_path_panel_and_the_transcript() -> None:
    walk = new_walk()
    async with app_for(walk).run_test(size=(120, 40)) as pilot:
        await press(pilot, "1", "ctrl+n", *"merchant on v2", "enter")
        assert walk.current.notes == ["merchant on v2"]
        text = screen_text(pilot)
        assert "Notes (1)" in text and "· merchant on v2" in text
        await press(pilot, "ctrl+t")
        assert "merchant on v2" in screen_text(pilot)
        await press(pilot, "ctrl+n", *"[bold]second[/]", "enter")
        assert "[bold]second[/]" in screen_text(pilot)
        await press(pilot, "escape")
        assert isinstance(pilot.app.screen, WalkScreen)
        assert walk.current.notes == ["merchant on v2", "[bold]second[/]"]


async def test_question_mark_opens_help_with_every_binding() -> None:
    walk = new_walk()
    async with app_for(walk).run_test(size=(100, 40)) as pilot:
        await press(pilot, "question_mark")
        text = screen_text(pilot)
        for words in ("Back", "Restart", "Note", "Transcript", "Quit", "ctrl+b", "1 … 9"):
            assert words in text
        await press(pilot, "escape")
        assert isinstance(pilot.app.screen, WalkScreen)


async def test_narrow_terminal_hides_the_path_until_ctrl_b() -> None:
    walk = new_walk()
    async with app_for(walk).run_test(size=(80, 24)) as pilot:
        path = pilot.app.screen.query_one("#path")
        assert not path.display or path.region.width == 0
        await press(pilot, "ctrl+b")
        assert path.region.width > 0
        assert "▸ Open Contacts" in screen_text(pilot)
