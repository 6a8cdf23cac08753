"""How a node sits on the screen: only the parts it needs, one scroll area for long bodies,
answer buttons that fit their labels and line up their numbers, and the path panel's toggle."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Footer

from engine.sessions.resume import resume_walk
from engine.sessions.store import Store
from tests.tui.conftest import DATA, PAYA, app_for, library, new_walk
from tests.tui.pilot_steps import answer_buttons, press, screen_text, wait_for
from tui.screens.walk import WalkScreen
from tui.tree_reload import rebuild
from tui.widgets.node_body import NodeBody

COMPILER = "tui-test/compiler"


def visible(pilot: Pilot[object], selector: str) -> bool:
    """Whether any widget matching the selector takes room on the screen."""
    return any(w.display and w.region.height > 0 for w in pilot.app.screen.query(selector))


async def laid_out(pilot: Pilot[object]) -> None:
    """Wait for the parts mounted after the first frame (path, footer, input and action panels)."""
    await wait_for(pilot, lambda: bool(pilot.app.screen.query(Footer)))
    await pilot.pause()


def compiler_walk(*answers: str) -> tuple[object, object]:
    lib = library(DATA)
    walk = new_walk(COMPILER, lib=lib)
    for answer in answers:
        walk.answer(answer)
    return walk, lib


async def test_a_resumed_session_at_a_question_shows_no_empty_text_box(tmp_path: Path) -> None:
    with Store(tmp_path / "sessions.sqlite3") as store:
        earlier = new_walk(store=store)
        for answer in ("Continue", "Continue", "Continue"):
            earlier.answer(answer)
        lib = library()
        resumed = resume_walk(store, earlier.id, lib, earlier.runner).walk
        async with app_for(resumed, lib, store=store).run_test(size=(80, 24)) as pilot:
            await laid_out(pilot)
            assert resumed.node.id == "create-user-visible"
            assert visible(pilot, "#answers")
            assert not visible(pilot, "#input-panel")
            assert not visible(pilot, "#action-panel")
            assert "▔▔▔" not in screen_text(pilot)


async def test_no_text_box_is_left_after_going_back_or_a_reload_to_a_question() -> None:
    walk = new_walk()
    lib = library()
    async with app_for(walk, lib).run_test(size=(80, 24)) as pilot:
        await press(pilot, "1", "1", "1", "2", "y")
        assert visible(pilot, "#input-panel")
        await press(pilot, "escape")
        assert walk.node.id == "created-before"
        assert not visible(pilot, "#input-panel")
        reloaded, _ = rebuild(walk, lib.load(PAYA), lib, None)
        pilot.app.reload_walk(reloaded)  # what --watch does when the file is saved
        await pilot.pause()
        assert not visible(pilot, "#input-panel")
        assert visible(pilot, "#answers")


async def test_a_long_body_scrolls_with_its_node_by_page_keys_and_numbers_still_answer() -> None:
    walk, lib = compiler_walk("1", "y", "no such file", "None of these", "12")
    assert walk.node.id == "long-body"
    async with app_for(walk, lib).run_test(size=(80, 24)) as pilot:
        body = pilot.app.screen.query_one(NodeBody)
        await wait_for(pilot, lambda: body.settled)
        scrolling = [w for w in pilot.app.screen.query(Widget) if w.show_vertical_scrollbar]
        assert [w.id for w in scrolling] == ["node"]
        assert "The last paragraph of the explanation." not in screen_text(pilot)
        for _ in range(6):
            await press(pilot, "pagedown")
        shown = screen_text(pilot)
        assert "The last paragraph of the explanation." in shown
        assert "Did the long explanation help?" not in shown
        for _ in range(6):
            await press(pilot, "pageup")
        assert "Did the long explanation help?" in screen_text(pilot)
        await press(pilot, "pagedown", "2")
        assert walk.outcome == "stuck"


async def test_buttons_of_short_answers_are_one_row_after_answers_that_wrapped() -> None:
    walk, lib = compiler_walk()
    async with app_for(walk, lib).run_test(size=(80, 24)) as pilot:
        await laid_out(pilot)
        assert [b.region.height for b in answer_buttons(pilot)] == [2, 2]
        await press(pilot, "1")
        assert walk.node.id == "short"
        assert [b.region.height for b in answer_buttons(pilot)] == [1, 1]


async def test_answer_numbers_line_up_and_arrows_reach_the_twelfth_answer() -> None:
    walk, lib = compiler_walk("1", "y", "no such file", "None of these")
    assert walk.node.id == "many"
    async with app_for(walk, lib).run_test(size=(80, 24)) as pilot:
        await laid_out(pilot)
        labels = [str(b.label) for b in answer_buttons(pilot)]
        assert labels[0] == " 1  Board model 1"
        assert labels[11] == "12  Board model 12"
        columns = {label.index("Board") for label in labels}
        assert columns == {4}
        await press(pilot, *["down"] * 11)
        assert "12  Board model 12" in screen_text(pilot)  # scrolled into view
        await press(pilot, "enter")
        assert walk.node.id == "long-body"


async def test_ctrl_b_is_in_the_narrow_footer_and_the_choice_outlasts_the_walk() -> None:
    walk = new_walk()
    async with app_for(walk).run_test(size=(80, 24)) as pilot:
        await laid_out(pilot)
        footer = screen_text(pilot).splitlines()[-1]
        assert "^b" in footer and "Path" in footer
        await press(pilot, "ctrl+b")
        assert visible(pilot, "#path")
        await press(pilot, "1", "1", "1", "2", "2")  # an outcome
        assert walk.finished
        await press(pilot, "n")  # a new session of the same tree
        screen = pilot.app.screen
        assert isinstance(screen, WalkScreen) and screen.walk is not walk
        await laid_out(pilot)
        assert visible(pilot, "#path")


async def test_a_wrapped_breadcrumb_hangs_under_its_title() -> None:
    walk, lib = compiler_walk()
    async with app_for(walk, lib).run_test(size=(80, 24)) as pilot:
        await laid_out(pilot)
        await press(pilot, "ctrl+b")
        crumbs = pilot.app.screen.query_one("#crumbs").content_region
        lines = screen_text(pilot).splitlines()
        rows = [lines[y][crumbs.x : crumbs.right] for y in range(crumbs.y, crumbs.bottom)]
        assert rows[0].startswith("▸ Which of these")
        assert rows[1].startswith("  ") and rows[1].strip()
