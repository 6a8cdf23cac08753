"""The session store: every walk written as it happens (SQLite or PostgreSQL), listed and loaded.

How a face uses it:

    from engine.sessions.store import open_store
    store = open_store(tui.options.db_url(args))      # a path or a postgresql:// URL
    walk = Walk(tree, ..., recorder=store.recorder(), agent=args.agent, ticket=args.ticket)
    # every step, answer, action call, note, rewind and the outcome is committed as it happens

    from engine.sessions.resume import resume_walk             # `run --resume ID`
    resumed = resume_walk(store, "3f2a", library, runner)   # an id or a unique prefix
    for message in resumed.messages:                  # the tree changed, a secret is asked again
        print(message)
    walk = resumed.walk                               # at the node where the session stopped

    store.list_sessions(status="open", tree=None, limit=50, agent=None, ticket=None)
    store.load("3f2a") -> SessionRecord               # BranchwiseError when unknown or ambiguous
    store.discard("3f2a", now); store.prune(before, dry_run=False)

Each change of a walk (an answer and the steps it leads to, a call's result, going back, a
note) is one transaction: a crash or a refused write loses at most the change being written,
never half of it, and several processes can write at once. What differs between the backends
(connecting, types, placeholders, errors) is a Dialect: engine.sessions.sqlite and
engine.sessions.postgres. Secrets never reach the store: values pass through
the walk's mask first (engine.walk.masking).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import asdict, replace
from functools import partial, wraps
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from engine.errors import BranchwiseError, StoreFailed, UsageError
from engine.sessions.record import (
    CallRecord,
    NoteRecord,
    RewindRecord,
    SessionRecord,
    SessionSummary,
    StepRecord,
    call_of,
    given_variables,
    step_of,
)
from engine.sessions.sqlite import MIGRATIONS, SqliteDialect
from engine.walk.masking import Mask
from engine.walk.walker import OPEN, Walk

DISCARDED = "discarded"
SCHEMA_VERSION = len(MIGRATIONS)
POSTGRES_SCHEMES = ("postgresql://", "postgres://")

# Every table holding a session's rows, children first, with the column naming the session.
SESSION_TABLES = (
    ("notes", "session_id"),
    ("action_calls", "session_id"),
    ("rewinds", "session_id"),
    ("steps", "session_id"),
    ("sessions", "id"),
)
_SUMMARY_COLUMNS = """s.id, s.started_at, s.agent, s.ticket, s.tree_id, s.tree_version,
    s.tree_title, s.status,
    (SELECT count(*) FROM steps t WHERE t.session_id = s.id AND t.auto = 0),
    s.outcome, s.ended_at, s.error"""


class Dialect(Protocol):
    """What differs between the backends (engine.sessions.sqlite, engine.sessions.postgres)."""

    where: str  # the store as messages name it: a path, or host, port and database
    read_only: bool
    error: type[Exception]
    integrity_error: type[Exception]
    migrations: tuple[tuple[str, ...], ...]
    dropped_steps: str

    def dropped_field(self, name: str, kind: str = "text") -> str: ...
    def floor(self, expression: str) -> str: ...
    def exists(self) -> bool: ...
    def connect(self) -> Any: ...
    def prepare(self, db: Any) -> None: ...
    def begin(self, db: Any) -> None: ...
    def batch(self, db: Any) -> AbstractContextManager[Any]: ...
    def settle(self, db: Any) -> None: ...
    def lock_schema(self, db: Any) -> None: ...
    def in_transaction(self, db: Any) -> bool: ...
    def tables(self, db: Any) -> set[str]: ...
    def failure(self, exc: Exception, doing: str) -> str: ...
    def refused_revision(self, exc: Exception) -> bool: ...


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def dialect_of(location: Path | str, read_only: bool = False) -> Dialect:
    """The backend a --db value names: a postgresql:// URL, sqlite:///PATH or a path."""
    text = str(location)
    if text.startswith(POSTGRES_SCHEMES):
        from engine.sessions.postgres import PostgresDialect

        return PostgresDialect(text, read_only)
    for prefix in ("sqlite:///", "sqlite://"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    if "://" in text:
        raise UsageError(
            f"--db {text}: not a session store URL (a path, sqlite:///PATH or postgresql://...)"
        )
    if not text.strip():
        raise UsageError("--db sqlite:///: the URL names no file (sqlite:///PATH)")
    try:
        return SqliteDialect(Path(text).expanduser(), read_only)
    except RuntimeError:  # ~name of a user this machine does not know
        user = text.split("/")[0][1:]
        raise UsageError(f"--db {text}: there is no user {user!r} on this machine") from None


def open_store(location: Path | str, read_only: bool = False) -> Store:
    """The session store a --db value names (see dialect_of), created when it is new; with
    `read_only`, a SQLite file is opened for reading only (it need not be writable or free)."""
    return Store(location, read_only=read_only)


def store_exists(location: Path | str) -> bool:
    """Whether the store holds anything yet (a PostgreSQL database is taken to)."""
    return dialect_of(location).exists()


class Store:
    """One store of sessions, SQLite or PostgreSQL; safe to share between threads and processes."""

    def __init__(self, location: Path | str, *, read_only: bool = False) -> None:
        self._location = location
        self.dialect = dialect_of(location, read_only)
        self.where = self.dialect.where
        # The SQLite file, for tools that look at it; None for PostgreSQL.
        self.path: Path | None = getattr(self.dialect, "path", None)
        self._lock = threading.RLock()
        self._db = self.dialect.connect()
        try:
            self._migrate()
        except self.dialect.error as exc:
            self._db.close()
            raise BranchwiseError(f"{self.where}: cannot use the session store ({exc})") from None
        except BranchwiseError:
            self._db.close()
            raise

    def _migrate(self) -> None:
        # Looked at before anything is written: another program's database, or a newer
        # branchwise's store, is refused without even switching its journal mode.
        current = self._refuse_foreign()
        if self.dialect.read_only:
            if current < SCHEMA_VERSION:
                # An older store is brought up to date once, by a writing connection.
                Store(self._location).close()
            return
        self.dialect.prepare(self._db)
        with self.writing() as db:
            self.dialect.lock_schema(db)
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = self._known_version(db)
            for version in range(current, SCHEMA_VERSION):
                for statement in self.dialect.migrations[version]:
                    db.execute(statement)
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (version + 1,))

    def _refuse_foreign(self) -> int:
        """Refuse a database that is not a session store this branchwise can use: another
        program's (tables but no schema_version), or a newer or unknown schema."""
        tables = self.dialect.tables(self._db)
        if "schema_version" in tables:
            return self._known_version(self._db)
        if tables:
            shown = ", ".join(sorted(tables)[:5])
            raise BranchwiseError(
                f"{self.where}: not a session store of branchwise (it holds other tables: {shown})"
            )
        return 0

    def _known_version(self, db: Any) -> int:
        """The store's schema version, refused when it is not one this branchwise knows."""
        current = db.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0
        if not isinstance(current, int):
            raise BranchwiseError(
                f"{self.where}: not a session store of branchwise (schema {current!r})"
            )
        if current > SCHEMA_VERSION:
            raise BranchwiseError(
                f"{self.where}: the session store was made by a newer branchwise "
                f"(schema {current}, this one knows {SCHEMA_VERSION})"
            )
        return current

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def writing(self) -> Iterator[Any]:
        """One write transaction, committed on leaving (the write lock taken up front) and
        rolled back when the block or the commit fails."""
        with self._lock, self._refusals("cannot write to"):
            db = self._connection()
            try:
                # PostgreSQL: the statements go out together, not one round trip each.
                with self.dialect.batch(db):
                    self.dialect.begin(db)
                    yield db
                    db.execute("COMMIT")
            except BaseException:
                # A full disk or an I/O error may have rolled the transaction back already.
                if self.dialect.in_transaction(db) and not getattr(db, "broken", False):
                    db.execute("ROLLBACK")
                raise

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """The connection, for reads; errors as StoreFailed (engine.sessions.stats reads here)."""
        with self._lock, self._refusals("cannot read"):
            yield self._connection()

    def _connection(self) -> Any:
        """The open connection, or a new one when the server dropped it (PostgreSQL)."""
        if getattr(self._db, "broken", False):
            self._db.close()
            self._db = self.dialect.connect()
        return self._db

    @contextmanager
    def _refusals(self, doing: str) -> Iterator[None]:
        """The database's own errors (a locked, read-only, full or damaged file, a server gone)
        as StoreFailed, so every caller says what went wrong instead of failing with a
        traceback."""
        try:
            yield
        except self.dialect.error as exc:
            if self.dialect.refused_revision(exc):
                raise _RevisionMoved from None
            raise StoreFailed(self.dialect.failure(exc, doing)) from None

    def recorder(
        self, resuming: bool = False, revision: int | None = None, preview: bool = False
    ) -> StoreRecorder:
        """A Recorder (engine.walk.walker) writing into this store; engine.sessions.resume resumes.

        `revision` is the session's revision when its record was read (Store.revision): the
        recorder then refuses to write over changes another process made since. A `preview`
        (a walk of `run --watch`) is stored as such and left out of the statistics.
        """
        return StoreRecorder(self, replaying=resuming, revision=revision, preview=preview)

    def revision(self, session_id: str) -> int:
        """How many times a session has been written (an id or a unique prefix)."""
        full = self.resolve_id(session_id)
        with self.reading() as db:
            row = db.execute("SELECT revision FROM sessions WHERE id = ?", (full,)).fetchone()
        return int(row[0]) if row is not None else 0

    # Reading.

    def list_sessions(
        self,
        status: str | None = None,
        tree: str | None = None,
        limit: int | None = 50,
        *,
        agent: str | None = None,
        ticket: str | None = None,
    ) -> list[SessionSummary]:
        """Sessions newest first; each filter given keeps only the sessions that match it."""
        wanted = {"status": status, "tree_id": tree, "agent": agent, "ticket": ticket}
        chosen = {column: value for column, value in wanted.items() if value is not None}
        where = " AND ".join(f"s.{column} = :{column}" for column in chosen) or "1 = 1"
        sql = f"SELECT {_SUMMARY_COLUMNS} FROM sessions s WHERE {where} "  # noqa: S608
        sql += "ORDER BY s.started_at DESC, s.id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self.reading() as db:
            rows = db.execute(sql, chosen).fetchall()
        return [self._sound(str(row[0]), partial(_summary, row)) for row in rows]

    def open_sessions(self) -> list[SessionSummary]:
        """Every session not ended yet (resumable), newest first."""
        return self.list_sessions(status=OPEN, limit=None)

    # Ending and forgetting.

    def discard(self, session_id: str, now: float) -> str:
        """End an open session without an outcome (`discarded`: kept, out of the statistics)."""
        full = self.resolve_id(session_id)
        with self.writing() as db:
            moved = db.execute(
                "UPDATE sessions SET status = ?, ended_at = ?, revision = revision + 1 "
                "WHERE id = ? AND status = ?",
                (DISCARDED, now, full, OPEN),
            )
            self.dialect.settle(db)
            if moved.rowcount != 1:
                row = db.execute("SELECT status FROM sessions WHERE id = ?", (full,)).fetchone()
                raise BranchwiseError(
                    f"session {full} has ended ({row[0]}); only an open session can be discarded"
                )
        return full

    def prune(self, before: float, dry_run: bool = False) -> int:
        """Delete the sessions last written before `before` (epoch seconds); how many."""
        # An open session is as recent as its last step: one resumed yesterday is kept.
        chosen = (
            "SELECT id FROM sessions WHERE coalesce(ended_at, (SELECT max(coalesce("
            "t.answered_at, t.entered_at)) FROM steps t WHERE t.session_id = sessions.id), "
            "started_at) < ?"
        )
        with self.reading() if dry_run else self.writing() as db:
            count = int(db.execute(f"SELECT count(*) FROM ({chosen}) old", (before,)).fetchone()[0])  # noqa: S608
            if count and not dry_run:
                for table, column in SESSION_TABLES:
                    db.execute(
                        f"DELETE FROM {table} WHERE {column} IN ({chosen})",  # noqa: S608
                        (before,),
                    )
        return count

    def resolve_id(self, given: str) -> str:
        """The full id of a session named by its id or a unique prefix of it."""
        wanted = given.strip()
        if not wanted:
            raise BranchwiseError("a session id is needed")
        with self.reading() as db:
            rows = db.execute(
                "SELECT id FROM sessions WHERE substr(id, 1, length(?)) = ? ORDER BY id LIMIT 6",
                (wanted, wanted),
            ).fetchall()
        if not rows:
            raise BranchwiseError(f"no session {given!r} in {self.where}")
        if len(rows) > 1:
            shown = ", ".join(row[0] for row in rows[:5])
            raise BranchwiseError(f"session id {given!r} is ambiguous: {shown}; give more of it")
        return str(rows[0][0])

    def load(self, session_id: str) -> SessionRecord:
        """The whole record of a session (an id or a unique prefix)."""
        full = self.resolve_id(session_id)
        with self.reading():
            return self._sound(full, lambda: self._record(full))

    def _sound(self, session_id: str, read: Callable[[], _Read]) -> _Read:
        """What `read` makes of a session's rows, or a clear error when they are damaged (a
        file edited by hand, or written by something else)."""
        try:
            made = read()
        except (ValueError, TypeError, KeyError) as exc:
            raise self._damaged(session_id, str(exc)) from None
        wrong = next(_wrongly_typed(asdict(made)), None)
        if wrong is not None:
            raise self._damaged(session_id, f"{wrong} has the wrong type")
        return made

    def _damaged(self, session_id: str, reason: str) -> BranchwiseError:
        return BranchwiseError(f"{self.where}: session {session_id} is damaged ({reason})")

    def _record(self, full: str) -> SessionRecord:
        row = self._db.execute("SELECT * FROM sessions WHERE id = ?", (full,)).fetchone()
        steps = read_steps(self._db, full)
        rewinds = self._rewinds(full)
        return SessionRecord(
            id=row["id"],
            tree_id=row["tree_id"],
            tree_version=row["tree_version"],
            tree_sha256=row["tree_sha256"],
            tree_title=row["tree_title"],
            agent=row["agent"],
            ticket=row["ticket"],
            started_at=row["started_at"],
            ended_at=row["ended_at"],
            status=row["status"],
            outcome=row["outcome"],
            error=row["error"],
            variables=json.loads(row["variables_json"]),
            given=json.loads(row["given_json"]),
            steps=tuple(steps),
            rewinds=tuple(rewinds),
        )

    def _rewinds(self, session_id: str) -> list[RewindRecord]:
        rows = self._db.execute(
            "SELECT to_idx, at, reason, dropped_json FROM rewinds WHERE session_id = ? ORDER BY id",
            (session_id,),
        ).fetchall()
        return [
            RewindRecord(to_idx, at, reason, tuple(_step_from_dict(d) for d in json.loads(raw)))
            for to_idx, at, reason, raw in rows
        ]


