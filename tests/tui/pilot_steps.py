"""Small steps for Pilot tests: press keys one by one, wait for a condition, click an answer,
read the screen and the notifications."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from rich.console import Console
from textual.pilot import Pilot

from tui.screens.walk import WalkScreen
from tui.widgets.answer_buttons import AnswerButton
from tui.widgets.node_body import NodeBody


async def press(pilot: Pilot[object], *keys: str) -> None:
    """Press each key and let the screen settle after it."""
    for key in keys:
        await pilot.press(key)
        await pilot.pause()


async def wait_for(pilot: Pilot[object], condition: Callable[[], bool], seconds: float = 5) -> None:
    """Let the app run until the condition holds (a worker finished, a file was reloaded)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the app never reached the expected state")


def answer_buttons(pilot: Pilot[object]) -> list[AnswerButton]:
    screen = pilot.app.screen
    assert isinstance(screen, WalkScreen)
    return list(screen.query("#answers AnswerButton"))


async def click_answer(pilot: Pilot[object], label: str) -> None:
    """Click the answer button whose label contains this text."""
    body = pilot.app.screen.query_one(NodeBody)
    await wait_for(pilot, lambda: body.settled)  # the first frame's body is replaced once
    for button in answer_buttons(pilot):
        if label in str(button.label):
            await pilot.click(button)
            await pilot.pause()
            return
    shown = [str(b.label) for b in answer_buttons(pilot)]
    raise AssertionError(f"no answer {label!r} among {shown}")


def screen_text(pilot: Pilot[object]) -> str:
    """Everything on the screen as plain text, line by line (what a person would read)."""
    app = pilot.app
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def record_notifications(app: Any) -> list[str]:
    """A list that collects every notification's text as the app is asked to show it."""
    shown: list[str] = []
    notify = app.notify

    def recording(message: str, *args: Any, **kwargs: Any) -> None:
        shown.append(message)
        notify(message, *args, **kwargs)

    app.notify = recording
    return shown
