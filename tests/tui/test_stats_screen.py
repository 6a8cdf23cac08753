"""The statistics screen from the library (`s` or F2 on a tree): bars per node, per version."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from engine.sessions.stats import tree_stats
from engine.sessions.store import Store
from engine.walk.walker import Walk
from tests.generated_sessions import ROOT, fill_store
from tests.tui.conftest import PAYA, frozen_clock, library
from tests.tui.pilot_steps import press, screen_text, wait_for
from tui.app import make_app
from tui.screens.library import LibraryScreen
from tui.screens.stats import StatsScreen, bar

VERSION_2 = 1_797_000_000.0


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with 90 walks of the Paya tree's version 1 and 40 of a version 2."""
    folder = tmp_path_factory.mktemp("stats")
    newer = folder / "v2"
    newer.mkdir()
    text = (ROOT / "trees" / "paya-connect" / "customer-portal-access.yaml").read_text()
    (newer / "portal.yaml").write_text(text.replace("version: 1\n", "version: 2\n"))
    db = folder / "sessions.sqlite3"
    fill_store(db, 90, seed=11)
    fill_store(db, 40, seed=12, trees=newer, start=VERSION_2)
    return db


@pytest.fixture
def store(two_versions: Path, tmp_path: Path) -> Iterator[Store]:
    copy = tmp_path / "sessions.sqlite3"
    shutil.copy(two_versions, copy)
    with Store(copy) as opened:
        yield opened


def rows(pilot: Any) -> list[list[str]]:
    table = pilot.app.screen.query_one("#stats-nodes", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_stats(pilot: Any, *keys: str) -> StatsScreen:
    await press(pilot, *keys)
    screen = pilot.app.screen
    assert isinstance(screen, StatsScreen)
    await wait_for(pilot, lambda: screen.loaded)
    await pilot.pause()
    return screen


async def test_s_on_a_tree_shows_its_nodes_as_bars_version_by_version(store: Store) -> None:
    figures = tree_stats(store, PAYA)
    assert [v.summary.version for v in figures] == [2, 1]
    app = make_app(library(), store, clock=frozen_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, *"grant")
        await open_stats(pilot, "tab", "s")  # from the table of trees
        shown = screen_text(pilot)
        assert "version 2 (1 of 2, newest first: ← → for others) · 40 walks:" in shown
        first = figures[0].nodes[0]
        assert rows(pilot)[0][0] == first.title
        assert rows(pilot)[0][1] == f"{bar(first.visits, first.visits, 8)} {first.visits}"
        most = max(n.exits / n.visits for n in figures[0].nodes)
        worst = next(n for n in figures[0].nodes if n.exits / n.visits == most)
        dropped = next(r for r in rows(pilot) if r[0] == worst.title)[2]
        assert dropped.startswith("██████ ") and f"{worst.exits} (" in dropped

        await press(pilot, "left")
        assert "version 1 (2 of 2" in screen_text(pilot)
        older = figures[1].nodes
        assert [r[0] for r in rows(pilot)] == [n.title for n in older]
        assert rows(pilot)[0][1].endswith(f" {older[0].visits}")
        await press(pilot, "left")  # already the oldest: stays
        assert "version 1 (2 of 2" in screen_text(pilot)
        await press(pilot, "escape")
        assert isinstance(pilot.app.screen, LibraryScreen)
        await open_stats(pilot, "f2")  # F2 works while the search box has focus
        assert isinstance(pilot.app.screen, StatsScreen)


MARKUP_TREE = """\
schema: branchwise/v1
id: test/markup
version: 1
title: "[b]Bold[/b] title"
start: ask
nodes:
  ask:
    type: question
    title: "[link=https://evil.example]click[/link] [red]me[/red]"
    choices:
      - {label: "Done", goto: done}
  done: {type: outcome, status: resolved, title: Done}
"""


async def test_titles_are_plain_text_and_a_tree_without_walks_says_so(tmp_path: Path) -> None:
    (tmp_path / "trees").mkdir()
    (tmp_path / "trees" / "markup.yaml").write_text(MARKUP_TREE)
    lib = library(tmp_path / "trees")
    with Store(tmp_path / "sessions.sqlite3") as store:
        app = make_app(lib, store, clock=frozen_clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_stats(pilot, "f2")
            assert "No walks of this tree yet" in screen_text(pilot)
            await press(pilot, "escape")
        walk = Walk(lib.load("test/markup"), recorder=store.recorder())
        walk.answer("Done")
        app = make_app(lib, store, clock=frozen_clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_stats(pilot, "f2")
            shown = screen_text(pilot)
            assert "statistics · [b]Bold[/b] title" in shown
            assert rows(pilot)[0][0] == "[link=https://evil.example]click[/link] [red]me[/red]"


async def test_without_a_session_store_there_is_nothing_to_count() -> None:
    app = make_app(library(), None, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_stats(pilot, "f2")
        assert "Sessions are not kept (no session store)" in screen_text(pilot)


def test_bars_fill_in_eighths_of_a_cell() -> None:
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██  "
    assert bar(1, 10, 4) == "▍   "  # 3.2 eighths, rounded
    assert bar(0.01, 10, 4) == "▏   "  # never invisible
    assert bar(0, 10, 4) == bar(3, 0, 4) == "    "


def test_snapshot(snap_compare: Any, store: Store) -> None:
    async def to_stats(pilot: Any) -> None:
        await open_stats(pilot, *"grant", "f2")

    app = make_app(library(), store, clock=frozen_clock)
    assert snap_compare(app, terminal_size=(80, 24), run_before=to_stats)
