"""Eight processes writing sessions into one new store at once lose nothing (both backends)."""

from __future__ import annotations

import multiprocessing
import queue
import time
from typing import Any

import pytest

from engine.sessions.store import Store
from engine.tree.builder import build_tree
from engine.tree.reader import read_text
from engine.walk.walker import Walk

PROCESSES = 8
SESSIONS_EACH = 50
TREE = """
schema: branchwise/v1
id: tests/concurrent
version: 1
title: A short walk
start: one
nodes:
  one: {type: step, title: First, next: two}
  two:
    type: question
    title: Which way?
    choices:
      - {label: Left, goto: name}
      - {label: Right, goto: name}
  name: {type: input, title: Your name, var: who, next: done}
  done: {type: outcome, status: resolved, title: Done}
"""


def write_sessions(path: str, worker: int, barrier: Any, results: Any) -> None:
    """One process: wait for the others, then walk SESSIONS_EACH sessions, noting one step each."""
    tree = build_tree(read_text(TREE, "concurrent.yaml").data, sha256="c" * 64)
    barrier.wait(timeout=180)
    store = Store(path)  # every process may be the one that creates the schema
    ids = []
    for number in range(SESSIONS_EACH):
        walk = Walk(tree, recorder=store.recorder(), agent=f"worker-{worker}", ticket=str(number))
        walk.answer("Continue")
        walk.note(f"note {worker}/{number}")
        walk.answer("Left" if number % 2 else "Right")
        walk.answer(f"person {worker}-{number}")
        ids.append(walk.id)
    store.close()
    results.put((worker, ids))


def _collect(results: Any, workers: list[Any]) -> dict[int, list[str]]:
    """Each worker's session ids, waiting only while some worker is still at it."""
    written: dict[int, list[str]] = {}
    deadline = time.monotonic() + 300
    while len(written) < len(workers) and time.monotonic() < deadline:
        try:
            worker, ids = results.get(timeout=1)
        except queue.Empty:
            if not any(w.is_alive() for w in workers):
                break
            continue
        written[worker] = ids
    return written


@pytest.mark.timeout(420)  # its own waits allow a slow machine up to 300 s
def test_eight_processes_writing_at_once_lose_no_session(backend):
    path = backend.url("shared")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [
        context.Process(target=write_sessions, args=(str(path), n, barrier, results))
        for n in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    written = _collect(results, workers)
    for worker in workers:
        worker.join(timeout=60)
    # A worker that failed printed its traceback; its exit code says which one.
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    expected = {session for ids in written.values() for session in ids}
    assert len(expected) == PROCESSES * SESSIONS_EACH

    stored = dict(backend.rows("SELECT id, status FROM sessions", name="shared"))
    per_session = backend.rows(
        "SELECT session_id, count(*), count(answer) FROM steps GROUP BY session_id", name="shared"
    )
    (notes,) = backend.rows("SELECT count(*) FROM notes", name="shared")[0]
    answers = {
        row[0] for row in backend.rows("SELECT answer FROM steps WHERE idx = 2", name="shared")
    }
    assert set(stored) == expected
    assert set(stored.values()) == {"resolved"}
    assert {(count, answered) for _, count, answered in per_session} == {(4, 3)}
    assert notes == PROCESSES * SESSIONS_EACH
    assert len(answers) == PROCESSES * SESSIONS_EACH
