"""Transcripts: the Markdown an agent pastes into a ticket, and the JSON export."""

from __future__ import annotations

import json
from typing import Any

from markdown_it import MarkdownIt

from engine.sessions.record import record_of
from engine.sessions.store import Store
from engine.sessions.transcript import block_line, inline, iso, to_json, to_markdown
from engine.tree.builder import build_tree
from engine.tree.reader import read_text
from engine.walk.action_runner import ActionRunner
from engine.walk.masking import MASK
from engine.walk.walker import Walk
from tests.session_walks import (
    PLANTED,
    SECRET_TOKEN,
    runner,
    start,
    walk_to_confirm,
    walk_to_wrap_up,
)

NASTY_TREE = """
schema: branchwise/v1
id: tests/nasty
version: 7
title: "# Not a heading | `code` [link](http://evil.example) <script>alert(1)</script>"
start: ask
nodes:
  ask:
    type: input
    title: "Type *anything* _here_ ![img](http://evil.example/y.png)"
    var: said
    next: pick
  pick:
    type: question
    title: "1. Not a list"
    choices:
      - {label: "a | b | c", goto: done}
  done:
    type: outcome
    status: resolved
    title: "--- {{ said }}"
"""
NASTY_INPUT = "| x | y | `rm -rf` <b>bold</b> \x1b[2J [l](http://evil.example) # h &amp; $x$"
NASTY_NOTE = "# heading\n- item\n1. list\n> quote\n```\ncode\n```\n<div>html</div>"


def _markdown_tokens(text: str) -> list:
    parser = MarkdownIt("commonmark").enable("table")
    return parser.parse(text)


def _walk_nasty(store: Store) -> Walk:
    tree = build_tree(read_text(NASTY_TREE, "nasty.yaml").data, sha256="0" * 64)
    walk = Walk(tree, recorder=store.recorder(), agent="ann <b>", ticket="T|1")
    walk.answer(NASTY_INPUT)
    walk.note(NASTY_NOTE)
    walk.answer("a | b | c")
    assert walk.status == "resolved"
    return walk