_Read = TypeVar("_Read", SessionRecord, SessionSummary)
# The fields of records, by name, that hold a number or a text (or nothing).
_NUMBER_FIELDS = frozenset({"started_at", "ended_at", "entered_at", "answered_at", "at"})
_WHOLE_FIELDS = frozenset({"tree_version", "idx", "to_idx"})
_TEXT_FIELDS = frozenset(
    {"id", "tree_id", "tree_sha256", "tree_title", "agent", "ticket", "status", "outcome"}
    | {"error", "node_id", "node_title", "node_type", "answer", "uses", "mode", "route"}
    | {"reason", "text"}
)


def _wrongly_typed(data: Any, where: str = "") -> Iterator[str]:
    """The names of record fields whose stored value is not of the field's kind."""
    if isinstance(data, (list, tuple)):
        for item in data:
            yield from _wrongly_typed(item, where)
        return
    if not isinstance(data, dict):
        return
    for name, value in data.items():
        if not _fits(name, value):
            yield f"{where}{name}"
        elif name in ("steps", "rewinds", "dropped", "notes", "action"):
            yield from _wrongly_typed(value, f"{where}{name}.")


def _fits(name: str, value: Any) -> bool:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if name in _NUMBER_FIELDS:
        return value is None or number
    if name in _WHOLE_FIELDS:
        return number and isinstance(value, int)
    if name in _TEXT_FIELDS:
        return value is None or isinstance(value, str)
    return True


