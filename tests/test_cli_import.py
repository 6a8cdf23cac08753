"""Tests for `branchwise import helpjuice`, run as a real command in a subprocess."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from tests.cli import ROOT, isolated_env, run_cli

ARTICLES = ROOT / "tests" / "data" / "helpjuice"
PAYA = ARTICLES / "paya_connect.html"


def branchwise(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=isolated_env(home))


def test_writes_the_tree_and_lists_the_notes_on_stderr(tmp_path: Path) -> None:
    out = tmp_path / "portal.yaml"
    done = branchwise("import", "helpjuice", str(PAYA), "-o", str(out), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    tree = yaml.load(out.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    assert (tree["id"], tree["start"]) == ("paya-connect", "product")
    notes = done.stderr.splitlines()
    assert (
        f"{PAYA}: note: node 'contact-your-solution-provider-to-ensure': dropped the editor "
        "placeholder button 'Type Button Text' and its empty panel" in notes
    )
    assert notes[-1] == f"{out}: written"
    validated = branchwise("validate", str(out), home=tmp_path)
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "portal.yaml"
    out.write_text("keep me\n", encoding="utf-8")
    refused = branchwise("import", "helpjuice", str(PAYA), "-o", str(out), home=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.strip() == f"{out}: error: the file exists; add --force to replace it"
    assert out.read_text(encoding="utf-8") == "keep me\n"
    forced = branchwise("import", "helpjuice", str(PAYA), "-o", str(out), "--force", home=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert out.read_text(encoding="utf-8").startswith("# Imported from the Helpjuice article")
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")] == []


def test_prints_yaml_without_output_and_takes_an_id(tmp_path: Path) -> None:
    done = branchwise(
        "import", "helpjuice", str(ARTICLES / "weird_labels.html"), "--id", "kb/labels",
        home=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    tree = yaml.load(done.stdout, Loader=yaml.CSafeLoader)
    assert tree["id"] == "kb/labels"
    labels = [choice["label"] for choice in tree["nodes"]["pick-one"]["choices"]]
    assert labels[:3] == ['"quoted"', "it's", "# not a comment"]
    assert "emoji 🎉" in labels


def test_an_article_without_a_decision_tree_exits_1(tmp_path: Path) -> None:
    article = tmp_path / "plain.html"
    article.write_text("<h1>Plain</h1><p>No choices here.</p>", encoding="utf-8")
    done = branchwise("import", "helpjuice", str(article), home=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"{article}: error: no decision tree found")


def test_unreadable_and_oversized_files_exit_1(tmp_path: Path) -> None:
    missing = branchwise("import", "helpjuice", str(tmp_path / "gone.html"), home=tmp_path)
    assert (missing.returncode, missing.stderr.strip()) == (
        1,
        f"{tmp_path / 'gone.html'}: error: does not exist",
    )
    huge = tmp_path / "huge.html"
    with huge.open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)
    refused = branchwise("import", "helpjuice", str(huge), home=tmp_path)
    assert refused.returncode == 1
    assert "articles over 10 MiB are refused" in refused.stderr
    assert "Traceback" not in refused.stderr + missing.stderr


def test_an_unwritable_output_exits_1_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "no-such-dir" / "tree.yaml"
    done = branchwise("import", "helpjuice", str(PAYA), "-o", str(out), home=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith(f"{out}: error: cannot write the tree")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    bad_id = branchwise("import", "helpjuice", str(PAYA), "--id", "Not An Id", home=tmp_path)
    assert bad_id.returncode == 2
    assert "'Not An Id' is not a tree id" in bad_id.stderr
    bad_source = branchwise("import", "zendesk", str(PAYA), home=tmp_path)
    assert bad_source.returncode == 2
    assert "invalid choice: 'zendesk'" in bad_source.stderr


def test_help_describes_the_command(tmp_path: Path) -> None:
    done = branchwise("import", "--help", home=tmp_path)
    assert done.returncode == 0
    for words in ("Helpjuice", "-o OUT.yaml", "--force", "--id ID", "Exit status"):
        assert words in done.stdout
