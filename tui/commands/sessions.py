"""`branchwise sessions`: list past and open sessions, show one, export one as Markdown or JSON."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import BranchwiseError, UsageError
from tui.options import common_options

if TYPE_CHECKING:
    from engine.sessions.record import SessionRecord, SessionSummary
    from engine.sessions.store import Store

STATUSES = ("open", "resolved", "escalated", "unresolved")
_ID_HELP = "a session id or a unique start of one"
_COLUMNS = ("ID", "STARTED", "AGENT", "TICKET", "TREE", "STATUS", "STEPS", "OUTCOME")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sessions",
        help="list, show and export past and open sessions",
        description="Every walk is a session kept in the session store. Without an action, "
        "lists the newest sessions. A session is named by its id or any unique start of it.",
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
    show = _action(
        actions,
        "show",
        "print one session as Markdown",
        "Print one session: tree, agent, ticket, each step with its answer, actions and their "
        "results, notes, went-back events and the outcome.",
    )
    show.add_argument("id", metavar="ID", help=_ID_HELP)
    export = _action(
        actions,
        "export",
        "export one session as Markdown (for a ticket), JSON (the full record) or a scenario",
        "Export one session: Markdown to paste into a ticket, the full record as JSON, or a "
        "scenario file that walks it again under 'branchwise test' (its answers and --var "
        "values, its action results as stubs, its outcome and path expected). Secrets were "
        "never recorded, so none can be exported.",
    )
    export.add_argument("id", metavar="ID", help=_ID_HELP)
    export.add_argument(
        "--format",
        choices=("md", "json", "scenario"),
        default="md",
        help="md (default), json, or scenario (a NAME.test.yaml for 'branchwise test')",
    )
    export.add_argument(
        "-o", "--output", metavar="FILE", type=Path, help="write to FILE instead of stdout"
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


def run(args: argparse.Namespace) -> int:
    from tui.options import db_path

    path = db_path(args)
    action = getattr(args, "sessions_action", None) or "list"
    if not path.exists():
        if action == "list":
            print(f"branchwise: no sessions yet (the store {path} does not exist)", file=sys.stderr)
            return 0
        raise BranchwiseError(f"no session {args.id!r}: the store {path} does not exist yet")
    from engine.sessions.store import Store

    with Store(path) as store:
        if action == "list":
            return _list(store, args)
        if action == "show":
            return _show(store, args)
        return _export(store, args)


def _list(store: Store, args: argparse.Namespace) -> int:
    rows = store.list_sessions(status=args.status, tree=args.tree, limit=args.limit)
    if not rows:
        print("branchwise: no sessions match", file=sys.stderr)
        return 0
    sys.stdout.write(format_table([_row(summary) for summary in rows]))
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