def _summary(row: Any) -> SessionSummary:
    return SessionSummary(*tuple(row))


def read_steps(db: Any, session_id: str, start: int = 0) -> list[StepRecord]:
    """The stored steps of a session from index `start`, with their calls and notes."""
    where = (session_id, start)
    calls = {
        row["step_idx"]: _call_from_row(row)
        for row in db.execute(
            "SELECT * FROM action_calls WHERE session_id = ? AND step_idx >= ?", where
        )
    }
    notes: dict[int, list[NoteRecord]] = {}
    for row in db.execute(
        "SELECT * FROM notes WHERE session_id = ? AND step_idx >= ? ORDER BY id", where
    ):
        notes.setdefault(row["step_idx"], []).append(NoteRecord(row["text"], row["at"]))
    rows = db.execute(
        "SELECT * FROM steps WHERE session_id = ? AND idx >= ? ORDER BY idx", where
    ).fetchall()
    return [
        StepRecord(
            idx=row["idx"],
            tree_id=row["tree_id"],
            node_id=row["node_id"],
            node_title=row["node_title"],
            node_type=row["node_type"],
            entered_at=row["entered_at"],
            answer=row["answer"],
            answered_at=row["answered_at"],
            auto=bool(row["auto"]),
            action=calls.get(row["idx"]),
            notes=tuple(notes.get(row["idx"], ())),
        )
        for row in rows
    ]


