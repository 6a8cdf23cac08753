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


async def test_a_new_session_from_the_outcome_keeps_the_agent_and_drops_the_ticket(
    tmp_path,
) -> None:
    from engine.sessions.store import Store
    from engine.walk.walker import Walk
    from tests.tui.conftest import PAYA, library
    from tests.tui.pilot_steps import press
    from tui.screens.walk import WalkScreen
    from tui.walk_factory import WalkOptions

    lib = library()
    with Store(tmp_path / "sessions.sqlite3") as store:
        walk = Walk(
            lib.load(PAYA), resolve_tree=lib.load, recorder=store.recorder(), agent="ann",
            ticket="T-9",
        )  # fmt: skip
        options = WalkOptions(ticket="T-9")  # as `run --ticket T-9` gives
        app = app_for(walk, lib, store=store, options=options)
        async with app.run_test(size=(100, 30)) as pilot:
            await press(pilot, "1", "1", "1", "2", "2")
            assert walk.finished
            await press(pilot, "n")
            screen = pilot.app.screen
            assert isinstance(screen, WalkScreen) and screen.walk is not walk
            fresh = screen.walk
        assert (fresh.agent, fresh.ticket) == ("ann", "")
        stored = store.load(fresh.id)
        assert (stored.agent, stored.ticket) == ("ann", "")
