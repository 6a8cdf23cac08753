"""Usage statistics read from the session store: outcomes per tree version, and per node visits,
exits (where walks stop without an outcome), time spent and the ways taken out.

How a face uses it:

    from engine.sessions.stats import known_trees, summaries, tree_stats
    known_trees(path)                    # tree ids that have sessions, sorted ([] when none yet)
    summaries(path, since=None)          # list[VersionSummary]: one per tree and version
    tree_stats(path, "paya/portal")      # list[VersionStats]: each version's summary and nodes

A visit is each time a node was shown: the steps a session holds now and the steps that going
back (or resuming into a changed tree) dropped, which the store keeps with its rewinds. A step
gone back to and shown again counts once more. Time spent is from a visit being shown (or
re-opened) to its answer. The store file is only ever read.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engine.errors import BranchwiseError
from engine.sessions.store import refuse_foreign
from engine.walk.walker import OPEN

STATUSES = ("resolved", "escalated", "unresolved")
# Node types whose answers are a choice among labels (choices, routes); the others' are values.
CHOOSING_TYPES = frozenset({"question", "action"})
NEVER = float("-inf")


@dataclass(frozen=True)
class VersionSummary:
    """The sessions of one version of one tree: how many, and how they ended."""

    tree_id: str
    version: int
    title: str
    started: int
    finished: Mapping[str, int]  # outcome status -> sessions (every status of STATUSES present)
    abandoned: int  # still open: stopped without reaching an outcome
    outcomes: Mapping[str, int]  # outcome node (TREE:NODE inside a linked tree) -> sessions

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        return {
            "tree": self.tree_id,
            "version": self.version,
            "title": self.title,
            "started": self.started,
            "finished": dict(self.finished),
            "abandoned": self.abandoned,
            "outcomes": dict(self.outcomes),
        }


@dataclass(frozen=True)
class NodeStats:
    """How one node fared in the sessions of one tree version."""

    node: str  # the node id, TREE:NODE for a node of a linked tree
    title: str
    type: str
    visits: int
    exits: int  # open sessions whose last step is this node
    median_seconds: float | None  # over answered visits; None when none was answered
    taken: Mapping[str, int]  # choice or route label -> times answered with it

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready data."""
        return {
            "node": self.node,
            "title": self.title,
            "type": self.type,
            "visits": self.visits,
            "exits": self.exits,
            "median_seconds": self.median_seconds,
            "taken": dict(self.taken),
        }


@dataclass(frozen=True)
class VersionStats:
    """One tree version's summary and its nodes, in the order walks first reach them."""

    summary: VersionSummary
    nodes: tuple[NodeStats, ...]

    def to_dict(self) -> dict[str, Any]:
        """The summary and the node figures as JSON-ready data."""
        return {**self.summary.to_dict(), "nodes": [node.to_dict() for node in self.nodes]}


@dataclass(frozen=True, slots=True)
class _Visit:
    """One showing of a node in a session, current or dropped by going back."""

    session: str
    idx: int
    tree_id: str
    node_id: str
    title: str
    type: str
    entered_at: float
    answered_at: float | None
    way: str | None  # the choice or route label it was left by (choosing nodes only)


@dataclass
class _Tally:
    """What is being added up for one node of one version."""

    first_idx: int
    visits: int = 0
    exits: int = 0
    seconds: list[float] = field(default_factory=list)
    titles: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    taken: Counter[str] = field(default_factory=Counter)


# Reading the store.


@contextmanager
def _reading(path: Path) -> Iterator[sqlite3.Connection | None]:
    """A read-only connection to the store, or None when it has no file yet."""
    if not path.exists():
        yield None
        return
    if not path.is_file():
        raise BranchwiseError(f"{path}: cannot read the session store (not a regular file)")
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BranchwiseError(f"{path}: cannot open the session store ({exc})") from None
    try:
        refuse_foreign(db, path)
        yield db
    except sqlite3.DatabaseError as exc:
        raise BranchwiseError(f"{path}: cannot read the session store ({exc})") from None
    except (TypeError, ValueError) as exc:  # a value of the wrong type: a damaged row
        raise BranchwiseError(f"{path}: cannot read the session store (damaged: {exc})") from None
    finally:
        db.close()


def _has_sessions_table(db: sqlite3.Connection) -> bool:
    row = db.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sessions'"
    ).fetchone()
    return bool(row[0])


def known_trees(path: Path) -> list[str]:
    """The ids of the trees that have sessions in the store, sorted."""
    with _reading(path) as db:
        if db is None or not _has_sessions_table(db):
            return []
        rows = db.execute("SELECT DISTINCT tree_id FROM sessions ORDER BY tree_id").fetchall()
    return [str(row[0]) for row in rows]


