"""Sessions kept private and prunable, copied between stores, read while a walk writes, and a
full disk said as such: `branchwise sessions discard|prune|copy|list --format json`, for real."""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import stat
import subprocess
import time
from pathlib import Path

import pytest

from engine.errors import StoreFailed
from engine.sessions.store import Store
from tests.cli import CLI, ROOT, isolated_env, run_cli
from tests.session_walks import TREES, runner, start, walk_to_confirm, walk_to_wrap_up
from tests.store_backends import Backend

DAY = 86400.0


def branchwise(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=isolated_env(home, **env))


def seeded(store: Store, tmp_path: Path) -> dict[str, str]:
    """An escalated session of ann (T-1), an open one of bo (T-2), a fresh one of cy."""
    escalated = walk_to_confirm(start(store, runner(tmp_path), ticket="T-1"))
    escalated.answer("n")
    waiting = walk_to_wrap_up(
        walk_to_confirm(start(store, runner(tmp_path), agent="bo", ticket="T-2"))
    )
    fresh = start(store, runner(tmp_path), agent="cy", ticket="T-3")
    return {"escalated": escalated.id, "waiting": waiting.id, "fresh": fresh.id}


def test_list_as_json_filters_by_agent_ticket_and_status(backend: Backend, tmp_path):
    with backend.open() as store:
        ids = seeded(store, tmp_path)
    url = backend.url()
    everyone = branchwise("sessions", "list", "--db", url, "--format", "json", home=tmp_path)
    assert everyone.returncode == 0, everyone.stderr
    listed = json.loads(everyone.stdout)
    assert [item["id"] for item in listed] == [ids["fresh"], ids["waiting"], ids["escalated"]]
    assert listed[2]["agent"] == "ann" and listed[2]["status"] == "escalated"
    assert listed[2]["started_at"].startswith("20") and listed[0]["ended_at"] is None
    by_bo = branchwise(
        "sessions", "list", "--db", url, "--format", "json", "--agent", "bo", home=tmp_path
    )
    assert [item["id"] for item in json.loads(by_bo.stdout)] == [ids["waiting"]]
    by_ticket = branchwise(
        "sessions", "list", "--db", url, "--format", "json", "--ticket", "T-1", home=tmp_path
    )
    assert [item["id"] for item in json.loads(by_ticket.stdout)] == [ids["escalated"]]
    nothing = branchwise(
        "sessions", "list", "--db", url, "--format", "json", "--status", "resolved", home=tmp_path
    )
    assert nothing.returncode == 0 and json.loads(nothing.stdout) == []


