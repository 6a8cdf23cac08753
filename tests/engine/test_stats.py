"""Usage statistics: sessions walked through the engine into a real store, exact figures."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from engine.actions.config import Config
from engine.actions.registry import ActionSpec, CallPlan, Registry
from engine.errors import BranchwiseError
from engine.sessions.stats import NodeStats, VersionStats, known_trees, summaries, tree_stats
from engine.sessions.store import Store, store_exists
from engine.tree.builder import build_tree
from engine.tree.model import Tree
from engine.tree.reader import read_text
from engine.walk.action_runner import ActionRunner
from engine.walk.walker import Walk
from tests.store_backends import Backend, PostgresBackend

NOV_1 = 1793491200.0  # 2026-11-01T00:00:00Z
DAY = 86400.0

PRINTER_V1 = """
id: test/printer
version: 1
title: Printer jams
start: power
nodes:
  power:
    type: question
    title: Is the printer on?
    choices:
      - {label: "Yes", goto: paper}
      - {label: "No", goto: switch-on}
  switch-on: {type: step, title: Switch it on, next: fixed}
  paper: {type: input, title: How many sheets are in the tray?, var: sheets, next: jammed}
  jammed:
    type: question
    title: Is paper stuck inside?
    choices:
      - {label: "Yes", goto: engineer}
      - {label: "No", goto: replaced}
  fixed: {type: outcome, status: resolved, title: Fixed}
  engineer: {type: outcome, status: escalated, title: Send an engineer}
  replaced: {type: outcome, status: unresolved, title: Needs a new printer}
"""

# Version 2 checks the tray with an action (by hand, or through `test.tray`) instead of asking.
PRINTER_V2 = """
id: test/printer
version: 2
title: Printer jams and trays
start: power
nodes:
  power:
    type: question
    title: Is the printer on?
    choices:
      - {label: "Yes", goto: tray}
      - {label: "No", goto: fixed}
  tray:
    type: action
    title: Check the paper tray
    action: {uses: test.tray, save_as: tray}
    manual: Open the tray and look.
    routes:
      - {label: Tray full, goto: jammed, when: {var: tray.full, equals: true}}
      - {label: Tray empty, goto: refill}
  jammed:
    type: question
    title: Is paper stuck inside?
    choices:
      - {label: "Yes", goto: engineer}
      - {label: "No", goto: fixed}
  refill: {type: outcome, status: resolved, title: Refilled}
  fixed: {type: outcome, status: resolved, title: Fixed}
  engineer: {type: outcome, status: escalated, title: Send an engineer}
"""

ROUTER = """
id: test/router
version: 7
title: Router lights
start: lights
nodes:
  lights: {type: step, title: Look at the lights, next: done}
  done: {type: outcome, status: resolved, title: Done}
"""


class Clock:
    """A clock the test moves by hand, so every recorded time is exact."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def wait(self, seconds: float) -> None:
        self.now += seconds


class Tray:
    """`test.tray`: reports a full tray, without any network."""

    spec = ActionSpec("test.tray", "look at the paper tray")

    def configured(self, config: Config) -> bool:
        return True

    def plan(self, args: Mapping[str, Any], config: Config) -> CallPlan:
        return CallPlan(self.spec.name, "LOOK", "tray")

    def call(self, args: Mapping[str, Any], config: Config) -> Mapping[str, Any]:
        return {"full": True}


def tree_of(text: str) -> Tree:
    document = read_text(text, "tree.yaml")
    assert not document.problems
    return build_tree(document.data)


