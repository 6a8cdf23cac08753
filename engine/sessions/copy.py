"""Copying sessions from one store into another (an agent's SQLite file into the team's
PostgreSQL): ids kept, idempotent, and resumable, since each batch is one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from engine.sessions.store import SESSION_TABLES, Store

BATCH = 200

# The columns copied, table by table, parents first; notes and rewinds get new row ids in the
# target, in the order they had (their ids only order them).
TABLES: tuple[tuple[str, str, str], ...] = (
    (
        "sessions",
        "id, tree_id, tree_version, tree_sha256, tree_title, agent, ticket, started_at, "
        "ended_at, status, outcome, error, variables_json, given_json, revision, preview",
        "id",
    ),
    (
        "steps",
        "session_id, idx, tree_id, node_id, node_title, node_type, entered_at, answer, "
        "answered_at, auto",
        "session_id, idx",
    ),
    (
        "action_calls",
        "session_id, step_idx, uses, params_json, mode, side_effects, result_json, error, "
        "route, at",
        "session_id, step_idx",
    ),
    ("notes", "session_id, step_idx, text, at", "id"),
    ("rewinds", "session_id, to_idx, at, reason, dropped_json", "id"),
)


@dataclass(frozen=True)
class Copied:
    """What a copy did: sessions looked at, copied, and skipped as already there."""

    seen: int
    copied: int

    @property
    def skipped(self) -> int:
        return self.seen - self.copied


Progress = Callable[[int, int], None]


def copy_sessions(source: Store, target: Store, progress: Progress | None = None) -> Copied:
    """Copy every session of `source` that `target` lacks, or holds an older revision of.

    A session the target holds at the same or a later revision (written there since) is left
    alone, so copying twice adds nothing and never undoes a walk continued in the target.
    """
    wanted = _revisions(source)
    held = _revisions(target)
    todo = [sid for sid, revision in wanted.items() if held.get(sid, -1) < revision]
    done = 0
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        _copy_batch(source, target, batch)
        done += len(batch)
        if progress is not None:
            progress(done, len(todo))
    return Copied(seen=len(wanted), copied=len(todo))


def _revisions(store: Store) -> dict[str, int]:
    with store.reading() as db:
        rows = db.execute("SELECT id, revision FROM sessions ORDER BY started_at, id")
        return {str(row[0]): int(row[1]) for row in rows}


def _copy_batch(source: Store, target: Store, ids: Sequence[str]) -> None:
    marks = ", ".join("?" for _ in ids)
    key_of = dict(SESSION_TABLES)
    with source.reading() as db:
        rows = {
            table: db.execute(
                f"SELECT {columns} FROM {table} WHERE {key_of[table]} IN ({marks}) "  # noqa: S608
                f"ORDER BY {order}",
                tuple(ids),
            ).fetchall()
            for table, columns, order in TABLES
        }
    with target.writing() as db:
        for table, key in SESSION_TABLES:
            db.execute(f"DELETE FROM {table} WHERE {key} IN ({marks})", tuple(ids))  # noqa: S608
        for table, columns, _ in TABLES:
            _insert(db, table, columns, rows[table])


def _insert(db: Any, table: str, columns: str, rows: Sequence[Any]) -> None:
    if not rows:
        return
    marks = ", ".join("?" for _ in columns.split(","))
    db.executemany(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
        [tuple(row) for row in rows],
    )
