"""The README's examples, taken from README.md and run: a change that breaks one fails here."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli import ROOT, isolated_env, run_cli
from tests.readme import block_after, commands, yaml_block_starting

ARTICLE = ROOT / "tests" / "data" / "helpjuice" / "simple_two_level.html"


def branchwise(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=isolated_env(home, PYTHONPATH=str(ROOT)), cwd=cwd)


def test_the_tree_example_is_valid_and_walks(tmp_path: Path) -> None:
    tree = tmp_path / "portal.yaml"
    tree.write_text(yaml_block_starting("schema: branchwise/v1"), encoding="utf-8")
    valid = branchwise("validate", "--strict", "portal.yaml", cwd=tmp_path, home=tmp_path)
    assert (valid.returncode, valid.stdout) == (0, ""), valid.stdout
    walked = branchwise(
        "run", "portal.yaml", "--answers", "y", "--json", cwd=tmp_path, home=tmp_path
    )
    assert walked.returncode == 0, walked.stderr
    assert json.loads(walked.stdout)["status"] == "resolved"


def test_the_scenario_example_passes_on_the_bundled_tree(tmp_path: Path) -> None:
    scenario = tmp_path / "portal.test.yaml"
    scenario.write_text(yaml_block_starting("tree: "), encoding="utf-8")
    done = branchwise("test", "portal.test.yaml", cwd=tmp_path, home=tmp_path)
    assert done.returncode == 0, done.stdout
    assert "1 passed, 0 failed" in done.stdout


def test_the_authors_loop_and_the_ci_steps_run_clean(tmp_path: Path) -> None:
    loop = commands(block_after("The author's loop", "sh"))
    ci = commands(block_after("GitHub Actions", "yaml"))
    assert [words[0] for words in loop] == ["import", "validate", "graph", "graph", "test", "test"]
    assert [words[0] for words in ci] == ["validate", "test"]
    work = tmp_path / "work"
    (work / "trees" / "my").mkdir(parents=True)
    shutil.copy(ARTICLE, work / "article.html")
    for words in [*loop, *ci]:
        run_as_written(words, work, tmp_path)
    assert (work / "trees" / "my" / "tree.test.yaml").is_file()

    # Once in use: the tree committed on main, and a walk of it in the session store.
    if shutil.which("git") is None:
        pytest.skip("git is not installed: the README's diff --against needs it")
    in_use = commands(block_after("Once the tree is in use", "sh"))
    assert [words[0] for words in in_use] == ["diff", "graph", "sessions"]
    for args in (("init", "-q", "-b", "main"), ("add", "-A")):
        subprocess.run(["git", *args], cwd=work, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "t"],
        cwd=work,
        check=True,
    )
    walked = branchwise(
        "run", "trees/my/tree.yaml", "--answers", "Continue,No", "--json", cwd=work, home=tmp_path
    )
    session = json.loads(walked.stdout)["session"]
    for words in in_use:
        # The README's session id stands for one of the store's.
        run_as_written([word.replace("4f2a", session) for word in words], work, tmp_path)
    tested = branchwise("test", "trees/", cwd=work, home=tmp_path)
    assert tested.returncode == 0, tested.stdout
    assert (work / "trees" / "my" / f"tree.session-{session}.test.yaml").is_file()


def run_as_written(words: list[str], work: Path, home: Path) -> None:
    renders = "-o" in words and words[words.index("-o") + 1].endswith(".svg")
    if renders and shutil.which("dot") is None:
        return  # rendering needs Graphviz, as the README says
    done = branchwise(*words, cwd=work, home=home)
    assert done.returncode == 0, (words, done.stdout, done.stderr)
