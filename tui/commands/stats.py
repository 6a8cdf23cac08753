"""`branchwise stats`: usage figures from the session store, per tree version and per node."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.errors import UsageError
from tui.options import common_options

if TYPE_CHECKING:
    from engine.sessions.stats import NodeStats, VersionStats, VersionSummary
    from engine.sessions.store import Store

FORMATS = ("text", "json")
SUMMARY_COLUMNS = (
    "TREE",
    "VERSION",
    "SESSIONS",
    "RESOLVED",
    "ESCALATED",
    "UNRESOLVED",
    "ABANDONED",
    "TITLE",
)
NODE_COLUMNS = ("NODE", "TITLE", "TYPE", "VISITS", "EXITS", "MEDIAN", "TAKEN")
NUMERIC = frozenset(SUMMARY_COLUMNS[1:-1] + NODE_COLUMNS[3:6])
STATUSES = ("resolved", "escalated", "unresolved")
MAX_TITLE = 40
NO_SESSIONS = "no sessions yet"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "stats",
        help="visits, drop-offs and outcomes per node and tree version",
        description="Usage figures from the session store. Without TREE: one row per tree and "
        "version with the sessions started, finished per outcome status, and abandoned (still "
        "open, stopped without an outcome). With TREE: for each of its versions, the outcomes "
        "reached and a table of its nodes: visits (each time a node was shown, including steps "
        "later dropped by going back), exits (open sessions that stopped there), the median "
        "time from a node being shown to its answer (to the tenth of a second), "
        "and how often each choice or route was "
        "taken (answers later taken back by going back count too); then, when the tree has "
        "several versions, each node's exits/visits version by version (a node keeps its "
        "history while it keeps its id). Previews (run --watch) and discarded sessions are "
        "not counted. On a PostgreSQL store the database adds it all up.",
        parents=[common_options()],
    )
    parser.add_argument(
        "tree", metavar="TREE", nargs="?", help="a tree id: show its nodes, version by version"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text: aligned tables (default); json: the same figures for other tools",
    )
    parser.add_argument(
        "--since",
        metavar="DATE",
        type=since_timestamp,
        help="only sessions started at DATE or later: YYYY-MM-DD or an ISO 8601 time such as "
        "2026-11-01T09:30 (local time unless it names a zone: Z, +02:00)",
    )
    parser.add_argument("--agent", metavar="NAME", help="only sessions walked by this agent")


def since_timestamp(text: str) -> float:
    """The moment --since names, as epoch seconds; a time without a zone is local time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM, optionally with a "
            "zone (Z, +02:00)"
        ) from None
    return moment.timestamp() if moment.tzinfo else moment.astimezone().timestamp()


def run(args: argparse.Namespace) -> int:
    from engine.sessions.store import Store, store_exists
    from tui.options import db_url

    url = db_url(args)
    if not store_exists(url):
        return _nothing(args, NO_SESSIONS)
    with Store(url, read_only=True) as store:
        return _report(args, store)


def _report(args: argparse.Namespace, store: Store) -> int:
    from engine.sessions.stats import known_trees, summaries, tree_stats

    known = known_trees(store, args.agent)
    if not known:
        return _nothing(args, NO_SESSIONS if args.agent is None else f"no sessions of {args.agent}")
    if args.tree is None:
        rows = summaries(store, args.since, args.agent)
        if not rows:
            return _nothing(args, _none_since(args))
        _emit(args, {"versions": [row.to_dict() for row in rows]}, format_summaries(rows))
        return 0
    if args.tree not in known:
        raise UsageError(
            f"no sessions of tree {args.tree!r} in {store.where}; trees with sessions: "
            + ", ".join(_cell(tree) for tree in known)
        )
    versions = tree_stats(store, args.tree, args.since, args.agent)
    if not versions:
        return _nothing(args, _none_since(args))
    data = {"versions": [version.to_dict() for version in versions]}
    _emit(args, data, format_versions(versions))
    return 0


def _none_since(args: argparse.Namespace) -> str:
    of_tree = f" of {args.tree}" if args.tree else ""
    return f"no sessions{of_tree} since {day(args.since)}"


def day(timestamp: float) -> str:
    """A --since time as the person's local date and time, to the minute."""
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="minutes")


def _nothing(args: argparse.Namespace, message: str) -> int:
    """Say there is nothing to count: as the text, or beside an empty JSON list."""
    if args.format == "json":
        print(f"branchwise: {message}", file=sys.stderr)
        _emit(args, {"versions": []}, "")
    else:
        print(message)
    return 0