def _call_from_row(row: Any) -> CallRecord:
    return CallRecord(
        uses=row["uses"],
        params=json.loads(row["params_json"]),
        mode=row["mode"],
        side_effects=bool(row["side_effects"]),
        result=_loads(row["result_json"]),
        error=row["error"],
        route=row["route"],
        at=row["at"],
    )


def _loads(raw: str | None) -> Any:
    return None if raw is None else json.loads(raw)


def _step_from_dict(data: dict[str, Any]) -> StepRecord:
    action = data.get("action")
    return StepRecord(
        **{
            **data,
            "action": CallRecord(**action) if action else None,
            "notes": tuple(NoteRecord(**n) for n in data.get("notes", ())),
        }
    )


def _dropped(
    steps: Sequence[StepRecord], index: int, notes_stay: bool, every_later: bool = False
) -> list[StepRecord]:
    """The stored steps from `index` that going back there forgets (answers, notes); with
    `every_later`, every step after `index` too, answered or not."""
    dropped = []
    for step in steps:
        if step.idx == index and notes_stay:
            step = replace(step, notes=())
        if step.answer is not None or step.notes or (every_later and step.idx > index):
            dropped.append(step)
    return dropped


def _write_rewind(
    db: Any, walk: Walk, index: int, reason: str, dropped: Sequence[StepRecord]
) -> None:
    db.execute(
        "INSERT INTO rewinds (session_id, to_idx, at, reason, dropped_json) VALUES (?, ?, ?, ?, ?)",
        (walk.id, index, walk.clock(), reason, _dumps([asdict(step) for step in dropped])),
    )


