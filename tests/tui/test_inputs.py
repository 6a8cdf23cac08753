"""Input nodes: a pasted compiler output kept whole, long values shown to their end, a new line
on ctrl+j, and the value given before filled in again when the walk goes back to the input."""

from __future__ import annotations

from textual import events
from textual.pilot import Pilot

from engine.walk.masking import MASK
from engine.walk.walker import Walk
from tests.tui.conftest import DATA, PAYA, app_for, library, new_walk
from tests.tui.pilot_steps import press, screen_text
from tui.app import BranchwiseApp
from tui.widgets.input_panel import InputPanel

COMPILER = "tui-test/compiler"
COMPILER_OUTPUT = (
    "In file included from sketch.ino:1:\n"
    "ArduinoJson.h:12: note: in expansion of macro\n"
    "sketch.ino:5:20: error: invalid conversion from 'const char*' to 'char*' [-fpermissive]\n"
    '   char* p = "x";\n'
)


def at_paste() -> tuple[Walk, BranchwiseApp]:
    """The compiler tree, walked to its input that takes a pasted error message."""
    lib = library(DATA)
    walk = new_walk(COMPILER, lib=lib)
    walk.answer("1")
    walk.answer("y")
    assert walk.node.id == "paste"
    return walk, app_for(walk, lib)


def box_text(pilot: Pilot[object]) -> str:
    return pilot.app.screen.query_one(InputPanel).value


async def paste(pilot: Pilot[object], text: str) -> None:
    """What a terminal sends for a bracketed paste: one event with every line."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def test_a_multi_line_paste_is_kept_whole_and_its_later_lines_choose() -> None:
    walk, app = at_paste()
    async with app.run_test(size=(80, 24)) as pilot:
        await paste(pilot, COMPILER_OUTPUT.replace("\n", "\r\n"))
        assert box_text(pilot) == COMPILER_OUTPUT
        shown = screen_text(pilot)
        assert "In file included from sketch.ino:1:" in shown
        assert "ArduinoJson.h:12: note: in expansion of macro" in shown
        await press(pilot, "enter")
        assert walk.variables["error_text"] == COMPILER_OUTPUT.strip()
        assert walk.node.id == "which-error"
        assert "invalid conversion from 'const char*' to 'char*' [-fpermissive]" in screen_text(
            pilot
        )


async def test_enter_submits_and_ctrl_j_starts_a_new_line_as_the_hint_says() -> None:
    walk, app = at_paste()
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Enter submits · ctrl+j new line" in screen_text(pilot)
        await press(pilot, *"first", "ctrl+j", *"second")
        assert box_text(pilot) == "first\nsecond"
        await press(pilot, "enter")
        assert walk.variables["error_text"] == "first\nsecond"


async def test_a_long_pasted_line_shows_its_end_where_the_cursor_is() -> None:
    _, app = at_paste()
    long_line = "sketch.ino:5:20: error: " + "very long template argument " * 8 + "THE-END"
    async with app.run_test(size=(80, 24)) as pilot:
        await paste(pilot, long_line)
        assert box_text(pilot) == long_line
        assert "THE-END" in screen_text(pilot)


async def test_without_a_prompt_the_title_is_not_repeated_as_the_label() -> None:
    _, app = at_paste()
    async with app.run_test(size=(80, 24)) as pilot:
        assert screen_text(pilot).count("Paste the error message") == 1


async def test_going_back_to_an_input_fills_in_the_value_given_before() -> None:
    walk = new_walk(PAYA)
    async with app_for(walk).run_test(size=(100, 30)) as pilot:
        await press(pilot, "1", "1", "1", "2", "y", *"1001", "enter")
        assert walk.variables["contact_id"] == "1001"
        await press(pilot, "escape")
        assert walk.node.id == "enter-contact-id"
        assert box_text(pilot) == "1001"
        await press(pilot, "backspace", "2", "enter")
        assert walk.variables["contact_id"] == "1002"


async def test_going_back_to_a_secret_input_leaves_the_box_empty() -> None:
    lib = library(DATA)
    walk = new_walk(COMPILER, lib=lib)
    walk.answer("1")
    walk.answer("2")
    assert walk.node.id == "licence"
    async with app_for(walk, lib).run_test(size=(80, 24)) as pilot:
        await press(pilot, *"K-123", "enter")
        assert walk.node.id == "paste"
        assert walk.visits[-2].answer == MASK
        await press(pilot, "escape")
        assert walk.node.id == "licence"
        assert box_text(pilot) == ""
        assert "K-123" not in screen_text(pilot)


async def test_an_input_reached_by_keys_shows_its_label_box_and_hint() -> None:
    walk = new_walk(PAYA)
    async with app_for(walk).run_test(size=(80, 24)) as pilot:
        await press(pilot, "1", "1", "1", "2", "y")
        assert walk.node.id == "enter-contact-id"
        shown = screen_text(pilot)
        assert "Contact ID" in shown
        assert "Enter submits · ctrl+j new line · a paste keeps every line" in shown
