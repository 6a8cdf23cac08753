"""A write transaction's statements sent to PostgreSQL together, in one round trip.

psycopg's own pipeline sends each statement as soon as it is queued (a write to the socket, a
poll and a wake-up of the server each); with thirty agents on two cores those wake-ups cost
more than the writes. Here the statements of a change are queued, then sent at once as
prepared statements in libpq's pipeline mode, with one Sync: one send, one wait, one reply.

How the store uses it (engine.sessions.postgres.Connection does this):

    batch = Batch(raw)                  # a psycopg connection in autocommit mode
    bumped = batch.add(sql, values)     # $1-numbered SQL; a Queued, not sent yet
    batch.send()                        # all of it; the first refusal raised as psycopg's error
    bumped.rowcount                     # known once sent

Values are sent as text, typed by the server from where they stand (a column, a comparison):
None, bool, int, float and str only; Batch.takes says whether it takes a list of values.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator, Sequence
from typing import Any

import psycopg
from psycopg import pq
from psycopg.errors import error_from_result
from psycopg.waiting import Ready, Wait

# Names of prepared statements, unique in the process: two batches on one connection (or a
# name left prepared by a batch given up) never meet the same name.
_NAMES = itertools.count()
_SYNC = pq.ExecStatus.PIPELINE_SYNC
_FAILED = (pq.ExecStatus.FATAL_ERROR, pq.ExecStatus.BAD_RESPONSE)
_DONE = (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK)


class Queued:
    """A statement of a batch: how many rows it touched, known once the batch was sent."""

    __slots__ = ("_batch", "_rowcount", "waiting")

    def __init__(self, batch: Batch) -> None:
        self._batch = batch
        self._rowcount: int | None = None
        self.waiting = True  # to be sent with its batch

    @property
    def rowcount(self) -> int:
        """Rows the statement touched (the batch is sent first if it is still queued); -1 when
        it was not carried out (a statement before it was refused, or the batch was given up)."""
        if self.waiting:
            self._batch.send()
        return -1 if self._rowcount is None else self._rowcount


class Batch:
    """Statements queued on one connection, sent together by `send`."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw
        self._queue: list[tuple[bytes, list[bytes | None], Queued]] = []
        # Statements prepared on this connection's server session, by their text.
        self._prepared: dict[bytes, bytes] = {}

    @staticmethod
    def takes(values: Sequence[Any]) -> bool:
        """Whether every value is one a batch sends (None, bool, int, float, str)."""
        return all(value is None or isinstance(value, int | float | str) for value in values)

    def add(self, statement: bytes, values: Sequence[Any]) -> Queued:
        """Queue a statement ($1-numbered) with its values; nothing is sent yet."""
        encoding = self.raw.info.encoding
        try:
            sent = [_text(value, encoding) for value in values]
        except UnicodeEncodeError as exc:
            raise psycopg.DataError(
                f"a value cannot be written in the database's encoding ({encoding}): {exc.reason}"
            ) from None
        queued = Queued(self)
        self._queue.append((statement, sent, queued))
        return queued

    def discard(self) -> None:
        """Forget the statements not sent (the change they belong to was given up)."""
        for _, _, queued in self._queue:
            queued.waiting = False
        self._queue.clear()

    def send(self) -> None:
        """Send every queued statement at once and wait for all of them; the first refusal is
        raised as psycopg raises it (an IntegrityError, an OperationalError when the server is
        gone), after the row counts of the statements before it are set."""
        queue, self._queue = self._queue, []
        if not queue:
            return
        for _, _, queued in queue:
            queued.waiting = False
        pgconn = self.raw.pgconn
        try:
            expected = self._enqueue(pgconn, queue)
            results = self.raw.wait(_exchange(pgconn))
            pgconn.exit_pipeline_mode()
        except BaseException:
            # The server gone, or interrupted in the middle: the connection's state is
            # unknown; the store makes a new one at the next transaction.
            self._give_up()
            raise
        self._settle(expected, results)

    def _enqueue(
        self, pgconn: Any, queue: list[tuple[bytes, list[bytes | None], Queued]]
    ) -> list[tuple[Queued | None, bytes, bytes]]:
        """Everything written into libpq's buffer: each statement (prepared first, the first
        time it is seen), then a Sync. What each result will answer, in order."""
        pgconn.enter_pipeline_mode()
        expected: list[tuple[Queued | None, bytes, bytes]] = []
        preparing: dict[bytes, bytes] = {}
        for statement, values, queued in queue:
            name = self._prepared.get(statement) or preparing.get(statement)
            if name is None:
                name = preparing[statement] = b"branchwise_%d" % next(_NAMES)
                pgconn.send_prepare(name, statement)
                expected.append((None, name, statement))
            pgconn.send_query_prepared(name, values)
            expected.append((queued, name, statement))
        pgconn.pipeline_sync()
        return expected

    def _settle(
        self, expected: list[tuple[Queued | None, bytes, bytes]], results: list[Any]
    ) -> None:
        refused: Any = None
        for (queued, name, statement), result in zip(expected, results, strict=False):
            if result.status in _FAILED:
                refused = refused or result
            elif result.status not in _DONE:
                continue  # not carried out: a statement before it was refused
            elif queued is None:
                self._prepared[statement] = name
            else:
                queued._rowcount = int(result.command_tuples or 0)
        if refused is not None:
            raise error_from_result(refused, encoding=self.raw.info.encoding)
        if len(results) != len(expected):
            self._give_up()
            raise psycopg.OperationalError("the server's replies do not match the statements sent")

    def _give_up(self) -> None:
        self.discard()
        if not self.raw.closed:
            self.raw.close()


def _text(value: Any, encoding: str) -> bytes | None:
    """A value as PostgreSQL reads it in text form."""
    if value is None:
        return None
    if isinstance(value, bool):
        return b"1" if value else b"0"  # the store's flags are integer columns
    if isinstance(value, float):
        return repr(value).encode("ascii")  # repr round-trips; PostgreSQL reads inf and nan
    if isinstance(value, int):
        return str(value).encode("ascii")
    return str(value).encode(encoding)


def _exchange(pgconn: Any) -> Generator[Wait, Ready | int, list[Any]]:
    """Send what libpq holds, then read the results up to the Sync (psycopg's wait protocol:
    yield what to wait for, receive what is ready). Reading while still sending, so a large
    batch cannot stall with both sides' buffers full."""
    results: list[Any] = []
    sending = pgconn.flush() != 0
    while True:
        ready = yield (Wait.RW if sending else Wait.R)
        if sending and ready & Ready.W:
            sending = pgconn.flush() != 0
        if not ready & Ready.R:
            continue
        pgconn.consume_input()
        fresh = False
        while not pgconn.is_busy():
            result = pgconn.get_result()
            if result is None:
                # Between two statements' results; twice in a row: nothing more has arrived.
                if not fresh:
                    break
                fresh = False
                continue
            if result.status == _SYNC:
                return results
            results.append(result)
            fresh = True
