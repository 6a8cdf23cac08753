"""The outcome's keys (copy, save, new session, library) and the command palette's commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.conftest import app_for, new_walk
from tests.tui.pilot_steps import press, screen_text
from tui.screens.library import LibraryScreen
from tui.screens.transcript import TranscriptScreen


async def test_copy_and_save_give_the_transcript(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    walk = new_walk()
    app = app_for(walk)
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "1", "1", "1", "2", "2")
        await press(pilot, "c")
        assert "### Outcome" in app.clipboard
        assert "Contact your solution provider" in app.clipboard
        await press(pilot, "s")
        assert f"{walk.id}.md" in screen_text(pilot)  # the default file name, offered
        await press(pilot, "enter")
        saved = (tmp_path / f"{walk.id}.md").read_text(encoding="utf-8")
        assert saved == app.clipboard
        await press(pilot, "s", "ctrl+u", *"no/such/dir/t.md", "enter")
        assert not (tmp_path / "no").exists()
        await press(pilot, "l")
        assert isinstance(app.screen, LibraryScreen)


async def test_the_command_palette_lists_the_screen_commands() -> None:
    walk = new_walk()
    async with app_for(walk).run_test(size=(100, 30)) as pilot:
        await press(pilot, "ctrl+p", *"transcr")
        await pilot.pause(0.3)
        assert "Transcript" in screen_text(pilot)
        await press(pilot, "enter")
        await pilot.pause(0.2)
        assert isinstance(pilot.app.screen, TranscriptScreen)