_P = ParamSpec("_P")


def _unless_replaying(
    event: Callable[Concatenate[StoreRecorder, _P], None],
) -> Callable[Concatenate[StoreRecorder, _P], None]:
    """An event of the walk, not written while a resumed session's old answers are replayed."""

    @wraps(event)
    def record(recorder: StoreRecorder, /, *args: _P.args, **kwargs: _P.kwargs) -> None:
        if not recorder.replaying:
            event(recorder, *args, **kwargs)

    return record


class _RevisionMoved(Exception):
    """The database refused a change written on a revision of the session that is not its own."""


class SessionChanged(BranchwiseError):
    """Another process wrote to the session since this walk did: this walk must not go on."""


class StoreRecorder:
    """Writes a walk into the store as it moves (the Recorder protocol of engine.walk.walker).

    A recorder made for resuming stays silent while the old answers are replayed; `catch_up`
    then makes the stored session match the replayed walk and recording goes on from there.
    Every write checks and bumps the session's revision, so two processes walking one session
    at once cannot silently overwrite each other: the second to write stops (SessionChanged).
    The events of one change of the walk share one transaction and one revision (`change`).
    """

    def __init__(
        self,
        store: Store,
        replaying: bool = False,
        revision: int | None = None,
        preview: bool = False,
    ) -> None:
        self.store = store
        self.replaying = replaying
        self.preview = preview
        # The revision this recorder last saw; None takes whatever is stored (a reload in the
        # same process, which holds the session already).
        self.revision = revision
        # The walk's change under way, and the transaction its events write on once begun.
        self._change: ExitStack | None = None
        self._open: Any | None = None
        # The session's variables and error as last committed, and as the change under way
        # writes them: an answer that changes neither (most do not) leaves the row alone.
        self._state: tuple[str, str | None] | None = None
        self._writing_state: tuple[str, str | None] | None = None

    @contextmanager
    def change(self, walk: Walk) -> Iterator[None]:
        """One change of the walk: its events are written in one transaction, committed when
        it ends normally and rolled back when it ends with an error, so the store has all of
        the change or none of it. The transaction begins with the change's first event (a
        change that writes nothing costs nothing), refused when someone else wrote since."""
        if self.replaying:
            yield
            return
        with ExitStack() as transaction:
            self._change = transaction
            try:
                yield
            finally:
                self._change = None
                self._open = None

    @contextmanager
    def _writing(self, walk: Walk, creating: bool = False) -> Iterator[Any]:
        """The transaction of the change under way (begun by its first event), or one of its
        own for an event outside a change. `creating`: the event adds the session."""
        if self._open is not None:
            yield self._open
            return
        begun = self._creating() if creating else self._changing(walk)
        if self._change is None:
            with begun as db:
                yield db
            return
        self._open = self._change.enter_context(begun)
        yield self._open

    @contextmanager
    def _creating(self) -> Iterator[Any]:
        """A write transaction adding a new session: nobody else can have written to it."""
        self._writing_state = None
        with self.store.writing() as db:
            yield db
        self.revision = 0
        self._committed()

    @contextmanager
    def _changing(self, walk: Walk) -> Iterator[Any]:
        """A write transaction on the walk's session, refused when someone else wrote since.

        The revision is checked by the database as the transaction goes (a stale one makes the
        bump NULL, which the column refuses, so the whole transaction fails), not awaited before
        the change is written: on PostgreSQL the change is one round trip to the server.
        """
        bumped: Any = None
        self._writing_state = None
        try:
            with self.store.writing() as db:
                expected = self.revision
                if expected is None:
                    row = db.execute("SELECT revision FROM sessions WHERE id = ?", (walk.id,))
                    expected = next((int(r[0]) for r in row), 0)
                bumped = db.execute(
                    "UPDATE sessions SET revision = CASE WHEN revision = ? THEN revision + 1 END "
                    "WHERE id = ?",
                    (expected, walk.id),
                )
                yield db
        except _RevisionMoved:
            raise self._changed(walk) from None
        except StoreFailed:
            # With its session gone (pruned meanwhile), a step refers to no session.
            if bumped is not None and bumped.rowcount == 0:
                raise self._changed(walk) from None
            raise
        # No session row, and the change wrote no row naming it: nothing was written.
        if bumped.rowcount != 1:
            raise self._changed(walk)
        self.revision = expected + 1
        self._committed()

    def _committed(self) -> None:
        """The change is in the store: the session's variables and error as it wrote them."""
        if self._writing_state is not None:
            self._state = self._writing_state

    @staticmethod
    def _changed(walk: Walk) -> SessionChanged:
        return SessionChanged(
            f"session {walk.id} was changed by another walk of it since this one read "
            "it; this walk stops here without overwriting those changes. See them with "
            f"'branchwise sessions show {walk.id}' and resume it again to go on."
        )

    @_unless_replaying
    def started(self, walk: Walk) -> None:
        mask = walk.mask
        variables = _dumps(walk.public_variables())
        with self._writing(walk, creating=True) as db:
            try:
                db.execute(
                    "INSERT INTO sessions (id, tree_id, tree_version, tree_sha256, tree_title, "
                    "agent, ticket, started_at, status, variables_json, given_json, preview) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        walk.id,
                        walk.tree.id,
                        walk.tree.version,
                        walk.tree.sha256,
                        walk.tree.title,
                        walk.agent,
                        walk.ticket,
                        walk.started_at,
                        walk.status,
                        variables,
                        _dumps(given_variables(walk, mask)),
                        int(self.preview),
                    ),
                )
                self.store.dialect.settle(db)
            except self.store.dialect.integrity_error:
                raise BranchwiseError(
                    f"session {walk.id} already exists; resume it instead"
                ) from None
            self._writing_state = (variables, None)

    @_unless_replaying
    def entered(self, walk: Walk, index: int) -> None:
        mask = walk.mask
        with self._writing(walk) as db:
            if index > 0 and walk.visits[index - 1].auto:
                # Links and pass-through outcomes get their answer without an answered event.
                self._write_answer(db, walk, index - 1, mask)
            _insert_step(db, walk.id, step_of(walk, index, mask))

    @_unless_replaying
    def answered(self, walk: Walk, index: int) -> None:
        mask = walk.mask
        with self._writing(walk) as db:
            self._write_answer(db, walk, index, mask)
            state = (_dumps(walk.public_variables()), mask.value(walk.error))
            if state != self._state:
                db.execute(
                    "UPDATE sessions SET variables_json = ?, error = ? WHERE id = ?",
                    (*state, walk.id),
                )
                self._writing_state = state

    def _write_answer(self, db: Any, walk: Walk, index: int, mask: Mask) -> None:
        visit = walk.visits[index]
        db.execute(
            "UPDATE steps SET answer = ?, answered_at = ? WHERE session_id = ? AND idx = ?",
            (mask.value(visit.answer), visit.answered_at, walk.id, index),
        )
        call = call_of(visit, mask)
        if call is not None:
            _insert_call(db, walk.id, index, call, walk.clock())

    @_unless_replaying
    def rewound(self, walk: Walk, index: int) -> None:
        with self._writing(walk) as db:
            # The notes of the step gone back to stay with it; only its answer is dropped.
            # Unanswered later steps are kept too: each was shown, and usage statistics
            # (engine.sessions.stats) count it as a visit.
            steps = read_steps(db, walk.id, index)
            dropped = _dropped(steps, index, notes_stay=True, every_later=True)
            if dropped:
                _write_rewind(db, walk, index, "went back", dropped)
            _drop_after(db, walk.id, index)
            self._write_state(db, walk, walk.mask)

    @_unless_replaying
    def noted(self, walk: Walk, index: int, text: str) -> None:
        with self._writing(walk) as db:
            db.execute(
                "INSERT INTO notes (session_id, step_idx, text, at) VALUES (?, ?, ?, ?)",
                (walk.id, index, walk.mask.text(text), walk.clock()),
            )

    @_unless_replaying
    def note_edited(self, walk: Walk, index: int, note_index: int, text: str) -> None:
        with self._writing(walk) as db:
            # A step's notes are its rows in the order they were written (read_steps orders
            # them by id too); the edited one keeps the time it was first taken.
            db.execute(
                "UPDATE notes SET text = ? WHERE id = (SELECT id FROM notes "
                "WHERE session_id = ? AND step_idx = ? ORDER BY id LIMIT 1 OFFSET ?)",
                (walk.mask.text(text), walk.id, index, note_index),
            )

    @_unless_replaying
    def ended(self, walk: Walk) -> None:
        with self._writing(walk) as db:
            self._write_state(db, walk, walk.mask)

    def _write_state(self, db: Any, walk: Walk, mask: Mask) -> None:
        """The session's status, outcome, end, error and variables as the walk has them."""
        state = (_dumps(walk.public_variables()), mask.value(walk.error))
        db.execute(
            "UPDATE sessions SET status = ?, outcome = ?, ended_at = ?, error = ?, "
            "variables_json = ? WHERE id = ?",
            (
                walk.status,
                walk.outcome,
                walk.clock() if walk.finished else None,
                state[1],
                state[0],
                walk.id,
            ),
        )
        self._writing_state = state

    def joined(self, walk: Walk) -> None:
        """A walk begun before this recorder: its session written as the walk stands now, in
        one transaction."""
        mask = walk.mask
        with self.change(walk), self._writing(walk, creating=True) as db:
            self.started(walk)
            _replace_from(db, walk, 0, False, mask)
            for index, visit in enumerate(walk.visits):
                for text in visit.notes:
                    db.execute(
                        "INSERT INTO notes (session_id, step_idx, text, at) VALUES (?, ?, ?, ?)",
                        (walk.id, index, mask.text(text), walk.clock()),
                    )
            self._write_state(db, walk, mask)

    def catch_up(self, walk: Walk, reason: str | None = None) -> None:
        """After a replay: store what differs from the replayed walk, then record as usual.

        Steps the replay did not reach (the tree changed, a secret must be given again) are
        dropped from the session and kept in a rewind row saying why.
        """
        mask = walk.mask
        with self._changing(walk) as db:
            stored = read_steps(db, walk.id)
            keep = _common_prefix(stored, walk, mask)
            if keep < len(stored) or keep < len(walk.visits):
                notes_stay = _same_node(stored, walk, keep)
                dropped = _dropped(stored[keep:], keep, notes_stay)
                if dropped:
                    _write_rewind(db, walk, keep, reason or "resumed", dropped)
                _replace_from(db, walk, keep, notes_stay, mask)
            self._write_state(db, walk, mask)
        self.replaying = False


