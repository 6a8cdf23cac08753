"""The SQLite side of the session store: opening the file (0600, WAL), its schema and its errors."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from engine.errors import BranchwiseError

BUSY_TIMEOUT_SECONDS = 60.0

# MIGRATIONS[n] takes the schema from version n to n + 1; append, never edit a published one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE sessions (
            id TEXT PRIMARY KEY, tree_id TEXT NOT NULL, tree_version INTEGER NOT NULL,
            tree_sha256 TEXT NOT NULL, tree_title TEXT NOT NULL, agent TEXT NOT NULL,
            ticket TEXT NOT NULL, started_at REAL NOT NULL, ended_at REAL,
            status TEXT NOT NULL, outcome TEXT, error TEXT,
            variables_json TEXT NOT NULL DEFAULT '{}', given_json TEXT NOT NULL DEFAULT '{}')""",
        "CREATE INDEX sessions_started ON sessions (started_at)",
        "CREATE INDEX sessions_tree ON sessions (tree_id, status)",
        """CREATE TABLE steps (
            session_id TEXT NOT NULL REFERENCES sessions (id), idx INTEGER NOT NULL,
            tree_id TEXT NOT NULL, node_id TEXT NOT NULL, node_title TEXT NOT NULL,
            node_type TEXT NOT NULL, entered_at REAL NOT NULL, answer TEXT, answered_at REAL,
            auto INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (session_id, idx))""",
        """CREATE TABLE action_calls (
            session_id TEXT NOT NULL REFERENCES sessions (id), step_idx INTEGER NOT NULL,
            uses TEXT NOT NULL, params_json TEXT NOT NULL, mode TEXT NOT NULL,
            side_effects INTEGER NOT NULL, result_json TEXT, error TEXT, route TEXT, at REAL,
            PRIMARY KEY (session_id, step_idx))""",
        """CREATE TABLE notes (
            id INTEGER PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions (id),
            step_idx INTEGER NOT NULL, text TEXT NOT NULL, at REAL)""",
        "CREATE INDEX notes_session ON notes (session_id, step_idx)",
        """CREATE TABLE rewinds (
            id INTEGER PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions (id),
            to_idx INTEGER NOT NULL, at REAL NOT NULL, reason TEXT NOT NULL,
            dropped_json TEXT NOT NULL)""",
    ),
    # Each write of a walk bumps its session's revision; a walk that finds the revision moved
    # since it last wrote knows another process changed the session and stops (SessionChanged).
    ("ALTER TABLE sessions ADD COLUMN revision INTEGER NOT NULL DEFAULT 0",),
    # Walks of `run --watch` are previews, kept out of the statistics; listings by agent.
    (
        "ALTER TABLE sessions ADD COLUMN preview INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX sessions_agent ON sessions (agent, started_at)",
        "CREATE INDEX rewinds_session ON rewinds (session_id, to_idx)",
    ),
)

# What stats reads of each step a rewind dropped (engine.sessions.stats): one row per step.
DROPPED_STEPS = "json_each(r.dropped_json) d"


def dropped_field(name: str, kind: str = "text") -> str:
    """A field of a dropped step (`d`, see DROPPED_STEPS); `action.route` reaches inside."""
    return f"json_extract(d.value, '$.{name}')"


def floor(expression: str) -> str:
    """The largest whole number not above a number (SQLite has floor() only in some builds):
    the cast cuts toward zero, one less below zero."""
    whole = f"CAST({expression} AS INTEGER)"
    return f"({whole} - ({expression} < {whole}))"


