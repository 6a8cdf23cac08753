"""Building a Walk from command-line options: one place for `run`, the library screen and tests."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from engine.action_runner import ActionRunner
from engine.errors import UsageError
from engine.walker import Recorder, Walk

if TYPE_CHECKING:
    from engine.library import Library
    from engine.model import Tree


def parse_vars(pairs: Iterable[str] | None) -> dict[str, str]:
    """`--var name=value` options as a mapping; a pair without `=` is a usage error."""
    variables: dict[str, str] = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--var {pair!r}: expected NAME=VALUE")
        variables[name.strip()] = value
    return variables


def build_runner(library: Library, args: argparse.Namespace) -> ActionRunner:
    """The action runner the options ask for: the operator's config, --manual and --dry-run."""
    from engine.config import load_config

    return ActionRunner(
        library.registry,
        load_config(),
        manual=bool(getattr(args, "manual", False)),
        dry_run=bool(getattr(args, "dry_run", False)),
    )


def recorder_of(store: Any) -> Recorder | None:
    """The store's recorder, or None when sessions are not kept."""
    return store.recorder() if store is not None else None


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
        recorder=recorder_of(store),
        variables=parse_vars(getattr(args, "var", None)),
        clock=clock,
        agent=str(getattr(args, "agent", None) or ""),
        ticket=str(getattr(args, "ticket", None) or ""),
    )
