"""Usage statistics read from the session store: outcomes per tree version, and per node visits,
exits (where walks stop without an outcome), time spent and the ways taken out.

How a face uses it:

    from engine.sessions.stats import known_trees, summaries, tree_stats
    known_trees(store)                   # tree ids that have sessions, sorted ([] when none yet)
    summaries(store, since=None, agent=None)   # list[VersionSummary]: one per tree and version
    tree_stats(store, "paya/portal")     # list[VersionStats]: each version's summary and nodes

A visit is each time a node was shown: the steps a session holds now and the steps that going
back (or resuming into a changed tree) dropped, which the store keeps with its rewinds. A step
gone back to and shown again counts once more. Time spent is from a visit being shown (or
re-opened) to its answer. Previews (walks of `run --watch`) and discarded sessions are not
counted. The database adds everything up (SQL both backends run); Python only names the result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.errors import BranchwiseError
from engine.sessions.store import DISCARDED
from engine.walk.walker import OPEN

if TYPE_CHECKING:
    from engine.sessions.store import Dialect, Store

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


@dataclass
class _Tally:
    """What is being added up for one node of one version."""

    first_idx: int
    visits: int = 0
    exits: int = 0
    median: float | None = None
    titles: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    taken: Counter[str] = field(default_factory=Counter)


# Reading the store: every figure is added up by the database, in SQL both backends speak;
# only the fragments reading JSON differ (Dialect.dropped_steps, Dialect.dropped_field). SQL is
# put together from constant fragments only (hence the noqa: S608); values go in as parameters.

_SESSION_ROW = "s.preview = 0 AND s.status <> :discarded AND s.started_at >= :since"


def _chosen(
    tree_id: str | None, since: float | None, agent: str | None
) -> tuple[str, dict[str, Any]]:
    """The WHERE clause choosing the sessions counted (never previews or discarded ones)."""
    where = _SESSION_ROW
    params: dict[str, Any] = {"since": NEVER if since is None else since, "discarded": DISCARDED}
    if tree_id is not None:
        where += " AND s.tree_id = :tree"
        params["tree"] = tree_id
    if agent is not None:
        where += " AND s.agent = :agent"
        params["agent"] = agent
    return where, params


@contextmanager
def _counting(store: Store) -> Iterator[Any]:
    """The store's connection; a value of the wrong type (a damaged row) as a clear error."""
    with store.reading() as db:
        try:
            yield db
        except (TypeError, ValueError, KeyError) as exc:
            raise BranchwiseError(
                f"{store.where}: cannot read the session store (damaged: {exc})"
            ) from None


def known_trees(store: Store, agent: str | None = None) -> list[str]:
    """The ids of the trees that have sessions counted in the store, sorted."""
    where, params = _chosen(None, None, agent)
    with _counting(store) as db:
        rows = db.execute(
            f"SELECT DISTINCT s.tree_id FROM sessions s WHERE {where} ORDER BY s.tree_id",  # noqa: S608
            params,
        ).fetchall()
    return [str(row[0]) for row in rows]


def summaries(
    store: Store, since: float | None = None, agent: str | None = None
) -> list[VersionSummary]:
    """One summary per tree and version, sessions started at `since` (epoch seconds) or later."""
    with _counting(store) as db:
        return _summaries(db, *_chosen(None, since, agent))


def tree_stats(
    store: Store, tree_id: str, since: float | None = None, agent: str | None = None
) -> list[VersionStats]:
    """Each version of one tree, newest first: its summary and the figures of its nodes."""
    where, params = _chosen(tree_id, since, agent)
    with _counting(store) as db:
        found = _summaries(db, where, params)
        tallies = _tallies(db, store.dialect, where, params, tree_id)
        _add_medians(db, store.dialect, where, params, tree_id, tallies)
        _add_exits(db, where, params, tree_id, tallies)
    return [
        VersionStats(summary, _finished_nodes(tallies.get(summary.version, {})))
        for summary in found
    ]


def _summaries(db: Any, where: str, params: Mapping[str, Any]) -> list[VersionSummary]:
    titles = {
        (row[0], row[1]): row[2]
        for row in db.execute(
            "SELECT tree_id, tree_version, tree_title FROM (SELECT s.tree_id, s.tree_version, "  # noqa: S608
            "s.tree_title, row_number() OVER (PARTITION BY s.tree_id, s.tree_version "
            "ORDER BY s.started_at DESC, s.id DESC) AS latest "
            f"FROM sessions s WHERE {where}) titled WHERE latest = 1",
            params,
        )
    }
    counts = db.execute(
        "SELECT s.tree_id, s.tree_version, s.status, s.outcome, count(*) FROM sessions s "  # noqa: S608
        f"WHERE {where} GROUP BY s.tree_id, s.tree_version, s.status, s.outcome",
        params,
    ).fetchall()
    grouped: dict[tuple[str, int], list[tuple[str, str | None, int]]] = {}
    for tree, version, status, outcome, number in counts:
        grouped.setdefault((tree, version), []).append((status, outcome, int(number)))
    return [
        _summary(tree, version, title, grouped.get((tree, version), []))
        for (tree, version), title in sorted(titles.items(), key=_version_order)
    ]


