"""`branchwise run`: walk one tree in the terminal app, the plain line mode or a script."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.errors import InvalidTree, UsageError
from tui.options import common_options
from tui.streams import is_terminal

if TYPE_CHECKING:
    from engine.library.index import Library
    from engine.walk.walker import Walk
    from tui.walk_factory import WalkOptions

DESCRIPTION = """Walk one tree, named by its id or a path to its file.

In a terminal, run opens the terminal app. With --plain, --answers or --json, or when stdin is
not a terminal, it uses the plain line mode: each step is printed as text and answers are read
one per line (a choice's number, key or label; Enter continues a step). Commands start with a
colon: :back, :restart, :note TEXT, :quit (the session stays open; resume it with --resume ID)
and :help.

--answers gives every answer up front, in order, separated by commas (\\, is a comma): choice
labels or keys, input values, and route labels of actions done by hand. A wrong answer stops
with exit 1 and lists the answers expected; running out of answers leaves the session open.

Exit 0 when an outcome is reached, 1 when the walk stops short or an answer is wrong, 2 on a
usage error (unknown tree, a --var the tree does not declare or define).

With --json, a walk that stops short says why: "stopped" holds the reason
(answers-ran-out, answer-not-taken, quit or action-failed), the node, the answer not
taken and the answers expected there."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="walk one tree (a path or an id) in the TUI, plain mode or a script",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common_options()],
    )
    parser.add_argument(
        "tree", nargs="?", metavar="TREE", help="a tree id or the path of a tree file"
    )
    parser.add_argument("--plain", action="store_true", help="use the plain line mode")
    parser.add_argument(
        "--answers", metavar="A,B,…", help="every answer in order, comma-separated (\\, = comma)"
    )
    parser.add_argument(
        "--var",
        action="append",
        metavar="NAME=VALUE",
        help="set a variable before the walk starts (repeatable; with --resume, gives again a "
        "secret the session did not keep)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print only the session as a JSON object at the end"
    )
    parser.add_argument("--manual", action="store_true", help="do every action by hand")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="show each call that would be made; call nothing that changes things",
    )
    parser.add_argument(
        "--resume",
        metavar="ID",
        help="continue an open session (its id or a unique prefix); --var gives secrets again",
    )
    parser.add_argument(
        "--agent",
        metavar="NAME",
        help="who is walking (default: BRANCHWISE_AGENT, else the login name)",
    )
    parser.add_argument("--ticket", metavar="REF", help="the ticket this walk belongs to")
    parser.add_argument(
        "--watch",
        action="store_true",
        help="reload the tree when its file changes (terminal app only; for authors)",
    )


def run(args: argparse.Namespace) -> int:
    options = _check_usage(args)
    library = _library(args)
    if wants_app(args) and not args.resume:
        # A new walk in the terminal app: its first question is painted before the session
        # store is opened; the app records the walk from its start once it is, and names the
        # agent then (the login name, unless --agent gave one).
        walk = start_walk(args, options, library, None)
        return open_walk_app(
            options, walk, library, None, open_store=lambda: open_store(args), resumed=False
        )
    options = _name_the_agent(options)
    store = open_store(args)
    try:
        walk = start_walk(args, options, library, store)
        resumed = bool(args.resume)
        if wants_app(args):
            return open_walk_app(options, walk, library, store, resumed=resumed)
        return run_plain(options, walk, answers=args.answers, as_json=args.json, resumed=resumed)
    finally:
        _close(store)


def wants_app(args: argparse.Namespace) -> bool:
    """Whether the terminal app should open: a terminal, and no option asking for plain text."""
    scripted = args.plain or args.answers is not None or args.json
    return not scripted and is_terminal(sys.stdin)


def _check_usage(args: argparse.Namespace) -> WalkOptions:
    from tui.walk_factory import WalkOptions

    if args.tree is None and args.resume is None:
        raise UsageError("run needs a TREE (a tree id or a path), or --resume ID")
    options = WalkOptions.from_args(args)
    if args.watch and not wants_app(args):
        raise UsageError(
            "--watch needs the terminal app: run in a terminal without --plain, --answers or --json"
        )
    return options


def _name_the_agent(options: WalkOptions) -> WalkOptions:
    """--agent, else BRANCHWISE_AGENT (`serve` gives each tab's app the signed-in name there),
    else the login name."""
    if options.agent:
        return options
    import dataclasses

    from tui.walk_factory import default_agent

    return dataclasses.replace(options, agent=default_agent())


def _library(args: argparse.Namespace) -> Library:
    from tui.options import open_library

    return open_library(args)


# Sessions.


def open_store(args: argparse.Namespace) -> Any:
    """The session store the options name, or None when this build keeps no sessions."""
    try:
        from engine.sessions.store import Store
    except ModuleNotFoundError as exc:
        if exc.name == "engine.sessions.store":
            return None
        raise
    from tui.options import db_url

    return Store(db_url(args))


def _close(store: Any) -> None:
    close = getattr(store, "close", None)
    if callable(close):
        close()


