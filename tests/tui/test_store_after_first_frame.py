"""A new walk's first question is painted before the session store opens; the walk is recorded
from its start once it does, before any key is taken, and a store that cannot open ends the
app with its reason."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from engine.errors import BranchwiseError
from engine.sessions.store import Store
from engine.walk.walker import Walk
from tests.tui.conftest import TREES, app_for, library, new_walk
from tui.app import run_walk_app
from tui.screens.walk import WalkScreen
from tui.walk_factory import WalkOptions


async def test_the_walk_is_recorded_from_its_start_once_the_store_opens(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    opened: list[Store] = []

    def open_store() -> Store:
        opened.append(Store(path))
        return opened[-1]

    walk = new_walk()  # begun with no recorder, as `branchwise run` begins it for the app
    app = app_for(walk, open_store=open_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WalkScreen)
        assert app.store is opened[0]
        with Store(path) as reader:
            started = reader.load(walk.id)
        assert [s.node_id for s in started.steps] == [walk.visits[0].node_id]
        await pilot.press("1")  # recorded as it happens from now on
        await pilot.pause()
        with Store(path) as reader:
            record = reader.load(walk.id)
        assert [s.answer for s in record.steps] == ["Continue", None]
        assert record.agent == "ann"
    opened[0].close()


async def test_a_walk_begun_without_an_agent_is_recorded_with_the_login_name(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sessions.sqlite3"
    walk = new_walk()
    walk.agent = ""  # `branchwise run` without --agent: looked up after the first frame
    app = app_for(walk, open_store=lambda: Store(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
    assert isinstance(app.store, Store)
    app.store.close()
    with Store(path) as reader:
        assert reader.load(walk.id).agent == getpass.getuser() != ""


async def test_a_store_that_cannot_open_ends_the_app_with_its_reason(tmp_path: Path) -> None:
    def refuse() -> Store:
        raise BranchwiseError(f"{tmp_path}/s.sqlite3: cannot use the session store (locked)")

    app = app_for(new_walk(), open_store=refuse)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
    assert app.return_code == 1
    assert app.store_error is not None and "cannot use the session store" in str(
        app.store_error.message
    )


def run_headless(monkeypatch: pytest.MonkeyPatch) -> None:
    """BranchwiseApp.run shows the first screen headless, then returns (as ctrl+q would)."""

    async def headless(app: object) -> None:
        async with app.run_test(size=(80, 24)) as pilot:  # type: ignore[attr-defined]
            await pilot.pause()

    def run(self: object) -> None:
        import asyncio

        asyncio.run(headless(self))

    monkeypatch.setattr("tui.app.BranchwiseApp.run", run)


def test_run_walk_app_raises_the_store_error_for_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("these are my notes, not sessions\n" * 100, encoding="utf-8")
    run_headless(monkeypatch)
    lib = library()
    with pytest.raises(BranchwiseError, match=r"notes\.txt"):
        run_walk_app(new_walk(lib=lib), lib, None, WalkOptions(),
                     open_store=lambda: Store(not_sqlite))  # fmt: skip
    assert not_sqlite.read_text("utf-8").startswith("these are my notes")


def test_quitting_names_the_command_that_resumes_a_tree_opened_by_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "my trees" / "portal.yaml"  # not in the library: found by its path
    elsewhere.parent.mkdir()
    elsewhere.write_bytes((TREES / "paya-connect" / "customer-portal-access.yaml").read_bytes())
    run_headless(monkeypatch)
    lib = library()
    walk = Walk(lib.load(str(elsewhere)), resolve_tree=lib.load)
    db = tmp_path / "sessions.sqlite3"
    args = WalkOptions(tree=str(elsewhere), db=str(db))
    assert run_walk_app(walk, lib, None, args, open_store=lambda: Store(db)) == 1
    said = capsys.readouterr().err
    assert f"session {walk.id} is still open" in said
    assert f"'branchwise run '{elsewhere}' --resume {walk.id} --db {db}'" in said