def summaries(path: Path, since: float | None = None) -> list[VersionSummary]:
    """One summary per tree and version, sessions started at `since` (epoch seconds) or later."""
    with _reading(path) as db:
        if db is None or not _has_sessions_table(db):
            return []
        return _summaries(db, None, since)


def tree_stats(path: Path, tree_id: str, since: float | None = None) -> list[VersionStats]:
    """Each version of one tree, newest first: its summary and the figures of its nodes."""
    with _reading(path) as db:
        if db is None or not _has_sessions_table(db):
            return []
        found = _summaries(db, tree_id, since)
        visits = _visits(db, tree_id, since)
        last_steps = _last_steps_of_open_sessions(db, tree_id, since)
    return [
        VersionStats(
            summary,
            _node_stats(
                visits.get(summary.version, []),
                last_steps.get(summary.version, []),
                tree_id,
            ),
        )
        for summary in found
    ]


def _chosen(tree_id: str | None, since: float | None) -> dict[str, Any]:
    """Query parameters choosing one tree's sessions (or every tree's) started since a time."""
    return {"tree": tree_id, "since": NEVER if since is None else since}


def _summaries(
    db: sqlite3.Connection, tree_id: str | None, since: float | None
) -> list[VersionSummary]:
    params = _chosen(tree_id, since)
    # SQLite takes the bare tree_title from the row holding max(started_at): the latest title.
    titles = {
        (row[0], row[1]): row[2]
        for row in db.execute(
            "SELECT s.tree_id, s.tree_version, s.tree_title, max(s.started_at) FROM sessions s "
            "WHERE (:tree IS NULL OR s.tree_id = :tree) AND s.started_at >= :since "
            "GROUP BY s.tree_id, s.tree_version",
            params,
        )
    }
    counts = db.execute(
        "SELECT s.tree_id, s.tree_version, s.status, s.outcome, count(*) FROM sessions s "
        "WHERE (:tree IS NULL OR s.tree_id = :tree) AND s.started_at >= :since "
        "GROUP BY s.tree_id, s.tree_version, s.status, s.outcome",
        params,
    ).fetchall()
    grouped: dict[tuple[str, int], list[tuple[str, str | None, int]]] = {}
    for tree, version, status, outcome, number in counts:
        grouped.setdefault((tree, version), []).append((status, outcome, number))
    return [
        _summary(tree, version, title, grouped.get((tree, version), []))
        for (tree, version), title in sorted(titles.items(), key=_version_order)
    ]


def _version_order(item: tuple[tuple[str, int], str]) -> tuple[str, int]:
    (tree, version), _ = item
    return tree, -version


def _summary(
    tree_id: str, version: int, title: str, counts: Iterable[tuple[str, str | None, int]]
) -> VersionSummary:
    finished: Counter[str] = Counter({status: 0 for status in STATUSES})
    outcomes: Counter[str] = Counter()
    started = abandoned = 0
    for status, outcome, count in counts:
        started += count
        if status == OPEN:
            abandoned += count
            continue
        finished[status] += count
        if outcome is not None:
            outcomes[outcome] += count
    return VersionSummary(
        tree_id,
        version,
        title,
        started,
        dict(finished),
        abandoned,
        dict(sorted(outcomes.items(), key=lambda item: (-item[1], item[0]))),
    )


def _visits(db: sqlite3.Connection, tree_id: str, since: float | None) -> dict[int, list[_Visit]]:
    """Every visit of the tree's sessions by version: current steps and dropped ones."""
    params = _chosen(tree_id, since)
    reopened = _reopened(db, params)
    by_version: dict[int, list[_Visit]] = {}
    rows = db.execute(
        "SELECT s.tree_version, t.session_id, t.idx, t.tree_id, t.node_id, t.node_title, "
        "t.node_type, t.entered_at, t.answered_at, t.answer, c.route FROM steps t "
        "JOIN sessions s ON s.id = t.session_id "
        "LEFT JOIN action_calls c ON c.session_id = t.session_id AND c.step_idx = t.idx "
        "WHERE (:tree IS NULL OR s.tree_id = :tree) AND s.started_at >= :since "
        "ORDER BY t.session_id, t.idx",
        params,
    )
    for version, session, idx, tree, node, title, kind, entered, answered, answer, route in rows:
        way = _way(kind, answer, route)
        visit = _Visit(session, idx, tree, node, title, kind, entered, answered, way)
        by_version.setdefault(version, []).append(_reopened_start(visit, reopened))
    for version, visit in _dropped_visits(db, params):
        by_version.setdefault(version, []).append(_reopened_start(visit, reopened))
    return by_version


def _way(node_type: str, answer: str | None, route: str | None) -> str | None:
    """The label a visit was left by: the route of an action's call, else the answer."""
    if node_type not in CHOOSING_TYPES:
        return None
    return route if route is not None else answer


