"""Building a Walk from command-line options: one place for `run`, the library screen and tests."""

from __future__ import annotations

import argparse
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
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


@dataclass(frozen=True, slots=True, eq=False)
class WalkOptions:
    """What the command line asks of the walks it starts, as one typed value from the parsed
    arguments to the app and the plain mode (eq=False: nothing compares two, and a generated
    __eq__ is compiled at every start)."""

    tree: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    agent: str = ""
    ticket: str = ""
    manual: bool = False
    dry_run: bool = False
    watch: bool = False
    library: tuple[Path, ...] = ()
    db: str | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> WalkOptions:
        """The options of `run` (or of `branchwise` alone, which has fewer); a bad --var is a
        usage error."""
        return cls(
            tree=getattr(args, "tree", None),
            variables=parse_vars(getattr(args, "var", None)),
            agent=well_formed(str(getattr(args, "agent", None) or "")),
            ticket=well_formed(str(getattr(args, "ticket", None) or "")),
            manual=bool(getattr(args, "manual", False)),
            dry_run=bool(getattr(args, "dry_run", False)),
            watch=bool(getattr(args, "watch", False)),
            library=tuple(getattr(args, "library", None) or ()),
            db=getattr(args, "db", None),
        )


def check_variables(given: Mapping[str, str], tree: Tree, library: Library) -> None:
    """A --var the tree (or a tree it links to) neither declares nor defines is a usage error:
    a misspelt name would otherwise be ignored without a word."""
    known_names = _known_variables(tree, library)
    unknown = sorted(set(given) - known_names)
    if unknown:
        known = ", ".join(sorted(known_names)) or "none"
        raise UsageError(
            f"--var {unknown[0]}: tree {tree.id!r} declares no variable {unknown[0]!r} "
            f"(its variables: {known})"
        )


def _known_variables(tree: Tree, library: Library) -> set[str]:
    """The variables a tree and the trees it links to (those the library has) define."""
    from engine.errors import BranchwiseError
    from engine.tree.model import Link, defined_variables

    names: set[str] = set()
    todo, seen = [tree], {tree.id}
    while todo:
        current = todo.pop()
        names |= defined_variables(current)
        for node in current.nodes.values():
            if isinstance(node, Link) and node.tree not in seen:
                seen.add(node.tree)
                try:
                    todo.append(library.load(node.tree))
                except BranchwiseError:
                    continue  # a missing linked tree is the walk's to report, not --var's
    return names


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


def build_runner(library: Library, options: WalkOptions) -> ActionRunner:
    """The action runner the options ask for: the operator's config, --manual and --dry-run."""
    from engine.actions.config import load_config

    return ActionRunner(
        lambda: library.registry,
        load_config(),
        manual=options.manual,
        dry_run=options.dry_run,
    )


def recorder_of(store: Any, options: WalkOptions) -> Recorder | None:
    """The store's recorder, or None when sessions are not kept; the walks of `run --watch`
    are stored as previews (left out of the statistics)."""
    if store is None:
        return None
    recorder: Recorder = store.recorder(preview=options.watch)
    return recorder


def build_walk(
    tree: Tree,
    library: Library,
    store: Any,
    options: WalkOptions,
    *,
    runner: ActionRunner | None = None,
    clock: Callable[[], float] = time.time,
) -> Walk:
    """A new walk of a tree, recorded in the store when there is one."""
    if options.variables:
        check_variables(options.variables, tree, library)
    return Walk(
        tree,
        resolve_tree=library.load,
        runner=runner if runner is not None else build_runner(library, options),
        recorder=recorder_of(store, options),
        variables=options.variables,
        clock=clock,
        agent=options.agent,
        ticket=options.ticket,
    )


def resume_command(options: WalkOptions, walk: Walk, tree_ref: str | None = None) -> str:
    """The command line that continues this session: its tree (`tree_ref`, else the TREE given,
    else the tree's id) and the --library and --db options it was walked with."""
    ref = tree_ref or options.tree or walk.tree.id
    words = ["branchwise", "run", ref, "--resume", walk.id]
    for directory in options.library:
        words += ["--library", str(directory)]
    if options.db:
        words += ["--db", str(options.db)]
    import shlex  # only for a walk stopped short

    return " ".join(shlex.quote(word) for word in words)
