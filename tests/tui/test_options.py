"""--db and BRANCHWISE_DB: SQLite paths and URLs, and the ones refused with a usage error."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from engine.errors import UsageError
from tui.options import db_path


def path_of(url: str) -> Path:
    return db_path(argparse.Namespace(db=url))


def test_paths_and_sqlite_urls() -> None:
    assert path_of("/srv/s.db") == Path("/srv/s.db")
    assert path_of("sqlite:////srv/s.db") == Path("/srv/s.db")
    assert path_of("sqlite:///rel/s.db") == Path("rel/s.db")  # as SQLAlchemy reads it


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgres://db/branchwise", "only SQLite files are supported"),
        ("sqlite://", "the URL names no file"),
        ("sqlite:///", "the URL names no file"),
        ("~nosuchuser-branchwise/s.db", "there is no user 'nosuchuser-branchwise' on this machine"),
    ],
)
def test_urls_that_name_no_sqlite_file_are_usage_errors(url: str, says: str) -> None:
    with pytest.raises(UsageError, match=says):
        path_of(url)