class Sessions:
    """Starts walks recorded into one store, each on its own hand-moved clock."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def start(
        self, tree: Tree, day: int, runner: ActionRunner | None = None, linked: Tree | None = None
    ) -> Session:
        """A walk of `tree` begun on the given day of November 2026 (midnight UTC)."""
        clock = Clock(NOV_1 + day * DAY)
        resolve = None if linked is None else (lambda tree_id: linked)
        walk = Walk(
            tree, resolve_tree=resolve, runner=runner, recorder=self.store.recorder(), clock=clock
        )
        return Session(walk, clock)


class Session:
    """One walk and its clock: answers given after so many seconds."""

    def __init__(self, walk: Walk, clock: Clock) -> None:
        self.walk = walk
        self.clock = clock

    def answer(self, seconds: float, text: str) -> Session:
        self.clock.wait(seconds)
        self.walk.answer(text)
        return self

    def back(self, seconds: float) -> Session:
        self.clock.wait(seconds)
        self.walk.back()
        return self

    def call(self, seconds: float) -> Session:
        self.clock.wait(seconds)
        self.walk.run_pending()
        return self


@pytest.fixture
def store(backend: Backend) -> Iterator[Store]:
    """A store holding five sessions of printer v1, three of v2 and one of the router tree,
    opened again read-only as `stats` opens it."""
    with backend.open() as writing:
        record_sessions(Sessions(writing))
    with backend.open(read_only=True) as reading:
        yield reading


def record_sessions(sessions: Sessions) -> None:
    v1, v2, router = tree_of(PRINTER_V1), tree_of(PRINTER_V2), tree_of(ROUTER)
    sessions.start(v1, 0).answer(10, "No").answer(20, "Continue")
    sessions.start(v1, 1).answer(30, "Yes").answer(40, "5").answer(50, "Yes")
    sessions.start(v1, 2).answer(20, "Yes").answer(10, "0").answer(70, "No")
    sessions.start(v1, 3).answer(40, "Yes")  # stopped at the input: an exit there
    went_back = sessions.start(v1, 4).answer(60, "Yes").answer(30, "3")
    went_back.back(5).answer(12, "4")  # at `jammed` for 5 s, back to `paper`, answered again
    went_back.clock.wait(90)  # then left at `jammed` again
    sessions.start(v2, 5).answer(15, "Yes").answer(25, "Tray empty")
    sessions.start(v2, 6).answer(5, "Yes").answer(35, "Tray full").answer(10, "Yes")
    automatic = ActionRunner(Registry([Tray()]), Config())
    sessions.start(v2, 7, automatic).answer(20, "Yes").call(3)  # stopped at `jammed`
    sessions.start(router, 8).answer(8, "Continue")


def node(
    name: str,
    title: str,
    kind: str,
    visits: int,
    exits: int,
    median: float | None,
    taken: Mapping[str, int] | None = None,
) -> NodeStats:
    return NodeStats(name, title, kind, visits, exits, median, dict(taken or {}))


def by_version(found: list[VersionStats]) -> dict[int, VersionStats]:
    return {stats.summary.version: stats for stats in found}


def test_summaries_count_sessions_per_tree_and_version(store: Store) -> None:
    rows = [row.to_dict() for row in summaries(store)]
    assert rows == [
        {
            "tree": "test/printer",
            "version": 2,
            "title": "Printer jams and trays",
            "started": 3,
            "finished": {"resolved": 1, "escalated": 1, "unresolved": 0},
            "abandoned": 1,
            "outcomes": {"engineer": 1, "refill": 1},
        },
        {
            "tree": "test/printer",
            "version": 1,
            "title": "Printer jams",
            "started": 5,
            "finished": {"resolved": 1, "escalated": 1, "unresolved": 1},
            "abandoned": 2,
            "outcomes": {"engineer": 1, "fixed": 1, "replaced": 1},
        },
        {
            "tree": "test/router",
            "version": 7,
            "title": "Router lights",
            "started": 1,
            "finished": {"resolved": 1, "escalated": 0, "unresolved": 0},
            "abandoned": 0,
            "outcomes": {"done": 1},
        },
    ]


def test_nodes_of_a_version_count_visits_exits_times_and_answers(store: Store) -> None:
    first = by_version(tree_stats(store, "test/printer"))[1]
    assert first.nodes == (
        node("power", "Is the printer on?", "question", 5, 0, 30.0, {"Yes": 4, "No": 1}),
        # The answer "3" dropped by going back is a visit of 30 s; re-opened, it took 12 s.
        node("paper", "How many sheets are in the tray?", "input", 5, 1, 21.0),
        node("switch-on", "Switch it on", "step", 1, 0, 20.0),
        node("fixed", "Fixed", "outcome", 1, 0, None),
        # Shown before going back (never answered), then again where the walk stopped.
        node("jammed", "Is paper stuck inside?", "question", 4, 1, 60.0, {"No": 1, "Yes": 1}),
        node("engineer", "Send an engineer", "outcome", 1, 0, None),
        node("replaced", "Needs a new printer", "outcome", 1, 0, None),
    )


TRAY_ROUTES = {"Tray full": 2, "Tray empty": 1}  # one "Tray full" by a call, the rest by hand


def test_routes_count_whether_taken_by_hand_or_by_a_call(store: Store) -> None:
    second = by_version(tree_stats(store, "test/printer"))[2]
    assert second.nodes == (
        node("power", "Is the printer on?", "question", 3, 0, 15.0, {"Yes": 3}),
        node(
            "tray", "Check the paper tray", "action", 3, 0, 25.0, {"Tray full": 2, "Tray empty": 1}
        ),
        node("jammed", "Is paper stuck inside?", "question", 2, 1, 10.0, {"Yes": 1}),
        node("refill", "Refilled", "outcome", 1, 0, None),
        node("engineer", "Send an engineer", "outcome", 1, 0, None),
    )


def test_exits_add_up_to_the_abandoned_sessions(store: Store) -> None:
    for stats in tree_stats(store, "test/printer"):
        assert sum(n.exits for n in stats.nodes) == stats.summary.abandoned


def test_versions_come_newest_first_with_their_summaries(store: Store) -> None:
    found = tree_stats(store, "test/printer")
    assert [s.summary.version for s in found] == [2, 1]
    assert [s.summary for s in found] == [
        row for row in summaries(store) if row.tree_id == "test/printer"
    ]
    assert found[0].to_dict()["nodes"][1] == {
        "node": "tray",
        "title": "Check the paper tray",
        "type": "action",
        "visits": 3,
        "exits": 0,
        "median_seconds": 25.0,
        "taken": TRAY_ROUTES,
    }


def test_since_leaves_out_earlier_sessions(store: Store) -> None:
    rows = summaries(store, since=NOV_1 + 2 * DAY)
    assert [(r.tree_id, r.version, r.started, r.abandoned) for r in rows] == [
        ("test/printer", 2, 3, 1),
        ("test/printer", 1, 3, 2),
        ("test/router", 7, 1, 0),
    ]
    first = by_version(tree_stats(store, "test/printer", since=NOV_1 + 2 * DAY))[1]
    assert [(n.node, n.visits, n.median_seconds) for n in first.nodes] == [
        ("power", 3, 40.0),
        ("paper", 4, 12.0),
        ("jammed", 3, 70.0),
        ("replaced", 1, None),
    ]
    assert tree_stats(store, "test/printer", since=NOV_1 + 9 * DAY) == []


def test_known_trees_are_those_with_sessions(store: Store) -> None:
    assert known_trees(store) == ["test/printer", "test/router"]
    assert tree_stats(store, "test/unknown") == []


def test_a_missing_or_empty_store_has_no_figures(tmp_path: Path) -> None:
    missing = tmp_path / "none" / "sessions.db"
    assert not store_exists(missing)
    assert not missing.parent.exists()  # asking never creates the store
    empty = tmp_path / "empty.db"
    Store(empty).close()
    with Store(empty, read_only=True) as store:
        assert known_trees(store) == [] and summaries(store) == []
        assert tree_stats(store, "test/printer") == []


def test_a_file_that_is_no_store_is_refused_clearly(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database, only text" * 100)
    with pytest.raises(BranchwiseError, match="cannot use the session store"):
        Store(junk, read_only=True)


def test_reading_leaves_the_store_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    with Store(path) as store:
        record_sessions(Sessions(store))

    def dump() -> list[str]:
        with sqlite3.connect(path) as db:
            return list(db.iterdump())

    before = dump()
    with Store(path, read_only=True) as store:
        tree_stats(store, "test/printer")
        summaries(store)
    assert dump() == before


def test_previews_and_discarded_sessions_are_not_counted(backend: Backend) -> None:
    with backend.open() as store:
        tree = tree_of(ROUTER)
        Walk(tree, recorder=store.recorder(preview=True)).answer("Continue")
        store.discard(Walk(tree, recorder=store.recorder()).id, NOV_1)
        Walk(tree, recorder=store.recorder(), agent="ann").answer("Continue")
        Walk(tree, recorder=store.recorder(), agent="bob")
        (row,) = summaries(store)
        assert (row.started, row.abandoned, row.finished["resolved"]) == (2, 1, 1)
        (ann,) = summaries(store, agent="ann")
        assert (ann.started, ann.abandoned) == (1, 0)
        assert known_trees(store, agent="carol") == []
        assert len(store.list_sessions(limit=None)) == 4  # all kept, only not counted


OUTER = """
id: test/outer
version: 1
title: Outer
start: guide
nodes:
  guide: {type: link, title: Follow the guide, tree: test/inner, next: confirm}
  confirm: {type: step, title: Confirm it works, next: done}
  done: {type: outcome, status: resolved, title: Done}