def start_walk(
    args: argparse.Namespace, options: WalkOptions, library: Library, store: Any
) -> Walk:
    """A new walk of TREE, or the session --resume names, continued."""
    from tui.walk_factory import build_runner, build_walk

    if args.resume:
        return _resumed(args, options, library, store, build_runner(library, options))
    try:
        tree = library.load(args.tree)
    except InvalidTree as exc:
        _print_problems(exc)
        raise
    return build_walk(tree, library, store, options)


def _resumed(
    args: argparse.Namespace, options: WalkOptions, library: Library, store: Any, runner: Any
) -> Walk:
    """The stored session continued; --var gives again the secrets a session does not keep."""
    if store is None:
        raise UsageError("--resume needs the session store, which this build does not have")
    from engine.sessions.resume import resume_walk
    from engine.text import plain

    tree = library.load(args.tree) if args.tree is not None else None
    given = dict(options.variables)
    resumed = resume_walk(store, args.resume, library, runner, given, tree)
    for message in resumed.messages:
        print(f"branchwise: {plain(message)}", file=sys.stderr)
    return resumed.walk


def _print_problems(exc: InvalidTree) -> None:
    from engine.tree.problems import Problem
    from engine.tree.report import format_text

    problems = [p for p in exc.problems if isinstance(p, Problem)]
    sys.stderr.write(format_text(problems[:10]))


# The faces.


def run_plain(
    options: WalkOptions,
    walk: Walk,
    *,
    answers: str | None = None,
    as_json: bool = False,
    resumed: bool = False,
) -> int:
    """Walk in the plain line mode; with --json, print the session object at the end (and,
    when the walk stopped short, why)."""
    from engine.text import json_text
    from tui.answer_feed import LineFeed, ListFeed, split_answers
    from tui.plain import PlainWalk, Screen
    from tui.walk_factory import resume_command

    feed = ListFeed(split_answers(answers)) if answers is not None else None
    line_feed = feed or LineFeed(sys.stdin)
    screen = Screen(_screen_stream(as_json, line_feed.interactive), walk)
    plain_walk = PlainWalk(walk, line_feed, screen, sys.stderr, resume_command(options, walk))
    if resumed:
        plain_walk.recap()
    code = plain_walk.run()
    if as_json:
        summary = walk.summary()
        if plain_walk.stopped is not None and not walk.finished:
            summary["stopped"] = plain_walk.stopped.as_json()
        sys.stdout.write(json_text(walk.mask.value(summary)) + "\n")
    return code


def _screen_stream(as_json: bool, interactive: bool) -> Any:
    """stdout; with --json stdout holds only the object, so a person sees the walk on stderr."""
    if not as_json:
        return sys.stdout
    return sys.stderr if interactive else None


def open_walk_app(
    options: WalkOptions,
    walk: Walk,
    library: Library,
    store: Any,
    open_store: Callable[[], Any] | None = None,
    *,
    resumed: bool,
) -> int:
    """The terminal app on this walk; the plain line mode when this build has no app.

    With `open_store`, the walk is not recorded yet and the store is opened by the app (or here,
    for the plain line mode).
    """
    try:
        from tui.app import run_walk_app
    except ModuleNotFoundError as exc:
        if exc.name != "tui.app":
            raise
        print(
            "branchwise: the terminal app is not available; using the plain line mode",
            file=sys.stderr,
        )
        return _plain_instead(options, walk, store, open_store, resumed)
    code: int = run_walk_app(walk, library, store, options, open_store)
    return code


def _plain_instead(
    options: WalkOptions,
    walk: Walk,
    store: Any,
    open_store: Callable[[], Any] | None,
    resumed: bool,
) -> int:
    """The plain line mode on a walk meant for the app, recorded as the app would."""
    if open_store is None:
        return run_plain(options, walk, resumed=resumed)
    store = open_store()
    try:
        if store is not None:
            walk.record_with(store.recorder())
        return run_plain(options, walk, resumed=resumed)
    finally:
        _close(store)


def open_library_app(args: argparse.Namespace) -> int:
    """The terminal app on the library (`branchwise` alone); a list of trees without the app."""
    from tui.walk_factory import WalkOptions

    # The walks opened from the library say who walked them.
    options = _name_the_agent(WalkOptions.from_args(args))
    library = _library(args)
    store = open_store(args)
    try:
        try:
            from tui.app import run_library_app
        except ModuleNotFoundError as exc:
            if exc.name != "tui.app":
                raise
            return _print_library(library)
        code: int = run_library_app(library, store, options)
        return code
    finally:
        _close(store)


def _print_library(library: Library) -> int:
    from engine.text import plain

    print("The terminal app is not available; the trees of the library:", file=sys.stderr)
    for entry in sorted(library.entries.values(), key=lambda e: e.id):
        print(plain(f"{entry.id}  v{entry.version}  {entry.title}"))
    print("Walk one with: branchwise run TREE", file=sys.stderr)
    return 0