def test_discard_ends_an_open_session_only(backend: Backend, tmp_path):
    with backend.open() as store:
        ids = seeded(store, tmp_path)
    url = backend.url()
    done = branchwise("sessions", "discard", ids["waiting"][:8], "--db", url, home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"session {ids['waiting']} discarded" in done.stderr
    with backend.open() as store:
        record = store.load(ids["waiting"])
    assert record.status == "discarded" and record.ended_at is not None
    again = branchwise("sessions", "discard", ids["escalated"], "--db", url, home=tmp_path)
    assert again.returncode == 1
    assert again.stderr == (
        f"branchwise: session {ids['escalated']} has ended (escalated); "
        "only an open session can be discarded\n"
    )
    resumed = branchwise(
        "run", "--resume", ids["waiting"], "--db", url, "--library", str(TREES), "--answers", "",
        home=tmp_path,
    )  # fmt: skip
    assert resumed.returncode == 1 and "has ended (discarded)" in resumed.stderr


def test_prune_deletes_sessions_older_than_the_days_given(backend: Backend, tmp_path):
    with backend.open() as store:
        ids = seeded(store, tmp_path)
        old = time.time() - 40 * DAY
        with store.writing() as db:
            db.execute(
                "UPDATE sessions SET started_at = ?, ended_at = ? WHERE id = ?",
                (old, old + 60, ids["escalated"]),
            )
    url = backend.url()
    dry = branchwise(
        "sessions", "prune", "--older-than", "30", "--dry-run", "--db", url, home=tmp_path
    )
    assert dry.returncode == 0, dry.stderr
    assert "would delete 1 session older than 30 days" in dry.stderr
    assert len(backend.rows("SELECT id FROM sessions")) == 3
    done = branchwise("sessions", "prune", "--older-than", "30", "--db", url, home=tmp_path)
    assert "deleted 1 session older than 30 days" in done.stderr
    assert sorted(row[0] for row in backend.rows("SELECT id FROM sessions")) == sorted(
        [ids["waiting"], ids["fresh"]]
    )
    for table in ("steps", "notes", "action_calls", "rewinds"):
        orphans = backend.rows(
            f"SELECT count(*) FROM {table} WHERE session_id = ?", ids["escalated"]
        )
        assert orphans == [(0,)], table
    bad = branchwise("sessions", "prune", "--older-than", "soon", "--db", url, home=tmp_path)
    assert bad.returncode == 2 and "'soon' is not a whole number" in bad.stderr


def test_copy_twice_adds_nothing_and_keeps_ids(backend: Backend, tmp_path):
    local = tmp_path / "local.sqlite3"
    with Store(local) as store:
        ids = seeded(store, tmp_path)
        expected = {sid: store.load(sid) for sid in ids.values()}
    target = backend.url("team")
    first = branchwise("sessions", "copy", "--from", str(local), "--to", target, home=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "copied 3 of 3 sessions" in first.stderr
    second = branchwise("sessions", "copy", "--to", target, "--db", str(local), home=tmp_path)
    assert "copied 0 of 3 sessions" in second.stderr and "(3 already there)" in second.stderr
    with Store(target) as team:
        assert {s.id for s in team.list_sessions(limit=None)} == set(ids.values())
        for sid, record in expected.items():
            assert team.load(sid) == record
    # A session walked on in the local store since is copied again, whole.
    with Store(local) as store:
        from engine.sessions.resume import resume_walk
        from tests.session_walks import library

        walk = resume_walk(store, ids["fresh"], library(), runner(tmp_path)).walk
        walk.answer("Continue")
        walked_on = store.load(ids["fresh"])
    third = branchwise("sessions", "copy", "--to", target, "--db", str(local), home=tmp_path)
    assert "copied 1 of 3 sessions" in third.stderr
    with Store(target) as team:
        assert team.load(ids["fresh"]) == walked_on


def test_a_copy_cut_short_goes_on_where_it_stopped(tmp_path, monkeypatch):
    from engine.sessions import copy as copying

    source = Store(tmp_path / "a.sqlite3")
    for _ in range(5):
        start(source, runner(tmp_path)).answer("Continue")
    target = Store(tmp_path / "b.sqlite3")
    monkeypatch.setattr(copying, "BATCH", 2)
    batches = []

    def crash_after_two(done: int, total: int) -> None:
        batches.append(done)
        if len(batches) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        copying.copy_sessions(source, target, crash_after_two)
    assert len(target.list_sessions(limit=None)) == 4
    assert copying.copy_sessions(source, target).copied == 1
    assert len(target.list_sessions(limit=None)) == 5
    source.close()
    target.close()


def test_the_store_and_its_journal_are_readable_by_their_owner_only(tmp_path):
    path = tmp_path / "private" / "sessions.sqlite3"
    old = os.umask(0)  # the widest umask: the store must not depend on it
    try:
        with Store(path) as store:
            start(store, runner(tmp_path)).answer("Continue")
            files = sorted(path.parent.glob("sessions.sqlite3*"))
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files}
    finally:
        os.umask(old)
    assert {"sessions.sqlite3", "sessions.sqlite3-wal", "sessions.sqlite3-shm"} <= set(modes)
    assert set(modes.values()) == {0o600}, modes


def test_listing_works_while_a_walk_holds_the_write_lock(tmp_path):
    path = tmp_path / "sessions.sqlite3"
    with Store(path) as store:
        ids = seeded(store, tmp_path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a writer in the middle of a change
    try:
        began = time.monotonic()
        done = branchwise("sessions", "list", "--db", str(path), home=tmp_path)
        shown = branchwise("sessions", "show", ids["fresh"], "--db", str(path), home=tmp_path)
        stats = branchwise("stats", "--db", str(path), home=tmp_path)
        took = time.monotonic() - began
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 0, done.stderr
    assert ids["fresh"] in done.stdout
    assert shown.returncode == 0 and "tests/sessions-support" in shown.stdout
    assert stats.returncode == 0 and "tests/sessions-support" in stats.stdout
    assert took < 30  # not the 60 s busy timeout of a writer


def test_a_full_store_says_so_naming_the_file(tmp_path):
    path = tmp_path / "sessions.sqlite3"
    with Store(path) as store:
        walk = start(store, runner(tmp_path))
        with store.reading() as db:
            pages = db.execute("PRAGMA page_count").fetchone()[0]
            db.execute(f"PRAGMA max_page_count = {pages}")  # no page more: SQLITE_FULL
        with pytest.raises(StoreFailed) as refused:
            for number in range(200):
                walk.note(f"note {number} " + "x" * 2000)
    assert refused.value.message.startswith(f"{path}: the session store is full (")
    assert "free on /" in refused.value.message


def test_a_file_size_limit_is_said_not_a_disk_io_error(tmp_path):
    path = tmp_path / "sessions.sqlite3"
    Store(path).close()
    limit = path.stat().st_size + 8192

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [
            *CLI,
            *("run", "tests/sessions-support"),
            *("--library", str(TREES), "--db", str(path), "--plain"),
        ],
        input="1\n" + "".join(f":note {'n' * 3000}\n" for _ in range(40)),
        cwd=ROOT,
        capture_output=True,
        encoding="utf-8",
        env=isolated_env(tmp_path),
        preexec_fn=limited,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr
    assert f"{path}: the session store is full (" in done.stderr, done.stderr[-500:]
    assert "files limited to" in done.stderr and "disk I/O error" not in done.stderr


def test_a_walk_run_then_shown_exported_resumed_and_counted_through_one_url(
    backend: Backend, tmp_path
):
    url = backend.url()
    common = ("--db", url)
    first = branchwise(
        "run", "paya-connect/customer-portal-access", *common, "--answers", "1,1,1", "--json",
        "--agent", "ann", "--ticket", "T-7", home=tmp_path,
    )  # fmt: skip
    assert first.returncode == 1, first.stderr  # out of answers: the session stays open
    session = json.loads(first.stdout)["session"]
    shown = branchwise("sessions", "show", session[:6], *common, home=tmp_path)
    assert shown.returncode == 0 and "- Ticket: T-7" in shown.stdout
    exported = branchwise("sessions", "export", session, "--format", "md", *common, home=tmp_path)
    assert exported.stdout == shown.stdout
    resumed = branchwise(
        "run", "paya-connect/customer-portal-access", "--resume", session, *common,
        "--answers", "y,1,1", "--json", home=tmp_path,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["outcome"] == "done-user-created"
    counted = branchwise("stats", "paya-connect/customer-portal-access", *common, home=tmp_path)
    assert counted.returncode == 0, counted.stderr
    assert "1 session: 1 resolved, 0 escalated, 0 unresolved, 0 abandoned" in counted.stdout
    assert "create-user-visible" in counted.stdout


def test_a_postgresql_store_without_the_extra_names_the_extra(tmp_path):
    missing = tmp_path / "no-psycopg"
    missing.mkdir()
    # Shadows an installed psycopg, as an install without the extra has none.
    (missing / "psycopg.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'psycopg'\", name='psycopg')\n"
    )
    done = branchwise(
        "sessions", "--db", "postgresql://postgres@127.0.0.1:5432/bw", home=tmp_path,
        PYTHONPATH=str(missing),
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        "branchwise: a postgresql:// session store needs the postgres extra: "
        "pip install 'branchwise[postgres]'\n"
    )
