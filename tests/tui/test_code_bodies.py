"""A body with a fenced code block whose lines are longer than the screen: the lines wrap, in the
first rendering and in the Markdown one, so nothing on the walk or outcome screen scrolls
sideways at 80×24."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Markdown, Static

from tests.tui.conftest import app_for, library, new_walk
from tests.tui.pilot_steps import press, screen_text, wait_for
from tui.screens.outcome import OutcomeScreen
from tui.widgets.node_body import NodeBody, quick_markdown

LONG_LINE = "Serial.println(" + "ArduinoJson_long_identifier_" * 6 + "TAIL_OF_LINE);"
TREE = f"""\
schema: branchwise/v1
id: tui-test/code
version: 1
title: A body with long code lines
start: code
nodes:
  code:
    type: step
    title: Add this line to the sketch
    body: |
      Put this at the end of `setup()`:

      ```cpp
      {LONG_LINE}
      ```

      Then upload the sketch again.
    next: done
  done:
    type: outcome
    status: resolved
    title: Printed
    body: |
      The output should read:

      ```
      {LONG_LINE}
      ```
"""


def code_walk(tmp_path: Path) -> tuple[object, object]:
    assert len(LONG_LINE) > 180
    (tmp_path / "code.yaml").write_text(TREE, encoding="utf-8")
    lib = library(tmp_path)
    return new_walk("tui-test/code", lib=lib), lib


def sideways(pilot: Pilot[object]) -> list[str]:
    """Widgets that are wider than the screen or could scroll sideways, by name."""
    width = pilot.app.size.width
    found = []
    for widget in pilot.app.screen.query(Widget):
        if not widget.display or widget.region.width == 0:
            continue
        scrolls = widget.styles.overflow_x in ("auto", "scroll") and widget.max_scroll_x > 0
        if scrolls or widget.region.right > width:
            found.append(f"{type(widget).__name__}#{widget.id}")
    return found


def shown_flat(pilot: Pilot[object]) -> str:
    """The screen's text with the lines joined, so a wrapped code line reads whole again."""
    return "".join(line.strip(" │╭╮╰╯─") for line in screen_text(pilot).splitlines())


async def test_a_long_code_line_wraps_in_the_first_and_the_markdown_rendering(
    tmp_path: Path,
) -> None:
    walk, lib = code_walk(tmp_path)
    async with app_for(walk, lib).run_test(size=(80, 24)) as pilot:
        body = pilot.app.screen.query_one(NodeBody)
        await wait_for(pilot, lambda: body.settled)
        await pilot.pause()
        assert sideways(pilot) == []
        assert LONG_LINE in shown_flat(pilot)
        assert "Then upload the sketch again." in screen_text(pilot)
        # The first rendering, which each node shows until the Markdown widget has its text.
        body.query_one(Markdown).display = False
        body.query_one("#quick-body", Static).display = True
        await pilot.pause()
        assert sideways(pilot) == []
        assert LONG_LINE in shown_flat(pilot)
        assert "Then upload the sketch again." in screen_text(pilot)


async def test_a_long_code_line_wraps_on_the_outcome_screen(tmp_path: Path) -> None:
    walk, lib = code_walk(tmp_path)
    async with app_for(walk, lib).run_test(size=(80, 24)) as pilot:
        await press(pilot, "1")
        assert isinstance(pilot.app.screen, OutcomeScreen)
        await pilot.pause(0.2)
        assert sideways(pilot) == []
        assert LONG_LINE in shown_flat(pilot)


def test_the_first_rendering_shows_a_fence_as_its_code_without_the_backticks() -> None:
    shown = quick_markdown("Run:\n\n```cpp\nint *p = a**b;\n```\n\nThen **stop**.").plain
    assert shown == "Run:\n\nint *p = a**b;\n\nThen stop."
