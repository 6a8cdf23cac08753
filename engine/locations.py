"""Every path branchwise uses on the user's machine, in one place (platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

_DIRS = PlatformDirs("branchwise", appauthor=False)


def data_dir() -> Path:
    """Where sessions are kept (BRANCHWISE_DATA_DIR overrides)."""
    return Path(os.environ.get("BRANCHWISE_DATA_DIR") or _DIRS.user_data_dir)


def config_file() -> Path:
    """The operator's config file: credentials and allowed hosts (BRANCHWISE_CONFIG overrides)."""
    override = os.environ.get("BRANCHWISE_CONFIG")
    return Path(override) if override else Path(_DIRS.user_config_dir) / "config.toml"


def tokens_file() -> Path:
    """The hashes of the agents' tokens for `serve --auth token`, beside the config file."""
    return config_file().parent / "tokens"


def cache_dir() -> Path:
    """Where parsed trees are cached by content (BRANCHWISE_CACHE_DIR overrides)."""
    return Path(os.environ.get("BRANCHWISE_CACHE_DIR") or _DIRS.user_cache_dir)


def user_trees_dir() -> Path:
    """The user's own tree directory, searched after the bundled trees."""
    return data_dir() / "trees"


def default_db_path() -> Path:
    """The SQLite file of sessions when neither --db nor BRANCHWISE_DB says otherwise."""
    return data_dir() / "sessions.sqlite3"


def bundled_trees_dir() -> Path:
    """The trees shipped with branchwise: inside the wheel, or trees/ of a source checkout."""
    engine = Path(__file__).resolve().parent
    packaged = engine / "bundled_trees"
    if packaged.is_dir():
        return packaged
    return engine.parent / "trees"
