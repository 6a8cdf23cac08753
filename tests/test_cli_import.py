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
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    out = blocker / "tree.yaml"
    done = branchwise("import", "helpjuice", str(PAYA), "-o", str(out), home=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith(f"{out}: error: cannot write the tree")
    assert "Traceback" not in done.stderr


def test_output_folders_that_do_not_exist_are_created(tmp_path: Path) -> None:
    out = tmp_path / "trees" / "paya" / "portal.yaml"
    done = branchwise("import", "helpjuice", str(PAYA), "-o", str(out), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == f"{out}: written"
    validated = branchwise("validate", str(out), home=tmp_path)
    assert validated.returncode == 0, validated.stdout + validated.stderr


def article_with(after_tree: str) -> str:
    """The two-level printer article with this HTML after its decision tree."""
    html = (ARTICLES / "simple_two_level.html").read_text(encoding="utf-8")
    return html.replace("</body>", f"{after_tree}</body>")


def test_links_keep_full_http_and_mailto_urls_only(tmp_path: Path) -> None:
    article = tmp_path / "links.html"
    article.write_text(
        article_with(
            '<p><a href="//evil.test/x">relative to the protocol</a>, '
            '<a href="/kb/12">on the site</a>, <a href="https://kb.example.com/a b">full [1]</a>, '
            '<a href="mailto:help@example.com">mail</a>, <a href="tel:+15550100">phone</a>.</p>'
        ),
        encoding="utf-8",
    )
    out = tmp_path / "links.yaml"
    done = branchwise("import", "helpjuice", str(article), "-o", str(out), home=tmp_path)
    assert done.returncode == 0, done.stderr
    tree = yaml.load(out.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    body = tree["nodes"]["cancel-the-job-print-it-again"]["body"]
    assert body.endswith(
        "relative to the protocol, on the site, [full \\[1\\]](https://kb.example.com/a%20b), "
        "[mail](mailto:help@example.com), phone."
    )
    assert "evil.test" not in out.read_text(encoding="utf-8")


def test_a_tree_that_validate_would_refuse_is_not_written(tmp_path: Path) -> None:
    article = tmp_path / "long.html"
    html = (ARTICLES / "simple_two_level.html").read_text(encoding="utf-8")
    padding = "<p>Padding words, and more padding words here. Then the same again.</p>" * 31_000
    article.write_text(html.replace("<p>Switch it on", f"{padding}<p>Switch it on"), "utf-8")

    out = tmp_path / "long.yaml"
    done = branchwise("import", "helpjuice", str(article), "-o", str(out), home=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"{article}: error: the tree made from it would be 2.1 MiB; "
        "'branchwise validate' refuses trees over 2 MiB"
    ]
    assert not out.exists()
    assert list(tmp_path.glob("*.yaml")) == []
    printed = branchwise("import", "helpjuice", str(article), home=tmp_path)
    assert (printed.returncode, printed.stdout) == (1, "")


def test_text_after_the_tree_repeated_past_the_limit_is_refused(tmp_path: Path) -> None:
    panels = "".join(
        f'<div class="helpjuice-decision-tree-button" data-id="p{n}">Answer {n}</div>'
        for n in range(50)
    ) + "".join(
        f'<div class="helpjuice-decision-tree-tab-content" id="p{n}"><p>Done {n}.</p></div>'
        for n in range(50)
    )
    html = (
        '<p>Which?</p><div class="helpjuice-decision-tree-tabs">'
        f"{panels}</div><p>{'After the tree. ' * 4000}</p>"
    )
    article = tmp_path / "many.html"
    article.write_text(html, encoding="utf-8")
    done = branchwise("import", "helpjuice", str(article), home=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"{article}: error: the tree made from it would be 3.1 MiB (the text after the decision "
        "tree ends each of 50 outcomes); 'branchwise validate' refuses trees over 2 MiB"
    )


def test_an_article_of_too_many_tags_is_refused(tmp_path: Path) -> None:
    article = tmp_path / "tags.html"
    article.write_text(article_with("<a " * 300_000), encoding="utf-8")
    done = branchwise("import", "helpjuice", str(article), home=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"{article}: error: the article has more than 100,000 tags; longer articles are refused"
    )


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


def test_an_articles_copied_text_imports_and_validates(tmp_path: Path) -> None:
    copied = ARTICLES / "guest_wifi_copied_text.txt"
    out = tmp_path / "kb" / "guest-wifi.yaml"
    done = branchwise("import", "helpjuice", str(copied), "-o", str(out), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"{copied}: warning: the article is plain text;" in done.stderr
    assert (
        f"{copied}: note: node 'is-there-a-guest-vouchers-panel-on-the': guessed: answer 'Yes' "
        "leads to the next text, 'Press New voucher and read the six-lett…'"
    ) in done.stderr.splitlines()
    text = out.read_text(encoding="utf-8")
    assert "  # guessed: answer 'No' leads to the next question, 'Has anyone in your office" in text
    tree = yaml.load(text, Loader=yaml.CSafeLoader)
    nodes = tree["nodes"].values()
    assert [node["title"] for node in nodes if node["type"] == "question"] == [
        "Is there a 'Guest vouchers' panel on the Network page:",
        "Has anyone in your office handed out vouchers before?",
    ]
    assert sorted(node["status"] for node in nodes if node["type"] == "outcome") == [
        "escalated",
        "resolved",
        "resolved",
    ]
    for placeholder in ("Add Button", "Type Button Text", "This content will be shown"):
        assert placeholder not in yaml.safe_dump(tree)
    validated = branchwise("validate", str(out), home=tmp_path)
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_a_placeholder_left_inside_real_text_is_refused_naming_the_node(tmp_path: Path) -> None:
    article = tmp_path / "draft.txt"
    article.write_text(
        "Router guide\n\nIs the light on?\n• Yes\n• No\nRestart it. Lorem ipsum dolor.\nCall us.\n",
        encoding="utf-8",
    )
    out = tmp_path / "draft.yaml"
    done = branchwise("import", "helpjuice", str(article), "-o", str(out), home=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"{article}: error: the tree made from it does not pass 'branchwise validate': node "
        "'restart-it-lorem-ipsum-dolor': editor placeholder 'Lorem ipsum' left in 'title' "
        "(placeholder-text)"
    ]
    assert not out.exists()
