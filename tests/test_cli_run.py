"""`branchwise run` for real in a subprocess: scripted and piped walks, plain mode, sessions."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from engine.authoring.scenarios import Scenario, scenarios_in
from engine.library.index import Library
from engine.tree.model import Outcome, Tree
from engine.tree.reader import read_file
from engine.walk.action_runner import ActionRunner
from engine.walk.walker import Walk
from tests.cli import CLI, ROOT, isolated_env, run_cli
from tests.fakes.paya_server import (
    DEVELOPER_ID,
    USER_API_KEY,
    USER_CONTACT_ID,
    USER_ID,
    FakeServer,
)

pytest_plugins = ["tests.fakes.fixtures"]

BUNDLED = ROOT / "trees"
CREDENTIALS = (DEVELOPER_ID, USER_ID, USER_API_KEY)


# Running the command.


def branchwise(
    env: Mapping[str, str], *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=env, input=stdin)


def summary_of(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The --json object: the whole of stdout, one JSON object."""
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def paya_env(tmp_path: Path, server: FakeServer, api_key: str = USER_API_KEY) -> dict[str, str]:
    return isolated_env(
        tmp_path,
        BRANCHWISE_PAYA_BASE_URL=server.url,
        BRANCHWISE_PAYA_DEVELOPER_ID=DEVELOPER_ID,
        BRANCHWISE_PAYA_USER_ID=USER_ID,
        BRANCHWISE_PAYA_USER_API_KEY=api_key,
        BRANCHWISE_PAYA_TIMEOUT="5",
    )