"""

INNER = """
id: test/inner
version: 3
title: Inner
start: ask
nodes:
  ask:
    type: question
    title: Did the guide help?
    choices:
      - {label: "Yes", goto: helped}
      - {label: "No", goto: stuck}
  helped: {type: outcome, status: resolved, title: Helped}
  stuck: {type: outcome, status: escalated, title: Stuck}
"""


def test_median_times_are_taken_to_the_tenth_of_a_second(backend: Backend) -> None:
    with backend.open() as store:
        sessions = Sessions(store)
        for day, seconds in enumerate((1.04, 3.0, 1.26, 2.31)):
            sessions.start(tree_of(PRINTER_V1), day).answer(seconds, "Yes")
        (version,) = tree_stats(store, "test/printer")
    power = version.nodes[0]
    # 1.0, 1.3, 2.3 and 3.0 to the tenth: the mean of the middle two.
    assert (power.node, power.visits) == ("power", 4)
    assert power.median_seconds == pytest.approx(1.8)


def test_nodes_of_linked_trees_are_named_tree_colon_node(backend: Backend) -> None:
    outer, inner = tree_of(OUTER), tree_of(INNER)
    with backend.open() as store:
        sessions = Sessions(store)
        sessions.start(outer, 0, linked=inner).answer(4, "Yes").answer(2, "Continue")
        sessions.start(outer, 1, linked=inner).answer(8, "No").answer(3, "Continue")
        sessions.start(outer, 2, linked=inner).answer(6, "Yes")  # stopped at `confirm`
        (stats,) = tree_stats(store, "test/outer")
        assert known_trees(store) == ["test/outer"]
    assert stats.summary.outcomes == {"done": 2}
    assert stats.summary.finished == {"resolved": 2, "escalated": 0, "unresolved": 0}
    assert stats.summary.abandoned == 1
    assert [(n.node, n.type, n.visits, n.exits, n.median_seconds) for n in stats.nodes] == [
        ("guide", "link", 3, 0, None),
        ("test/inner:ask", "question", 3, 0, 6.0),
        ("test/inner:helped", "outcome", 2, 0, None),
        ("test/inner:stuck", "outcome", 1, 0, None),
        ("confirm", "step", 3, 1, 2.5),
        ("done", "outcome", 2, 0, None),
    ]
    assert stats.nodes[1].taken == {"Yes": 2, "No": 1}


def test_a_folder_a_device_or_a_fifo_named_as_the_store_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.db"
    os.mkfifo(fifo)
    for path in (tmp_path, Path("/dev/zero"), fifo):
        with pytest.raises(BranchwiseError, match=r"cannot open the session store \(not a regular"):
            Store(path, read_only=True)


def test_a_store_of_a_newer_branchwise_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_version VALUES (99)")
    with pytest.raises(BranchwiseError, match=r"made by a newer branchwise \(schema 99"):
        Store(path, read_only=True)


def test_a_damaged_row_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    with Store(path) as store:
        record_sessions(Sessions(store))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE sessions SET tree_version = 'two'")
    with (
        pytest.raises(BranchwiseError, match=r"cannot read the session store \(damaged: "),
        Store(path, read_only=True) as store,
    ):
        summaries(store)


def test_both_backends_give_the_same_figures_for_one_history(
    tmp_path: Path, postgres_database: str
) -> None:
    figures = []
    for backend in (Backend(tmp_path), PostgresBackend(postgres_database)):
        with backend.open() as store:
            record_sessions(Sessions(store))
            figures.append(
                (
                    summaries(store),
                    summaries(store, since=NOV_1 + 3 * DAY),
                    tree_stats(store, "test/printer"),
                    tree_stats(store, "test/router"),
                )
            )
    assert figures[0] == figures[1]
    assert figures[0][2][1].nodes  # figures there are, not two empty lists
