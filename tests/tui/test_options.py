"""--db, BRANCHWISE_DB and the config's [store] db: SQLite paths and URLs, PostgreSQL URLs, and
the ones refused with a usage error."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from engine.errors import UsageError
from engine.sessions.sqlite import SqliteDialect
from engine.sessions.store import dialect_of
from tui.options import db_url


def path_of(url: str) -> Path:
    dialect = dialect_of(db_url(argparse.Namespace(db=url)))
    assert isinstance(dialect, SqliteDialect)
    return dialect.path


def test_paths_and_sqlite_urls() -> None:
    assert path_of("/srv/s.db") == Path("/srv/s.db")
    assert path_of("sqlite:////srv/s.db") == Path("/srv/s.db")
    assert path_of("sqlite:///rel/s.db") == Path("rel/s.db")  # as SQLAlchemy reads it


def test_the_store_comes_from_the_option_then_the_environment_then_the_config(
    tmp_path, monkeypatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[store]\ndb = "postgresql://postgres@db.example:6543/team"\n')
    monkeypatch.setenv("BRANCHWISE_CONFIG", str(config))
    monkeypatch.delenv("BRANCHWISE_DB", raising=False)
    assert db_url(argparse.Namespace()) == "postgresql://postgres@db.example:6543/team"
    monkeypatch.setenv("BRANCHWISE_DB", str(tmp_path / "env.sqlite3"))
    assert db_url(argparse.Namespace()) == str(tmp_path / "env.sqlite3")
    assert db_url(argparse.Namespace(db="/given.sqlite3")) == "/given.sqlite3"


def test_a_postgresql_url_names_host_port_and_database_never_the_password() -> None:
    pytest.importorskip("psycopg")
    dialect = dialect_of("postgresql://ann:s3cret-PLANTED@db.example:6543/team")
    assert dialect.where == "PostgreSQL db.example:6543, database team"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://db/branchwise", "not a session store URL"),
        ("sqlite://", "the URL names no file"),
        ("sqlite:///", "the URL names no file"),
        ("~nosuchuser-branchwise/s.db", "there is no user 'nosuchuser-branchwise' on this machine"),
    ],
)
def test_urls_that_name_no_store_are_usage_errors(url: str, says: str) -> None:
    with pytest.raises(UsageError, match=says):
        path_of(url)
