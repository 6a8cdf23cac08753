"""A tree whose patterns could backtrack for ages is refused before any walk; others walk alike."""

from __future__ import annotations

import json
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
  code: {type: input, title: Error code, var: code, pattern: '^[A-Z]+-(\\d+\\.)*\\d+$', next: done}
  done: {type: outcome, status: resolved, title: Done}
"""
FIXED = TREE.replace("'^(a|aa)+$'", "'^a+$'")


def write_tree(tmp_path: Path, text: str) -> str:
    path = tmp_path / "slow.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_validate_refuses_a_slow_pattern_at_its_place(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    tree = write_tree(tmp_path, TREE)
    result = run_cli("validate", tree, env=env)
    assert result.returncode == 1
    assert f"{tree}:12:59: error: this pattern can take exponential time" in result.stdout
    assert "'a|aa' has alternatives that start alike inside '(a|aa)+'" in result.stdout
    listed = json.loads(run_cli("validate", tree, "--format", "json", env=env).stdout)
    assert [(p["rule"], p["line"], p["column"], p["node"]) for p in listed] == [
        ("slow-pattern", 12, 59, "kind")
    ]


def test_run_refuses_the_tree_and_names_the_problem(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    result = run_cli("run", write_tree(tmp_path, TREE), "--answers", "aaaa", env=env)
    assert result.returncode == 1
    assert "(slow-pattern)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_tree_with_clear_patterns_walks_and_checks_its_input(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    tree = write_tree(tmp_path, FIXED)
    assert run_cli("validate", tree, env=env).returncode == 0
    result = run_cli("run", tree, "--answers", f"{'a' * 40}!,Other model,E-1.2.3", env=env)
    assert result.returncode == 0, result.stderr
    assert "Early model" not in result.stdout
    assert "Finished: resolved" in result.stdout
    result = run_cli("run", tree, "--answers", f"{'a' * 40}!,Other model,E-1..2", env=env)
    assert result.returncode == 1
    assert "'E-1..2' does not have the expected form" in result.stderr
