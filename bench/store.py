"""The session store under load: N processes walking at once, SQLite against PostgreSQL, and
`stats` over a large history on each.

Run by hand: `python bench/store.py [--processes 1,8,32,64] [--seconds S] [--sessions N]
[--postgres URL]`. For each number of processes, SQLite and PostgreSQL in turn: that many
processes walk scripted sessions of a nine-step tree at once for S seconds, each answer one
committed transaction, as `branchwise run` commits it. Printed per run: committed steps per
second, the p50/p95/p99 time of one committed step, and sessions lost (written by a walk, not in
the store after) or failed (a walk refused with an error); both must be 0. Then N sessions of
ten steps each are bulk-inserted into each backend and `stats` (the summary, and one tree's
node figures over all of them) is timed. PostgreSQL runs in a throwaway database of the server
at --postgres (default the local one), dropped at the end.

Targets: PostgreSQL at 32 processes >= 2,000 committed steps/s with p95 < 50 ms; stats over
100k sessions / 1M steps < 1 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import secrets
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.errors import BranchwiseError
from engine.sessions.copy import TABLES
from engine.sessions.stats import summaries, tree_stats
from engine.sessions.store import Store
from engine.tree.builder import build_tree
from engine.tree.reader import read_text
from engine.walk.walker import Walk

TREE_ID = "bench/store"
QUESTIONS = 8
TARGET_RATE = 2_000.0
TARGET_P95 = 0.050
TARGET_STATS = 1.0
SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def tree_text() -> str:
    """A step, eight two-way questions in a row, and an outcome: nine answers a walk."""
    nodes = ["  start: {type: step, title: Begin, next: q1}"]
    for number in range(1, QUESTIONS + 1):
        after = f"q{number + 1}" if number < QUESTIONS else "done"
        nodes.append(
            f"  q{number}:\n    type: question\n    title: Question {number}?\n    choices:\n"
            f"      - {{label: Left, goto: {after}}}\n      - {{label: Right, goto: {after}}}"
        )
    nodes.append("  done: {type: outcome, status: resolved, title: Done}")
    return (
        f"schema: branchwise/v1\nid: {TREE_ID}\nversion: 1\ntitle: Store bench\nstart: start\n"
        "nodes:\n" + "\n".join(nodes) + "\n"
    )


@dataclass(frozen=True)
class Load:
    """What the processes of one run did together."""

    backend: str
    processes: int
    seconds: float
    steps: int
    latencies: Sequence[float]
    written: int
    lost: int
    failed: int

    @property
    def rate(self) -> float:
        return self.steps / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def walker(url: str, seconds: float, barrier: Any, results: Any) -> None:
    """One process: once all are ready, walk sessions for `seconds`, timing each answer."""
    try:
        tree = build_tree(read_text(tree_text(), "bench.yaml").data, sha256="b" * 64)
        store = Store(url)
        barrier.wait(timeout=300)
        latencies, ids, failed, steps = [], [], 0, 0
        began = time.perf_counter()
        while time.perf_counter() - began < seconds:
            try:
                walk = Walk(tree, recorder=store.recorder(), agent="bench")
                for _ in range(QUESTIONS + 1):
                    answer = (
                        "Continue" if walk.node.id == "start" else random.choice(("Left", "Right"))
                    )
                    at = time.perf_counter()
                    walk.answer(answer)
                    latencies.append(time.perf_counter() - at)
                    steps += 1
                ids.append(walk.id)
            except BranchwiseError as exc:
                failed += 1
                print(f"bench: a walk failed: {exc.message}", file=sys.stderr)
        elapsed = time.perf_counter() - began
        store.close()
        results.put({"ids": ids, "lat": latencies, "failed": failed, "steps": steps, "s": elapsed})
    except Exception:
        traceback.print_exc()
        results.put({"ids": [], "lat": [], "failed": 1, "steps": 0, "s": 0.0})


def run_load(backend: str, url: str, processes: int, seconds: float) -> Load:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(target=walker, args=(url, seconds, barrier, results))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    reports = [results.get(timeout=seconds + 600) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    ids = [sid for report in reports for sid in report["ids"]]
    with Store(url) as store, store.reading() as db:
        kept = {
            str(row[0])
            for row in db.execute(
                "SELECT s.id FROM sessions s WHERE s.status = 'resolved' AND "
                "(SELECT count(*) FROM steps t WHERE t.session_id = s.id) = ?",
                (QUESTIONS + 2,),
            )
        }
    return Load(
        backend=backend,
        processes=processes,
        seconds=max(report["s"] for report in reports),
        steps=sum(report["steps"] for report in reports),
        latencies=[value for report in reports for value in report["lat"]],
        written=len(ids),
        lost=len(set(ids) - kept),
        failed=sum(report["failed"] for report in reports),
    )


# A large history for stats, written in bulk.


def history_rows(sessions: int, seed: int = 7) -> Iterator[tuple[str, tuple[Any, ...], list[Any]]]:
    """Sessions of two versions of the bench tree over 90 days, ten steps each; one in ten
    stopped short, one in twenty went back once."""
    rng = random.Random(seed)
    now = time.time()
    for number in range(sessions):
        sid = f"h{number:011d}"
        started = now - rng.random() * 90 * 86400
        version = 1 + number % 2
        stopped = number % 10 == 9
        count = 6 if stopped else QUESTIONS + 2
        steps, at = [], started
        for idx in range(count):
            node = "start" if idx == 0 else f"q{idx}" if idx <= QUESTIONS else "done"
            answer = (
                None
                if idx == count - 1
                else "Continue"
                if idx == 0
                else rng.choice(("Left", "Right"))
            )
            took = rng.uniform(2, 60)
            answered = None if answer is None else at + took
            kind = "step" if idx == 0 else "question" if idx <= QUESTIONS else "outcome"
            steps.append((sid, idx, TREE_ID, node, f"Node {node}", kind, at, answer, answered, 0))
            at += took
        status = "open" if stopped else "resolved"
        session = (
            sid, TREE_ID, version, "b" * 64, "Store bench", f"agent{number % 50}", "",
            started, None if stopped else at, status, None if stopped else "done", None,
            "{}", "{}", count, 0,
        )  # fmt: skip
        rewinds = []
        if number % 20 == 3:
            dropped = [{"idx": 2, "tree_id": TREE_ID, "node_id": "q2", "node_title": "Node q2",
                        "node_type": "question", "entered_at": started + 5, "answered_at":
                        started + 9, "answer": "Left", "auto": False, "action": None,
                        "notes": []}]  # fmt: skip
            rewinds.append((sid, 1, started + 10, "went back", json.dumps(dropped)))
        yield sid, session, [steps, rewinds]


COLUMNS = {table: columns for table, columns, _ in TABLES}  # as `sessions copy` copies them


def bulk_insert(store: Store, sessions: int) -> None:
    """The history in as few statements as the backend allows: COPY for PostgreSQL."""
    all_sessions, all_steps, all_rewinds = [], [], []
    for _, session, (steps, rewinds) in history_rows(sessions):
        all_sessions.append(session)
        all_steps.extend(steps)
        all_rewinds.extend(rewinds)
    tables = (
        ("sessions", COLUMNS["sessions"], all_sessions),
        ("steps", COLUMNS["steps"], all_steps),
        ("rewinds", COLUMNS["rewinds"], all_rewinds),
    )
    with store.reading() as db:
        raw = getattr(db, "raw", None)
    if raw is None:
        with store.writing() as db:
            for table, columns, rows in tables:
                marks = ", ".join("?" for _ in columns.split(","))
                db.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        return
    # COPY, in a transaction of its own on the raw connection: the store's write transactions
    # send their statements as one batch of prepared statements, which COPY cannot be part of.
    with raw.transaction():
        for table, columns, rows in tables:
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
    # A store in use is vacuumed and analysed by autovacuum as it grows; one just bulk-loaded
    # is not yet (its visibility map is empty, which costs every index-only lookup a read).
    raw.execute("VACUUM ANALYZE")


def timed(call: Callable[[], object], repeat: int = 3) -> float:
    """The best of a few runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - began)
    return best


