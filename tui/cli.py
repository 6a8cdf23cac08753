"""The `branchwise` command line: parses arguments and hands each command to its module."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Container, Sequence
from typing import NoReturn

from engine import __version__
from engine.errors import BranchwiseError
from engine.text import plain
from tui.startup_collection import collect_as_usual, collect_rarely

# (command, module under tui.commands, one-line help): the order --help lists them in.
COMMANDS = (
    ("run", "run", "walk one tree (a path or an id) in the TUI, plain mode or a script"),
    ("validate", "validate", "check tree files: YAML, schema and graph"),
    ("test", "test", "run the scenarios of trees and print branch coverage"),
    ("graph", "graph", "draw a tree as a Mermaid or Graphviz diagram"),
    ("diff", "diff", "what changed between two versions of a tree, by meaning"),
    ("sessions", "sessions", "list, show and export past and open sessions"),
    ("stats", "stats", "visits, drop-offs and outcomes per node and tree version"),
    ("import", "import_helpjuice", "convert a Helpjuice decision-tree article into a tree"),
    ("actions", "actions", "list the actions trees can call, and whether they are configured"),
    ("schema", "schema", "print the JSON Schema of the tree format"),
    ("serve", "serve", "the terminal app in the browser, with sign-in (needs branchwise[serve])"),
)

COMMAND_NAMES = frozenset(name for name, _, _ in COMMANDS)


class Parser(argparse.ArgumentParser):
    """argparse, its complaints cleaned: they quote arguments, which may hold escape sequences."""

    def error(self, message: str) -> NoReturn:
        super().error(plain(message))


def build_parser(
    commands: Container[str] | None = None, list_others: bool = True
) -> argparse.ArgumentParser:
    """The command line, every command with its own --help.

    With `commands`, only those commands' modules are loaded and their options declared; the
    others are listed by name and summary for --help, which is all a run of another command needs
    (and not even that, without `list_others`, when the first argument named the command).
    """
    from tui.options import common_options

    parent = common_options()
    parser = Parser(
        prog="branchwise",
        description="Guided troubleshooting from YAML decision trees. Without a command, opens "
        "the library in the terminal app.",
        parents=[parent],
    )
    parser.add_argument("--version", action="version", version=f"branchwise {__version__}")
    parser.set_defaults(library=None, db=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, module_name, summary in COMMANDS:
        if commands is not None and name not in commands:
            if list_others:
                sub.add_parser(name, help=_listed_summary(module_name, summary), add_help=False)
            continue
        module = _command_module(module_name)
        if module is None:
            _unavailable(sub, name, summary, parent)
            continue
        module.register(sub)  # type: ignore[attr-defined]
        sub.choices[name].set_defaults(handler=module.run)  # type: ignore[attr-defined]
    return parser


def chosen_command(argv: Sequence[str] | None) -> str | None:
    """The command the arguments name, found by argparse itself (options before the command may
    take values) without loading any command module; top-level --help and errors end here."""
    known, _ = build_parser(commands=()).parse_known_args(argv)
    command: str | None = known.command
    return command


def _listed_summary(module_name: str, summary: str) -> str:
    import importlib.util  # only --help and a first word that is no command list the others

    if importlib.util.find_spec(f"tui.commands.{module_name}") is None:
        return f"{summary} (not available in this build)"
    return summary


def _command_module(module_name: str) -> object | None:
    try:
        return importlib.import_module(f"tui.commands.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"tui.commands.{module_name}":
            return None
        raise


def _unavailable(sub: object, name: str, summary: str, parent: argparse.ArgumentParser) -> None:
    command = sub.add_parser(  # type: ignore[attr-defined]
        name, help=f"{summary} (not available in this build)", parents=[parent]
    )
    command.add_argument("rest", nargs=argparse.REMAINDER)

    def unavailable(args: argparse.Namespace) -> int:
        print(f"branchwise: '{name}' is not available in this build", file=sys.stderr)
        return 2

    command.set_defaults(handler=unavailable)


def _tolerate_encodings() -> None:
    """Under a strict locale, a byte stdin cannot decode or a character stdout cannot encode is
    replaced instead of ending the command with a traceback."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    collect_rarely()  # the terminal app goes back to the usual pace once it has painted
    try:
        return _run_command_line(argv)
    finally:
        collect_as_usual()


def _run_command_line(argv: Sequence[str] | None) -> int:
    _tolerate_encodings()
    # Only the chosen command's module is loaded: loading them all adds ~10 ms to every start.
    words = sys.argv[1:] if argv is None else argv
    # A first word that names a command is the command: no parser is needed to find it, nor
    # the other commands' summaries (only --help lists them).
    named_first = bool(words) and words[0] in COMMAND_NAMES
    command = words[0] if named_first else chosen_command(argv)
    parser = build_parser(
        commands=() if command is None else (command,), list_others=not named_first
    )
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from tui.commands.run import open_library_app

            opened: int = open_library_app(args)
            return opened
        code: int = args.handler(args)
        return code
    except BranchwiseError as exc:
        # Messages quote paths and names as given, and those may hold escape sequences.
        print(f"branchwise: {plain(exc.message)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("branchwise: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except OSError as exc:
        # The machine refused something (a folder without permission, a full disk): say what.
        print(f"branchwise: {plain(describe_os_error(exc))}", file=sys.stderr)
        return 1


def describe_os_error(exc: OSError) -> str:
    """An OSError as one line: the file it is about and the reason."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{exc.filename}: {reason}" if exc.filename is not None else reason