class SqliteDialect:
    """One SQLite file: created 0600, write-ahead logging, refusals that name the file."""

    error: type[Exception] = sqlite3.Error
    integrity_error: type[Exception] = sqlite3.IntegrityError
    migrations = MIGRATIONS
    dropped_steps = DROPPED_STEPS

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self.where = str(path)

    @staticmethod
    def dropped_field(name: str, kind: str = "text") -> str:
        return dropped_field(name, kind)

    @staticmethod
    def floor(expression: str) -> str:
        return floor(expression)

    def exists(self) -> bool:
        # Anything at the path counts: a folder or a device is then refused by name.
        return self.path.exists()

    def connect(self) -> Any:
        if self.path.exists() and not self.path.is_file():
            raise BranchwiseError(
                f"{self.path}: cannot open the session store (not a regular file)"
            )
        try:
            if self.read_only:
                db = sqlite3.connect(
                    f"{self.path.resolve().as_uri()}?mode=ro",
                    uri=True,
                    timeout=BUSY_TIMEOUT_SECONDS,
                    isolation_level=None,
                    check_same_thread=False,
                )
            else:
                self._create_private()
                db = sqlite3.connect(
                    self.path,
                    timeout=BUSY_TIMEOUT_SECONDS,
                    isolation_level=None,
                    check_same_thread=False,
                )
        except (OSError, sqlite3.Error) as exc:
            raise BranchwiseError(f"{self.path}: cannot open the session store ({exc})") from None
        db.row_factory = sqlite3.Row
        return db

    def _create_private(self) -> None:
        """The file made readable by its owner only before SQLite opens it; SQLite gives its
        -wal and -shm files the same mode. fchmod, because a umask may take bits away."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        try:
            os.fchmod(fd, 0o600)
        finally:
            os.close(fd)

    def prepare(self, db: Any) -> None:
        """Settings of the connection, before anything is read or written."""
        if self.read_only:
            return
        _use_wal(db)
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")

    @staticmethod
    def begin(db: Any) -> None:
        db.execute("BEGIN IMMEDIATE")  # the write lock up front: no upgrade deadlock

    @staticmethod
    def batch(db: Any) -> AbstractContextManager[Any]:
        """Nothing to gather: every statement is a call into the library, not a round trip."""
        return nullcontext()

    @staticmethod
    def settle(db: Any) -> None:
        """Nothing to wait for: each statement's result is there when it returns."""

    @staticmethod
    def lock_schema(db: Any) -> None:
        """Nothing to do: BEGIN IMMEDIATE holds the file's write lock already."""

    @staticmethod
    def in_transaction(db: Any) -> bool:
        return bool(db.in_transaction)

    @staticmethod
    def tables(db: Any) -> set[str]:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(row[0]) for row in rows}

    @staticmethod
    def refused_revision(exc: Exception) -> bool:
        """A change written on a stale revision (engine.sessions.store.StoreRecorder)."""
        return isinstance(exc, sqlite3.IntegrityError) and "sessions.revision" in str(exc)

    def failure(self, exc: Exception, doing: str) -> str:
        """What went wrong, in words that name the file; a full disk or a file-size limit
        says so instead of SQLite's "disk I/O error"."""
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code == sqlite3.SQLITE_FULL or (code == sqlite3.SQLITE_IOERR and self._full()):
            return f"{self.path}: the session store is full ({self._room()})"
        return f"{self.path}: {doing} the session store ({exc})"

    def _full(self) -> bool:
        if _size_limit() is not None:
            return True
        try:
            return shutil.disk_usage(self.path.parent).free < 1024 * 1024
        except OSError:
            return False

    def _room(self) -> str:
        parts = []
        try:
            free = shutil.disk_usage(self.path.parent).free
            parts.append(f"{_size(free)} free on {_mount_of(self.path.parent)}")
        except OSError:
            pass
        limit = _size_limit()
        if limit is not None:
            parts.append(f"files limited to {_size(limit)} by ulimit -f")
        return "; ".join(parts) or "no room to write"


def _size_limit() -> int | None:
    """The largest file this process may write (ulimit -f), None when unlimited."""
    try:
        import resource  # not on Windows
    except ModuleNotFoundError:
        return None
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    return None if limit == resource.RLIM_INFINITY else limit


def _size(count: int) -> str:
    return f"{count:,} bytes"


def _mount_of(path: Path) -> Path:
    path = path.resolve()
    while not os.path.ismount(path) and path != path.parent:
        path = path.parent
    return path


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch the file to write-ahead logging, waiting for other processes doing the same.

    SQLite does not call its busy handler when the switch meets another connection's lock,
    so several processes creating one store at once retry here for up to the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    pause = 0.005
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
