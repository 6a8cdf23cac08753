"""`branchwise validate` and `branchwise schema` as a user runs them: the real CLI, in a process."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.cli import ROOT, isolated_env, run_cli

LINE = re.compile(
    r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): .+ \((?P<rule>[a-z-]+)\)$"
)
SPEC_COMMANDS = ("run", "validate", "test", "graph", "sessions", "stats", "import")
CLEAN = """\
schema: branchwise/v1
id: cli/clean
version: 1
title: A clean tree
start: ask
nodes:
  ask:
    type: question
    title: Did it work?
    choices:
      - {label: "Yes", key: y, goto: done}
      - {label: "No", key: n, goto: failed}
  done: {type: outcome, status: resolved, title: Done}
  failed: {type: outcome, status: unresolved, title: Not fixed}
"""
UNREACHABLE = CLEAN.replace(
    "  failed:", "  orphan: {type: outcome, status: escalated, title: Orphan}\n  failed:"
)
MISSING = CLEAN.replace(
    "goto: failed}\n", "goto: failed}\n      - {label: Maybe, goto: later}\n"
).replace("id: cli/clean", "id: cli/missing")
BROKEN = "schema: branchwise/v1\nid: cli/broken\ntitle: 'never closed\n"


def branchwise(*args: str, cwd: Path = ROOT, env_dir: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH: tui.entry must import when cwd is a folder of trees rather than the checkout.
    return run_cli(*args, env=isolated_env(env_dir, PYTHONPATH=str(ROOT)), cwd=cwd)


@pytest.fixture
def trees(tmp_path: Path) -> Path:
    folder = tmp_path / "trees"
    folder.mkdir()
    return folder


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_clean_tree_exits_0_and_prints_nothing_on_stdout(trees: Path, tmp_path: Path) -> None:
    write(trees, "clean.yaml", CLEAN)
    result = branchwise("validate", str(trees), env_dir=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")
    assert "1 file(s) checked: 0 error(s), 0 warning(s)" in result.stderr


def test_text_lines_are_path_line_col_severity_message_rule(trees: Path, tmp_path: Path) -> None:
    path = write(trees, "missing.yaml", MISSING)
    result = branchwise("validate", str(path), env_dir=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{path}:13:30: error: 'goto' names node 'later', which does not exist (missing-target)"
    ]


def test_a_relative_path_is_printed_as_given(trees: Path, tmp_path: Path) -> None:
    write(trees, "missing.yaml", MISSING)
    result = branchwise("validate", "missing.yaml", cwd=trees, env_dir=tmp_path)
    assert result.stdout.startswith("missing.yaml:13:30: error: ")


def test_json_format(trees: Path, tmp_path: Path) -> None:
    path = write(trees, "missing.yaml", MISSING)
    result = branchwise("validate", "--format", "json", str(path), env_dir=tmp_path)
    assert result.returncode == 1
    rows = json.loads(result.stdout)
    assert rows == [
        {
            "path": str(path),
            "line": 13,
            "column": 30,
            "severity": "error",
            "rule": "missing-target",
            "message": "'goto' names node 'later', which does not exist",
            "node": "ask",
        }
    ]


def test_json_of_a_clean_tree_is_an_empty_list(trees: Path, tmp_path: Path) -> None:
    write(trees, "clean.yaml", CLEAN)
    result = branchwise("validate", "--format", "json", str(trees), env_dir=tmp_path)
    assert (result.returncode, json.loads(result.stdout)) == (0, [])


def test_a_warning_fails_only_with_strict(trees: Path, tmp_path: Path) -> None:
    path = write(trees, "orphan.yaml", UNREACHABLE)
    lenient = branchwise("validate", str(path), env_dir=tmp_path)
    strict = branchwise("validate", "--strict", str(path), env_dir=tmp_path)
    expected = (
        f"{path}:14:3: warning: no path from start 'ask' reaches node 'orphan' (unreachable)\n"
    )
    assert (lenient.returncode, lenient.stdout) == (0, expected)
    assert (strict.returncode, strict.stdout) == (1, expected)


def test_a_missing_path_is_a_usage_error(trees: Path, tmp_path: Path) -> None:
    write(trees, "clean.yaml", CLEAN)
    result = branchwise("validate", str(trees), str(trees / "nope.yaml"), env_dir=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "no such file or directory" in result.stderr and "nope.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_options_are_usage_errors(trees: Path, tmp_path: Path) -> None:
    assert branchwise("validate", env_dir=tmp_path).returncode == 2
    bad_format = branchwise("validate", "--format", "xml", str(trees), env_dir=tmp_path)
    assert bad_format.returncode == 2 and "invalid choice" in bad_format.stderr


def test_a_broken_file_never_stops_the_others_and_output_is_sorted(
    trees: Path, tmp_path: Path
) -> None:
    write(trees, "b-missing.yaml", MISSING)
    write(trees, "a-broken.yaml", BROKEN)
    write(trees, "c-orphan.yaml", UNREACHABLE.replace("cli/clean", "cli/orphan"))
    write(trees, "nested/d-bytes.yaml", "")
    (trees / "nested" / "d-bytes.yaml").write_bytes(b"schema: branchwise/v1\ntitle: caf\xe9\n")
    write(trees, "clean.test.yaml", "this is: [a scenario file, not a tree")
    result = branchwise("validate", str(trees), env_dir=tmp_path)
    assert result.returncode == 1
    found = [LINE.match(line) for line in result.stdout.splitlines()]
    assert all(found), result.stdout
    summary = [(Path(m["path"]).name, int(m["line"]), m["rule"]) for m in found if m]
    assert summary == [
        ("a-broken.yaml", 3, "yaml-syntax"),
        ("b-missing.yaml", 13, "missing-target"),
        ("c-orphan.yaml", 14, "unreachable"),
        ("d-bytes.yaml", 2, "yaml-syntax"),
    ]
    assert "4 file(s) checked: 3 error(s), 1 warning(s)" in result.stderr


def test_problems_in_one_file_are_sorted_by_line(trees: Path, tmp_path: Path) -> None:
    text = MISSING.replace("goto: done}", "goto: dne}").replace("start: ask", "start: asc")
    # Unreachable is not checked when start is missing, so these are all the problems.
    path = write(trees, "many.yaml", text)
    result = branchwise("validate", str(path), env_dir=tmp_path)
    lines = [
        (int(m["line"]), int(m["col"])) for m in map(LINE.match, result.stdout.splitlines()) if m
    ]
    assert lines == [(5, 8), (11, 38), (13, 30)]


def test_duplicate_tree_ids_across_files(trees: Path, tmp_path: Path) -> None:
    write(trees, "one.yaml", CLEAN)
    second = write(trees, "two.yaml", CLEAN)
    result = branchwise("validate", str(trees), env_dir=tmp_path)
    assert result.returncode == 1
    assert result.stdout == (
        f"{second}:2:5: error: tree id 'cli/clean' is already used by {trees / 'one.yaml'} "
        "(duplicate-tree-id)\n"
    )


def test_schema_prints_the_committed_schema(tmp_path: Path) -> None:
    result = branchwise("schema", env_dir=tmp_path)
    assert result.returncode == 0
    committed = (ROOT / "engine" / "schema" / "tree.schema.json").read_text("utf-8")
    assert json.loads(result.stdout) == json.loads(committed)
    assert result.stdout == committed


def test_help_lists_every_command_of_the_spec(tmp_path: Path) -> None:
    result = branchwise("--help", env_dir=tmp_path)
    assert result.returncode == 0
    listed = set(re.findall(r"^    (\w+)\s", result.stdout, flags=re.MULTILINE))
    assert set(SPEC_COMMANDS) <= listed
    for command in SPEC_COMMANDS:
        own = branchwise(command, "--help", env_dir=tmp_path)
        assert own.returncode == 0, command
        assert own.stdout.startswith(f"usage: branchwise {command}"), own.stdout[:80]


def test_validate_help_explains_the_output(tmp_path: Path) -> None:
    result = branchwise("validate", "--help", env_dir=tmp_path)
    assert "PATH:LINE:COL" in result.stdout
    for option in ("--format", "--strict", "--library"):
        assert option in result.stdout


def test_a_file_named_twice_is_checked_once(trees: Path, tmp_path: Path) -> None:
    path = write(trees, "clean.yaml", CLEAN)
    write(trees, "clean.test.yaml", "tree: cli/clean\nscenarios: []\n")
    result = branchwise(
        "validate", str(trees), str(path), str(trees / "clean.test.yaml"), env_dir=tmp_path
    )
    assert (result.returncode, result.stdout) == (0, "")
    assert "1 file(s) checked" in result.stderr
