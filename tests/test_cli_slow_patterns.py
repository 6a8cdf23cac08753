"""`branchwise run` on a tree whose patterns backtrack for ages ends with a clear result."""

from __future__ import annotations

from pathlib import Path

from tests.cli import isolated_env, run_cli

TREE = """\
schema: branchwise/v1
id: t/slow-patterns
version: 1
title: Slow patterns
start: serial
nodes:
  serial: {type: input, title: Serial number, var: serial, next: kind}
  kind:
    type: question
    title: Which kind?
    choices:
      - {label: Early model, when: {var: serial, matches: '^(a|aa)+$'}, goto: done}
      - {label: Other model, goto: code}
  code: {type: input, title: Error code, var: code, pattern: '^(a+)+$|^(b|bb)+$', next: done}
  done: {type: outcome, status: resolved, title: Done}
"""
LONG = "a" * 40 + "!"


def write_tree(tmp_path: Path) -> Path:
    path = tmp_path / "slow.yaml"
    path.write_text(TREE, encoding="utf-8")
    return path


def test_a_slow_condition_hides_its_choice_and_the_walk_ends(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    tree = str(write_tree(tmp_path))
    result = run_cli("run", tree, "--answers", f"{LONG},Other model,aaaa", env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "1) Other model" in result.stdout
    assert "Early model" not in result.stdout
    assert "Finished: resolved" in result.stdout


def test_a_slow_input_pattern_refuses_the_value_with_its_reason(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    tree = str(write_tree(tmp_path))
    answers = f"ab,Other model,{'b' * 40}!"
    result = run_cli("run", tree, "--answers", answers, env=env, timeout=60)
    assert result.returncode == 1
    assert "could not be checked against the pattern" in result.stderr
    assert "in time" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli("run", tree, "--answers", f"ab,Other model,{LONG}", env=env, timeout=60)
    assert result.returncode == 1
    assert "does not have the expected form" in result.stderr