def test_the_markdown_says_who_when_each_step_and_the_outcome(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        walk = walk_to_confirm(start(store, runner(tmp_path), agent="ann", ticket="T-100"))
        walk.jump(1)
        walk.answer("a")
        walk.answer("1001")
        walk.run_pending()
        walk.answer("Continue")
        walk.answer("y")
        walk.answer(SECRET_TOKEN)
        walk.answer("Continue")
        record = store.load(walk.id)
    text = to_markdown(record)
    assert text.startswith("## Reset a \\| customer's \\`portal\\` access\n")
    for line in (
        "- Tree: tests/sessions-support, version 4",
        f"- Session: {walk.id}",
        "- Agent: ann",
        "- Ticket: T-100",
        f"- Started: {iso(record.started_at)}",
        f"- Ended: {iso(record.ended_at)}",
        "- Status: **resolved**",
        "**1. \\# Greet the customer** → Continue",
        "**2. Which contact is it?** → Ada \\| admin",
        "**3. Contact id** (input) → 1001",
        "**4. Look up contact 1001** (action) → Is a user",
        "- Action: paya.get\\_contact (stubbed) with contact\\_id: 1001",
        "- Route taken: Is a user",
        "| is\\_user | true |",
        "*Linked tree:* Read the portal guide",
        "**7. Paste the support token** (input) → •••",
        "**8. Close the ticket with token •••** → Continue",
        "**resolved**: Access works (fixed)",
    ):
        assert line in text.splitlines(), line
    went_back = [line for line in text.splitlines() if line.startswith("↩")]
    assert len(went_back) == 1
    assert "Went back to this step" in went_back[0]
    assert "Which contact is it? → Ada \\| admin" in went_back[0]
    assert "note at Contact id “customer called twice”" in went_back[0]
    assert iso(record.started_at).endswith("Z")


def test_notes_are_blockquotes_that_cannot_become_other_blocks(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        record = store.load(_walk_nasty(store).id)
    text = to_markdown(record)
    quoted = [line for line in text.splitlines() if line.startswith(">")]
    assert quoted == [
        "> \\# heading",
        "> \\- item",
        "> 1\\. list",
        "> \\> quote",
        "> \\`\\`\\`",
        "> code",
        "> \\`\\`\\`",
        "> \\<div\\>html\\</div\\>",
    ]


def test_values_from_trees_and_inputs_never_change_the_markdown_structure(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        record = store.load(_walk_nasty(store).id)
    text = to_markdown(record)
    assert "\x1b" not in text
    tokens = _markdown_tokens(text)
    kinds = [t.type for t in tokens]
    assert kinds.count("heading_open") == 3  # the title, Steps, Outcome
    for forbidden in ("html_block", "fence", "code_block", "ordered_list_open", "table_open"):
        assert forbidden not in kinds, forbidden
    children = [c.type for t in tokens if t.children for c in t.children]
    for forbidden in ("link_open", "image", "html_inline", "code_inline"):
        assert forbidden not in children, forbidden
    rendered = MarkdownIt("commonmark").render(text)
    assert "a | b | c" in rendered
    assert "| x | y | `rm -rf` &lt;b&gt;bold&lt;/b&gt;" in rendered
    assert "# Not a heading | `code` [link](http://evil.example)" in rendered


def test_result_tables_keep_scalars_mask_credentials_and_stay_small(tmp_path):
    result = {
        "is_user": True,
        "note": "a | b",
        "contact": {"first_name": "Ada", "password": "hunter2", "tags": ["x", "y"]},
        "access_token": "tok-abc",
        **{f"field{i:02}": i for i in range(20)},
    }
    with Store(tmp_path / "s.sqlite3") as store:
        walk = start(store, runner(tmp_path, result))
        for answer in ("Continue", "a", "1001"):
            walk.answer(answer)
        walk.run_pending()
        text = to_markdown(store.load(walk.id))
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[:6] == [
        "| Field | Value |",
        "| access\\_token | ••• |",
        "| contact.first\\_name | Ada |",
        "| contact.password | ••• |",
        "| contact.tags | x, y |",
        "| field00 | 0 |",
    ]
    assert rows[-1] == "| … | 14 more fields in the JSON export |"
    assert len(rows) == 14
    assert "hunter2" not in text and "tok-abc" not in text
    tables = [t for t in _markdown_tokens(text) if t.type == "tr_open"]
    assert len(tables) == 14


def test_an_open_session_says_where_it_stopped_and_why(tmp_path):
    failing = runner(tmp_path, {"error": "Paya Connect said 401: bad credentials"})
    lib_runner = ActionRunner(failing.registry, failing.config, stubs=failing.stubs)
    with Store(tmp_path / "s.sqlite3") as store:
        walk = start(store, lib_runner)
        for answer in ("Continue", "a", "1001"):
            walk.answer(answer)
        walk.run_pending()
        text = to_markdown(store.load(walk.id))
    assert "- Status: **escalated**" in text  # on_error took the walk to its outcome
    assert "- Error: Paya Connect said 401: bad credentials" in text
    assert "- Route taken: error" in text
    with Store(tmp_path / "s.sqlite3") as store:
        walk = start(store, runner(tmp_path))
        walk.answer("Continue")
        text = to_markdown(store.load(walk.id))
    assert text.endswith("### Outcome\n\n**open**: stopped at Which contact is it?\n")


def test_json_export_is_the_whole_record(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        walk = walk_to_confirm(start(store, runner(tmp_path)))
        walk.jump(1)
        record = store.load(walk.id)
    data = json.loads(json.dumps(to_json(record)))
    assert data["id"] == walk.id and data["status"] == "open"
    assert data["started"] == iso(record.started_at) and data["ended"] is None
    assert [s["node_id"] for s in data["steps"]] == ["welcome", "which"]
    assert data["rewinds"][0]["to_idx"] == 1
    assert {s["node_id"] for s in data["rewinds"][0]["dropped"]} >= {"which", "ask-id", "look-up"}
    assert data["given"] == {} and data["agent"] == "ann"


def test_planted_secrets_never_reach_a_transcript(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        walk = walk_to_wrap_up(walk_to_confirm(start(store, runner(tmp_path))))
        stored = store.load(walk.id)
    live = record_of(walk)
    for record in (stored, live):
        exports = to_markdown(record) + json.dumps(to_json(record), ensure_ascii=False)
        for secret in PLANTED:
            assert secret not in exports, secret
        assert MASK in exports


def test_escaping_helpers_keep_text_and_neutralise_markup():
    assert inline("a\nb\tc  d") == "a b c d"
    assert inline("x" * 10, limit=5) == "xxxx…"
    assert inline(None) == ""
    assert inline(True) == "true"
    assert block_line("1) first") == "1\\) first"
    assert block_line("+ plus") == "\\+ plus"
    assert block_line("   ") == ""


# Literal in every renderer: CommonMark (markdown-it-py) and GitHub-flavoured Markdown (cmarkgfm).

LINKISH = "see https://evil.example/x, www.evil.example or mail ada@evil.example"


def _linkish_result(values: bool) -> dict[str, Any]:
    def value(text: str, plain: str) -> str:
        return text if values else plain

    return {
        "is_user": True,
        "homepage": value("www.harbor.example", "harbor"),
        "count": 2,
        "contacts": [
            {
                "account_number": "A-1001",
                "email": value("maria@harbordental.example", "maria"),
                "website": value("https://harbor.example/*x*", "harbor"),
                "name": value("**Maria** _L_ <b>x</b>", "Maria"),
                "company_name": None,
            },
            {
                "account_number": "A-1002",
                "email": value("dev.patel@example.com", "dev"),
                "notes": value("# h [l](http://evil.example) ![i](x.png)", "n"),
            },
        ],
    }


def _linkish_markdown(tmp_path, values: bool) -> str:
    run = runner(tmp_path, _linkish_result(values))
    agent = "ann https://evil.example *x*" if values else "ann"
    ticket = "T-1 www.evil.example <b>x</b> ada@evil.example" if values else "T-1"
    with Store(tmp_path / f"{values}.sqlite3") as store:
        walk = start(store, run, agent=agent, ticket=ticket)
        walk.answer("Continue")
        walk.answer("a")
        walk.note(LINKISH if values else "called")
        walk.answer(LINKISH if values else "1001")
        walk.run_pending()
        walk.answer("Continue")
        return to_markdown(store.load(walk.id))


def _gfm_tags(html: str) -> dict[str, int]:
    return {tag: html.count(f"<{tag}") for tag in ("a ", "img", "h2", "h3", "strong", "em", "li")}


def test_values_that_look_like_links_stay_text_in_commonmark_and_gfm(tmp_path):
    import cmarkgfm

    text = _linkish_markdown(tmp_path, values=True)
    baseline = _linkish_markdown(tmp_path, values=False)
    html = cmarkgfm.github_flavored_markdown_to_html(text)
    tags = _gfm_tags(html)
    assert tags["a "] == 0 and tags["img"] == 0
    assert tags == _gfm_tags(cmarkgfm.github_flavored_markdown_to_html(baseline))
    assert "<b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    for shown in ("https://evil.example/x", "www.evil.example", "ada@evil.example"):
        assert shown in html

    tokens = _markdown_tokens(text)
    children = [c.type for t in tokens if t.children for c in t.children]
    base = _markdown_tokens(baseline)
    base_children = [c.type for t in base if t.children for c in t.children]
    for kind in ("link_open", "image", "html_inline"):
        assert kind not in children, kind
    assert "html_block" not in [t.type for t in tokens]
    for kind in ("heading_open", "bullet_list_open", "list_item_open", "table_open"):
        assert [t.type for t in tokens].count(kind) == [t.type for t in base].count(kind), kind
    for kind in ("em_open", "strong_open"):
        assert children.count(kind) == base_children.count(kind), kind


def test_action_results_list_their_records(tmp_path):
    import cmarkgfm

    text = _linkish_markdown(tmp_path, values=True)
    assert "| contacts | 2 records, listed below |" in text.splitlines()
    html = cmarkgfm.github_flavored_markdown_to_html(text)
    items = [item for item in html.split("<li>")[1:] if "account_number" in item]
    assert len(items) == 2
    assert "account_number: A-1001" in items[0] and "maria@harbordental.example" in items[0]
    assert "company_name" not in items[0]  # a field without a value is left out
    assert "account_number: A-1002" in items[1]