def _reopened(
    db: sqlite3.Connection, params: Mapping[str, Any]
) -> dict[tuple[str, int], list[float]]:
    """When each (session, step index) was re-opened by going back, in time order."""
    reopened: dict[tuple[str, int], list[float]] = {}
    for session, idx, at in db.execute(
        "SELECT r.session_id, r.to_idx, r.at FROM rewinds r JOIN sessions s ON s.id = r.session_id "
        "WHERE (:tree IS NULL OR s.tree_id = :tree) AND s.started_at >= :since ORDER BY r.at",
        params,
    ):
        reopened.setdefault((session, idx), []).append(at)
    return reopened


def _reopened_start(visit: _Visit, reopened: Mapping[tuple[str, int], list[float]]) -> _Visit:
    """The visit timed from its last re-opening before it was answered, if it was re-opened.

    The store keeps the time a step was first shown; going back to it shows it again later.
    """
    if visit.answered_at is None:
        return visit
    answered_at = visit.answered_at
    times = [at for at in reopened.get((visit.session, visit.idx), ()) if at <= answered_at]
    if not times or max(times) <= visit.entered_at:
        return visit
    return replace(visit, entered_at=max(times))


def _dropped_visits(
    db: sqlite3.Connection, params: Mapping[str, Any]
) -> Iterator[tuple[int, _Visit]]:
    """The steps that going back dropped, as the store keeps them with each rewind."""
    for version, session, raw in db.execute(
        "SELECT s.tree_version, r.session_id, r.dropped_json FROM rewinds r "
        "JOIN sessions s ON s.id = r.session_id "
        "WHERE (:tree IS NULL OR s.tree_id = :tree) AND s.started_at >= :since ORDER BY r.id",
        params,
    ):
        for step in json.loads(raw):
            yield version, _dropped_visit(session, step)


def _dropped_visit(session: str, step: Mapping[str, Any]) -> _Visit:
    action = step.get("action") or {}
    return _Visit(
        session,
        int(step["idx"]),
        str(step["tree_id"]),
        str(step["node_id"]),
        str(step["node_title"]),
        str(step["node_type"]),
        float(step["entered_at"]),
        step.get("answered_at"),
        _way(str(step["node_type"]), step.get("answer"), action.get("route")),
    )


def _last_steps_of_open_sessions(
    db: sqlite3.Connection, tree_id: str, since: float | None
) -> dict[int, list[tuple[str, str]]]:
    """Where each open session stopped, (tree id, node id) by version."""
    params = _chosen(tree_id, since)
    by_version: dict[int, list[tuple[str, str]]] = {}
    rows = db.execute(
        "SELECT s.tree_version, t.tree_id, t.node_id FROM sessions s "
        "JOIN steps t ON t.session_id = s.id "
        "AND t.idx = (SELECT max(idx) FROM steps u WHERE u.session_id = s.id) "
        "WHERE s.status = :open "
        "AND (:tree IS NULL OR s.tree_id = :tree) AND s.started_at >= :since",
        {**params, "open": OPEN},
    )
    for version, step_tree, node_id in rows:
        by_version.setdefault(version, []).append((step_tree, node_id))
    return by_version


# Adding up.


def _qualified(root: str, tree_id: str, node_id: str) -> str:
    return node_id if tree_id == root else f"{tree_id}:{node_id}"


def _node_stats(
    visits: Iterable[_Visit], stops: Iterable[tuple[str, str]], root: str
) -> tuple[NodeStats, ...]:
    tallies: dict[str, _Tally] = {}
    for visit in visits:
        node = _qualified(root, visit.tree_id, visit.node_id)
        if node not in tallies:
            tallies[node] = _Tally(visit.idx)
        _count_visit(tallies[node], visit)
    for step_tree, node_id in stops:
        tallies[_qualified(root, step_tree, node_id)].exits += 1
    ordered = sorted(tallies.items(), key=lambda item: (item[1].first_idx, item[0]))
    return tuple(_finish(node, tally) for node, tally in ordered)


def _count_visit(tally: _Tally, visit: _Visit) -> None:
    tally.first_idx = min(tally.first_idx, visit.idx)
    tally.visits += 1
    tally.titles[visit.title] += 1
    tally.types[visit.type] += 1
    if visit.answered_at is not None:
        tally.seconds.append(max(0.0, visit.answered_at - visit.entered_at))
    if visit.way is not None:
        tally.taken[visit.way] += 1


def _finish(node: str, tally: _Tally) -> NodeStats:
    return NodeStats(
        node=node,
        title=tally.titles.most_common(1)[0][0],
        type=tally.types.most_common(1)[0][0],
        visits=tally.visits,
        exits=tally.exits,
        median_seconds=statistics.median(tally.seconds) if tally.seconds else None,
        taken=dict(sorted(tally.taken.items(), key=lambda item: (-item[1], item[0]))),
    )
