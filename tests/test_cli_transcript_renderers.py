"""A transcript exported by the real CLI stays literal as GitHub (GFM) and CommonMark render it."""

from __future__ import annotations

import json
from pathlib import Path

import cmarkgfm
from markdown_it import MarkdownIt

from tests.cli import ROOT, isolated_env, run_cli

TREES = ROOT / "tests" / "data" / "sessions"
LINKISH = "see https://evil.example/x, www.evil.example or ada@evil.example *now*"


def test_an_exported_transcript_has_no_link_heading_emphasis_or_html_from_values(tmp_path: Path):
    env = isolated_env(tmp_path)
    stdin = f"Continue\na\n:note {LINKISH}\n{LINKISH}\nIs a user\n"
    walked = run_cli(
        "run", "tests/sessions-support", "--library", str(TREES), "--json",
        "--agent", "ann https://evil.example", "--ticket", "T-1 www.evil.example <b>x</b>",
        env=env, input=stdin,
    )  # fmt: skip
    session = json.loads(walked.stdout)["session"]
    exported = run_cli("sessions", "export", session, "--format", "md", env=env)
    assert exported.returncode == 0, exported.stderr
    text = exported.stdout

    html = cmarkgfm.github_flavored_markdown_to_html(text)
    assert "<a " not in html and "<b>" not in html
    assert html.count("<h2") == 1 and html.count("<h3") == 2  # the title, Steps, Outcome
    assert "<em>now</em>" not in html and "*now*" in html
    assert "https://evil.example/x, www.evil.example or <code>ada@evil.example</code>" in html

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    children = [c for t in tokens if t.children for c in t.children]
    assert not [c for c in children if c.type in ("link_open", "html_inline", "image")]
    assert [t.type for t in tokens].count("heading_open") == 3
    emphasised = [c.content for c in children if c.type == "text" and "now" in c.content]
    assert emphasised and all("*now*" in content for content in emphasised)
