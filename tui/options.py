"""Options every command shares (--library, --db) and what they open."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from engine import locations
from engine.errors import UsageError

if TYPE_CHECKING:
    from engine.library.index import Library


def common_options() -> argparse.ArgumentParser:
    """A parent parser with --library and --db, for every subcommand."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("common options")
    # SUPPRESS: an option given before the command (`branchwise --db X sessions`) must not be
    # reset by the command's own default; the top-level parser supplies the None defaults.
    group.add_argument(
        "--library",
        metavar="DIR",
        action="append",
        type=Path,
        default=argparse.SUPPRESS,
        help="a directory of trees (repeatable; default: the bundled trees and the user's tree "
        f"directory, {locations.user_trees_dir()})",
    )
    group.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="the session store: a SQLite path, sqlite:///PATH or postgresql://USER@HOST:PORT/DB "
        "(default: BRANCHWISE_DB, the config file's [store] db, or "
        f"{locations.default_db_path()})",
    )
    return parent


def library_dirs(args: argparse.Namespace) -> list[Path]:
    """The directories the library is made of."""
    given: list[Path] | None = getattr(args, "library", None)
    if given:
        for directory in given:
            if not directory.is_dir():
                raise UsageError(f"--library {directory}: no such directory")
        return list(given)
    return [locations.bundled_trees_dir(), locations.user_trees_dir()]


def open_library(args: argparse.Namespace) -> Library:
    """The library the options describe, with its cache."""
    # Imported here: the top-level parser needs these options, and --help needs no tree.
    from engine.library.index import Library

    return Library(library_dirs(args), cache_dir=locations.cache_dir())


def db_url(args: argparse.Namespace) -> str:
    """The session store the options name: --db, else BRANCHWISE_DB, else the config file's
    [store] db, else the SQLite file in the data directory (a path or a URL, see
    engine.sessions.store.dialect_of)."""
    given = getattr(args, "db", None) or os.environ.get("BRANCHWISE_DB")
    if given:
        return str(given)
    from engine.actions.config import load_config

    return load_config().store_db or str(locations.default_db_path())
