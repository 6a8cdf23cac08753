"""Writes sent to PostgreSQL together (engine.sessions.postgres_batch), on a real server."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

psycopg = pytest.importorskip("psycopg")

from engine.sessions.postgres_batch import Batch  # noqa: E402

INSERT = b"INSERT INTO t (id, name, at, flag) VALUES ($1, $2, $3, $4)"
NOT_NULL = b"UPDATE t SET name = NULL WHERE id = $1"


@pytest.fixture
def raw(postgres_database: str) -> Iterator[Any]:
    with psycopg.connect(postgres_database, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT NOT NULL, "
            "at DOUBLE PRECISION, flag INTEGER)"
        )
        yield connection
        if not connection.closed:
            connection.execute("DROP TABLE t")


def rows(database: str) -> list[tuple[Any, ...]]:
    """What another connection sees: only what was committed."""
    with psycopg.connect(database, autocommit=True) as other:
        return other.execute("SELECT id, name, at, flag FROM t ORDER BY id").fetchall()


def test_statements_wait_until_sent_then_go_together(raw: Any, postgres_database: str) -> None:
    batch = Batch(raw)
    first = batch.add(INSERT, (1, "one", 1.5, True))
    batch.add(INSERT, (2, "two", None, False))
    assert rows(postgres_database) == []  # queued, not sent
    batch.send()
    assert first.rowcount == 1
    assert rows(postgres_database) == [(1, "one", 1.5, 1), (2, "two", None, 0)]


def test_asking_a_row_count_sends_the_batch(raw: Any, postgres_database: str) -> None:
    batch = Batch(raw)
    batch.add(INSERT, (1, "one", 0.0, 0))
    moved = batch.add(b"UPDATE t SET name = $1 WHERE id > $2", ("many", 0))
    assert moved.rowcount == 1
    assert rows(postgres_database) == [(1, "many", 0.0, 0)]


def test_a_statement_sent_or_given_up_never_sends_what_was_queued_after_it(
    raw: Any, postgres_database: str
) -> None:
    batch = Batch(raw)
    given_up = batch.add(INSERT, (1, "one", None, None))
    batch.discard()
    later = batch.add(INSERT, (2, "two", None, None))
    assert given_up.rowcount == -1  # asking it sends nothing
    assert rows(postgres_database) == []
    batch.send()
    assert later.rowcount == 1
    assert rows(postgres_database) == [(2, "two", None, None)]


def test_values_arrive_exactly(raw: Any, postgres_database: str) -> None:
    batch = Batch(raw)
    tricky = "quote ' backslash \\ dollar $1 percent %s semicolon; -- é 東京 \u2028"
    values = [(1, tricky, 0.1 + 0.2), (2, "", math.inf), (3, "x" * 100_000, -1e-300)]
    for number, name, at in values:
        batch.add(INSERT, (number, name, at, None))
    batch.send()
    assert rows(postgres_database) == [(n, name, at, None) for n, name, at in values]


def test_a_refusal_is_psycopgs_error_and_later_statements_are_not_carried_out(
    raw: Any, postgres_database: str
) -> None:
    batch = Batch(raw)
    batch.add(b"BEGIN", ())
    before = batch.add(INSERT, (1, "one", None, None))
    refused = batch.add(NOT_NULL, (1,))
    after = batch.add(INSERT, (2, "two", None, None))
    with pytest.raises(psycopg.errors.NotNullViolation) as caught:
        batch.send()
    assert caught.value.diag.column_name == "name"
    assert (before.rowcount, refused.rowcount, after.rowcount) == (1, -1, -1)
    raw.execute("ROLLBACK")
    assert rows(postgres_database) == []
    # The connection goes on; the statement never prepared (its turn never came) is prepared
    # when next sent.
    again = Batch(raw)
    again.add(INSERT, (3, "three", None, None))
    again.add(b"UPDATE t SET flag = $1 WHERE id = $2", (7, 3))
    again.send()
    assert rows(postgres_database) == [(3, "three", None, 7)]


def test_a_statement_prepared_once_serves_every_batch(raw: Any, postgres_database: str) -> None:
    batch = Batch(raw)
    for number in range(1, 4):
        batch.add(INSERT, (number, str(number), None, None))
        batch.send()
    prepared = raw.execute(
        "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'branchwise_%'"
    ).fetchone()[0]
    assert prepared == 1
    assert [row[0] for row in rows(postgres_database)] == [1, 2, 3]


def test_a_large_batch_does_not_stall(raw: Any, postgres_database: str) -> None:
    batch = Batch(raw)
    for number in range(3000):
        batch.add(INSERT, (number, "y" * 2000, None, None))
    batch.send()
    assert len(rows(postgres_database)) == 3000


def test_a_value_the_database_cannot_hold_is_a_data_error(raw: Any) -> None:
    raw.execute("SET client_encoding = 'LATIN1'")
    batch = Batch(raw)
    batch.add(INSERT, (1, "café", None, None))
    batch.send()
    with pytest.raises(psycopg.DataError, match="encoding"):
        batch.add(INSERT, (2, "東京", None, None))
    assert raw.execute("SELECT name FROM t").fetchall() == [("café",)]


def test_a_server_gone_is_an_operational_error_and_the_connection_is_closed(
    raw: Any, postgres_database: str
) -> None:
    pid = raw.info.backend_pid
    with psycopg.connect(postgres_database, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))
    batch = Batch(raw)
    batch.add(INSERT, (1, "one", None, None))
    with pytest.raises(psycopg.OperationalError):
        batch.send()
    assert raw.closed


def test_only_plain_values_are_taken() -> None:
    assert Batch.takes((None, True, 1, 1.5, "x"))
    assert not Batch.takes((b"bytes",))
    assert not Batch.takes(([1],))
