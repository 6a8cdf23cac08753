"""The README's pre-commit setup, as written, in a repository holding more YAML than trees.

pre-commit installs this checkout's hooks into a fresh environment (pip, from the package
registry), as it would from the published repository: the `repo:` URL is the only part of the
README's snippet replaced, by a git repository of this checkout's files with a `main` branch.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import ROOT
from tests.readme import block_after

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")
if shutil.which("git") is None:
    pytest.skip("git is not installed", allow_module_level=True)

WORKFLOW = """\
name: ci
on: [push, pull_request]
jobs:
  trees:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: branchwise validate --strict --format github trees/
"""
TIMEOUT = 900


def git(*args: str, cwd: Path) -> str:
    identity = ("-c", "user.name=branchwise tests", "-c", "user.email=tests@example.invalid")
    done = subprocess.run(
        ["git", *identity, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout


def hook_repository(tmp_path: Path) -> Path:
    """This checkout's files (committed or not, ignored ones left out) committed on `main`."""
    try:
        listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    except subprocess.CalledProcessError:
        pytest.skip("this checkout is not a git repository")
    hooks = tmp_path / "branchwise"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (hooks / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, hooks / name)
    git("init", "-q", "-b", "main", cwd=hooks)
    git("add", "-A", cwd=hooks)
    git("commit", "-q", "-m", "branchwise", cwd=hooks)
    return hooks


def trees_repository(tmp_path: Path, hooks: Path) -> Path:
    """A repository of the bundled trees with their scenarios, a workflow and the README's
    `.pre-commit-config.yaml`."""
    snippet = block_after("`.pre-commit-config.yaml`", "yaml")
    config, replaced = re.subn(r"(repo: )\S+", rf"\g<1>{hooks}", snippet)
    assert replaced == 1, snippet
    work = tmp_path / "work"
    shutil.copytree(ROOT / "trees", work / "trees")
    (work / ".github" / "workflows").mkdir(parents=True)
    (work / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW, encoding="utf-8")
    (work / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    git("init", "-q", "-b", "main", cwd=work)
    git("add", "-A", cwd=work)
    return work


def pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRANCHWISE_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(home / "pre-commit"), BRANCHWISE_CACHE_DIR=str(home / "cache"))
    env["BRANCHWISE_DATA_DIR"] = str(home / "data")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_the_readme_hooks_pass_on_trees_and_skip_the_other_yaml(tmp_path: Path) -> None:
    work = trees_repository(tmp_path, hook_repository(tmp_path))
    done = pre_commit("run", "--all-files", cwd=work, home=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^branchwise validate\.+Passed$", done.stdout, re.MULTILINE), done.stdout
    assert re.search(r"^branchwise test\.+Passed$", done.stdout, re.MULTILINE), done.stdout

    broken = work / "trees" / "paya-connect" / "portal-login-help.yaml"
    broken.write_text(broken.read_text("utf-8").replace("choices:", "choises:", 1), "utf-8")
    failed = pre_commit("run", "--all-files", cwd=work, home=tmp_path)
    assert failed.returncode == 1
    assert "has unknown field 'choises'; did you mean 'choices'?" in failed.stdout
    assert ".pre-commit-config.yaml" not in failed.stdout
    assert "ci.yml" not in failed.stdout


def test_autoupdate_pins_the_branch_to_a_commit(tmp_path: Path) -> None:
    hooks = hook_repository(tmp_path)
    work = trees_repository(tmp_path, hooks)
    done = pre_commit("autoupdate", cwd=work, home=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    head = git("rev-parse", "HEAD", cwd=hooks).strip()
    assert f"rev: {head}\n" in (work / ".pre-commit-config.yaml").read_text("utf-8")
