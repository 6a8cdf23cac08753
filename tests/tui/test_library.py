"""The library screen: filter as you type, open a tree, resume an open session from the store."""

from __future__ import annotations

import asyncio
import getpass
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from engine.sessions.store import Store
from engine.walk.walker import Walk
from tests.tui.conftest import PAYA, TREES, frozen_clock, library, new_walk
from tests.tui.pilot_steps import press, screen_text
from tui.app import BranchwiseApp, make_app
from tui.cli import build_parser
from tui.commands.run import open_library_app
from tui.screens.library import LibraryScreen
from tui.screens.walk import WalkScreen


def trees(pilot: object) -> DataTable[object]:
    return pilot.app.screen.query_one("#trees", DataTable)  # type: ignore[attr-defined, no-any-return]


async def test_typing_filters_the_trees_and_enter_opens_the_one_under_the_cursor(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "sessions.sqlite3") as store:
        app = make_app(library(), store, clock=frozen_clock)
        async with app.run_test(size=(100, 30)) as pilot:
            assert isinstance(pilot.app.screen, LibraryScreen)
            assert pilot.app.focused is pilot.app.screen.query_one("#search", Input)
            assert trees(pilot).row_count == 3
            await press(pilot, *"signup")
            assert trees(pilot).row_count == 1
            await press(pilot, "end", "ctrl+u", *"create user")  # words of node text
            assert trees(pilot).row_count >= 1
            await press(pilot, "end", "ctrl+u", *"customer-portal access")
            shown = screen_text(pilot)
            assert "Grant a contact access to the Customer Portal" in shown
            await press(pilot, "end", "ctrl+u", *"no such words")
            assert trees(pilot).row_count == 0
            await press(pilot, "end", "ctrl+u", *"grant", "enter")
            assert isinstance(pilot.app.screen, WalkScreen)
            walk = pilot.app.screen.walk
            assert walk.tree.id == PAYA
            await press(pilot, "1", "1")
        assert store.open_sessions()[0].id == walk.id


async def test_an_open_session_is_listed_and_enter_resumes_it_where_it_stopped(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "sessions.sqlite3") as store:
        earlier = new_walk(store=store)
        for answer in ("Continue", "Continue", "Continue", "No"):
            earlier.answer(answer)
        app = make_app(library(), store, clock=frozen_clock)
        async with app.run_test(size=(100, 30)) as pilot:
            shown = screen_text(pilot)
            assert "Open sessions (1)" in shown
            sessions = pilot.app.screen.query_one("#sessions", DataTable)
            sessions.focus()
            await press(pilot, "enter")
            assert isinstance(pilot.app.screen, WalkScreen)
            resumed = pilot.app.screen.walk
            assert resumed.id == earlier.id
            assert resumed.node.id == "created-before"
            await press(pilot, "2")
            assert resumed.outcome == "escalated-solution-provider"
            await press(pilot, "l")
            assert isinstance(pilot.app.screen, LibraryScreen)
            assert "Open sessions (0)" in screen_text(pilot)
        assert store.load(earlier.id).status == "escalated"


async def test_the_sessions_table_shows_agent_and_ticket_each_under_its_own_heading(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "sessions.sqlite3") as store:
        lib = library()
        for session_id, agent, ticket in (("s-ticket", "ann", "T-42"), ("s-none", "bob", "")):
            Walk(
                lib.load(PAYA),
                resolve_tree=lib.load,
                recorder=store.recorder(),
                session_id=session_id,
                clock=frozen_clock,
                agent=agent,
                ticket=ticket,
            )
        app = make_app(lib, store, clock=frozen_clock)
        async with app.run_test(size=(80, 24)) as pilot:
            sessions = pilot.app.screen.query_one("#sessions", DataTable)
            headings = [str(column.label) for column in sessions.columns.values()]
            assert headings[-2:] == ["Agent", "Ticket"]
            rows = {
                key: [str(cell) for cell in sessions.get_row(key)] for key in ("s-ticket", "s-none")
            }
            assert rows["s-ticket"][-2:] == ["ann", "T-42"]
            assert rows["s-none"][-2:] == ["bob", ""]


