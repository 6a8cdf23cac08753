"""`run` in the plain line mode with every answer at once on stdin, and `run --json`'s `stopped`:
why a walk stopped short, with what was expected; an unknown --var is a usage error."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli import ROOT, isolated_env, run_cli

TREE = ROOT / "tests" / "data" / "typeahead" / "type-ahead.yaml"
PORTAL = "paya-connect/customer-portal-access"
TO_THE_LONG_LIST = ["1", "3", "2", "2", *["1"] * 8]
STEPS = [f"step-{i}" for i in range(1, 9)]


def stored(tmp_path: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(tmp_path / "sessions.sqlite3") as db:
        rows = db.execute("SELECT node_id, node_type, answer FROM steps ORDER BY idx").fetchall()
    return [(str(node), str(kind), answer) for node, kind, answer in rows]


def test_answers_piped_at_once_walk_the_path_they_mean_and_25_picks_answer_25(
    tmp_path: Path,
) -> None:
    # Lines past the outcome are never read: nothing is recorded on it.
    lines = [*TO_THE_LONG_LIST, "25", "1", "5", "5"]
    done = run_cli(
        "run", str(TREE), "--json", env=isolated_env(tmp_path), input="\n".join(lines) + "\n"
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    expected = ["intro", "q-kind", "q-error", "q-code", *STEPS, "q-type", "use-type", "out-fixed"]
    assert summary["path"] == expected and summary["status"] == "resolved"
    assert "stopped" not in summary
    rows = stored(tmp_path)
    assert [node for node, _, _ in rows] == expected
    assert rows[expected.index("q-type")][2] == "uint64_t"
    assert [answer for _, kind, answer in rows if kind == "outcome"] == [None]


@pytest.mark.parametrize(
    ("answers", "reason", "node", "answer", "expected"),
    [
        ("Continue,Continue", "answers-ran-out", "open-profile", None, ["Continue"]),
        ("Continue,Maybe", "answer-not-taken", "find-contact", "Maybe", ["Continue"]),
        (
            "Continue,Continue,Continue,No,Yes,1001",
            "answers-ran-out",
            "check-is-user",
            None,
            ["Is User: YES", "Is User: NO"],
        ),
    ],
)
def test_json_says_why_the_walk_stopped(
    tmp_path: Path,
    answers: str,
    reason: str,
    node: str,
    answer: str | None,
    expected: list[str],
) -> None:
    done = run_cli("run", PORTAL, "--json", "--answers", answers, env=isolated_env(tmp_path))
    assert done.returncode == 1
    summary = json.loads(done.stdout)
    assert summary["status"] == "open"
    assert summary["stopped"] == {
        "reason": reason,
        "node": node,
        "answer": answer,
        "expected": expected,
    }


def test_json_says_a_quit_is_a_quit(tmp_path: Path) -> None:
    done = run_cli("run", PORTAL, "--json", env=isolated_env(tmp_path), input="Continue\n:quit\n")
    assert done.returncode == 1
    stopped = json.loads(done.stdout)["stopped"]
    assert stopped["reason"] == "quit" and stopped["node"] == "find-contact"


def test_a_var_the_tree_does_not_know_is_a_usage_error(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    done = run_cli("run", PORTAL, "--json", "--var", "contact_idd=1001", env=env)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("branchwise: --var contact_idd: tree ")
    assert "contact_id" in done.stderr and "Traceback" not in done.stderr
    known = run_cli("run", PORTAL, "--json", "--var", "contact_id=1001", env=env)
    assert known.returncode == 1 and json.loads(known.stdout)["variables"]["contact_id"] == "1001"


def test_the_plain_mode_shows_a_link_with_its_body_and_the_linked_outcome(tmp_path: Path) -> None:
    links = ROOT / "tests" / "data" / "links"
    done = run_cli(
        "run", str(links / "outer.yaml"), "--library", str(links), "--answers", ",,",
        env=isolated_env(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "↪ Continuing in: The inner guide\nNow the **inner** guide, then back here.\n" in (
        done.stdout
    )
    assert "↩ Inner done (resolved); back to the previous guide" in done.stdout


FAILING_CALL = """schema: branchwise/v1
id: tests/failing-call
version: 1
title: A call that fails
start: call
nodes:
  call:
    type: action
    title: Ask the service
    action: {uses: http.request, with: {method: POST, url: "http://127.0.0.1:9/x"}}
    routes: [{label: Done, goto: done}]
  done: {type: outcome, title: Done, status: resolved}
"""


def test_json_says_a_failed_call_stopped_the_walk(tmp_path: Path) -> None:
    tree = tmp_path / "failing.yaml"
    tree.write_text(FAILING_CALL, encoding="utf-8")
    (tmp_path / "config.toml").write_text('[http]\nallowed_hosts = ["127.0.0.1"]\n', "utf-8")
    done = run_cli("run", str(tree), "--json", "--answers", "y", env=isolated_env(tmp_path))
    assert done.returncode == 1
    assert json.loads(done.stdout)["stopped"] == {
        "reason": "action-failed",
        "node": "call",
        "answer": None,
        "expected": ["Try again", "Do it by hand"],
    }
