"""Text from a tree, an input or a variable is shown as the characters it is, never as markup."""

from __future__ import annotations

from tests.tui.conftest import DATA, app_for, library, new_walk
from tests.tui.pilot_steps import click_answer, press, screen_text
from tui.screens.outcome import OutcomeScreen

MARKUP = "tui-test/markup"


async def test_markup_in_titles_labels_values_and_inputs_is_shown_literally() -> None:
    lib = library(DATA)
    walk = new_walk(MARKUP, lib=lib)
    async with app_for(walk, lib).run_test(size=(120, 40)) as pilot:
        shown = screen_text(pilot)
        assert "[bold red]ACME[/] tree" in shown
        assert "Is [bold red]X[/] shown for [link=https://evil.example]click me[/link]?" in shown
        assert "1  [bold red]X[/]  (x)" in shown
        assert "2  [link=https://x.y]click[/link]" in shown
        assert "3  [2Jcleared" in shown and "\x1b" not in shown
        assert "Text with [bold]brackets[/bold] and a value:" in shown
        await click_answer(pilot, "[link=https://x.y]click[/link]")
        assert walk.path() == ["pick", "name"]
        assert "Type [red]anything[/red]" in screen_text(pilot)
        await press(pilot, *"[b]me[/b]", "enter")
        assert isinstance(pilot.app.screen, OutcomeScreen)
        shown = screen_text(pilot)
        assert "✗ Unresolved  Done with [i][b]me[/b][/i]" in shown
        assert "[link=https://x.y]click[/link]" in shown  # the transcript


async def test_choice_keys_and_numbers_work_on_a_tree_full_of_markup() -> None:
    lib = library(DATA)
    walk = new_walk(MARKUP, lib=lib)
    async with app_for(walk, lib).run_test(size=(80, 24)) as pilot:
        await press(pilot, "x")
        assert walk.visits[0].answer == "[bold red]X[/]"
        await press(pilot, "escape", "3")
        assert walk.visits[0].answer == "[2Jcleared"
