"""`branchwise sessions list|show|export`, run as a real command in a subprocess."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from engine.sessions.store import Store
from tests.cli import isolated_env, run_cli
from tests.session_walks import (
    PLANTED,
    TREES,
    runner,
    start,
    walk_to_confirm,
    walk_to_wrap_up,
)


def branchwise(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=isolated_env(home, BRANCHWISE_CONFIG=str(home / "no-config.toml")))


@pytest.fixture
def sessions(tmp_path):
    """A store holding an escalated session, an open one at wrap-up, and a fresh one."""
    db = tmp_path / "sessions.sqlite3"
    with Store(db) as store:
        escalated = walk_to_confirm(start(store, runner(tmp_path), ticket="T-1"))
        escalated.answer("n")
        waiting = walk_to_wrap_up(
            walk_to_confirm(start(store, runner(tmp_path), agent="bo", ticket="T-2"))
        )
        fresh = start(store, runner(tmp_path), agent="cy", ticket="")
    return db, {"escalated": escalated.id, "waiting": waiting.id, "fresh": fresh.id}


def _lines(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines()]


def test_list_shows_every_column_newest_first(sessions, tmp_path):
    db, ids = sessions
    done = branchwise("sessions", "--db", str(db), "list", home=tmp_path)
    assert done.returncode == 0, done.stderr
    head, *rows = _lines(done.stdout)
    assert head == ["ID", "STARTED", "AGENT", "TICKET", "TREE", "STATUS", "STEPS", "OUTCOME"]
    assert [row[0] for row in rows] == [ids["fresh"], ids["waiting"], ids["escalated"]]
    escalated = rows[2]
    assert escalated[3:] == [
        "ann",
        "T-1",
        "tests/sessions-support",
        "v4",
        "escalated",
        "7",
        "stuck",
    ]
    assert rows[0][3:] == ["cy", "-", "tests/sessions-support", "v4", "open", "1", "-"]
    # Without an action, sessions lists; the filters go before or after `list`.
    bare = branchwise("sessions", "--db", str(db), home=tmp_path)
    assert bare.stdout == done.stdout


def test_list_filters_by_status_tree_and_count(sessions, tmp_path):
    db, ids = sessions
    opened = branchwise("sessions", "--db", str(db), "--status", "open", "list", home=tmp_path)
    assert [row[0] for row in _lines(opened.stdout)[1:]] == [ids["fresh"], ids["waiting"]]
    limited = branchwise("sessions", "list", "--limit", "1", "--db", str(db), home=tmp_path)
    assert [row[0] for row in _lines(limited.stdout)[1:]] == [ids["fresh"]]
    other = branchwise("sessions", "list", "--tree", "other/tree", "--db", str(db), home=tmp_path)
    assert other.returncode == 0 and other.stdout == ""
    assert "no sessions match" in other.stderr


def test_show_prints_the_markdown_of_a_session_named_by_a_prefix(sessions, tmp_path):
    db, ids = sessions
    done = branchwise("sessions", "show", ids["escalated"][:7], "--db", str(db), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"- Session: {ids['escalated']}" in done.stdout
    assert "**6. Can the customer log in now?** → No" in done.stdout
    assert "**escalated**: Escalated to the portal team (stuck)" in done.stdout


def test_export_writes_markdown_or_json_and_no_secret(sessions, tmp_path):
    db, ids = sessions
    out = tmp_path / "ticket.md"
    md = branchwise(
        "sessions", "export", ids["waiting"], "-o", str(out), "--db", str(db), home=tmp_path
    )
    assert md.returncode == 0, md.stderr
    assert f"wrote session {ids['waiting']}" in md.stderr
    text = out.read_text("utf-8")
    assert text.startswith("## Reset a") and "**7. Paste the support token** (input) → •••" in text
    js = branchwise(
        "sessions", "export", ids["waiting"], "--format", "json", "--db", str(db), home=tmp_path
    )
    assert js.returncode == 0, js.stderr
    data = json.loads(js.stdout)
    assert data["id"] == ids["waiting"] and data["agent"] == "bo" and data["ticket"] == "T-2"
    assert data["variables"]["api_token"] == "•••"
    for secret in PLANTED:
        assert secret not in text and secret not in js.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["show", "ffffff"], 1, "branchwise: no session 'ffffff'"),
        (["export", "abc", "--format", "pdf"], 2, "invalid choice: 'pdf'"),
        (["list", "--status", "lost"], 2, "invalid choice: 'lost'"),
        (["list", "--limit", "0"], 2, "'0' must be 1 or more"),
        (["export", "{id}", "-o", "{tmp}/no/such/dir/x.md"], 2, "cannot write"),
    ],
)
def test_bad_input_gets_a_clear_message_and_exit_code(sessions, tmp_path, args, code, message):
    db, ids = sessions
    args = [a.format(id=ids["fresh"], tmp=tmp_path) for a in args]
    done = branchwise("sessions", *args, "--db", str(db), home=tmp_path)
    assert done.returncode == code
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_an_ambiguous_prefix_lists_the_candidates(tmp_path):
    db = tmp_path / "s.sqlite3"
    with Store(db) as store:
        for suffix in ("1", "2"):
            start(store, runner(tmp_path), session_id=f"beef0000000{suffix}")
    done = branchwise("sessions", "show", "beef", "--db", str(db), home=tmp_path)
    assert done.returncode == 1
    assert "ambiguous: beef00000001, beef00000002" in done.stderr


def test_without_a_store_list_says_so_and_creates_nothing(tmp_path):
    db = tmp_path / "none" / "sessions.sqlite3"
    listed = branchwise("sessions", "--db", str(db), home=tmp_path)
    assert listed.returncode == 0 and "no sessions yet" in listed.stderr
    shown = branchwise("sessions", "show", "abc", "--db", str(db), home=tmp_path)
    assert shown.returncode == 1 and "does not exist yet" in shown.stderr
    assert not db.exists() and not db.parent.exists()


def test_a_walk_run_by_the_cli_is_listed_and_exported(tmp_path):
    db = tmp_path / "s.sqlite3"
    answers = "Continue,Bob,1001,Not a user"
    walked = branchwise(
        "run", "tests/sessions-support", "--library", str(TREES), "--db", str(db),
        "--answers", answers, "--agent", "dee", "--ticket", "T-9", "--json", home=tmp_path,
    )  # fmt: skip
    assert walked.returncode == 0, walked.stderr
    session = json.loads(walked.stdout)["session"]
    listed = branchwise("sessions", "--db", str(db), home=tmp_path)
    (row,) = _lines(listed.stdout)[1:]
    assert row[0] == session and row[3:5] == ["dee", "T-9"]
    assert row[-3:] == ["escalated", "5", "stuck"]
    shown = branchwise("sessions", "show", session, "--db", str(db), home=tmp_path)
    assert "- Action: paya.get\\_contact (manual) with contact\\_id: 1001" in shown.stdout
    assert "- Route taken: Not a user" in shown.stdout
