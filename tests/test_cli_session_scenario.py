"""`sessions export ID --format scenario` for real: a walk becomes a scenario that `test` runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from tests.cli import ROOT, isolated_env, run_cli
from tests.fakes.paya_server import (
    DEVELOPER_ID,
    PLAIN_CONTACT_ID,
    USER_API_KEY,
    USER_CONTACT_ID,
    USER_ID,
    FakeServer,
)
from tests.test_cli_run import paya_env

pytest_plugins = ["tests.fakes.fixtures"]

PORTAL = "paya-connect/customer-portal-access"
TO_LOOKUP = "Continue,Continue,Continue,No,Yes"


def copied_trees(tmp_path: Path) -> Path:
    trees = tmp_path / "trees"
    shutil.copytree(ROOT / "trees" / "paya-connect", trees)
    return trees


def walk(env: dict[str, str], trees: Path, tree: str, answers: str, *more: str) -> str:
    done = run_cli(
        "run", tree, "--library", str(trees), "--answers", answers, "--json", *more, env=env
    )
    assert done.returncode in (0, 1), done.stderr
    session: str = json.loads(done.stdout)["session"]
    return session


def export(env: dict[str, str], session: str, output: Path) -> str:
    done = run_cli(
        "sessions", "export", session, "--format", "scenario", "-o", str(output), env=env
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


def run_test(env: dict[str, str], trees: Path, file: Path):
    return run_cli("test", str(file), "--library", str(trees), env=env)


def test_a_walk_with_a_real_lookup_becomes_a_passing_scenario_then_fails_after_an_edit(
    tmp_path: Path, paya_server: FakeServer
):
    env = paya_env(tmp_path, paya_server)
    trees = copied_trees(tmp_path)
    session = walk(env, trees, PORTAL, f"{TO_LOOKUP},{USER_CONTACT_ID},Continue")
    file = trees / "recorded.test.yaml"
    export(env, session, file)

    text = file.read_text()
    for secret in (USER_API_KEY, DEVELOPER_ID, USER_ID):
        assert secret not in text
    (scenario,) = yaml.safe_load(text)["scenarios"]
    assert scenario["answers"] == [*TO_LOOKUP.split(","), USER_CONTACT_ID, "Continue"]
    stub = scenario["actions"]["paya.get_contact"]
    assert stub["is_user"] is True and stub["id"] == USER_CONTACT_ID
    assert scenario["expect"]["outcome"] == "done-advised"
    assert scenario["expect"]["path"][-3:] == ["check-is-user", "advise-login", "done-advised"]

    # Nothing real is called when the scenario runs: the server is not even configured.
    quiet = isolated_env(tmp_path / "offline")
    passed = run_test(quiet, trees, file)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "1 passed, 0 failed" in passed.stdout

    tree_file = trees / "customer-portal-access.yaml"
    tree_file.write_text(
        tree_file.read_text().replace(
            "        goto: advise-login\n", "        goto: not-user-yet\n", 1
        )
    )
    failed = run_test(quiet, trees, file)
    assert failed.returncode == 1
    assert "FAIL" in failed.stdout
    assert (
        "the path differs at step 8: expected 'advise-login', the walk went to 'not-user-yet'"
        in failed.stdout
    )


RETRY_TREE = """\
schema: branchwise/v1
id: test/retry
version: 1
title: Look up until the contact is a user
start: which
variables:
  token: {label: Support token, secret: true}
  site: {label: Site}
nodes:
  which:
    type: input
    title: Which contact?
    var: contact_id
    next: lookup
  lookup:
    type: action
    title: Look the contact up
    action: {uses: paya.get_contact, with: {contact_id: "{{ contact_id }}"}, save_as: contact}
    routes:
      - {label: A user, goto: done, when: {var: contact.is_user, equals: true}}
      - {label: Not yet, goto: which}
    on_error: failed
  done: {type: outcome, status: resolved, title: "Found at {{ site }}"}
  failed: {type: outcome, status: unresolved, title: Lookup failed}
"""


def test_two_calls_of_one_action_become_a_list_of_stubs_and_secrets_stay_out(
    tmp_path: Path, paya_server: FakeServer
):
    env = paya_env(tmp_path, paya_server)
    trees = tmp_path / "retry"
    trees.mkdir()
    (trees / "retry.yaml").write_text(RETRY_TREE)
    session = walk(
        env,
        trees,
        "test/retry",
        f"{PLAIN_CONTACT_ID},{USER_CONTACT_ID}",
        "--var",
        "site=Austin",
        "--var",
        "token=tok-PLANTED-77",
    )
    file = trees / "retry.test.yaml"
    warned = export(env, session, file)

    text = file.read_text()
    assert "tok-PLANTED-77" not in text
    assert "branchwise: warning: --var token was a secret and is not kept" in warned
    (scenario,) = yaml.safe_load(text)["scenarios"]
    assert scenario["vars"] == {"site": "Austin"}
    assert scenario["answers"] == [PLAIN_CONTACT_ID, USER_CONTACT_ID]
    first, second = scenario["actions"]["paya.get_contact"]
    assert (first["id"], first["is_user"]) == (PLAIN_CONTACT_ID, False)
    assert (second["id"], second["is_user"]) == (USER_CONTACT_ID, True)
    assert scenario["expect"] == {
        "outcome": "done",
        "status": "resolved",
        "path": ["which", "lookup", "which", "lookup", "done"],
    }
    passed = run_test(isolated_env(tmp_path / "offline"), trees, file)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_export_as_scenario_is_in_the_help_and_an_unknown_format_is_a_usage_error(
    tmp_path: Path,
):
    env = isolated_env(tmp_path)
    shown = run_cli("sessions", "export", "--help", env=env)
    assert "scenario" in shown.stdout
    wrong = run_cli("sessions", "export", "abc", "--format", "yaml", env=env)
    assert wrong.returncode == 2
    assert "invalid choice: 'yaml'" in wrong.stderr