async def test_the_summary_of_the_tree_under_the_cursor_is_shown_below_the_table() -> None:
    lib = library()
    app = make_app(lib, None, clock=frozen_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        summary = pilot.app.screen.query_one("#tree-summary")
        first = trees(pilot).coordinate_to_cell_key(trees(pilot).cursor_coordinate).row_key.value
        assert first is not None
        shown = screen_text(pilot)
        assert lib.entries[first].summary[:40] in " ".join(shown.split())
        assert f"{first} · v{lib.entries[first].version}" in shown
        await press(pilot, "down")
        second = trees(pilot).coordinate_to_cell_key(trees(pilot).cursor_coordinate).row_key.value
        assert second not in (None, first)
        assert f"{second} · v" in screen_text(pilot)
        await press(pilot, *"no such words")
        assert not summary.display
        await press(pilot, "ctrl+u", *"signup")
        assert summary.display and "paya-connect/portal-signup-help · v" in screen_text(pilot)


async def test_in_80_columns_whole_titles_are_shown_and_the_summary_lists_the_tags() -> None:
    lib = library()
    app = make_app(lib, None, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        table = trees(pilot)
        assert [str(column.label) for column in table.columns.values()] == [
            "Title",
            "Product",
            "Last used",
        ]
        shown = screen_text(pilot)
        for entry in lib.entries.values():
            assert entry.title in shown
        first = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        assert first is not None
        assert ", ".join(lib.entries[first].tags[:2]) in " ".join(shown.split())
        assert "⏎ Open" in shown  # Enter in the search box, said in the footer
    wide = make_app(lib, None, clock=frozen_clock)
    async with wide.run_test(size=(120, 40)) as pilot:
        assert "Tags" in [str(column.label) for column in trees(pilot).columns.values()]


def test_a_walk_opened_from_the_library_records_who_walked_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def open_first_tree(app: BranchwiseApp) -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await press(pilot, "enter")
            assert isinstance(pilot.app.screen, WalkScreen)

    monkeypatch.setattr(BranchwiseApp, "run", lambda app: asyncio.run(open_first_tree(app)))
    db = tmp_path / "sessions.sqlite3"
    args = build_parser().parse_args(["--db", str(db), "--library", str(TREES)])
    open_library_app(args)
    with Store(db) as store:
        [session] = store.list_sessions()
    assert session.agent == getpass.getuser() != ""


@pytest.mark.parametrize(("first", "then"), [((80, 24), (120, 40)), ((120, 40), (80, 24))])
async def test_filtering_after_a_resize_keeps_the_columns_the_table_was_made_with(
    first: tuple[int, int], then: tuple[int, int]
) -> None:
    app = make_app(library(), None, clock=frozen_clock)
    async with app.run_test(size=first) as pilot:
        columns = [str(column.label) for column in trees(pilot).columns.values()]
        await pilot.resize_terminal(*then)
        await pilot.pause()
        await press(pilot, *"grant")
        assert rows(pilot)[0] == "Grant a contact access to the Customer Portal"
        assert [str(column.label) for column in trees(pilot).columns.values()] == columns
        assert "Grant a contact access to the Customer Portal" in screen_text(pilot)


def write_ranked_trees(folder: Path) -> Path:
    """Three trees that hold the word 'router': in a step's body, in the tags, in the title."""
    folder.mkdir()
    head = "schema: branchwise/v1\nversion: 1\nstart: s\n"
    end = "  e: {type: outcome, status: resolved, title: Done}\n"
    step = "  s: {type: step, title: First, body: '%s', next: e}\n"
    (folder / "body.yaml").write_text(
        f"{head}id: t/body\ntitle: Slow wifi\nnodes:\n"
        + step % "Unplug the router and its modem"
        + end
    )
    (folder / "tags.yaml").write_text(
        f"{head}id: t/tags\ntitle: No internet\ntags: [router]\nnodes:\n" + step % "Check" + end
    )
    (folder / "title.yaml").write_text(
        f"{head}id: t/title\ntitle: Router reset\nnodes:\n" + step % "Hold it" + end
    )
    return folder


def rows(pilot: object) -> list[str]:
    table = trees(pilot)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_a_typed_filter_ranks_title_before_tags_before_step_text(tmp_path: Path) -> None:
    lib = library(write_ranked_trees(tmp_path / "trees"))
    with Store(tmp_path / "sessions.sqlite3") as store:
        used = Walk(lib.load("t/body"), recorder=store.recorder(), clock=frozen_clock)
        used.answer("Continue")  # the tree with the word in a body only is the last used
        app = make_app(lib, store, clock=frozen_clock)
        async with app.run_test(size=(100, 30)) as pilot:
            assert rows(pilot)[0] == "Slow wifi"  # without a filter, the last used first
            await press(pilot, *"router")
            assert rows(pilot) == ["Router reset", "No internet", "Slow wifi"]
            await press(pilot, "end", "ctrl+u", *"modem")  # words of a body are searched
            assert rows(pilot) == ["Slow wifi"]
            await press(pilot, "end", "ctrl+u", *"router t/")  # both words count
            assert rows(pilot) == ["Router reset", "No internet", "Slow wifi"]
            await press(pilot, "end", "ctrl+u", *"router hold")
            assert rows(pilot) == ["Router reset"]
            await press(pilot, "end", "ctrl+u")
            assert rows(pilot)[0] == "Slow wifi"
