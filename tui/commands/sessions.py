"""`branchwise sessions`: list, show and export sessions; discard, prune, copy to another store."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import BranchwiseError, UsageError
from tui.options import common_options

if TYPE_CHECKING:
    from engine.sessions.record import SessionRecord, SessionSummary
    from engine.sessions.store import Store

STATUSES = ("open", "resolved", "escalated", "unresolved", "discarded")
DAY_SECONDS = 86400.0
_ID_HELP = "a session id or a unique start of one"
_COLUMNS = ("ID", "STARTED", "AGENT", "TICKET", "TREE", "STATUS", "STEPS", "OUTCOME")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sessions",
        help="list, show, export, discard, prune and copy sessions",
        description="Every walk is a session kept in the session store (--db: a SQLite file "
        "or a postgresql:// URL). Without an action, lists the newest sessions. A session is "
        "named by its id or any unique start of it.",
        parents=[common_options()],
    )
    _list_options(parser, None)
    actions = parser.add_subparsers(dest="sessions_action", metavar="ACTION", title="actions")
    listing = _action(
        actions,
        "list",
        "list sessions, newest first (the default)",
        "List sessions newest first: id, start (local time), agent, ticket, tree, status, "
        "steps shown and outcome.",
    )
    _list_options(listing, argparse.SUPPRESS)
    _session_action(
        actions,
        "show",
        "print one session as Markdown",
        "Print one session: tree, agent, ticket, each step with its answer, actions and their "
        "results, notes, went-back events and the outcome.",
    )
    export = _session_action(
        actions,
        "export",
        "export one session as Markdown (for a ticket), JSON (the full record) or a scenario",
        "Export one session: Markdown to paste into a ticket, the full record as JSON, or a "
        "scenario file that walks it again under 'branchwise test' (its answers and --var "
        "values, its action results as stubs, its outcome and path expected). Secrets were "
        "never recorded, so none can be exported.",
    )
    export.add_argument(
        "--format",
        choices=("md", "json", "scenario"),
        default="md",
        help="md (default), json, or scenario (a NAME.test.yaml for 'branchwise test')",
    )
    export.add_argument(
        "-o", "--output", metavar="FILE", type=Path, help="write to FILE instead of stdout"
    )
    _session_action(
        actions,
        "discard",
        "end an open session without an outcome",
        "End an open session without an outcome: it is kept as 'discarded', cannot be "
        "resumed, and is left out of the statistics.",
    )
    prune = _action(
        actions,
        "prune",
        "delete sessions older than some days",
        "Delete every session last written more than DAYS days ago (ended, or started and "
        "left open), with its steps, calls, notes and went-back events.",
    )
    prune.add_argument(
        "--older-than",
        metavar="DAYS",
        type=_positive,
        required=True,
        help="delete sessions last written more than DAYS days ago",
    )
    prune.add_argument(
        "--dry-run", action="store_true", help="say how many would be deleted, delete nothing"
    )
    copy = _action(
        actions,
        "copy",
        "copy sessions into another store (a team's PostgreSQL)",
        "Copy every session of this store (--db, or --from) into the store --to names, with "
        "its id. Copying again adds nothing: a session already there is skipped unless this "
        "store holds a later revision of it. An interrupted copy goes on where it stopped "
        "when run again.",
    )
    copy.add_argument("--to", metavar="URL", required=True, help="the store to copy into")
    copy.add_argument(
        "--from",
        dest="source",
        metavar="URL",
        help="the store to copy from (default: --db, as for every command)",
    )


def _action(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    description: str,
) -> argparse.ArgumentParser:
    """One action under `sessions`, taking --db and --library after it too (their defaults are
    suppressed, so values given before the action stay)."""
    parser: argparse.ArgumentParser = actions.add_parser(
        name, help=summary, description=description, parents=[common_options()]
    )
    return parser


def _session_action(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    description: str,
) -> argparse.ArgumentParser:
    """An action on one session, named by ID."""
    parser = _action(actions, name, summary, description)
    parser.add_argument("id", metavar="ID", help=_ID_HELP)
    return parser


def _list_options(parser: argparse.ArgumentParser, default: object) -> None:
    """The filters of `list`; on the nested parser they default to nothing so as not to undo
    the same options given before the action (`sessions --status open list`)."""
    parser.add_argument(
        "--status",
        choices=STATUSES,
        default=default,
        help="only sessions with this status",
    )
    parser.add_argument("--tree", metavar="ID", default=default, help="only sessions of this tree")
    parser.add_argument(
        "--agent", metavar="NAME", default=default, help="only sessions walked by this agent"
    )
    parser.add_argument(
        "--ticket", metavar="TICKET", default=default, help="only sessions of this ticket"
    )
    parser.add_argument(
        "--format",
        dest="list_format",
        choices=("text", "json"),
        default="text" if default is None else default,
        help="text: a table (default); json: a list of objects, for other tools",
    )
    parser.add_argument(
        "--limit",
        metavar="N",
        type=_positive,
        default=50 if default is None else default,
        help="show at most N sessions (default 50)",
    )


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return number


# Actions that only read: the store is opened read-only, so they work while a walk writes.
_READING = frozenset({"list", "show", "export", "copy"})


def run(args: argparse.Namespace) -> int:
    from engine.sessions.store import Store, store_exists
    from tui.options import db_url

    action = getattr(args, "sessions_action", None) or "list"
    url = getattr(args, "source", None) or db_url(args)
    if not store_exists(url):
        if action in ("list", "prune", "copy"):
            print(f"branchwise: no sessions yet (the store {url} does not exist)", file=sys.stderr)
            return 0
        raise BranchwiseError(f"no session {args.id!r}: the store {url} does not exist yet")
    with Store(url, read_only=action in _READING) as store:
        return _ACTIONS[action](store, args)


def _list(store: Store, args: argparse.Namespace) -> int:
    rows = store.list_sessions(
        status=args.status,
        tree=args.tree,
        limit=args.limit,
        agent=args.agent,
        ticket=args.ticket,
    )
    if args.list_format == "json":
        from engine.text import json_text

        sys.stdout.write(json_text([_listed(summary) for summary in rows], indent=2) + "\n")
        return 0
    if not rows:
        print("branchwise: no sessions match", file=sys.stderr)
        return 0
    sys.stdout.write(format_table([_row(summary) for summary in rows]))
    return 0


def _listed(summary: SessionSummary) -> dict[str, object]:
    """A session of the listing as JSON: times in ISO 8601 with the local zone."""
    data = dict(asdict(summary))
    for name in ("started_at", "ended_at"):
        moment = data[name]
        if isinstance(moment, (int, float)):
            data[name] = datetime.fromtimestamp(moment).astimezone().isoformat()
    return data


def _discard(store: Store, args: argparse.Namespace) -> int:
    import time

    full = store.discard(args.id, time.time())
    print(f"branchwise: session {full} discarded", file=sys.stderr)
    return 0


def _prune(store: Store, args: argparse.Namespace) -> int:
    import time

    count = store.prune(time.time() - args.older_than * DAY_SECONDS, dry_run=args.dry_run)
    sessions = "session" if count == 1 else "sessions"
    verb = "would delete" if args.dry_run else "deleted"
    print(
        f"branchwise: {verb} {count} {sessions} older than {args.older_than} days from "
        f"{store.where}",
        file=sys.stderr,
    )
    return 0


def _copy(store: Store, args: argparse.Namespace) -> int:
    from engine.sessions.copy import copy_sessions
    from engine.sessions.store import open_store
    from tui.progress import progress_bar

    # A store copied into itself holds every session already: nothing is copied.
    with open_store(args.to) as target, progress_bar(sys.stderr, "copying sessions") as shown:
        copied = copy_sessions(store, target, shown)
    print(
        f"branchwise: copied {copied.copied} of {copied.seen} sessions to {target.where} "
        f"({copied.skipped} already there)",
        file=sys.stderr,
    )
    return 0


def _row(summary: SessionSummary) -> tuple[str, ...]:
    from engine.text import plain

    started = datetime.fromtimestamp(summary.started_at).astimezone()
    outcome = summary.outcome or ("error" if summary.error else "-")
    cells = (
        summary.id,
        started.strftime("%Y-%m-%d %H:%M"),
        summary.agent or "-",
        summary.ticket or "-",
        f"{summary.tree_id} v{summary.tree_version}",
        summary.status,
        str(summary.steps),
        outcome,
    )
    return tuple(" ".join(plain(cell).split()) for cell in cells)


def format_table(rows: list[tuple[str, ...]]) -> str:
    """Rows under the column headings, each column as wide as its widest cell."""
    table = [_COLUMNS, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(_COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in table]
    return "".join(line.rstrip() + "\n" for line in lines)


def _show(store: Store, args: argparse.Namespace) -> int:
    from engine.sessions.transcript import to_markdown

    sys.stdout.write(to_markdown(store.load(args.id)))
    return 0


def _export(store: Store, args: argparse.Namespace) -> int:
    from engine.sessions.transcript import to_json, to_markdown
    from engine.text import json_text

    record = store.load(args.id)
    if args.format == "json":
        text = json_text(to_json(record), indent=2) + "\n"
    elif args.format == "scenario":
        text = _scenario(record)
    else:
        text = to_markdown(record)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"-o {args.output}: cannot write ({exc.strerror})") from None
    print(f"branchwise: wrote session {record.id} to {args.output}", file=sys.stderr)
    return 0


def _scenario(record: SessionRecord) -> str:
    from engine.authoring.session_scenario import scenario_text
    from engine.text import plain

    text, warnings = scenario_text(record)
    for warning in warnings:
        print(f"branchwise: warning: {plain(warning)}", file=sys.stderr)
    return text


_ACTIONS = {
    "list": _list,
    "show": _show,
    "export": _export,
    "discard": _discard,
    "prune": _prune,
    "copy": _copy,
}