def _insert_step(db: Any, session_id: str, step: StepRecord) -> None:
    db.execute(
        "INSERT INTO steps (session_id, idx, tree_id, node_id, node_title, node_type, "
        "entered_at, answer, answered_at, auto) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (session_id, idx) DO UPDATE SET tree_id = excluded.tree_id, "
        "node_id = excluded.node_id, node_title = excluded.node_title, "
        "node_type = excluded.node_type, entered_at = excluded.entered_at, "
        "answer = excluded.answer, answered_at = excluded.answered_at, auto = excluded.auto",
        (
            session_id,
            step.idx,
            step.tree_id,
            step.node_id,
            step.node_title,
            step.node_type,
            step.entered_at,
            step.answer,
            step.answered_at,
            int(step.auto),
        ),
    )


def _insert_call(db: Any, session_id: str, index: int, call: CallRecord, now: float) -> None:
    db.execute(
        "INSERT INTO action_calls (session_id, step_idx, uses, params_json, mode, "
        "side_effects, result_json, error, route, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (session_id, step_idx) DO UPDATE SET uses = excluded.uses, "
        "params_json = excluded.params_json, mode = excluded.mode, "
        "side_effects = excluded.side_effects, result_json = excluded.result_json, "
        "error = excluded.error, route = excluded.route, at = excluded.at",
        (
            session_id,
            index,
            call.uses,
            _dumps(dict(call.params)),
            call.mode,
            int(call.side_effects),
            None if call.result is None else _dumps(dict(call.result)),
            call.error,
            call.route,
            call.at if call.at is not None else now,
        ),
    )