def _emit(args: argparse.Namespace, data: Mapping[str, Any], text: str) -> None:
    from engine.text import json_text

    if args.format == "json":
        since = None if args.since is None else datetime.fromtimestamp(args.since).astimezone()
        document = {
            "tree": args.tree,
            "since": None if since is None else since.isoformat(),
            "agent": args.agent,
            **data,
        }
        sys.stdout.write(json_text(document, indent=2) + "\n")
    else:
        sys.stdout.write(text)


# Text.


def format_summaries(rows: Sequence[VersionSummary]) -> str:
    """One aligned line per tree and version."""
    return format_table(SUMMARY_COLUMNS, [_summary_row(row) for row in rows])


def _summary_row(row: VersionSummary) -> tuple[str, ...]:
    return (
        _cell(row.tree_id),
        str(row.version),
        str(row.started),
        *(str(row.finished.get(status, 0)) for status in STATUSES),
        str(row.abandoned),
        _cell(row.title, MAX_TITLE),
    )


def format_versions(versions: Sequence[VersionStats]) -> str:
    """For each version: a heading, how its sessions ended, and the table of its nodes; with
    more than one version, each node's exits and visits side by side, version by version."""
    blocks = [_version_block(version) for version in versions]
    if len(versions) > 1:
        blocks.append(_across_versions(versions))
    return "\n".join(blocks)


def _across_versions(versions: Sequence[VersionStats]) -> str:
    """A node keeps its history while it keeps its id: its exits/visits in every version that
    has it, newest first, so the version that changed where walks stop stands out."""
    numbers = [version.summary.version for version in versions]
    nodes: dict[str, dict[int, NodeStats]] = {}
    for version in versions:
        for node in version.nodes:
            nodes.setdefault(node.node, {})[version.summary.version] = node
    rows = [
        (_cell(name), *(_exits_of(found.get(number)) for number in numbers))
        for name, found in nodes.items()
    ]
    headings = ("NODE", *(f"V{number}" for number in numbers))
    return "exits/visits by node, version by version\n\n" + format_table(headings, rows)


def _exits_of(node: NodeStats | None) -> str:
    return "-" if node is None else f"{node.exits}/{node.visits}"


def _version_block(version: VersionStats) -> str:
    summary = version.summary
    statuses = ", ".join(f"{count} {status}" for status, count in summary.finished.items())
    lines = [
        f"{_cell(summary.tree_id)} version {summary.version}: {_cell(summary.title)}",
        f"{_sessions(summary.started)}: {statuses}, {summary.abandoned} abandoned",
    ]
    if summary.outcomes:
        lines.append("outcomes: " + _counts(summary.outcomes))
    rows = [_node_row(node) for node in version.nodes]
    return "\n".join(lines) + "\n\n" + format_table(NODE_COLUMNS, rows)


def _sessions(count: int) -> str:
    return f"{count} session" if count == 1 else f"{count} sessions"


def _node_row(node: NodeStats) -> tuple[str, ...]:
    return (
        _cell(node.node),
        _cell(node.title, MAX_TITLE),
        node.type,
        str(node.visits),
        str(node.exits),
        duration(node.median_seconds),
        _counts(node.taken) or "-",
    )


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{_cell(label)} {count}" for label, count in counts.items())


def duration(seconds: float | None) -> str:
    """A time spent as a person reads it: 4.5s, 42s, 3m05s, 2h10m; '-' when there is none."""
    if seconds is None:
        return "-"
    if seconds < 10:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def _cell(text: str, limit: int | None = None) -> str:
    """Text from a tree or the store on one line, no control characters, cut at `limit`."""
    from engine.text import plain

    one_line = " ".join(plain(text).split())
    if limit is not None and len(one_line) > limit:
        return one_line[: limit - 1] + "…"
    return one_line


def format_table(headings: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Rows under their headings; numbers right-aligned, the last column never padded."""
    from rich.cells import cell_len

    table = [tuple(headings), *(tuple(row) for row in rows)]
    widths = [max(cell_len(row[i]) for row in table) for i in range(len(headings))]
    lines = []
    for row in table:
        cells = []
        for heading, cell, width in zip(headings, row, widths, strict=True):
            padding = " " * (width - cell_len(cell))
            cells.append(padding + cell if heading in NUMERIC else cell + padding)
        lines.append("  ".join(cells).rstrip())
    return "".join(line + "\n" for line in lines)