def stored_sessions(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return [(r[0], r[1]) for r in conn.execute("SELECT id, status FROM sessions")]


# The bundled trees' scenarios, turned into command lines.


@dataclass(frozen=True)
class Planned:
    """A scenario as the CLI walks it: its answers, and whether its action calls must fail."""

    scenario: Scenario
    answers: tuple[str, ...]
    failing: bool


def bundled_scenarios() -> list[Scenario]:
    found = []
    for path in sorted(BUNDLED.rglob("*.test.yaml")):
        found += scenarios_in(read_file(path).data, str(path), None)
    return found


def _failing_stub(stub: Any) -> bool:
    return isinstance(stub, Mapping) and set(stub) == {"error"}


def plan(scenario: Scenario, library: Library) -> Planned:
    """The CLI's answers for a scenario.

    Stubbed results cannot be given to a real process. A scenario whose stubs succeed is
    walked with --manual, so the route each call took is inserted as the answer given by hand;
    one whose stubs fail is walked against a Paya server that refuses every call, so each call
    fails for real and takes its on_error route.
    """
    failing = any(_failing_stub(s) for s in scenario.stubs.values())
    assert not failing or all(_failing_stub(s) for s in scenario.stubs.values()), (
        f"{scenario.name}: stubs that fail and stubs that succeed in one scenario"
    )
    runner = ActionRunner(stubs=scenario.stubs)
    tree = library.load(scenario.tree_id)
    walk = Walk(tree, resolve_tree=library.load, runner=runner, variables=scenario.variables)
    answers: list[str] = []
    for answer in [*scenario.answers, None]:
        while walk.pending_call() is not None:
            visit = walk.current
            walk.run_pending()
            if not failing:
                assert visit.action is not None and visit.action.route is not None
                answers.append(visit.action.route)
        if answer is not None:
            walk.answer(answer)
            answers.append(answer)
    assert walk.finished, f"{scenario.name}: the scenario does not reach an outcome"
    return Planned(scenario, tuple(answers), failing)


def escape(answer: str) -> str:
    return answer.replace("\\", "\\\\").replace(",", "\\,")


SCENARIOS = bundled_scenarios()
SCENARIO_IDS = [f"{s.tree_id}: {s.name}" for s in SCENARIOS]


@pytest.fixture(scope="module")
def bundled() -> Library:
    return Library([BUNDLED])


def scenario_env(planned: Planned, tmp_path: Path, server: FakeServer) -> dict[str, str]:
    if planned.failing:
        return paya_env(tmp_path, server, api_key="wrong-key")
    return isolated_env(tmp_path)


def check_expected(summary: Mapping[str, Any], scenario: Scenario) -> None:
    expect = scenario.expect
    assert summary["status"] == expect["status"]
    assert summary["outcome"] == expect["outcome"]
    if "path" in expect:
        assert summary["path"] == list(expect["path"])
    for name, value in (expect.get("variables") or {}).items():
        assert summary["variables"][name] == value


def vars_args(scenario: Scenario) -> list[str]:
    return [f"--var={k}={v}" for k, v in scenario.variables.items()]


@pytest.mark.parametrize("via", ["answers", "stdin"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=SCENARIO_IDS)
def test_every_bundled_scenario_reaches_its_outcome(
    scenario: Scenario, via: str, bundled: Library, tmp_path: Path, paya_server: FakeServer
) -> None:
    planned = plan(scenario, bundled)
    args = ["run", scenario.tree_id, "--json", *vars_args(scenario)]
    if not planned.failing:
        args.append("--manual")
    stdin = "".join(f"{a}\n" for a in planned.answers)
    if via == "answers":
        args += ["--answers", ",".join(escape(a) for a in planned.answers)]
        stdin = ""
    done = branchwise(scenario_env(planned, tmp_path, paya_server), *args, stdin=stdin)
    assert done.returncode == 0, done.stderr
    summary = summary_of(done)
    check_expected(summary, scenario)
    stored = stored_sessions(tmp_path / "sessions.sqlite3")
    assert stored == [(summary["session"], scenario.expect["status"])]
    if planned.failing:
        assert paya_server.requests, "the calls were made, and refused"


def test_the_scenarios_reach_every_outcome_of_every_bundled_tree(bundled: Library) -> None:
    reached = set()
    for scenario in SCENARIOS:
        planned = plan(scenario, bundled)
        walk = _walked(planned, bundled)
        reached |= {(v.tree_id, v.node_id) for v in walk.visits}
    trees: list[Tree] = [bundled.load(tree_id) for tree_id in sorted(bundled.ids)]
    outcomes = {
        (t.id, node.id) for t in trees for node in t.nodes.values() if isinstance(node, Outcome)
    }
    assert outcomes and outcomes <= reached, f"never reached: {sorted(outcomes - reached)}"


def _walked(planned: Planned, library: Library) -> Walk:
    stubs = planned.scenario.stubs
    walk = Walk(
        library.load(planned.scenario.tree_id),
        resolve_tree=library.load,
        runner=ActionRunner(stubs=stubs),
        variables=planned.scenario.variables,
    )
    for answer in planned.scenario.answers:
        walk.run_pending()
        walk.answer(answer)
    walk.run_pending()
    return walk


# The JSON object, stopping short, wrong answers.

PORTAL = "paya-connect/customer-portal-access"


def test_json_prints_exactly_the_session_object(tmp_path: Path) -> None:
    done = branchwise(isolated_env(tmp_path), "run", PORTAL, "--answers", "1,1,1,y,1,1", "--json")
    assert done.returncode == 0, done.stderr
    summary = summary_of(done)
    assert list(summary) == ["session", "tree", "version", "status", "outcome", "path", "variables"]
    assert summary["tree"] == PORTAL and summary["version"] == 1
    assert summary["status"] == "resolved" and summary["outcome"] == "done-user-created"
    assert summary["path"][0] == "open-contacts" and summary["path"][-1] == "done-user-created"
    assert isinstance(summary["session"], str) and summary["variables"] == {}
    assert done.stderr == ""


def test_a_wrong_answer_stops_with_exit_1_and_lists_the_expected(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    done = branchwise(env, "run", PORTAL, "--answers", "Continue,Continue,Continue,Perhaps")
    assert done.returncode == 1
    assert "'Perhaps' is not an answer here; expected one of: 1 Yes (y), 2 No" in done.stderr
    assert "create-user-visible" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_wrong_answer_on_stdin_stops_too(tmp_path: Path) -> None:
    done = branchwise(isolated_env(tmp_path), "run", PORTAL, "--json", stdin="Continue\nnope\n")
    assert done.returncode == 1
    assert "'nope' is not an answer here; expected one of: 1 Continue" in done.stderr
    assert summary_of(done)["status"] == "open"


def test_a_bad_input_value_says_why(tmp_path: Path) -> None:
    answers = "Continue,Continue,Continue,No,Yes,not valid!"
    done = branchwise(isolated_env(tmp_path), "run", PORTAL, "--answers", answers)
    assert done.returncode == 1
    assert "'not valid!' does not have the expected form" in done.stderr


def test_running_out_of_answers_leaves_the_session_open(tmp_path: Path) -> None:
    done = branchwise(
        isolated_env(tmp_path), "run", PORTAL, "--answers", "Continue,Continue", "--json"
    )
    assert done.returncode == 1
    summary = summary_of(done)
    assert summary["status"] == "open" and summary["outcome"] is None
    assert summary["path"] == ["open-contacts", "find-contact", "open-profile"]
    assert "out of answers (at 'open-profile' (Open the Profile tab))" in done.stderr
    assert f"Resume with: branchwise run {PORTAL} --resume {summary['session']}" in done.stderr
    assert stored_sessions(tmp_path / "sessions.sqlite3") == [(summary["session"], "open")]
    resumed = branchwise(
        isolated_env(tmp_path),
        "run",
        "--resume",
        summary["session"],
        "--answers",
        "1,y,1,1",
        "--json",
    )
    assert resumed.returncode == 0, resumed.stderr
    assert summary_of(resumed)["outcome"] == "done-user-created"
    assert summary_of(resumed)["session"] == summary["session"]


def test_commas_can_be_escaped_in_answers(tmp_path: Path) -> None:
    answers = "Continue,Continue,Continue,No,Yes,abc-1,Is User: NO,No\\, still no button"
    done = branchwise(isolated_env(tmp_path), "run", PORTAL, "--answers", answers, "--json")
    assert done.returncode == 0, done.stderr
    assert summary_of(done)["outcome"] == "escalated-solution-provider"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", PORTAL, "--var", "novalue"], "--var 'novalue': expected NAME=VALUE"),
        (["run", "no/such-tree"], "no tree 'no/such-tree' in the library"),
        (["run", "missing.yaml"], "no tree file at missing.yaml"),
        (["run"], "run needs a TREE"),
        (["run", PORTAL, "--plain", "--watch"], "--watch needs the terminal app"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    done = branchwise(isolated_env(tmp_path), *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_session_cannot_be_resumed(tmp_path: Path) -> None:
    done = branchwise(isolated_env(tmp_path), "run", "--resume", "feedbeef")
    assert done.returncode == 1
    assert "no session 'feedbeef'" in done.stderr


def test_help_describes_the_options(tmp_path: Path) -> None:
    done = branchwise(isolated_env(tmp_path), "run", "--help")
    assert done.returncode == 0
    for option in ("--answers", "--var", "--json", "--manual", "--dry-run", "--resume", ":back"):
        assert option in done.stdout


# The plain line mode.


def test_plain_mode_shows_nodes_numbered_choices_and_keys(tmp_path: Path) -> None:
    done = branchwise(isolated_env(tmp_path), "run", PORTAL, stdin="\n\n\ny\n\n\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "[1] Open Contacts from the left menu" in out
    assert "Ask the merchant to log in to **Paya Connect** and click" in out
    assert "\n  1) Yes  [y]\n  2) No\n> y\n" in out
    assert "[7] Contact user created (resolved)" in out
    assert "Finished: resolved." in out


def test_back_note_and_quit_in_plain_mode(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    lines = (
        "Continue\nContinue\n:note on step three\n:back\n:note merchant is on the phone\n"
        ":help\nContinue\n:quit\n"
    )
    done = branchwise(env, "run", PORTAL, "--plain", stdin=lines)
    assert done.returncode == 1
    assert "  Noted.\n" in done.stdout
    assert "Going back: 1 answer(s) forgotten." in done.stdout
    assert ":restart" in done.stdout  # the help
    assert done.stdout.count("[2] Search for the contact") == 2  # shown again after :back
    assert "stopped on request (at 'open-profile'" in done.stderr
    session_id = stored_sessions(tmp_path / "sessions.sqlite3")[0][0]
    assert f"--resume {session_id}" in done.stderr

    from engine.sessions.store import Store

    with Store(tmp_path / "sessions.sqlite3") as store:
        record = store.load(session_id)
    assert record.status == "open"
    assert [s.node_id for s in record.steps] == ["open-contacts", "find-contact", "open-profile"]
    notes = [(s.node_id, n.text) for s in record.steps for n in s.notes]
    assert notes == [("find-contact", "merchant is on the phone")]
    dropped = [(s.node_id, n.text) for r in record.rewinds for s in r.dropped for n in s.notes]
    assert dropped == [("open-profile", "on step three")]  # kept with what going back dropped

    resumed = branchwise(env, "run", "--resume", session_id, "--answers", "1,No,No", "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert summary_of(resumed)["outcome"] == "escalated-solution-provider"


def test_restart_and_an_unknown_command(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    done = branchwise(env, "run", PORTAL, "--plain", stdin="Continue\n:restart\n:bogus\n")
    assert done.returncode == 1
    assert done.stdout.count("[1] Open Contacts from the left menu") == 2
    assert "unknown command ':bogus'; type :help for the list" in done.stderr


def test_a_doubled_colon_gives_an_answer_starting_with_a_colon(tmp_path: Path) -> None:
    tree = tmp_path / "colon.yaml"
    tree.write_text(
        "schema: branchwise/v1\nid: tests/colon\nversion: 1\ntitle: Colon\nstart: ask\nnodes:\n"
        "  ask: {type: input, title: Anything, var: word, next: end}\n"
        "  end: {type: outcome, status: resolved, title: Done}\n",
        encoding="utf-8",
    )
    done = branchwise(isolated_env(tmp_path), "run", str(tree), "--json", stdin="::back\n")
    assert done.returncode == 0, done.stderr
    assert summary_of(done)["variables"] == {"word": ":back"}


HOSTILE = """\
schema: branchwise/v1
id: tests/hostile
version: 1
title: "Hostile \\e[2J[bold]tree[/bold]"
start: ask
nodes:
  ask:
    type: question
    title: "Pick [link=https://evil.example]one[/link]\\e]8;;x\\a"
    body: "Body with \\e[31mred\\e[0m and [red]markup[/red]"
    choices:
      - {label: "Clear \\e[2J screen", key: c, goto: name}
      - {label: "[bold]Bold[/bold]", goto: name}
  name:
    type: input
    title: "Name?"
    var: name
    next: end
  end:
    type: outcome
    status: resolved
    title: "Hello {{ name }}"
"""


def test_markup_and_escapes_from_a_tree_or_an_answer_are_shown_literally(tmp_path: Path) -> None:
    tree = tmp_path / "hostile.yaml"
    tree.write_text(HOSTILE, encoding="utf-8")
    typed = "Eve \x1b[2J[blink]x[/blink]\x07"
    done = branchwise(isolated_env(tmp_path), "run", str(tree), stdin=f"1\n{typed}\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "Pick [link=https://evil.example]one[/link]]8;;x" in out
    assert "Body with [31mred[0m and [red]markup[/red]" in out
    assert "  1) Clear [2J screen  [c]\n  2) [bold]Bold[/bold]\n" in out
    assert "> Eve [2J[blink]x[/blink]\n" in out
    assert "Hello Eve [2J[blink]x[/blink] (resolved)" in out


# Actions against the fake Paya Connect server.


def test_an_automatic_lookup_shows_the_call_its_result_and_route(
    tmp_path: Path, paya_server: FakeServer
) -> None:
    env = paya_env(tmp_path, paya_server)
    answers = f"Continue,Continue,Continue,No,Yes,{USER_CONTACT_ID},Continue"
    done = branchwise(env, "run", PORTAL, "--answers", answers)
    assert done.returncode == 0, done.stderr
    url = f"{paya_server.url}/v2/contacts/{USER_CONTACT_ID}?expand=user"
    assert f"Calling paya.get_contact (GET {url})…\n" in done.stdout
    assert "  Result: is_user=true, id=" in done.stdout
    assert "  → Is User: YES\n" in done.stdout
    assert "[9] Customer told how to log in (resolved)" in done.stdout
    assert len(paya_server.requests) == 1
    leaked = [c for c in CREDENTIALS if c in done.stdout + done.stderr]
    assert leaked == []


def test_a_refused_lookup_takes_the_error_route(tmp_path: Path, paya_server: FakeServer) -> None:
    env = paya_env(tmp_path, paya_server, api_key="not-the-key")
    answers = "Continue,Continue,Continue,No,Yes,abc-1,y,Continue"
    done = branchwise(env, "run", PORTAL, "--answers", answers, "--json")
    assert done.returncode == 0, done.stderr
    summary = summary_of(done)
    assert summary["outcome"] == "done-advised"
    assert "lookup-failed" in summary["path"]
    assert "not-the-key" not in done.stdout + done.stderr


NO_ON_ERROR = """\
schema: branchwise/v1
id: tests/no-on-error
version: 1
title: Lookup without an error route
start: look
nodes:
  look:
    type: action
    title: Look up the contact
    action: {uses: paya.get_contact, with: {contact_id: "11efffffffffffffffffffff"}}
    routes:
      - {label: "Found", goto: end}
    manual: Look the contact up yourself.
  end: {type: outcome, status: resolved, title: Done}
"""


def test_a_failure_without_error_route_offers_retry_or_by_hand(
    tmp_path: Path, paya_server: FakeServer
) -> None:
    tree = tmp_path / "no-on-error.yaml"
    tree.write_text(NO_ON_ERROR, encoding="utf-8")
    env = paya_env(tmp_path, paya_server)
    done = branchwise(env, "run", str(tree), "--answers", "Try again,h,Found", "--json")
    assert done.returncode == 0, done.stderr
    assert len(paya_server.requests) == 2  # the first call and the retry
    assert summary_of(done)["outcome"] == "end"
    stopped = branchwise(env, "run", str(tree), "--answers", "")
    assert stopped.returncode == 1
    assert "no contact has id '11efffffffffffffffffffff' in Paya Connect (404)" in stopped.stdout


GRANT = """\
schema: branchwise/v1
id: tests/grant
version: 1
title: Grant portal access
start: token
variables:
  token: {{label: Admin token, secret: true}}
nodes:
  token:
    type: input
    title: Admin token
    var: token
    next: grant
  grant:
    type: action
    title: Grant access
    action:
      uses: http.request
      with:
        method: POST
        url: "{base}/grant?token={{{{ token }}}}"
        json: {{who: ann, token: "{{{{ token }}}}"}}
      save_as: granted
    routes:
      - {{label: Granted, goto: end}}
    on_error: failed
    manual: Grant access in the admin console.
  end: {{type: outcome, status: resolved, title: Granted}}
  failed: {{type: outcome, status: unresolved, title: Not granted}}
"""
PLANTED_TOKEN = "tok-PLANTED-7d1c"
OPERATOR_SECRET = "op-header-PLANTED-42"


def grant_setup(tmp_path: Path, server: FakeServer) -> tuple[Path, dict[str, str]]:
    tree = tmp_path / "grant.yaml"
    tree.write_text(GRANT.format(base=server.url), encoding="utf-8")
    (tmp_path / "config.toml").write_text(
        f'[http]\nallowed_hosts = ["{server.host}"]\n'
        f'[http.headers."{server.host}"]\nX-Admin = "{OPERATOR_SECRET}"\n',
        encoding="utf-8",
    )
    return tree, isolated_env(tmp_path)


def assert_nothing_leaked(tmp_path: Path, *outputs: str) -> None:
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("sessions.sqlite3*"))
    for secret in (PLANTED_TOKEN, OPERATOR_SECRET, *CREDENTIALS):
        assert all(secret not in text for text in outputs), secret
        assert secret.encode() not in stored, secret


def test_dry_run_shows_the_call_masked_and_calls_nothing(
    tmp_path: Path, echo_server: FakeServer
) -> None:
    tree, env = grant_setup(tmp_path, echo_server)
    done = branchwise(env, "run", str(tree), "--dry-run", "--answers", f"{PLANTED_TOKEN},Granted")
    assert done.returncode == 0, done.stderr
    assert echo_server.requests == []
    assert (
        f"Dry run: would call http.request (POST {echo_server.url}/grant?token=•••)" in done.stdout
    )
    assert "By hand (dry run: this call changes things, so it is not made):" in done.stdout
    assert "> •••\n" in done.stdout  # the secret input is not echoed
    assert_nothing_leaked(tmp_path, done.stdout, done.stderr)


def test_dry_run_still_makes_read_only_calls_without_leaking_credentials(
    tmp_path: Path, paya_server: FakeServer
) -> None:
    env = paya_env(tmp_path, paya_server)
    answers = f"Continue,Continue,Continue,No,Yes,{USER_CONTACT_ID},Continue"
    done = branchwise(env, "run", PORTAL, "--dry-run", "--answers", answers, "--json")
    assert done.returncode == 0, done.stderr
    assert summary_of(done)["outcome"] == "done-advised"
    assert len(paya_server.requests) == 1
    assert_nothing_leaked(tmp_path, done.stdout, done.stderr)


def test_a_side_effect_call_asks_first_and_runs_on_yes(
    tmp_path: Path, echo_server: FakeServer
) -> None:
    tree, env = grant_setup(tmp_path, echo_server)
    done = branchwise(env, "run", str(tree), "--answers", f"{PLANTED_TOKEN},yes")
    assert done.returncode == 0, done.stderr
    assert "Run it? [y/N]\n> yes\n" in done.stdout
    assert f"Calling http.request (POST {echo_server.url}/grant?token=•••)…" in done.stdout
    assert len(echo_server.requests) == 1
    assert echo_server.requests[0].headers["x-admin"] == OPERATOR_SECRET  # sent, never shown
    assert_nothing_leaked(tmp_path, done.stdout, done.stderr)


def test_declining_a_side_effect_call_does_it_by_hand(
    tmp_path: Path, echo_server: FakeServer
) -> None:
    tree, env = grant_setup(tmp_path, echo_server)
    done = branchwise(env, "run", str(tree), "--answers", f"{PLANTED_TOKEN},no,Granted", "--json")
    assert done.returncode == 0, done.stderr
    assert echo_server.requests == []
    assert summary_of(done)["variables"] == {"token": "•••"}
    wrong = branchwise(env, "run", str(tree), "--answers", f"{PLANTED_TOKEN},perhaps")
    assert wrong.returncode == 1
    assert "'perhaps' is not an answer here; expected yes or no" in wrong.stderr


def test_going_back_past_a_call_with_side_effects_warns(
    tmp_path: Path, echo_server: FakeServer
) -> None:
    tree, env = grant_setup(tmp_path, echo_server)
    tree.write_text(
        tree.read_text().replace("goto: end}", "goto: check}")
        + "  check:\n    type: question\n    title: Works?\n    choices:\n"
        "      - {label: 'Yes', goto: end}\n",
        encoding="utf-8",
    )
    done = branchwise(env, "run", str(tree), "--plain", stdin=f"{PLANTED_TOKEN}\ny\n:back\n")
    assert done.returncode == 1
    assert "Warning: http.request (" in done.stdout
    assert "already ran and going back does not undo it." in done.stdout
    assert_nothing_leaked(tmp_path, done.stdout, done.stderr)


def reading_setup(tmp_path: Path, server: FakeServer, method: str) -> tuple[Path, dict[str, str]]:
    """The grant tree with a read (GET or HEAD) in place of its POST, and a question after it."""
    tree, env = grant_setup(tmp_path, server)
    tree.write_text(
        tree.read_text()
        .replace("method: POST", f"method: {method}")
        .replace("goto: end}", "goto: check}")
        + "  check:\n    type: question\n    title: Works?\n    choices:\n"
        "      - {label: 'Yes', goto: end}\n",
        encoding="utf-8",
    )
    return tree, env


@pytest.mark.parametrize("method", ["GET", "head"])
def test_a_get_or_head_request_is_no_side_effect_dry_run_makes_it(
    tmp_path: Path, echo_server: FakeServer, method: str
) -> None:
    tree, env = reading_setup(tmp_path, echo_server, method)
    done = branchwise(env, "run", str(tree), "--dry-run", "--answers", f"{PLANTED_TOKEN},Yes")
    assert done.returncode == 0, done.stderr
    assert [r.method for r in echo_server.requests] == [method.upper()]
    assert "Run it? [y/N]" not in done.stdout  # nothing to confirm: it changes nothing
    assert "Dry run: would call" not in done.stdout
    assert_nothing_leaked(tmp_path, done.stdout, done.stderr)


def test_going_back_past_a_get_request_does_not_warn(
    tmp_path: Path, echo_server: FakeServer
) -> None:
    tree, env = reading_setup(tmp_path, echo_server, "GET")
    done = branchwise(env, "run", str(tree), "--plain", stdin=f"{PLANTED_TOKEN}\n:back\n")
    assert len(echo_server.requests) == 1
    assert "[3] Works?" in done.stdout  # the call was made and routed on
    assert "Going back: 2 answer(s) forgotten." in done.stdout
    assert "Warning:" not in done.stdout
    assert "already ran" not in done.stdout


# A crash loses nothing.


def wait_for_steps(db: Path, count: int, timeout: float = 20.0) -> str:
    """The session id once the store holds `count` steps of it (polling, as another reader)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                    rows = conn.execute(
                        "SELECT session_id, count(*) FROM steps GROUP BY session_id"
                    ).fetchall()
            except sqlite3.OperationalError:
                rows = []
            if rows and rows[0][1] >= count:
                return str(rows[0][0])
        time.sleep(0.05)
    raise AssertionError(f"the store never held {count} steps")


def test_a_walk_killed_with_sigkill_resumes_with_every_step_shown(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    process = subprocess.Popen(
        [*CLI, "run", PORTAL, "--plain"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    for answer in ("Continue", "Continue", "Continue", "No", "Yes"):
        process.stdin.write(answer + "\n")
        process.stdin.flush()
    seen: list[str] = []
    while not seen or seen[-1] != "  Contact ID\n":  # the sixth node is on the screen
        line = process.stdout.readline()
        assert line, "the walk ended before the sixth node"
        seen.append(line)
    session_id = wait_for_steps(tmp_path / "sessions.sqlite3", 6)
    process.send_signal(signal.SIGKILL)
    rest, _ = process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    shown = re.findall(r"^\[\d+\] (.+)$", "".join(seen) + rest, re.MULTILINE)
    assert len(shown) == 6 and shown[-1] == "Which contact is it?"

    resumed = branchwise(
        env, "run", "--resume", session_id, "--answers", "abc-1,Is User: YES,Continue", "--json"
    )
    assert resumed.returncode == 0, resumed.stderr
    summary = summary_of(resumed)
    assert summary["session"] == session_id and summary["outcome"] == "done-advised"
    library = Library([BUNDLED])
    tree = library.load(PORTAL)
    titles = [tree.nodes[node_id].title for node_id in summary["path"]]
    assert titles[: len(shown)] == shown

    from engine.sessions.store import Store

    with Store(tmp_path / "sessions.sqlite3") as store:
        record = store.load(session_id)
    assert [tree.nodes[s.node_id].title for s in record.steps][: len(shown)] == shown
    assert record.status == "resolved"


def test_a_tree_with_errors_is_refused_with_its_problems(tmp_path: Path) -> None:
    tree = tmp_path / "broken.yaml"
    tree.write_text(
        "schema: branchwise/v1\nid: tests/broken\nversion: 1\ntitle: Broken\nstart: ask\n"
        "nodes:\n  ask: {type: step, title: Ask, next: nowhere}\n",
        encoding="utf-8",
    )
    done = branchwise(isolated_env(tmp_path), "run", str(tree), "--answers", "Continue")
    assert done.returncode == 1
    assert "'next' names node 'nowhere', which does not exist (missing-target)" in done.stderr
    assert f"run 'branchwise validate {tree}'" in done.stderr
    assert "Traceback" not in done.stderr


# Without the terminal app.


def test_without_the_app_the_library_is_listed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.cli import main

    for name, value in isolated_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setitem(sys.modules, "tui.app", None)  # as if this build had no app
    assert main(["--library", str(BUNDLED)]) == 0
    out, err = capsys.readouterr()
    assert f"{PORTAL}  v1  Grant a contact access to the Customer Portal\n" in out
    assert "The terminal app is not available" in err


@pytest.mark.parametrize("recorded", [False, True], ids=["no-store", "store-opened-late"])
def test_without_the_app_a_walk_falls_back_to_plain_mode(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    recorded: bool,
) -> None:
    import io

    from engine.sessions.store import Store
    from tui.commands.run import open_walk_app
    from tui.walk_factory import WalkOptions

    monkeypatch.setitem(sys.modules, "tui.app", None)
    monkeypatch.setattr(sys, "stdin", io.StringIO("No\nNo\n"))
    library = Library([BUNDLED])
    walk = Walk(library.load(PORTAL), resolve_tree=library.load)  # as the app's start makes it
    for _ in range(3):
        walk.answer("Continue")
    path = tmp_path / "sessions.sqlite3"
    options = WalkOptions(tree=PORTAL)
    opener = (lambda: Store(path)) if recorded else None
    assert open_walk_app(options, walk, library, None, open_store=opener, resumed=False) == 0
    out, err = capsys.readouterr()
    assert "using the plain line mode" in err
    assert "[6] Contact your solution provider (escalated)" in out
    assert path.exists() == recorded
    if recorded:  # the store opened for the plain mode holds the walk from its start
        with Store(path) as store:
            record = store.load(walk.id)
        assert record.status == "escalated"
        assert [s.answer for s in record.steps] == [*["Continue"] * 3, "No", "No", None]


def test_at_a_terminal_a_bad_answer_is_asked_again_with_the_reason(tmp_path: Path) -> None:
    import pty

    controller, terminal = pty.openpty()
    with subprocess.Popen(
        [*CLI, "run", PORTAL, "--plain"],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=isolated_env(tmp_path),
    ) as process:
        os.close(terminal)
        os.write(controller, b"1\n1\n1\nmaybe\nNo\nYes\nbad value!\nabc-1\n\x04")
        out, err = process.communicate(timeout=30)
    os.close(controller)
    assert process.returncode == 1
    assert ">   ✗ 'maybe' is not an answer here; expected one of: 1 Yes (y), 2 No\n" in out
    assert "[5] Have you created other contact users in the past?" in out
    assert ">   ✗ 'bad value!' does not have the expected form\n" in out
    assert "Search for contact **abc-1** with the column-header fields" in out
    assert "input ended (at 'check-is-user' (Is the contact already a user?))" in err


def test_a_link_cycle_stops_the_walk_with_exit_1(tmp_path: Path) -> None:
    library = tmp_path / "trees"
    library.mkdir()
    head = "schema: branchwise/v1\nversion: 1\n"
    (library / "one.yaml").write_text(
        f"{head}id: t/one\ntitle: One\nstart: go\nnodes:\n"
        "  go: {type: link, title: To two, tree: t/two, next: end}\n"
        "  end: {type: outcome, status: resolved, title: Done}\n",
        encoding="utf-8",
    )
    (library / "two.yaml").write_text(
        f"{head}id: t/two\ntitle: Two\nstart: s\nnodes:\n"
        "  s: {type: step, title: In two, next: go}\n"
        "  go: {type: link, title: To one, tree: t/one}\n",
        encoding="utf-8",
    )
    env = isolated_env(tmp_path)
    done = branchwise(env, "run", "t/one", "--library", str(library), "--answers", "Continue")
    assert done.returncode == 1
    assert "↪ Continuing in: To two" in done.stdout  # the link's own title
    assert "Continuing in: To one" not in done.stdout
    assert "link cycle between trees: t/one → t/two → t/one (at 't/two:go'" in done.stderr
    assert f"--library {library}" in done.stderr


def test_a_walk_of_a_tree_outside_the_library_resumes_with_its_path(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    outside = tmp_path / "elsewhere" / "router.yaml"
    outside.parent.mkdir()
    outside.write_text((ROOT / "tests" / "data" / "scenarios" / "router.yaml").read_text())
    started = branchwise(env, "run", str(outside), "--answers", "No", "--json")
    assert started.returncode == 1
    session = summary_of(started)["session"]
    assert f"branchwise run {outside} --resume {session}" in started.stderr
    without = branchwise(env, "run", "--resume", session)
    assert without.returncode == 1
    assert "no tree 'test/router' in the library" in without.stderr
    other = branchwise(env, "run", PORTAL, "--resume", session)
    assert other.returncode == 1
    assert "walks 'test/router', not 'paya-connect/customer-portal-access'" in other.stderr
    resumed = branchwise(
        env, "run", str(outside), "--resume", session, "--answers", "Continue", "--json"
    )
    assert resumed.returncode == 0, resumed.stderr
    summary = summary_of(resumed)
    assert summary["session"] == session
    assert summary["path"] == ["power", "plug-in", "fixed"]