def _visits_sql(dialect: Dialect, where: str) -> str:
    """Every visit of the chosen sessions, current steps and steps going back dropped, with
    the node qualified by its tree, the way it was left by and the seconds it took.

    A visit re-opened by going back is timed from its last re-opening before its answer: the
    store keeps the time a step was first shown, and going back shows it again later. (Only
    sessions that went back are searched for one: most never do.)
    """
    field = dialect.dropped_field
    choosing = ", ".join(f"'{kind}'" for kind in sorted(CHOOSING_TYPES))
    return f"""WITH visits AS (
        SELECT s.tree_version AS version, t.session_id AS session, t.idx, t.tree_id, t.node_id,
            t.node_title AS title, t.node_type AS type, t.entered_at, t.answered_at, t.answer,
            a.route
        FROM steps t JOIN sessions s ON s.id = t.session_id
        LEFT JOIN action_calls a ON a.session_id = t.session_id AND a.step_idx = t.idx
        WHERE {where}
        UNION ALL
        SELECT s.tree_version, r.session_id, {field("idx", "int")}, {field("tree_id")},
            {field("node_id")}, {field("node_title")}, {field("node_type")},
            {field("entered_at", "real")}, {field("answered_at", "real")}, {field("answer")},
            {field("action.route")}
        FROM rewinds r JOIN sessions s ON s.id = r.session_id CROSS JOIN {dialect.dropped_steps}
        WHERE {where}
    ),
    timed AS (
        SELECT v.version, v.idx, v.title, v.type,
            CASE WHEN v.tree_id = :root THEN v.node_id ELSE v.tree_id || ':' || v.node_id END
                AS node,
            CASE WHEN v.type IN ({choosing}) THEN coalesce(v.route, v.answer) END AS way,
            v.answered_at - CASE WHEN v.session IN (SELECT session_id FROM rewinds)
                THEN coalesce((SELECT max(r.at) FROM rewinds r
                    WHERE r.session_id = v.session AND r.to_idx = v.idx
                    AND r.at <= v.answered_at AND r.at > v.entered_at), v.entered_at)
                ELSE v.entered_at END AS seconds
        FROM visits v
    )"""  # noqa: S608


def _tallies(
    db: Any, dialect: Dialect, where: str, params: Mapping[str, Any], root: str
) -> dict[int, dict[str, _Tally]]:
    """Visits, titles, types and ways out of each node, by version, counted by the database."""
    rows = db.execute(
        _visits_sql(dialect, where)  # noqa: S608
        + " SELECT version, node, title, type, way, count(*), min(idx) FROM timed "
        "GROUP BY version, node, title, type, way",
        {**params, "root": root},
    ).fetchall()
    tallies: dict[int, dict[str, _Tally]] = {}
    # In order, so that a tie between two titles (or types) of a node goes the same way always.
    for version, node, title, kind, way, count, first_idx in sorted(rows, key=_text_order):
        nodes = tallies.setdefault(int(version), {})
        tally = nodes.setdefault(node, _Tally(int(first_idx)))
        tally.first_idx = min(tally.first_idx, int(first_idx))
        tally.visits += count
        tally.titles[title] += count
        tally.types[kind] += count
        if way is not None:
            tally.taken[way] += count
    return tallies


def _text_order(row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple("" if value is None else value for value in row[:5])


def _add_medians(
    db: Any,
    dialect: Dialect,
    where: str,
    params: Mapping[str, Any],
    root: str,
    tallies: Mapping[int, Mapping[str, _Tally]],
) -> None:
    """The median seconds of each node's answered visits: the middle one, or the mean of the
    middle two."""
    rows = db.execute(
        _visits_sql(dialect, where) + dialect.medians,
        {**params, "root": root},
    )
    for version, node, median in rows:
        # None: no visit answered; a clock set back between showing and answering makes no
        # negative time.
        if median is not None:
            tallies[int(version)][node].median = max(0.0, float(median))


def _add_exits(
    db: Any,
    where: str,
    params: Mapping[str, Any],
    root: str,
    tallies: Mapping[int, Mapping[str, _Tally]],
) -> None:
    """Where open sessions stopped: their last step's node, counted by version."""
    rows = db.execute(
        "SELECT s.tree_version, CASE WHEN t.tree_id = :root THEN t.node_id "  # noqa: S608
        "ELSE t.tree_id || ':' || t.node_id END AS node, count(*) FROM sessions s "
        "JOIN steps t ON t.session_id = s.id "
        "AND t.idx = (SELECT max(idx) FROM steps u WHERE u.session_id = s.id) "
        f"WHERE s.status = :open AND {where} GROUP BY s.tree_version, node",
        {**params, "open": OPEN, "root": root},
    )
    for version, node, count in rows:
        tallies[int(version)][node].exits += int(count)


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
        int(version),
        title,
        started,
        dict(finished),
        abandoned,
        dict(sorted(outcomes.items(), key=lambda item: (-item[1], item[0]))),
    )


# Adding up.


def _finished_nodes(tallies: Mapping[str, _Tally]) -> tuple[NodeStats, ...]:
    ordered = sorted(tallies.items(), key=lambda item: (item[1].first_idx, item[0]))
    return tuple(_finish(node, tally) for node, tally in ordered)


def _finish(node: str, tally: _Tally) -> NodeStats:
    return NodeStats(
        node=node,
        title=tally.titles.most_common(1)[0][0],
        type=tally.types.most_common(1)[0][0],
        visits=tally.visits,
        exits=tally.exits,
        median_seconds=tally.median,
        taken=dict(sorted(tally.taken.items(), key=lambda item: (-item[1], item[0]))),
    )
