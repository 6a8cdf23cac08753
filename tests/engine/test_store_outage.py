"""A PostgreSQL connection killed in the middle of a walk: no step that was shown is lost, the
change that met the outage is refused in one line, and the walk goes on once the server is back."""

from __future__ import annotations

import subprocess
import time

import pytest

from engine.errors import StoreFailed
from tests.cli import CLI, ROOT, isolated_env
from tests.session_walks import TREES, runner, start
from tests.store_backends import PostgresBackend


def kill_connections(backend: PostgresBackend) -> int:
    """End every branchwise connection to the test database, as an outage would."""
    import psycopg

    with psycopg.connect(backend.database_url, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'branchwise' "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


@pytest.fixture
def postgres(postgres_database: str) -> PostgresBackend:
    return PostgresBackend(postgres_database)


def test_a_killed_connection_refuses_one_change_and_the_walk_goes_on(postgres, tmp_path):
    with postgres.open() as store:
        walk = start(store, runner(tmp_path))
        walk.answer("Continue")
        shown = walk.node.id
        assert kill_connections(postgres) >= 1
        with pytest.raises(StoreFailed, match=r"^PostgreSQL .*: the server cannot be reached \("):
            walk.answer("a")
        assert walk.node.id == shown  # the refused change did not happen
        walk.answer("a")  # a new connection: the walk goes on
        record = store.load(walk.id)
    assert [(s.node_id, s.answer) for s in record.steps] == [
        ("welcome", "Continue"),
        ("which", "Ada | admin"),
        ("ask-id", None),
    ]


def test_the_plain_mode_says_the_outage_in_one_line_and_can_be_resumed(postgres, tmp_path):
    url = postgres.url()
    command = [*CLI, "run", "tests/sessions-support", "--library", str(TREES), "--db", url]
    child = subprocess.Popen(
        [*command, "--plain", "--agent", "ann"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        encoding="utf-8",
        cwd=ROOT,
        env=isolated_env(tmp_path),
    )
    assert child.stdin is not None
    child.stdin.write("1\n")
    child.stdin.flush()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _answered(postgres, "welcome"):
        time.sleep(0.1)
    assert kill_connections(postgres) >= 1
    out, err = child.communicate("a\n", timeout=60)
    assert child.returncode == 1, (out, err)
    assert "Traceback" not in err
    told = [line for line in err.splitlines() if "cannot be reached" in line]
    assert len(told) == 1 and told[0].startswith("branchwise: PostgreSQL ")
    ((session,),) = postgres.rows("SELECT id FROM sessions")
    steps = postgres.rows("SELECT node_id, answer FROM steps ORDER BY idx")
    assert steps == [("welcome", "Continue"), ("which", None)]  # all that was shown
    resumed = subprocess.run(
        [*command, "--resume", session, "--answers", "a", "--json"],
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        env=isolated_env(tmp_path),
        timeout=60,
        check=False,
    )
    assert '"ask-id"' in resumed.stdout, resumed.stderr


def _answered(postgres: PostgresBackend, node: str) -> bool:
    try:
        rows = postgres.rows("SELECT answer FROM steps WHERE node_id = ?", node)
    except Exception:  # the tables may not exist yet
        return False
    return bool(rows) and rows[0][0] is not None
