"""Which YAML files are trees, and trees named by path finding the trees they link to (SPEC 1)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli import ROOT, isolated_env, run_cli

MAIN = """\
schema: branchwise/v1
id: repo/main
version: 1
title: Main guide
start: go
nodes:
  go: {type: link, tree: repo/helper, next: done}
  done: {type: outcome, status: resolved, title: Done}
"""
HELPER = """\
schema: branchwise/v1
id: repo/helper
version: 1
title: Check the cable
start: ask
nodes:
  ask:
    type: question
    title: Is the cable plugged in?
    choices:
      - {label: "Yes", goto: ok}
      - {label: "No", goto: plug}
  plug: {type: step, title: Plug it in, next: ok}
  ok: {type: outcome, status: resolved, title: Fine}
"""
PRE_COMMIT = """\
repos:
  - repo: https://github.com/OWNER/branchwise
    rev: main
    hooks:
      - id: branchwise-validate
"""
WORKFLOW = """\
name: ci
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: branchwise validate trees/
"""
# Not YAML at all, and not a tree either: skipped, not reported.
BROKEN_CONFIG = "settings: {colour: red\nsize: [1, 2\n"


def branchwise(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=isolated_env(home, PYTHONPATH=str(ROOT)), cwd=cwd)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository of trees with the YAML every repository has beside them."""
    root = tmp_path / "repo"
    (root / "trees" / "guides").mkdir(parents=True)
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / "trees" / "guides" / "main.yaml").write_text(MAIN, encoding="utf-8")
    (root / "trees" / "helper.yaml").write_text(HELPER, encoding="utf-8")
    (root / ".pre-commit-config.yaml").write_text(PRE_COMMIT, encoding="utf-8")
    (root / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW, encoding="utf-8")
    (root / "trees" / "settings.yaml").write_text(BROKEN_CONFIG, encoding="utf-8")
    (root / "trees" / "empty.yaml").write_text("", encoding="utf-8")
    return root


def test_other_yaml_in_a_folder_is_skipped_without_complaint(repo: Path, tmp_path: Path) -> None:
    done = branchwise("validate", "--strict", ".", cwd=repo, home=tmp_path)
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == (
        "2 file(s) checked: 0 error(s), 0 warning(s); 3 other YAML file(s) skipped, not trees\n"
    )


def test_other_yaml_named_one_by_one_is_skipped_as_pre_commit_names_it(
    repo: Path, tmp_path: Path
) -> None:
    files = [".pre-commit-config.yaml", ".github/workflows/ci.yml", "trees/settings.yaml"]
    done = branchwise("validate", "--strict", *files, cwd=repo, home=tmp_path)
    assert (done.returncode, done.stdout) == (0, "")
    assert "0 file(s) checked" in done.stderr


def test_a_broken_tree_is_still_reported(repo: Path, tmp_path: Path) -> None:
    (repo / "trees" / "broken.yaml").write_text(
        "schema: branchwise/v1\nid: repo/broken\ntitle: 'never closed\n", encoding="utf-8"
    )
    (repo / "trees" / "huge.yaml").write_text(
        "start: a\nnodes: {}\n" + "# padding\n" * 400, encoding="utf-8"
    )
    done = branchwise("validate", "trees", "--max-bytes", "3000", cwd=repo, home=tmp_path)
    assert done.returncode == 1
    assert [line.split(": error: ")[0] for line in done.stdout.splitlines()] == [
        "trees/broken.yaml:3:8",
        "trees/huge.yaml:1:1",
    ]


def test_run_names_a_yaml_file_that_is_no_tree(repo: Path, tmp_path: Path) -> None:
    done = branchwise("run", ".pre-commit-config.yaml", "--answers", "x", cwd=repo, home=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        "branchwise: .pre-commit-config.yaml is not a tree file (a tree has a 'schema' key, "
        "or 'start' and 'nodes')\n"
    )


def test_a_tree_named_by_path_walks_a_tree_of_its_folder(repo: Path, tmp_path: Path) -> None:
    # main.yaml is in trees/guides/ and its link in trees/: its folder is trees/guides only.
    lone = branchwise("validate", "trees/guides/main.yaml", cwd=repo, home=tmp_path)
    assert "link names tree 'repo/helper', which is not in the library" in lone.stdout
    (repo / "trees" / "guides" / "helper.yaml").write_text(HELPER, encoding="utf-8")
    (repo / "trees" / "helper.yaml").unlink()
    done = branchwise(
        "run",
        "trees/guides/main.yaml",
        "--answers",
        "No,Continue",
        "--json",
        cwd=repo,
        home=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    walked = json.loads(done.stdout)
    assert walked["path"] == ["go", "repo/helper:ask", "repo/helper:plug", "repo/helper:ok", "done"]
    valid = branchwise("validate", "--strict", "trees/guides/main.yaml", cwd=repo, home=tmp_path)
    assert (valid.returncode, valid.stdout) == (0, "")


def test_graph_and_generate_find_the_linked_tree_beside(repo: Path, tmp_path: Path) -> None:
    (repo / "trees" / "main.yaml").write_text(MAIN, encoding="utf-8")
    (repo / "trees" / "guides" / "main.yaml").unlink()
    graph = branchwise("graph", "trees/main.yaml", cwd=repo, home=tmp_path)
    assert graph.returncode == 0, graph.stderr
    assert '  n_go ==>|"walks"| t_repoZ2fZhelper' in graph.stdout.splitlines()
    generated = branchwise("test", "--generate", "trees/main.yaml", cwd=repo, home=tmp_path)
    assert generated.returncode == 0, generated.stderr
    scenarios = (repo / "trees" / "main.test.yaml").read_text("utf-8")
    assert "answers:\n  - 'Yes'\n" in scenarios
    tested = branchwise("test", "trees/main.yaml", cwd=repo, home=tmp_path)
    assert tested.returncode == 0, tested.stdout
    assert "PASS repo/main: reaches done" in tested.stdout


def test_an_untitled_link_is_shown_with_the_linked_tree_title(repo: Path, tmp_path: Path) -> None:
    (repo / "trees" / "main.yaml").write_text(MAIN, encoding="utf-8")
    done = branchwise(
        "run", "trees/main.yaml", "--answers", "Yes", "--json", cwd=repo, home=tmp_path
    )
    assert done.returncode == 0, done.stderr
    session = json.loads(done.stdout)["session"]
    shown = branchwise("sessions", "export", session, "--format", "json", cwd=repo, home=tmp_path)
    steps = json.loads(shown.stdout)["steps"]
    assert (steps[0]["node_id"], steps[0]["node_title"]) == ("go", "Check the cable")


def test_scenarios_are_not_read_from_yaml_that_is_no_tree(repo: Path, tmp_path: Path) -> None:
    (repo / "trees" / "ci-matrix.yaml").write_text(
        "tests:\n  - name: unit\n    run: pytest\n", encoding="utf-8"
    )
    (repo / "trees" / "helper.test.yaml").write_text(
        "tree: repo/helper\nscenarios:\n  - name: plugged\n    answers: ['Yes']\n"
        "    expect: {outcome: ok}\n",
        encoding="utf-8",
    )
    done = branchwise("test", ".", cwd=repo, home=tmp_path)
    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines()[0] == "PASS repo/helper: plugged"
    assert "1 passed, 0 failed" in done.stdout
