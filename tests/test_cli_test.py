"""`branchwise test` through the real command line."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cli import ROOT, isolated_env, run_cli

DATA = ROOT / "tests" / "data" / "scenarios"


def _run(*args: str, env_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("test", *args, env=isolated_env(env_dir))


def test_bundled_trees_pass_with_full_branch_coverage(tmp_path):
    result = _run("trees", "--min-coverage", "100", env_dir=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(100.0%)" in result.stdout
    assert " 0 failed" in result.stdout


def test_a_failure_exits_1_and_names_file_line_and_path(tmp_path):
    result = _run(str(DATA / "broken.test.yaml"), env_dir=tmp_path)
    assert result.returncode == 1
    assert f"FAIL {DATA / 'broken.test.yaml'}:3: wrong outcome" in result.stdout
    assert "the walk went power → plug-in → fixed" in result.stdout
    assert "0 passed, 2 failed" in result.stdout


def test_min_coverage_fails_when_branches_are_missed(tmp_path):
    partial = tmp_path / "partial.test.yaml"
    partial.write_text(
        "tree: test/router\nscenarios:\n  - name: unplugged\n"
        "    answers: ['No', Continue]\n    expect: {outcome: fixed}\n"
    )
    result = _run(str(partial), "--library", str(DATA), "--min-coverage", "90", env_dir=tmp_path)
    assert result.returncode == 1
    assert "branch coverage: 1/5 (20.0%)" in result.stdout
    assert "not taken:" in result.stdout and "choice 'Yes' of node 'power'" in result.stdout
    assert "under --min-coverage 90" in result.stdout


def test_generate_writes_a_starter_file_that_passes(tmp_path):
    out = tmp_path / "starter.test.yaml"
    made = _run(
        "--generate", "test/router", "--library", str(DATA), "-o", str(out), env_dir=tmp_path
    )
    assert made.returncode == 0, made.stderr
    again = _run(
        "--generate", "test/router", "--library", str(DATA), "-o", str(out), env_dir=tmp_path
    )
    assert again.returncode == 1 and "use --force" in again.stderr
    result = _run(str(out), "--library", str(DATA), env_dir=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "2 passed, 0 failed" in result.stdout


def test_common_options_work_before_the_command(tmp_path):
    before = run_cli(
        "--library", str(DATA), "test", str(DATA / "router.test.yaml"), env=isolated_env(tmp_path)
    )
    assert before.returncode == 0, before.stdout + before.stderr
    assert "3 passed, 0 failed" in before.stdout


def test_a_tree_with_errors_fails_its_scenarios_and_the_rest_still_run(tmp_path):
    bad = tmp_path / "bad.test.yaml"
    bad.write_text(
        'tree: test/missing\nscenarios:\n  - name: "ghost \\e[2J tree"\n'
        "    answers: []\n    expect: {outcome: x}\n"
    )
    good = DATA / "router.test.yaml"
    result = _run(str(bad), str(good), "--library", str(DATA), env_dir=tmp_path)
    assert result.returncode == 1
    assert f"FAIL {bad}:3: ghost [2J tree" in result.stdout
    assert "no tree 'test/missing' in the library" in result.stdout
    assert "\x1b" not in result.stdout
    assert "3 passed, 1 failed" in result.stdout


def test_vars_or_actions_that_are_not_a_mapping_are_one_line_not_a_traceback(tmp_path):
    for key in ("vars", "actions"):
        scenario = tmp_path / f"{key}.test.yaml"
        scenario.write_text(
            "tree: paya-connect/customer-portal-access\n"
            f"scenarios:\n  - name: typo\n    {key}: abc\n    answers: [Continue]\n"
        )
        result = _run(str(scenario), env_dir=tmp_path)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        assert f"'{key}' must be a mapping" in result.stdout + result.stderr
