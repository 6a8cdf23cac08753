"""Served in a browser: the second keys in the footer, and the transcript as a download."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tui.conftest import app_for, new_walk
from tests.tui.pilot_steps import press, screen_text, wait_for
from tui.app import BranchwiseApp
from tui.screens.outcome import OutcomeScreen


async def test_in_a_terminal_the_footer_keeps_its_keys_and_no_download_is_offered() -> None:
    walk = new_walk()
    app = app_for(walk)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "Note" in screen_text(pilot))  # the footer comes second
        assert "^n Note" in screen_text(pilot) and "^t Transcript" in screen_text(pilot)
        await press(pilot, "1", "1", "1", "2", "2")
        assert isinstance(app.screen, OutcomeScreen)
        assert "s Save" in screen_text(pilot) and "Download" not in screen_text(pilot)


async def test_in_a_browser_the_second_keys_show_and_d_downloads_the_transcript(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(BranchwiseApp, "is_web", property(lambda self: True))
    delivered: list[dict[str, Any]] = []

    def deliver_text(self: BranchwiseApp, file: Any, **options: Any) -> str:
        delivered.append({"text": file.read(), **options})
        return "key"

    monkeypatch.setattr(BranchwiseApp, "deliver_text", deliver_text)
    walk = new_walk()
    app = app_for(walk)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "Note" in screen_text(pilot))
        shown = screen_text(pilot)
        assert "F2 Note" in shown and "F3 Transcript" in shown and "F10 Quit" in shown
        await press(pilot, "f3")
        assert "Transcript · session" in screen_text(pilot)
        await press(pilot, "escape", "1", "1", "1", "2", "2")
        assert isinstance(app.screen, OutcomeScreen)
        assert "d Download" in screen_text(pilot) and "s Save" not in screen_text(pilot)
        await press(pilot, "s")  # not offered here: nothing is written on the server
        await press(pilot, "d")
    (download,) = delivered
    assert download["save_filename"] == f"{walk.id}.md"
    assert download["mime_type"] == "text/markdown"
    assert "### Outcome" in download["text"]
