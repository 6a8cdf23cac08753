"""One change of a walk is one transaction: a write refused halfway through keeps none of it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.errors import StoreFailed
from engine.sessions.store import Store
from engine.walk.walker import Walk
from tests.session_walks import SECRET_TOKEN, runner, start

TABLES = ("sessions", "steps", "action_calls", "notes", "rewinds")


def sql(path: Path, *statements: str) -> None:
    """Statements run through a connection of their own, as another program would."""
    db = sqlite3.connect(path)
    try:
        for statement in statements:
            db.execute(statement)
        db.commit()
    finally:
        db.close()


def stored(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every committed row of the session tables, read through a connection of its own."""
    db = sqlite3.connect(path)
    try:
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in TABLES}
    finally:
        db.close()


def seen(walk: Walk) -> dict[str, Any]:
    """What a face or a store can see of a walk."""
    return {
        "path": walk.path(),
        "variables": dict(walk.variables),
        "status": walk.status,
        "error": walk.error,
        "visits": [
            (v.answer, v.answered_at, v.taken, v.action, list(v.notes)) for v in walk.visits
        ],
        "trees": list(walk.trees),
    }


def new_walk(store: Store, tmp_path: Path) -> Walk:
    return start(store, runner(tmp_path), session_id="s-1", clock=lambda: 1000.0)


def at_welcome(walk: Walk) -> None:
    walk.note("customer called")


def at_look_up(walk: Walk) -> None:
    for answer in ("Continue", "a", "1001"):
        walk.answer(answer)


def at_read(walk: Walk) -> None:
    at_look_up(walk)
    walk.run_pending()


def at_wrap_up(walk: Walk) -> None:
    at_read(walk)
    for answer in ("Continue", "y", SECRET_TOKEN):
        walk.answer(answer)


Change = Callable[[Walk], object]
# (setup, change, trigger): the trigger fails a write that comes after others of the change.
CASES: list[tuple[str, Callable[[Walk], None], Change, str]] = [
    (
        "the next step after the answer",
        at_welcome,
        lambda w: w.answer("Continue"),
        "BEFORE INSERT ON steps",
    ),
    (
        "the linked tree's first step after a call's result and the link",
        at_look_up,
        lambda w: w.run_pending(),
        "BEFORE INSERT ON steps WHEN NEW.node_id = 'read'",
    ),
    (
        "the step after a linked tree's outcome",
        at_read,
        lambda w: w.answer("Continue"),
        "BEFORE INSERT ON steps WHEN NEW.node_id = 'confirm'",
    ),
    (
        "the outcome after the answer and its step",
        at_wrap_up,
        lambda w: w.answer("Continue"),
        "BEFORE UPDATE OF status ON sessions WHEN NEW.status <> 'open'",
    ),
]


@pytest.mark.parametrize(
    ("setup", "change", "trigger"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_change_refused_halfway_keeps_nothing_and_can_be_made_later(
    tmp_path: Path, setup: Callable[[Walk], None], change: Change, trigger: str
) -> None:
    path = tmp_path / "s.sqlite3"
    with Store(path) as store:
        walk = new_walk(store, tmp_path)
        setup(walk)
        rows, before, revision = stored(path), seen(walk), store.revision(walk.id)
        sql(path, f"CREATE TRIGGER full {trigger} BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        with pytest.raises(StoreFailed, match=r"s\.sqlite3: cannot write to .*disk full"):
            change(walk)
        assert stored(path) == rows and store.revision(walk.id) == revision
        assert seen(walk) == before

        sql(path, "DROP TRIGGER full")
        change(walk)
        assert store.revision(walk.id) == revision + 1  # the whole change, one write
        record, after = store.load(walk.id), seen(walk)
    with Store(tmp_path / "twin.sqlite3") as twin_store:
        twin = new_walk(twin_store, tmp_path)
        setup(twin)
        change(twin)
        assert twin_store.load(twin.id) == record and seen(twin) == after != before


def test_a_change_refused_halfway_leaves_no_transaction_open(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with Store(path) as store:
        walk = new_walk(store, tmp_path)
        sql(path, "CREATE TRIGGER full BEFORE INSERT ON steps BEGIN SELECT RAISE(ABORT, 'x'); END")
        with pytest.raises(StoreFailed):
            walk.answer("Continue")
        # Another connection can take the write lock at once: nothing is held.
        sql(path, "DROP TRIGGER full", "UPDATE sessions SET agent = 'bo'")
        walk.note("after the refusal")
        assert store.load(walk.id).agent == "bo"
