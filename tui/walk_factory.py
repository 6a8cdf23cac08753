"""Building a Walk from command-line options: one place for `run`, the library screen and tests."""

from __future__ import annotations

import argparse
import os
import re
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from engine.errors import UsageError
from engine.text import well_formed
from engine.walk.action_runner import ActionRunner
from engine.walk.walker import Recorder, Walk

if TYPE_CHECKING:
    from engine.library.index import Library
    from engine.tree.model import Tree


# What a tree may call a variable (the schema's pattern): any other name could never be used.
VARIABLE_NAME = r"[A-Za-z_][A-Za-z0-9_]*"  # compiled on first use (re keeps it)


def parse_vars(pairs: Iterable[str] | None) -> dict[str, str]:
    """`--var name=value` options as a mapping; no `=` or a bad name is a usage error."""
    variables: dict[str, str] = {}
    for pair in pairs or ():
        name, sep, value = well_formed(pair).partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--var {pair!r}: expected NAME=VALUE")
        if not re.fullmatch(VARIABLE_NAME, name.strip()):
            raise UsageError(
                f"--var {pair!r}: {name.strip()!r} is not a variable name "
                "(letters, digits and '_', not starting with a digit)"
            )
        variables[name.strip()] = value
    return variables


def login_name() -> str:
    """Who is walking when --agent does not say: the login name ('' when there is none)."""
    try:
        import getpass  # most of a millisecond, looked up once the first question is painted

        return well_formed(getpass.getuser())
    except (OSError, KeyError):
        return ""


def default_agent() -> str:
    """Who is walking when --agent does not say: BRANCHWISE_AGENT (`serve` names each tab's
    signed-in agent there), else the login name."""
    return well_formed(os.environ.get("BRANCHWISE_AGENT", "")).strip() or login_name()


def build_runner(library: Library, args: argparse.Namespace) -> ActionRunner:
    """The action runner the options ask for: the operator's config, --manual and --dry-run."""
    from engine.actions.config import load_config

    return ActionRunner(
        lambda: library.registry,
        load_config(),
        manual=bool(getattr(args, "manual", False)),
        dry_run=bool(getattr(args, "dry_run", False)),
    )


def recorder_of(store: Any, args: argparse.Namespace) -> Recorder | None:
    """The store's recorder, or None when sessions are not kept; the walks of `run --watch`
    are stored as previews (left out of the statistics)."""
    if store is None:
        return None
    recorder: Recorder = store.recorder(preview=bool(getattr(args, "watch", False)))
    return recorder


def build_walk(
    tree: Tree,
    library: Library,
    store: Any,
    args: argparse.Namespace,
    *,
    runner: ActionRunner | None = None,
    clock: Callable[[], float] = time.time,
) -> Walk:
    """A new walk of a tree, recorded in the store when there is one."""
    return Walk(
        tree,
        resolve_tree=library.load,
        runner=runner if runner is not None else build_runner(library, args),
        recorder=recorder_of(store, args),
        variables=parse_vars(getattr(args, "var", None)),
        clock=clock,
        agent=well_formed(str(getattr(args, "agent", None) or "")),
        ticket=well_formed(str(getattr(args, "ticket", None) or "")),
    )


def resume_command(args: argparse.Namespace, walk: Walk, tree_ref: str | None = None) -> str:
    """The command line that continues this session: its tree (`tree_ref`, else the TREE given,
    else the tree's id) and the --library and --db options it was walked with."""
    ref = tree_ref or getattr(args, "tree", None) or walk.tree.id
    words = ["branchwise", "run", ref, "--resume", walk.id]
    for directory in getattr(args, "library", None) or ():
        words += ["--library", str(directory)]
    if getattr(args, "db", None):
        words += ["--db", str(args.db)]
    import shlex  # only for a walk stopped short

    return " ".join(shlex.quote(word) for word in words)