# PostgreSQL: a throwaway database.


@contextmanager
def throwaway_database(server: str) -> Iterator[str]:
    import psycopg

    name = "branchwise_bench_" + secrets.token_hex(4)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _report(load: Load) -> str:
    ms = 1000.0
    return (
        f"{load.backend:<10} {load.processes:>3} processes: {load.rate:>8,.0f} committed steps/s; "
        f"commit p50 {load.percentile(0.5) * ms:6.1f} ms, "
        f"p95 {load.percentile(0.95) * ms:6.1f} ms, "
        f"p99 {load.percentile(0.99) * ms:6.1f} ms; {load.written} sessions, "
        f"{load.lost} lost, {load.failed} failed"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", default="1,8,32,64", help="comma-separated counts")
    parser.add_argument("--seconds", type=float, default=5.0, help="walking time of each run")
    parser.add_argument("--sessions", type=int, default=100_000, help="history size for stats")
    parser.add_argument(
        "--stats-only", action="store_true", help="skip the walking processes, time stats only"
    )
    parser.add_argument("--postgres", default=SERVER, help="a server URL (its database is unused)")
    args = parser.parse_args(argv)
    counts = [] if args.stats_only else [int(p) for p in args.processes.split(",") if p.strip()]
    loads = []
    with tempfile.TemporaryDirectory() as directory, throwaway_database(args.postgres) as pg:
        for count in counts:
            sqlite = str(Path(directory) / f"load-{count}.sqlite3")
            for backend, url in (
                ("SQLite", sqlite),
                ("PostgreSQL", f"{pg}?options=-csearch_path%3Dload{count}"),
            ):
                if backend == "PostgreSQL":
                    _schema(pg, f"load{count}")
                load = run_load(backend, url, count, args.seconds)
                loads.append(load)
                print(_report(load), flush=True)
        stats_times = []
        if args.sessions:
            for backend, url in (
                ("SQLite", str(Path(directory) / "history.sqlite3")),
                ("PostgreSQL", f"{pg}?options=-csearch_path%3Dhistory"),
            ):
                if backend == "PostgreSQL":
                    _schema(pg, "history")
                with Store(url) as store:
                    began = time.perf_counter()
                    bulk_insert(store, args.sessions)
                    loaded = time.perf_counter() - began
                with Store(url, read_only=True) as store:
                    floor = timed(lambda store=store: _join_all_steps(store))
                    summary = timed(lambda store=store: summaries(store))
                    nodes = timed(lambda store=store: tree_stats(store, TREE_ID))
                stats_times.append((backend, nodes))
                print(
                    f"{backend:<10} stats over {args.sessions:,} sessions "
                    f"(inserted in {loaded:.1f} s): summary {summary:.3f} s, "
                    f"{TREE_ID} node figures {nodes:.3f} s "
                    f"({nodes / floor:.1f}x a bare count of every step by version, {floor:.3f} s)",
                    flush=True,
                )
    return _verdict(loads, stats_times)


def _join_all_steps(store: Store) -> None:
    """The least any per-node figure costs: every step joined to its session, counted; the
    baseline the node figures are compared with, measured under the same load."""
    with store.reading() as db:
        db.execute(
            "SELECT s.tree_version, count(*) FROM steps t JOIN sessions s ON s.id = t.session_id "
            "GROUP BY s.tree_version"
        ).fetchall()


def _schema(database: str, name: str) -> None:
    import psycopg

    with psycopg.connect(database, autocommit=True) as db:
        db.execute(f'CREATE SCHEMA IF NOT EXISTS "{name}"')


def _verdict(loads: Sequence[Load], stats_times: Sequence[tuple[str, float]]) -> int:
    broken = [load for load in loads if load.lost or load.failed]
    pg32 = [load for load in loads if load.backend == "PostgreSQL" and load.processes == 32]
    print()
    print(
        "sessions lost or failed in every run: "
        f"{sum(load.lost + load.failed for load in loads)} (target 0)"
    )
    for load in pg32:
        print(
            f"PostgreSQL at 32 processes: {load.rate:,.0f} steps/s (target >= {TARGET_RATE:,.0f}), "
            f"p95 {load.percentile(0.95) * 1000:.1f} ms (target < {TARGET_P95 * 1000:.0f} ms)"
        )
    for backend, seconds in stats_times:
        if backend == "PostgreSQL":
            print(f"PostgreSQL stats: {seconds:.3f} s (target < {TARGET_STATS:.0f} s)")
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
