"""`branchwise diff` for real: two files, a git revision, every format, and its exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tests.cli import ROOT, isolated_env, run_cli

PORTAL = ROOT / "trees" / "paya-connect" / "customer-portal-access.yaml"
SIDECAR = PORTAL.with_name("customer-portal-access.test.yaml")


def edit(text: str) -> str:
    """Version 2 of the Paya tree: the YES route re-pointed, an outcome's status changed."""
    text = text.replace("version: 1\n", "version: 2\n")
    text = text.replace("        goto: advise-login\n", "        goto: not-user-yet\n", 1)
    return text.replace("    status: escalated\n", "    status: unresolved\n", 1)


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    old = tmp_path / "old" / PORTAL.name
    new = tmp_path / "new" / PORTAL.name
    for side in (old, new):
        side.parent.mkdir()
        shutil.copy(SIDECAR, side.parent)
    old.write_text(PORTAL.read_text())
    new.write_text(edit(PORTAL.read_text()))
    return old, new


def diff(tmp_path: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return run_cli("diff", *args, env=isolated_env(tmp_path), cwd=cwd)


def test_two_versions_differ_by_meaning_with_the_scenarios_that_now_walk_elsewhere(
    tmp_path: Path, versions: tuple[Path, Path]
):
    old, new = versions
    done = diff(tmp_path, str(old), str(new))
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("paya-connect/customer-portal-access: version 1 (")
    assert "  version: 1 → 2" in lines
    assert (
        "  check-is-user: route 'Is User: YES' now goes to 'not-user-yet' (was 'advise-login')"
        in lines
    )
    assert "  escalated-solution-provider: status: 'escalated' → 'unresolved'" in lines
    assert "scenarios that now take another path or end otherwise: 4 of 8" in lines
    at = lines.index(
        f"  lookup says the contact is already a user ({new.with_name(SIDECAR.name)}:19), "
        "fails its expectations on the new version"
    )
    assert (
        lines[at + 1]
        == "    was: … → check-is-user → advise-login → done-advised (resolved at done-advised)"
    )
    assert lines[at + 2] == ("    now: … → check-is-user → not-user-yet (open at not-user-yet)")


def test_the_same_tree_rewritten_is_no_change(tmp_path: Path, versions: tuple[Path, Path]):
    old, _ = versions
    rewritten = tmp_path / "rewritten.yaml"
    text = PORTAL.read_text().replace(
        "# yaml-language-server", "# reordered\n# yaml-language-server"
    )
    rewritten.write_text(
        text.replace(
            '{label: "Yes", key: y, goto: create-user}', '{goto: create-user, key: y, label: "Yes"}'
        )
    )
    done = diff(tmp_path, str(old), str(rewritten))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no differences of meaning" in done.stdout


def test_json_and_markdown(tmp_path: Path, versions: tuple[Path, Path]):
    old, new = versions
    data = json.loads(diff(tmp_path, str(old), str(new), "--format", "json").stdout)
    assert data["same"] is False
    assert (data["old"]["version"], data["new"]["version"]) == (1, 2)
    repointed = [c for c in data["changes"] if c["kind"] == "route-repointed"]
    assert repointed == [
        {
            "kind": "route-repointed",
            "node": "check-is-user",
            "what": "route 'Is User: YES' now goes to 'not-user-yet' (was 'advise-login')",
            "old": "advise-login",
            "new": "not-user-yet",
        }
    ]
    assert data["scenarios"]["walked"] == 8 and len(data["scenarios"]["changed"]) == 4

    markdown = diff(tmp_path, str(old), str(new), "--format", "markdown")
    assert markdown.returncode == 1
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown.stdout)
    cells = [t.children[0].content for t in tokens if t.type == "inline" and t.children]
    assert "check-is-user" in cells
    assert "route 'Is User: YES' now goes to 'not-user-yet' (was 'advise-login')" in cells
    assert sum(t.type == "table_open" for t in tokens) == 2


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_against_a_git_revision(tmp_path: Path):
    repo = tmp_path / "repo"
    (repo / "trees").mkdir(parents=True)
    tree = repo / "trees" / PORTAL.name
    tree.write_text(PORTAL.read_text())
    shutil.copy(SIDECAR, tree.parent)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first")
    same = diff(tmp_path, "trees/" + PORTAL.name, "--against", "HEAD", cwd=repo)
    assert same.returncode == 0, same.stderr
    tree.write_text(edit(tree.read_text()))
    changed = diff(tmp_path, "trees/" + PORTAL.name, "--against", "HEAD", cwd=repo)
    assert changed.returncode == 1, changed.stderr
    assert changed.stdout.startswith(
        f"paya-connect/customer-portal-access: version 1 (trees/{PORTAL.name}@HEAD) → version 2"
    )

    by_id = diff(tmp_path, "paya-connect/customer-portal-access", "--against", "HEAD",
                 "--library", "trees", cwd=repo)  # fmt: skip
    assert by_id.returncode == 1, by_id.stderr
    assert "  check-is-user: route 'Is User: YES' now goes to 'not-user-yet'" in by_id.stdout

    unknown = diff(tmp_path, "trees/" + PORTAL.name, "--against", "no-such-rev", cwd=repo)
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert unknown.stderr == (
        f"branchwise: no git revision 'no-such-rev' in the repository holding trees/{PORTAL.name}\n"
    )
    option = diff(tmp_path, "trees/" + PORTAL.name, "--against=--output=x", cwd=repo)
    assert option.returncode == 2 and "is not a git revision" in option.stderr
    assert not (repo / "x").exists()


def test_against_outside_a_repository_and_other_usage_errors(tmp_path: Path):
    lone = tmp_path / "lone" / "tree.yaml"
    lone.parent.mkdir()
    lone.write_text(PORTAL.read_text())
    outside = diff(tmp_path, str(lone), "--against", "HEAD", cwd=lone.parent)
    assert outside.returncode == 2
    assert outside.stderr == (
        f"branchwise: {lone} is not inside a git repository, so --against has nothing to "
        "compare with\n"
    )
    assert diff(tmp_path, str(lone)).returncode == 2
    missing = diff(tmp_path, str(lone), str(tmp_path / "nope.yaml"))
    assert (missing.returncode, missing.stderr) == (
        2,
        f"branchwise: no such file: {tmp_path / 'nope.yaml'}\n",
    )
    other = tmp_path / ".pre-commit-config.yaml"
    other.write_text("repos: []\n")
    not_tree = diff(tmp_path, str(lone), str(other))
    assert not_tree.returncode == 2 and "is not a tree" in not_tree.stderr
    assert "Traceback" not in outside.stderr + missing.stderr + not_tree.stderr


ROUTER = ROOT / "tests" / "data" / "scenarios" / "router.yaml"
TESTS_INSIDE = """\
tests:
  - name: under warranty
    answers: [y, AB1234]
    actions: {paya.get_contact: {is_user: true}}
    expect: {outcome: fixed}
"""


def test_the_scenarios_inside_a_tree_are_walked_too(tmp_path: Path):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(ROUTER.read_text() + TESTS_INSIDE)
    new.write_text(
        ROUTER.read_text().replace("goto: fixed, when:", "goto: sold, when:") + TESTS_INSIDE
    )
    done = diff(tmp_path, str(old), str(new))
    assert done.returncode == 1
    assert done.stdout.splitlines()[-4:] == [
        "scenarios that now take another path or end otherwise: 1 of 1",
        f"  under warranty ({new}:37), fails its expectations on the new version",
        "    was: … → lookup → fixed (resolved at fixed)",
        "    now: … → lookup → sold (unresolved at sold)",
    ]
