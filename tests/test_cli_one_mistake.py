"""One mistake, one error (SPEC 2), through the real `branchwise validate` and `test`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cli import ROOT, isolated_env, run_cli

TYPO = """\
schema: branchwise/v1
id: cli/typo
version: 1
title: A typo
start: ask
nodes:
  ask:
    type: question
    title: Did it work?
    choises:
      - {label: "Yes", goto: done}
      - {label: "No", goto: failed}
  done: {type: outcome, status: resolved, title: Done}
  failed: {type: outcome, status: unresolved, title: Not fixed}
"""
SCENARIOS = """\
tree: cli/fixed
scenarios:
  - name: it worked
    answers: ["Yes"]
    expect: {outcome: failed}
"""


def branchwise(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=isolated_env(home, PYTHONPATH=str(ROOT)), cwd=cwd)


def test_a_misspelled_field_is_one_error_saying_what_was_meant(tmp_path: Path) -> None:
    (tmp_path / "typo.yaml").write_text(TYPO, encoding="utf-8")
    done = branchwise("validate", "typo.yaml", cwd=tmp_path, home=tmp_path)
    assert done.returncode == 1
    assert done.stdout == (
        "typo.yaml:10:5: error: node 'ask' has unknown field 'choises'; did you mean 'choices'? "
        "(allowed: body, choices, title, type) (schema)\n"
    )
    assert "1 file(s) checked: 1 error(s), 0 warning(s)" in done.stderr


def test_an_unclosed_brace_is_reported_where_it_opened(tmp_path: Path) -> None:
    text = TYPO.replace("choises", "choices").replace("goto: done}", "goto: done")
    (tmp_path / "brace.yaml").write_text(text, encoding="utf-8")
    done = branchwise("validate", "brace.yaml", cwd=tmp_path, home=tmp_path)
    assert done.stdout == (
        "brace.yaml:11:9: error: this '{' is never closed: expected ',' or '}' before line 12, "
        "column 9 (yaml-syntax)\n"
    )


def test_validate_prints_github_annotations(tmp_path: Path) -> None:
    (tmp_path / "typo.yaml").write_text(TYPO, encoding="utf-8")
    done = branchwise("validate", "--format", "github", "typo.yaml", cwd=tmp_path, home=tmp_path)
    assert done.returncode == 1
    assert done.stdout == (
        "::error file=typo.yaml,line=10,col=5,title=schema::node 'ask' has unknown field "
        "'choises'; did you mean 'choices'? (allowed: body, choices, title, type)\n"
    )


def test_test_prints_github_annotations_for_failures_and_branches_not_taken(
    tmp_path: Path,
) -> None:
    fixed = TYPO.replace("choises", "choices").replace("cli/typo", "cli/fixed")
    (tmp_path / "fixed.yaml").write_text(fixed, encoding="utf-8")
    (tmp_path / "fixed.test.yaml").write_text(SCENARIOS, encoding="utf-8")
    done = branchwise("test", "--format", "github", "fixed.yaml", cwd=tmp_path, home=tmp_path)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == (
        "::error file=fixed.test.yaml,line=3,title=scenario::it worked: expected outcome "
        "'failed', got done; the walk went ask → done"
    )
    assert (
        "::warning file=fixed.yaml,line=12,title=not-taken::no scenario takes choice 'No' of "
        "node 'ask'"
    ) in lines
    assert lines[-1] == "0 passed, 1 failed"


LINKED = """\
schema: branchwise/v1
id: cli/register
version: 1
title: Register a device
start: how
nodes:
  how:
    type: question
    title: How?
    choices:
      - {label: Type the serial, goto: serial}
      - {label: Use the scanner guide, goto: scan}
  serial: {type: input, title: Serial number, var: serial, next: done}
  scan: {type: link, tree: cli/scanner, next: done}
  done: {type: outcome, status: resolved, title: "Registered {{ serial }}"}
"""
SCANNER = """\
schema: branchwise/v1
id: cli/scanner
version: 1
title: Scan the label
start: scanned
nodes:
  scanned: {type: outcome, status: resolved, title: Scanned}
"""


def test_a_variable_unset_after_a_link_is_a_warning_naming_the_path(tmp_path: Path) -> None:
    (tmp_path / "register.yaml").write_text(LINKED, encoding="utf-8")
    (tmp_path / "scanner.yaml").write_text(SCANNER, encoding="utf-8")
    done = branchwise("validate", "register.yaml", cwd=tmp_path, home=tmp_path)
    assert done.returncode == 0
    assert done.stdout == (
        "register.yaml:15:62: warning: variable 'serial' is set on some paths to node 'done' "
        "but not on all: not on how → scan → done (unset-variable)\n"
    )
    strict = branchwise("validate", "--strict", "register.yaml", cwd=tmp_path, home=tmp_path)
    assert strict.returncode == 1
