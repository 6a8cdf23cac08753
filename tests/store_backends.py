"""The two session store backends for the conformance tests: SQLite files and PostgreSQL.

PostgreSQL tests use a real server (BRANCHWISE_TEST_POSTGRES, default the local one with trust
auth): each test run creates a throwaway database of a random name and drops it at the end,
and each test gets schemas of its own in it. Without a server they are skipped with one line
saying so, unless BRANCHWISE_REQUIRE_POSTGRES=1 (CI), which makes that a failure.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from engine.sessions.store import Store, dialect_of

SERVER = os.environ.get("BRANCHWISE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRED = os.environ.get("BRANCHWISE_REQUIRE_POSTGRES") == "1"
TABLES = ("sessions", "steps", "action_calls", "notes", "rewinds", "schema_version")


class Backend:
    """Stores of one backend for one test, each named (`url("a")`, `url("b")`)."""

    name = "sqlite"

    def __init__(self, base: Path) -> None:
        self.base = base

    def url(self, name: str = "s") -> str:
        return str(self.base / f"{name}.sqlite3")

    def open(self, name: str = "s", **options: Any) -> Store:
        return Store(self.url(name), **options)

    def rows(self, sql: str, *params: object, name: str = "s") -> list[tuple[Any, ...]]:
        """Rows read through a connection of its own: only what was committed is seen."""
        db = dialect_of(self.url(name)).connect()
        try:
            return [tuple(row) for row in db.execute(sql, params).fetchall()]
        finally:
            db.close()

    def everything(self, name: str = "s") -> bytes:
        """Every byte the store holds: the file and its write-ahead log."""
        path = Path(self.url(name))
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


class PostgresBackend(Backend):
    """Schemas of a throwaway database, one per store name and test."""

    name = "postgres"

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.prefix = "t" + secrets.token_hex(6)

    def url(self, name: str = "s") -> str:
        schema = f"{self.prefix}_{name}"
        _admin(self.database_url, f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        return f"{self.database_url}?options={quote(f'-csearch_path={schema}')}"

    def everything(self, name: str = "s") -> bytes:
        """Every value of every row of the store's tables, as text."""
        text = []
        for table in TABLES:
            for row in self.rows(f"SELECT * FROM {table}", name=name):
                text.append(" ".join(str(value) for value in row))
        return "\n".join(text).encode()


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as db:
        db.execute(sql)


def _with_database(name: str) -> str:
    return SERVER.rsplit("/", 1)[0] + "/" + name


def _unavailable(reason: str) -> None:
    message = f"PostgreSQL store tests need a server at {SERVER} ({reason})"
    if REQUIRED:
        pytest.fail(message + "; BRANCHWISE_REQUIRE_POSTGRES=1", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throwaway database for this test run, dropped at its end."""
    try:
        import psycopg
    except ModuleNotFoundError:
        _unavailable("psycopg is not installed: pip install -e '.[test]'")
    name = "branchwise_test_" + secrets.token_hex(6)
    try:
        _admin(SERVER, f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        _unavailable(str(exc).strip().splitlines()[0])
    try:
        yield _with_database(name)
    finally:
        _admin(SERVER, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """Each conformance test once per backend."""
    if request.param == "sqlite":
        return Backend(tmp_path)
    return PostgresBackend(request.getfixturevalue("postgres_database"))
