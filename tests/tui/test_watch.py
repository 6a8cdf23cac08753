"""`--watch`: the tree file rewritten while the app shows it; problems shown, then cleared."""

from __future__ import annotations

import os
from pathlib import Path

from tests.tui.conftest import PAYA, TREES, app_for, library, new_walk
from tests.tui.pilot_steps import press, screen_text, wait_for
from tui.app import BranchwiseApp
from tui.screens.walk import WalkScreen
from tui.widgets.problems_panel import ProblemsPanel

ORIGINAL = (TREES / f"{PAYA}.yaml").read_text(encoding="utf-8")


def save(path: Path, text: str) -> None:
    """Write the file as an editor would, and make sure its time moves on."""
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))


def walk_shown(app: BranchwiseApp) -> str:
    screen = app.screen
    assert isinstance(screen, WalkScreen)
    return screen.walk.node.id


async def test_saving_the_file_reloads_it_and_keeps_the_current_node(tmp_path: Path) -> None:
    tree_file = tmp_path / "portal.yaml"
    tree_file.write_text(ORIGINAL, encoding="utf-8")
    lib = library(tmp_path)
    walk = new_walk(str(tree_file), lib=lib)
    app = app_for(walk, lib, watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "1", "1", "1", "2")
        assert walk_shown(app) == "created-before"
        save(
            tree_file,
            ORIGINAL.replace(
                "Have you created other contact users in the past?",
                "Did you ever create contact users?",
            ),
        )
        await wait_for(pilot, lambda: "Did you ever create contact users?" in screen_text(pilot))
        assert walk_shown(app) == "created-before"
        assert app.last_walk is not walk and app.last_walk is not None
        assert app.last_walk.path() == walk.path()

        save(tree_file, ORIGINAL.replace("goto: created-before", "goto: created-befor"))
        panel = app.screen.query_one(ProblemsPanel)
        await wait_for(pilot, lambda: panel.display)
        await wait_for(pilot, lambda: "missing-target" in screen_text(pilot))
        shown = screen_text(pilot)
        assert "missing-target" in shown and "created-befor" in shown
        assert walk_shown(app) == "created-before"  # still walking the last good tree

        save(tree_file, ORIGINAL)
        await wait_for(pilot, lambda: not panel.display)
        assert "Have you created other contact users in the past?" in screen_text(pilot)


async def test_when_the_answers_lead_elsewhere_the_walk_stops_where_they_still_fit(
    tmp_path: Path,
) -> None:
    tree_file = tmp_path / "portal.yaml"
    tree_file.write_text(ORIGINAL, encoding="utf-8")
    lib = library(tmp_path)
    walk = new_walk(str(tree_file), lib=lib)
    app = app_for(walk, lib, watch=True)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await press(pilot, "1", "1", "1", "2", "y")
        assert walk_shown(app) == "enter-contact-id"
        changed = ORIGINAL.replace(
            '- {label: "No", goto: created-before}', '- {label: "No", goto: create-user}'
        )
        save(tree_file, changed)
        await wait_for(pilot, lambda: walk_shown(app) == "create-user")
        await wait_for(pilot, lambda: "the tree changed" in screen_text(pilot))
        await wait_for(pilot, lambda: "Click Create User. Paya Connect" in screen_text(pilot))


async def test_walks_of_watch_are_stored_as_previews_out_of_the_statistics(tmp_path: Path) -> None:
    from engine.sessions.stats import summaries
    from engine.sessions.store import Store

    path = tmp_path / "sessions.sqlite3"
    tree_file = tmp_path / "portal.yaml"
    tree_file.write_text(ORIGINAL, encoding="utf-8")
    lib = library(tmp_path)
    walk = new_walk(str(tree_file), lib=lib)  # begun unrecorded, as `run --watch` begins it
    app = app_for(walk, lib, watch=True, open_store=lambda: Store(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "1", "1", "1", "2", "2")
        assert walk.finished
        await press(pilot, "n")  # another walk of the same file: a preview too
        await pilot.pause()
    with Store(path, read_only=True) as store:
        assert len(store.list_sessions(limit=None)) == 2
        assert store.load(walk.id).status == walk.status
        assert summaries(store) == []
        with store.reading() as db:
            assert db.execute("SELECT sum(preview) FROM sessions").fetchone()[0] == 2