def _drop_after(db: Any, session_id: str, index: int) -> None:
    """Forget everything after step `index`, and the answer and call of that step itself."""
    db.execute("DELETE FROM steps WHERE session_id = ? AND idx > ?", (session_id, index))
    db.execute("DELETE FROM notes WHERE session_id = ? AND step_idx > ?", (session_id, index))
    db.execute(
        "DELETE FROM action_calls WHERE session_id = ? AND step_idx >= ?", (session_id, index)
    )
    db.execute(
        "UPDATE steps SET answer = NULL, answered_at = NULL WHERE session_id = ? AND idx = ?",
        (session_id, index),
    )


def _common_prefix(stored: Sequence[StepRecord], walk: Walk, mask: Mask) -> int:
    """How many leading stored steps the replayed walk repeats exactly (node and answer)."""
    for index, (step, visit) in enumerate(zip(stored, walk.visits, strict=False)):
        if not _same_node(stored, walk, index) or step.answer != mask.value(visit.answer):
            return index
    return min(len(stored), len(walk.visits))


def _same_node(stored: Sequence[StepRecord], walk: Walk, index: int) -> bool:
    if index >= len(stored) or index >= len(walk.visits):
        return False
    step, visit = stored[index], walk.visits[index]
    return (step.tree_id, step.node_id) == (visit.tree_id, visit.node_id)


def _replace_from(db: Any, walk: Walk, start: int, notes_stay: bool, mask: Mask) -> None:
    """Rewrite the steps from `start` as the walk has them; notes stay where the node did."""
    first_dropped_note = start + 1 if notes_stay else start
    db.execute("DELETE FROM steps WHERE session_id = ? AND idx >= ?", (walk.id, start))
    db.execute(
        "DELETE FROM notes WHERE session_id = ? AND step_idx >= ?", (walk.id, first_dropped_note)
    )
    db.execute("DELETE FROM action_calls WHERE session_id = ? AND step_idx >= ?", (walk.id, start))
    for index in range(start, len(walk.visits)):
        step = step_of(walk, index, mask)
        _insert_step(db, walk.id, step)
        if step.action is not None:
            _insert_call(db, walk.id, index, step.action, walk.clock())
