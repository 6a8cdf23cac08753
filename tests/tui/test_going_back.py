"""Going back through the breadcrumbs, restarting, and notes: each asks or says what it drops."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from engine.sessions.store import Store
from tests.tui.conftest import app_for, new_walk
from tests.tui.pilot_steps import press, screen_text, wait_for
from tui.screens.confirm import ConfirmScreen
from tui.screens.note_picker import NotePickerScreen
from tui.screens.prompt import PromptScreen
from tui.screens.transcript import TranscriptScreen
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
        await press(pilot, "end")  # the rest of the keys, further down
        text += screen_text(pilot)
        for words in ("PgUp PgDn", "ctrl+j", "start a new line", "Edit note", "Statistics"):
            assert words in text
        await press(pilot, "escape")
        assert isinstance(pilot.app.screen, WalkScreen)


async def test_narrow_terminal_hides_the_path_until_ctrl_b() -> None:
    walk = new_walk()
    async with app_for(walk).run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: bool(pilot.app.screen.query("#path")))
        path = pilot.app.screen.query_one("#path")
        assert not path.display or path.region.width == 0
        await press(pilot, "ctrl+b")
        assert path.region.width > 0
        assert "▸ Open Contacts" in screen_text(pilot)


async def test_notes_are_edited_on_the_transcript_screen_and_in_the_store(tmp_path: Path) -> None:
    with Store(tmp_path / "sessions.sqlite3") as store:
        walk = new_walk(store=store)
        async with app_for(walk, store=store).run_test(size=(100, 30)) as pilot:
            await press(pilot, "ctrl+t")
            assert "Edit note" not in screen_text(pilot)  # nothing to edit yet
            await press(pilot, "ctrl+n", *"merchant on v2", "enter")
            await press(pilot, "escape", "1", "ctrl+t", "ctrl+n", *"asked twice", "enter")
            assert "Edit note" in screen_text(pilot)
            await press(pilot, "e")
            assert isinstance(pilot.app.screen, NotePickerScreen)
            assert "merchant on v2" in screen_text(pilot) and "asked twice" in screen_text(pilot)
            await press(pilot, "enter")  # the first note, on the first step
            assert isinstance(pilot.app.screen, PromptScreen)
            await press(pilot, "backspace", "3", "enter")
            assert walk.visits[0].notes == ["merchant on v3"]
            assert isinstance(pilot.app.screen, TranscriptScreen)
            shown = screen_text(pilot)
            assert "merchant on v3" in shown and "merchant on v2" not in shown
            await press(pilot, "e", "down", "enter", "ctrl+u", *"[b]asked[/b] once", "enter")
            assert walk.visits[1].notes == ["[b]asked[/b] once"]
            assert "[b]asked[/b] once" in screen_text(pilot)
            await press(pilot, "escape")
            assert "· merchant on v3" in screen_text(pilot)  # the path panel's notes
        record = store.load(walk.id)
    assert [n.text for n in record.steps[0].notes] == ["merchant on v3"]
    assert [n.text for n in record.steps[1].notes] == ["[b]asked[/b] once"]


async def test_a_single_note_opens_for_editing_at_once_and_empty_text_is_refused() -> None:
    walk = new_walk()
    walk.note("only one")
    async with app_for(walk).run_test(size=(100, 30), notifications=True) as pilot:
        await press(pilot, "ctrl+t", "e")
        assert isinstance(pilot.app.screen, PromptScreen)
        await press(pilot, "ctrl+u", "enter")
        assert walk.visits[0].notes == ["only one"]
        assert "a note needs some text" in screen_text(pilot)


async def test_the_breadcrumbs_follow_each_step_just_after_its_question_is_painted() -> None:
    walk = new_walk()
    async with app_for(walk).run_test(size=(120, 40)) as pilot:
        crumbs = pilot.app.screen.query_one("#crumbs", OptionList)
        await wait_for(pilot, lambda: crumbs.option_count == 1)
        for key in ("1", "1", "1"):  # pressed at once, as a fast typist does
            await pilot.press(key)
        await wait_for(pilot, lambda: crumbs.option_count == 4)
        shown = screen_text(pilot)
        assert "✓ Open Contacts from the" in shown and "▸ Do you see the 'Create" in shown
        assert crumbs.highlighted == 3
        await press(pilot, "escape")
        await wait_for(pilot, lambda: crumbs.option_count == 3)
        assert "▸ Open the Profile tab" in screen_text(pilot)


async def test_a_long_note_wraps_under_its_bullet_in_the_path_panel() -> None:
    walk = new_walk()
    async with app_for(walk).run_test(size=(120, 40)) as pilot:
        note = "merchant says the customer reset the password yesterday"
        await press(pilot, "ctrl+n", *note, "enter", "ctrl+n", *"second", "enter")
        await wait_for(pilot, lambda: "Notes (2)" in screen_text(pilot))
        panel = [line.split("│")[1] for line in screen_text(pilot).splitlines() if "│" in line]
        start = next(i for i, line in enumerate(panel) if line.startswith("· merchant"))
        wrapped = panel[start + 1 : start + 3]
        assert all(line.startswith("  ") and line.strip() for line in wrapped)
        assert " ".join(" ".join(panel[start : start + 3]).split()) == f"· {note}"
        assert panel[start + 3].startswith("· second")
