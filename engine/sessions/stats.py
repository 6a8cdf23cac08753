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
re-opened) to its answer, its median to the tenth of a second. Previews (walks of
`run --watch`) and discarded sessions are not counted. The database adds everything up (SQL
both backends run); Python only names the result.
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


_STEP_COLUMNS = (
    "s.tree_version AS version, t.idx, t.tree_id, t.node_id, t.node_title AS title, "
    "t.node_type AS type, t.answer, a.route"
)
_STEPS = (
    "steps t JOIN sessions s ON s.id = t.session_id "
    "LEFT JOIN action_calls a ON a.session_id = t.session_id AND a.step_idx = t.idx"
)


def _visits_sql(dialect: Dialect, where: str) -> str:
    """Every visit of the chosen sessions, current steps and steps going back dropped: its
    version, index, tree, node, title, type, answer, route and the seconds it took.

    A visit re-opened by going back is timed from its last re-opening before its answer: the
    store keeps the time a step was first shown, and going back shows it again later. Only
    the few sessions that went back are searched for one, apart from the others, whose steps
    the database then reads as a plain scan (in parallel, on PostgreSQL).
    """
    field = dialect.dropped_field
    return f"""SELECT {_STEP_COLUMNS}, t.answered_at - t.entered_at AS seconds
        FROM {_STEPS}
        WHERE {where} AND NOT EXISTS (SELECT 1 FROM rewinds r WHERE r.session_id = s.id)
        UNION ALL
        SELECT version, idx, tree_id, node_id, title, type, answer, route,
            answered_at - coalesce((SELECT max(r.at) FROM rewinds r
                WHERE r.session_id = w.session AND r.to_idx = w.idx
                AND r.at <= w.answered_at AND r.at > w.entered_at), entered_at)
        FROM (
            SELECT {_STEP_COLUMNS}, t.session_id AS session, t.entered_at, t.answered_at
            FROM {_STEPS}
            WHERE {where} AND EXISTS (SELECT 1 FROM rewinds r WHERE r.session_id = s.id)
            UNION ALL
            SELECT s.tree_version, {field("idx", "int")}, {field("tree_id")},
                {field("node_id")}, {field("node_title")}, {field("node_type")},
                {field("answer")}, {field("action.route")}, r.session_id,
                {field("entered_at", "real")}, {field("answered_at", "real")}
            FROM rewinds r JOIN sessions s ON s.id = r.session_id
            CROSS JOIN {dialect.dropped_steps}
            WHERE {where}
        ) w"""  # noqa: S608


def _figures_sql(dialect: Dialect, where: str) -> str:
    """Per node: its visits by title, type and way out (rows with a count and the first
    index), and its median seconds to the tenth (rows with the median). Counts are summed as
    BIGINT: PostgreSQL's sum of them is a decimal, which would not halve as a whole number.

    The visits are added up once, by node and way and tenth of a second; the median is read
    off those counts (the middle one, or the mean of the middle two), not by sorting every
    visit: the tenths a node took are far fewer than its visits.
    """
    choosing = ", ".join(f"'{kind}'" for kind in sorted(CHOOSING_TYPES))
    tenths = dialect.floor("seconds * 10 + 0.5")
    return f"""WITH fine AS (
        SELECT version, tree_id, node_id, title, type,
            CASE WHEN type IN ({choosing}) THEN coalesce(route, answer) END AS way,
            {tenths} AS tenths, count(*) AS visits, min(idx) AS first_idx
        FROM ({_visits_sql(dialect, where)}) visits
        GROUP BY version, tree_id, node_id, title, type, way, tenths
    ),
    timings AS (
        SELECT version, tree_id, node_id, tenths, sum(visits) AS visits FROM fine
        WHERE tenths IS NOT NULL GROUP BY version, tree_id, node_id, tenths
    ),
    running AS (
        SELECT version, tree_id, node_id, tenths,
            CAST(sum(visits) OVER (PARTITION BY version, tree_id, node_id ORDER BY tenths)
                AS BIGINT) AS reached,
            CAST(sum(visits) OVER (PARTITION BY version, tree_id, node_id) AS BIGINT)
                AS answered
        FROM timings
    )
    SELECT version, tree_id, node_id, title, type, way, sum(visits), min(first_idx), NULL
    FROM fine GROUP BY version, tree_id, node_id, title, type, way
    UNION ALL
    SELECT version, tree_id, node_id, NULL, NULL, NULL, NULL, NULL,
        (min(CASE WHEN reached >= (answered + 1) / 2 THEN tenths END)
            + min(CASE WHEN reached >= (answered + 2) / 2 THEN tenths END)) / 20.0
    FROM running GROUP BY version, tree_id, node_id"""  # noqa: S608


def _tallies(
    db: Any, dialect: Dialect, where: str, params: Mapping[str, Any], root: str
) -> dict[int, dict[str, _Tally]]:
    """Visits, titles, types, ways out and median time of each node, by version, counted by
    the database."""
    rows = db.execute(_figures_sql(dialect, where), params).fetchall()
    counted = [row for row in rows if row[6] is not None]
    medians = [row for row in rows if row[6] is None]
    tallies: dict[int, dict[str, _Tally]] = {}
    # In order, so that a tie between two titles (or types) of a node goes the same way always.
    for version, tree, node_id, title, kind, way, count, first_idx, _ in sorted(
        counted, key=_text_order
    ):
        nodes = tallies.setdefault(int(version), {})
        tally = nodes.setdefault(_node_name(root, tree, node_id), _Tally(int(first_idx)))
        tally.first_idx = min(tally.first_idx, int(first_idx))
        tally.visits += int(count)
        tally.titles[title] += int(count)
        tally.types[kind] += int(count)
        if way is not None:
            tally.taken[way] += int(count)
    for version, tree, node_id, *_, median in medians:
        # None: no visit answered; a clock set back between showing and answering makes no
        # negative time.
        if median is not None:
            tally = tallies[int(version)][_node_name(root, tree, node_id)]
            tally.median = max(0.0, float(median))
    return tallies


def _node_name(root: str, tree: str, node: str) -> str:
    """A node as the figures name it: its id, TREE:NODE for a node of a linked tree."""
    return node if tree == root else f"{tree}:{node}"


def _text_order(row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple("" if value is None else value for value in row[:6])


def _add_exits(
    db: Any,
    where: str,
    params: Mapping[str, Any],
    root: str,
    tallies: Mapping[int, Mapping[str, _Tally]],
) -> None:
    """Where open sessions stopped: their last step's node, counted by version."""
    # Each open session's last step, looked up by its index: not a join of every step.
    last = "(SELECT t.{} FROM steps t WHERE t.session_id = s.id ORDER BY t.idx DESC LIMIT 1)"
    rows = db.execute(
        "SELECT version, tree_id, node_id, count(*) FROM (SELECT s.tree_version AS version, "  # noqa: S608
        f"{last.format('tree_id')} AS tree_id, {last.format('node_id')} AS node_id "
        f"FROM sessions s WHERE s.status = :open AND {where}) stopped "
        "GROUP BY version, tree_id, node_id",
        {**params, "open": OPEN},
    )
    for version, tree, node_id, count in rows:
        if node_id is not None:  # a session stopped before its first step was written
            tallies[int(version)][_node_name(root, tree, node_id)].exits += int(count)


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
