"""Importing Helpjuice decision-tree articles: exact structure, notes, YAML safety, hostile HTML."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.authoring.importers import (
    MAX_ARTICLE_BYTES,
    ArticleImportError,
    ImportResult,
    checked_tree_yaml,
    import_helpjuice,
    import_helpjuice_file,
    render_tree_yaml,
    tree_id_from_name,
)
from engine.authoring.importers.article_text import import_article_text
from engine.tree.validation import validate_paths

DATA = Path(__file__).resolve().parent.parent / "data" / "helpjuice"
NODE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
FIXTURES = sorted(path.name for path in DATA.glob("*.html"))


# The Paya Connect tree, as both its markup and its flattened export give it.
PAYA_QUESTIONS: dict[str, tuple[str, str, Any]] = {
    "do-you-see-the-create-user-from-the": (
        "question",
        "Do you see the 'Create User' from the contact button:",
        [
            ("Yes", "click-this-button-and-a-contact-user"),
            ("No", "have-you-created-other-contact-users-in"),
        ],
    ),
    "click-this-button-and-a-contact-user": (
        "outcome",
        "Click this button and a contact user will be created for this customer.",
        "resolved",
    ),
    "have-you-created-other-contact-users-in": (
        "question",
        "Have you created other contact users in the past?",
        [
            ("Yes", "check-the-is-user-field-on-the-profile"),
            ("No", "contact-your-solution-provider-to-ensure"),
        ],
    ),
    "contact-your-solution-provider-to-ensure": (
        "outcome",
        "Contact your solution provider to ensure that you have access to the Customer Portal",
        "escalated",
    ),
}


def imported(name: str) -> ImportResult:
    return import_helpjuice_file(DATA / name)


def shape(tree: dict[str, Any]) -> dict[str, tuple[str, str, Any]]:
    """Each node as (type, title, choices as (label, goto) | next | status)."""
    out: dict[str, tuple[str, str, Any]] = {}
    for node_id, node in tree["nodes"].items():
        if node["type"] == "question":
            detail: Any = [(choice["label"], choice["goto"]) for choice in node["choices"]]
        elif node["type"] == "step":
            detail = node["next"]
        else:
            detail = node["status"]
        out[node_id] = (node["type"], node["title"], detail)
    return out


def notes_of(result: ImportResult) -> list[str]:
    return [f"{note.severity}: {note.message}" for note in result.notes]


def validated(result: ImportResult, tmp_path: Path) -> dict[str, Any]:
    """The YAML text parsed back (it must equal the tree) after branchwise validate passes."""
    text = render_tree_yaml(result)
    path = tmp_path / f"{result.tree['id']}.yaml"
    path.write_text(text, encoding="utf-8")
    assert validate_paths([path]) == []
    loaded: dict[str, Any] = yaml.load(text, Loader=yaml.CSafeLoader)
    assert loaded == result.tree
    return loaded


def comments_above(text: str, node_id: str) -> list[str]:
    """The '#' comment lines written right above a node of the nodes mapping."""
    lines = text.split("\n")
    index = lines.index(f"  {node_id}:")
    found = []
    while lines[index - 1].startswith("  # "):
        index -= 1
        found.insert(0, lines[index][4:])
    return found


def test_simple_two_level_tree(tmp_path: Path) -> None:
    result = imported("simple_two_level.html")
    tree = validated(result, tmp_path)
    assert (tree["schema"], tree["id"], tree["version"]) == ("branchwise/v1", "simple-two-level", 1)
    assert tree["title"] == "Printer will not print"
    assert tree["start"] == "use-this-guide-when-a-print-job-stays-in"
    assert shape(tree) == {
        "use-this-guide-when-a-print-job-stays-in": (
            "step",
            "Use this guide when a print job stays in the queue.",
            "is-the-printer-switched-on",
        ),
        "is-the-printer-switched-on": (
            "question",
            "Is the printer switched on?",
            [("Yes", "is-a-job-marked-error"), ("No", "switch-it-on-and-wait-until-the-light")],
        ),
        "is-a-job-marked-error": (
            "question",
            "Is a job marked Error?",
            [
                ("Yes", "cancel-the-job-print-it-again"),
                ("No", "restart-the-printer-then-send-the-job"),
            ],
        ),
        "cancel-the-job-print-it-again": ("outcome", "Cancel the job. Print it again.", "resolved"),
        "restart-the-printer-then-send-the-job": (
            "outcome",
            "Restart the printer, then send the job again. If it still waits, contact support.",
            "escalated",
        ),
        "switch-it-on-and-wait-until-the-light": (
            "outcome",
            "Switch it on and wait until the light stops blinking.",
            "resolved",
        ),
    }


def test_bodies_are_markdown_and_the_text_after_the_tree_ends_resolved_outcomes() -> None:
    nodes = imported("simple_two_level.html").tree["nodes"]
    assert (
        nodes["is-a-job-marked-error"]["body"]
        == "Open the print queue from **Settings > Printers**."
    )
    after = "Still stuck? Read the printer FAQ."  # its link is relative: it leads nowhere here
    assert nodes["cancel-the-job-print-it-again"]["body"] == (
        f"1. Cancel the job.\n2. Print it again.\n\n{after}"
    )
    assert nodes["switch-it-on-and-wait-until-the-light"]["body"] == (
        "Switch it on and wait until the light stops blinking.\n\n"
        "[Power button](https://cdn.example.com/power%20button.png)\n\n" + after
    )
    assert nodes["restart-the-printer-then-send-the-job"]["body"] == (
        "Restart the printer, then send the job again. If it still waits, "
        "[contact support](https://support.example.com/new)."
    )


def test_escalation_is_said_in_a_comment_and_a_note() -> None:
    result = imported("simple_two_level.html")
    comment = "status escalated: the text says 'contact support'"
    assert comments_above(render_tree_yaml(result), "restart-the-printer-then-send-the-job") == [
        comment
    ]
    assert f"note: node 'restart-the-printer-then-send-the-job': {comment}" in notes_of(result)


def test_nested_tree_four_questions_deep_with_a_step_per_heading(tmp_path: Path) -> None:
    tree = validated(imported("nested_deep.html"), tmp_path)
    assert shape(tree) == {
        "before-you-start": ("step", "Before you start", "check-the-cable"),
        "check-the-cable": ("step", "Check the cable", "does-the-reader-light-up"),
        "does-the-reader-light-up": (
            "question",
            "Does the reader light up?",
            [
                ("Yes", "does-it-beep-when-you-swipe-a-card"),
                ("No", "try-another-power-outlet-then-reboot-the"),
            ],
        ),
        "does-it-beep-when-you-swipe-a-card": (
            "question",
            "Does it beep when you swipe a card?",
            [("Yes", "was-the-test-sale-approved"), ("No", "replace-the-reader-it-is-faulty")],
        ),
        "was-the-test-sale-approved": (
            "question",
            "Was the test sale approved?",
            [
                ("Approved", "the-reader-works-void-the-test-sale"),
                ("Declined", "which-decline-code-does-the-receipt-show"),
            ],
        ),
        "the-reader-works-void-the-test-sale": (
            "outcome",
            "The reader works. Void the test sale.",
            "resolved",
        ),
        "which-decline-code-does-the-receipt-show": (
            "question",
            "Which decline code does the receipt show?",
            [
                ("05 Do not honor", "ask-the-cardholder-to-call-their-bank"),
                ("Another code", "escalate-to-the-payments-team-with-the"),
            ],
        ),
        "ask-the-cardholder-to-call-their-bank": (
            "outcome",
            "Ask the cardholder to call their bank.",
            "resolved",
        ),
        "escalate-to-the-payments-team-with-the": (
            "outcome",
            "Escalate to the payments team with the receipt.",
            "escalated",
        ),
        "replace-the-reader-it-is-faulty": (
            "outcome",
            "Replace the reader: it is faulty.",
            "resolved",
        ),
        "try-another-power-outlet-then-reboot-the": (
            "outcome",
            "Try another power outlet, then reboot the terminal.",
            "resolved",
        ),
    }
    nodes = tree["nodes"]
    assert (
        nodes["check-the-cable"]["body"] == "- Unplug the reader.\n- Plug it into another USB port."
    )
    assert nodes["was-the-test-sale-approved"]["body"] == "Run a test sale of $1.00."
    assert nodes["try-another-power-outlet-then-reboot-the"]["body"] == (
        "Try another power outlet, then `reboot` the terminal."
    )


def test_paya_connect_article_drops_its_placeholders_and_says_so(tmp_path: Path) -> None:
    result = imported("paya_connect.html")
    tree = validated(result, tmp_path)
    assert (
        tree["title"] == "How to grant access to a contact in the Customer Portal for Paya Connect"
    )
    assert shape(tree) == {
        "product": ("step", "Product", "description"),
        "description": ("step", "Description", "resolution"),
        "resolution": ("step", "Resolution", "do-you-see-the-create-user-from-the"),
        **PAYA_QUESTIONS,
        "check-the-is-user-field-on-the-profile": (
            "outcome",
            'Check the "Is User" field on the Profile tab.',
            "resolved",
        ),
    }
    assert comments_above(render_tree_yaml(result), "contact-your-solution-provider-to-ensure") == [
        "dropped the editor placeholder button 'Type Button Text' and its empty panel",
        "no answer is left but editor placeholders, so the branch ends here",
        "status escalated: the text says 'Contact your solution provider'",
    ]


def test_paya_connect_page_chrome_scripts_and_editor_controls_leave_no_trace() -> None:
    text = yaml.safe_dump(imported("paya_connect.html").tree, allow_unicode=True)
    for gone in (
        "Add Button",
        "Type Button Text",
        "This content will be shown",
        "window.helpjuice",
    ):
        assert gone not in text
    for gone in ("Looking for something", "Knowledge Base Software", "display:none", "Home"):
        assert gone not in text


def test_paya_connect_steps_keep_the_numbered_list_around_the_tree() -> None:
    nodes = imported("paya_connect.html").tree["nodes"]
    assert nodes["product"]["body"] == "Paya Connect"
    resolution = nodes["resolution"]["body"]
    assert resolution.startswith(
        "1. After logging into Paya Connect navigate to the contacts page by clicking on the "
        "**Contact** option for the Menu on the left.\\\n"
        "   [Contacts menu](https://static.helpjuice.com/paya/contacts-menu.png)\n"
        "2. Search for the contact"
    )
    assert resolution.endswith("\n\nFollow the steps below:")
    outcome_body = nodes["check-the-is-user-field-on-the-profile"]["body"]
    assert (
        "\n\n6. Once you have set up the customer with access to the Customer Portal"
        in outcome_body
    )


def test_missing_panels_empty_panels_and_duplicate_labels(tmp_path: Path) -> None:
    result = imported("missing_panels.html")
    tree = validated(result, tmp_path)
    start = "what-does-the-vpn-client-say"
    assert shape(tree)[start][2] == [
        ("Timeout", "check-that-you-are-online-then-connect"),
        ("Authentication failed", "reset-your-password-in-the-self-service"),
        ("Certificate expired", "no-instructions-for-certificate-expired"),
        ("Nothing at all", "no-instructions-for-nothing-at-all"),
        ("timeout (2)", "restart-the-laptop-and-try-once-more"),
        ("Something else", "write-down-the-exact-message-and-send-it"),
    ]
    nodes = tree["nodes"]
    assert nodes["no-instructions-for-certificate-expired"] == {
        "type": "outcome",
        "status": "unresolved",
        "title": "No instructions for 'Certificate expired'",
    }
    assert nodes["no-instructions-for-nothing-at-all"]["status"] == "unresolved"
    text = render_tree_yaml(result)
    assert comments_above(text, start) == [
        "two answers are labelled 'timeout'; the later one is now 'timeout (2)'",
        "answer 'Something else' names no panel; it got the next panel no button names",
        "a panel no answer leads to was left out: 'Old instructions for the legacy client.'",
    ]
    assert comments_above(text, "no-instructions-for-certificate-expired") == [
        "answer 'Certificate expired': it has no panel"
    ]
    assert comments_above(text, "no-instructions-for-nothing-at-all") == [
        "answer 'Nothing at all': its panel is empty or only placeholder text"
    ]


def test_placeholder_buttons_are_dropped_or_renamed(tmp_path: Path) -> None:
    result = imported("placeholder_buttons.html")
    tree = validated(result, tmp_path)
    assert shape(tree) == {
        "choose-the-answer-that-applies": (
            "question",
            "Choose the answer that applies",
            [
                ("The till is frozen", "hold-the-power-key-for-ten-seconds"),
                ("Answer 3", "unplug-the-till-wait-a-minute-and-plug"),
            ],
        ),
        "hold-the-power-key-for-ten-seconds": (
            "outcome",
            "Hold the power key for ten seconds.",
            "resolved",
        ),
        "unplug-the-till-wait-a-minute-and-plug": (
            "outcome",
            "Unplug the till, wait a minute and plug it back in.",
            "resolved",
        ),
    }
    assert "body" not in tree["nodes"]["hold-the-power-key-for-ten-seconds"]
    assert comments_above(render_tree_yaml(result), "choose-the-answer-that-applies") == [
        "no question text comes before the answers; check the title",
        "dropped the editor placeholder button 'Button Text' and its empty panel",
        "answer 3 still reads 'Type Button Text'; named it 'Answer 3'",
        "dropped the editor placeholder button 'Add Button' and its empty panel",
    ]


def test_flattened_list_export_is_rebuilt_with_a_warning(tmp_path: Path) -> None:
    result = imported("flattened_list.html")
    tree = validated(result, tmp_path)
    assert notes_of(result)[0] == (
        "warning: no Helpjuice decision-tree markup found; the tree was rebuilt from plain lists "
        "of answers on a best-effort basis: check every branch"
    )
    assert shape(tree) == {
        "product": ("step", "Product", "do-you-see-the-create-user-from-the"),
        **PAYA_QUESTIONS,
        "check-the-is-user-field-on-the-profile": (
            "outcome",
            'Check the "Is User" field on the Profile tab. This should say YES.',
            "resolved",
        ),
    }
    assert tree["nodes"]["click-this-button-and-a-contact-user"]["body"].endswith(
        "\n\n3. Once you have set up the customer, refresh the screen."
    )
    assert "# warning: no Helpjuice decision-tree markup found" in render_tree_yaml(result)


def test_hostile_html_scripts_styles_and_unsafe_links_are_dropped(tmp_path: Path) -> None:
    result = imported("hostile.html")
    tree = validated(result, tmp_path)
    text = render_tree_yaml(result)
    for gone in ("alert", "steal", "evil()", "fake tree", "helpjuice-decision-tree-tabs", "CDATA"):
        assert gone not in text
    for gone in ("commented-out", "enable scripts", "frame text", "javascript", "JaVa", "base64"):
        assert gone not in text
    assert tree["title"] == "Reset the modem"
    step = tree["nodes"][tree["start"]]
    assert step["body"] == (
        "Read this, that and [the guide](https://example.com/guide?a=1&b=%282%29) inline picture "
        "[image](https://example.com/x.png)"
    )


def test_hostile_labels_keep_markup_literally(tmp_path: Path) -> None:
    tree = validated(imported("hostile.html"), tmp_path)
    question = tree["nodes"]["which-light-is-bold-red-bold"]
    assert question["title"] == "Which light is [bold]red[/bold]?"
    assert [choice["label"] for choice in question["choices"]] == [
        "[bold]Power[/bold]",
        "**Internet** light",
        "Wi-Fi <script>x</script> [link](http://evil.test)",
    ]


def test_hostile_malformed_panels_tables_code_and_template_braces(tmp_path: Path) -> None:
    result = imported("hostile.html")
    nodes = validated(result, tmp_path)["nodes"]
    # The unclosed <b> goes on into the next paragraphs, as a browser shows it.
    footer = "\n\n**Footer text unclosed**"
    assert nodes["unplug-it-for-30-seconds"]["body"] == (
        "Unplug it for **30 seconds**\n\n**then plug it back in.**" + footer
    )
    braces = nodes["restart-it-secret-is-not-a-variable-and"]
    assert braces["title"].startswith("Restart it: { { secret }} is not a variable")
    assert "note: '{{' in the article was written as '{ {' so it is not read as a template" in (
        notes_of(result)
    )
    assert nodes["ssid-name-star-home"]["title"] == "SSID | name *star* home"
    assert nodes["ssid-name-star-home"]["body"] == (
        "| SSID \\| name | \\*star\\* |\n| --- | --- |\n| home |  |\n\n"
        "```\nline 1\n  line 2\n```" + footer
    )


WEIRD_LABELS = [
    '"quoted"', "it's", "# not a comment", "key: value", "[a, b]", "{a: b}", "- dash", "No",
    "yes", "null", "~", "123", "1.5", "@at", "%percent", "!tag", "&anchor", "*alias", "|pipe",
    ">folded", "emoji 🎉", "line break", "Ünïcödé", "`backtick`", "back\\slash", "on", "off",
    "true", "a #hash", "ends with colon:", "--- not a document", "...", "? mark",
]  # fmt: skip


def test_weird_labels_round_trip_through_yaml_unchanged(tmp_path: Path) -> None:
    tree = validated(imported("weird_labels.html"), tmp_path)
    choices = tree["nodes"]["pick-one"]["choices"]
    assert [choice["label"] for choice in choices] == WEIRD_LABELS
    assert all(isinstance(choice["label"], str) for choice in choices)
    assert all(set(choice) == {"label", "goto"} for choice in choices)


@pytest.mark.parametrize("name", FIXTURES)
def test_every_fixture_gives_unique_valid_node_ids_and_no_keys(name: str) -> None:
    tree = imported(name).tree
    ids = list(tree["nodes"])
    assert len(ids) == len(set(ids))
    assert all(NODE_ID.match(node_id) for node_id in ids)
    targets = [
        choice["goto"] for node in tree["nodes"].values() for choice in node.get("choices", [])
    ] + [node["next"] for node in tree["nodes"].values() if "next" in node]
    assert set(targets) <= set(ids)
    assert not any(
        "key" in choice for node in tree["nodes"].values() for choice in node.get("choices", [])
    )


def test_tree_id_comes_from_the_file_name_or_is_given() -> None:
    assert tree_id_from_name("47607-How_To Grant Access (Paya)") == "47607-how-to-grant-access-paya"
    assert tree_id_from_name("Über Café") == "uber-cafe"
    assert tree_id_from_name("!!!") == "imported-article"
    given = import_helpjuice_file(DATA / "simple_two_level.html", "printers/stuck-job")
    assert given.tree["id"] == "printers/stuck-job"


def test_an_article_without_a_tree_is_refused() -> None:
    with pytest.raises(ArticleImportError, match="no decision tree found"):
        import_helpjuice("<h1>Plain</h1><p>Nothing to choose.</p><ul><li>One</li></ul>", "plain")


def test_a_tree_with_neither_question_nor_answers_is_refused() -> None:
    tabs = '<div class="helpjuice-decision-tree-tabs"></div>'
    html = f'<div class="helpjuice-decision-tree">{tabs}</div>'
    with pytest.raises(ArticleImportError, match="no question and no answers"):
        import_helpjuice(html, "empty")


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.html"
    with huge.open("wb") as handle:
        handle.truncate(20 * 1024 * 1024)
    with pytest.raises(ArticleImportError, match=r"20\.0 MiB; articles over 10 MiB are refused"):
        import_helpjuice_file(huge)
    assert MAX_ARTICLE_BYTES == 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: path.mkdir(), "is not a regular file"),
        (lambda path: None, "does not exist"),
    ],
)
def test_unreadable_files_are_refused(tmp_path: Path, make: Any, message: str) -> None:
    path = tmp_path / "article.html"
    make(path)
    with pytest.raises(ArticleImportError, match=message):
        import_helpjuice_file(path)


def test_non_utf8_bytes_are_read_as_windows_1252_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "latin.html"
    source = (DATA / "simple_two_level.html").read_text(encoding="utf-8")
    path.write_bytes(source.replace("Is the printer", "Café: is the printer").encode("cp1252"))
    result = import_helpjuice_file(path)
    question = result.tree["nodes"]["cafe-is-the-printer-switched-on"]
    assert (question["type"], question["title"]) == (
        "question",
        "Café: is the printer switched on?",
    )
    assert "warning: the file is not valid UTF-8; it was read as windows-1252" in notes_of(result)


def test_a_declared_charset_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "cyrillic.html"
    html = '<meta charset="koi8-r"><h1>Принтер</h1>' + (DATA / "nested_deep.html").read_text()
    path.write_bytes(html.encode("koi8-r"))
    result = import_helpjuice_file(path)
    assert result.tree["title"] == "Принтер"
    assert "warning: the file is not valid UTF-8; it was read as koi8-r" in notes_of(result)


def test_ten_thousand_levels_of_nesting_after_the_tree_are_flattened(tmp_path: Path) -> None:
    tree = (DATA / "simple_two_level.html").read_text(encoding="utf-8")
    html = tree + "<div>" * 10_000 + "deep text" + "</div>" * 10_000
    result = import_helpjuice(html, "deep")
    validated(result, tmp_path)
    assert "warning: the HTML nests deeper than 150 elements; deeper tags were read as text" in (
        notes_of(result)
    )
    assert "deep text" in result.tree["nodes"]["cancel-the-job-print-it-again"]["body"]


@pytest.mark.parametrize(
    "opening", ["<div>", "<ul><li>", "<blockquote>", "<b><i>", "<table><tr><td>"]
)
def test_a_tree_buried_under_deep_nesting_fails_cleanly(opening: str) -> None:
    tree = (DATA / "simple_two_level.html").read_text(encoding="utf-8")
    with pytest.raises(ArticleImportError, match="nests deeper than 150 elements"):
        import_helpjuice(opening * 10_000 + tree, "buried")


@pytest.mark.parametrize("opening", ["<ul><li>", "<blockquote>", "<b><i><s>", "<ol><li><p>"])
def test_deeply_nested_content_in_a_panel_converts_without_recursion_errors(opening: str) -> None:
    tree = (DATA / "simple_two_level.html").read_text(encoding="utf-8")
    deep = opening * 10_000 + "bottom"
    result = import_helpjuice(tree.replace("Cancel the job.", deep), "deep-panel")
    assert result.tree["nodes"]["is-a-job-marked-error"]["type"] == "question"


def nested_tabs(levels: int) -> str:
    """A decision tree whose first answer holds another question, levels deep."""
    html = "<p>Bottom.</p>"
    for level in range(levels, 0, -1):
        html = (
            f'<p>Question {level}?</p><div class="helpjuice-decision-tree-tabs">'
            '<div class="helpjuice-decision-tree-tab-nav">'
            f'<div class="helpjuice-decision-tree-button" data-id="q{level}">'
            '<div class="helpjuice-decision-tree-button-text">Yes</div></div></div>'
            f'<div class="helpjuice-decision-tree-tab-content" id="q{level}">{html}</div></div>'
        )
    return html


def test_nested_questions_within_the_depth_limit_import() -> None:
    tree = import_helpjuice(nested_tabs(30), "thirty").tree
    questions = [node for node in tree["nodes"].values() if node["type"] == "question"]
    assert [node["title"] for node in questions] == [f"Question {n}?" for n in range(1, 31)]


def test_answer_lists_nested_past_the_question_limit_fail_cleanly() -> None:
    html = "<p>Start?</p>" + "<ul><li>Yes</li><li>No</li></ul><p>Next?</p>" * 500
    with pytest.raises(ArticleImportError, match="nests more than 60 questions deep"):
        import_helpjuice(html, "lists")


@pytest.mark.parametrize("junk", ["<a ", "</", "<!--", "<a b='", "<![CDATA[ ", "<?x ", "<"])
def test_unterminated_markup_after_the_tree_leaves_the_tree_whole(junk: str) -> None:
    tree = (DATA / "simple_two_level.html").read_text(encoding="utf-8")
    result = import_helpjuice(tree + junk * (100_000 // len(junk)), "junk")
    assert result.tree["start"] == "use-this-guide-when-a-print-job-stays-in"
    assert len(result.tree["nodes"]) == 6


def test_bare_tabs_take_their_question_from_the_paragraph_before() -> None:
    html = "<h2>Setup</h2><p>Plug in the cable.</p><p>Does the light come on?</p>" + nested_tabs(1)
    html = html.replace("<p>Question 1?</p>", "")
    tree = import_helpjuice(html, "bare").tree
    assert shape(tree) == {
        "setup": ("step", "Setup", "does-the-light-come-on"),
        "does-the-light-come-on": ("question", "Does the light come on?", [("Yes", "bottom")]),
        "bottom": ("outcome", "Bottom.", "resolved"),
    }
    assert tree["nodes"]["setup"]["body"] == "Plug in the cable."


def test_a_long_paragraph_ending_in_a_question_is_titled_by_the_question() -> None:
    lead = (
        "Open the reader's settings page from the main menu, choose About, and find the line "
        "that shows the firmware version of the reader. "
    )
    html = f"<p>{lead}Is it 4.2 or later?</p>" + nested_tabs(1).replace("<p>Question 1?</p>", "")
    question = import_helpjuice(html, "long").tree["nodes"]["is-it-4-2-or-later"]
    assert question["title"] == "Is it 4.2 or later?"
    assert question["body"] == lead + "Is it 4.2 or later?"


def test_a_second_decision_tree_is_reported() -> None:
    tree = (DATA / "nested_deep.html").read_text(encoding="utf-8")
    result = import_helpjuice(tree + tree, "twice")
    assert (
        "warning: the article holds more than one decision tree; only the first was imported"
        in (notes_of(result))
    )


def shared_panels(levels: int) -> str:
    """Two buttons per question that both open the one panel, levels deep."""
    html = "<p>Bottom.</p>"
    for level in range(levels, 0, -1):
        buttons = "".join(
            f'<div class="helpjuice-decision-tree-button" data-id="s{level}">'
            f'<div class="helpjuice-decision-tree-button-text">{label}</div></div>'
            for label in ("Yes", "Also yes")
        )
        html = (
            f'<p>Level {level}?</p><div class="helpjuice-decision-tree-tabs">'
            f'<div class="helpjuice-decision-tree-tab-nav">{buttons}</div>'
            f'<div class="helpjuice-decision-tree-tab-content" id="s{level}">{html}</div></div>'
        )
    return html


def test_buttons_sharing_a_panel_share_its_node_instead_of_doubling_per_level(
    tmp_path: Path,
) -> None:
    result = import_helpjuice(shared_panels(36), "shared")
    tree = validated(result, tmp_path)
    assert len(tree["nodes"]) == 37
    first = tree["nodes"][tree["start"]]
    assert [choice["goto"] for choice in first["choices"]] == ["level-2", "level-2"]


def test_thousands_of_duplicate_labels_are_numbered_quickly() -> None:
    buttons = "".join(
        f'<div class="helpjuice-decision-tree-button" data-id="d{n}">'
        '<div class="helpjuice-decision-tree-button-text">Yes</div></div>'
        for n in range(5000)
    )
    panels = "".join(
        f'<div class="helpjuice-decision-tree-tab-content" id="d{n}"><p>Done.</p></div>'
        for n in range(5000)
    )
    html = (
        '<p>Pick?</p><div class="helpjuice-decision-tree-tabs">'
        f'<div class="helpjuice-decision-tree-tab-nav">{buttons}</div>{panels}</div>'
    )
    tree = import_helpjuice(html, "many").tree
    labels = [choice["label"] for choice in tree["nodes"]["pick"]["choices"]]
    assert labels[:3] == ["Yes", "Yes (2)", "Yes (3)"]
    assert len(set(labels)) == 5000
    assert list(tree["nodes"])[1:4] == ["done", "done-2", "done-3"]


def test_utf16_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "wide.html"
    path.write_bytes((DATA / "nested_deep.html").read_text(encoding="utf-8").encode("utf-16"))
    result = import_helpjuice_file(path)
    assert result.tree["title"] == "Card reader troubleshooting"
    assert not [note for note in result.notes if note.severity == "warning"]


def test_placeholders_inside_real_text_are_kept_and_flagged() -> None:
    html = "<h1>TODO rename</h1>" + nested_tabs(1).replace(
        "<p>Question 1?</p>", "<p>Which one?</p>"
    ).replace("Bottom.", "Press it. Lorem ipsum dolor.")
    result = import_helpjuice(html, "flagged")
    text = render_tree_yaml(result)
    assert comments_above(text, "press-it-lorem-ipsum-dolor") == [
        "title still holds the editor placeholder 'Lorem ipsum': reword it, "
        "'branchwise validate' reports it until then"
    ]
    assert (
        "# note: the tree's title still holds the editor placeholder 'TODO': reword it, "
        "'branchwise validate' reports it until then"
    ) in text.split("\n")


TOKENS = sorted(
    set(re.findall(r"<[^>]*>|[^<]+", "".join(p.read_text("utf-8") for p in DATA.glob("*.html"))))
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS) | st.text(max_size=8), max_size=200))
def test_any_shuffle_of_article_markup_imports_or_is_refused_cleanly(pieces: list[str]) -> None:
    imports_or_is_refused_cleanly(lambda: import_helpjuice("".join(pieces), "shuffled"))


def imports_or_is_refused_cleanly(convert: Callable[[], ImportResult]) -> None:
    """The import gives a tree whose YAML reads back the same and passes validate, or it is
    refused with a message; nothing else escapes."""
    try:
        result = convert()
        text = checked_tree_yaml(result, "shuffled.yaml")
    except ArticleImportError as problem:
        assert problem.message
        return
    assert yaml.load(text, Loader=yaml.CSafeLoader) == result.tree
    nodes = result.tree["nodes"]
    assert result.tree["start"] in nodes
    for node in nodes.values():
        assert node["title"].strip()
        assert all(choice["goto"] in nodes for choice in node.get("choices", []))
        assert node.get("next", result.tree["start"]) in nodes


def test_text_past_what_any_tree_could_hold_stops_the_import_early() -> None:
    tree = (DATA / "simple_two_level.html").read_text(encoding="utf-8")
    words = "<p>" + "word " * 1_000_000 + "</p>"
    with pytest.raises(ArticleImportError, match=r"holds over 4 MiB of text\); 'branchwise valid"):
        import_helpjuice(tree.replace("Cancel the job.", words), "long")


def test_indentation_between_tags_is_not_counted_as_text(tmp_path: Path) -> None:
    tree = (DATA / "simple_two_level.html").read_text(encoding="utf-8")
    indented = tree.replace("<p>Still stuck?", "<span>\n" + " " * 5_000_000 + "</span><p>Still")
    validated(import_helpjuice(indented, "indented"), tmp_path)


COPIED_TEXT = DATA / "guest_wifi_copied_text.txt"


def test_an_articles_copied_text_gives_both_questions_and_every_end_text(tmp_path: Path) -> None:
    result = import_helpjuice_file(COPIED_TEXT)
    tree = validated(result, tmp_path)
    assert tree["title"] == "How to let a guest join the office Wi-Fi with the Acme Console"
    assert shape(tree) == {
        "product": ("step", "Product", "description"),
        "description": ("step", "Description", "resolution"),
        "resolution": ("step", "Resolution", "is-there-a-guest-vouchers-panel-on-the"),
        "is-there-a-guest-vouchers-panel-on-the": (
            "question",
            "Is there a 'Guest vouchers' panel on the Network page:",
            [
                ("Yes", "press-new-voucher-and-read-the-six"),
                ("No", "has-anyone-in-your-office-handed-out"),
            ],
        ),
        "press-new-voucher-and-read-the-six": (
            "outcome",
            "Press New voucher and read the six-letter code out to the visitor. "
            "It stays valid for one day.",
            "resolved",
        ),
        "has-anyone-in-your-office-handed-out": (
            "question",
            "Has anyone in your office handed out vouchers before?",
            [
                ("Yes", "ask-that-person-to-share-the-voucher"),
                ("No", "contact-your-account-manager-to-have"),
            ],
        ),
        "ask-that-person-to-share-the-voucher": (
            "outcome",
            "Ask that person to share the voucher list with you from their Settings tab.",
            "resolved",
        ),
        "contact-your-account-manager-to-have": (
            "outcome",
            "Contact your account manager to have guest vouchers turned on for your plan",
            "escalated",
        ),
    }
    assert tree["nodes"]["resolution"]["body"] == (
        "1. Sign in to the Acme Console and open the Network page from the menu on the left.\n"
        "2. Pick the office whose Wi-Fi the visitor will use:\n"
        "3. Do what the tree below says:"
    )
    assert tree["nodes"]["ask-that-person-to-share-the-voucher"]["body"].endswith(
        "\n\n- When the visitor leaves, you can revoke their code from the same panel.\n\n"
        "Questions about vouchers? Write to the office team and we will answer within a day."
    )


def test_copied_text_leaves_out_placeholders_and_page_lines_and_notes_each_guess() -> None:
    result = import_helpjuice_file(COPIED_TEXT)
    data = yaml.safe_dump(result.tree, allow_unicode=True)
    for gone in (
        "Add Button",
        "Type Button Text",
        "This content will be shown",
        "Decision Tree",
        "Looking for something",
        "Was this article helpful",
        "Contact Support",
        "\u00a0",
    ):
        assert gone not in data
    text = render_tree_yaml(result)
    assert comments_above(text, "is-there-a-guest-vouchers-panel-on-the") == [
        "guessed: answer 'Yes' leads to the next text, 'Press New voucher and read the six-lett…'",
        "guessed: answer 'No' leads to the next question, "
        "'Has anyone in your office handed out vo…'",
        "dropped the 'Add Button' item (an editor control)",
    ]
    assert comments_above(text, "contact-your-account-manager-to-have")[0] == (
        "dropped the editor placeholder button 'Type Button Text' and its empty panel"
    )
    assert notes_of(result)[2] == (
        "warning: the article is plain text; the tree was rebuilt from its lines and bullets on "
        "a best-effort basis: check every branch"
    )


def test_text_is_told_from_html_by_extension_then_by_content(tmp_path: Path) -> None:
    copied = COPIED_TEXT.read_text(encoding="utf-8")
    for name in ("article.txt", "article", "article.saved"):
        (tmp_path / name).write_text(copied, encoding="utf-8")
        assert (
            import_helpjuice_file(tmp_path / name)
            .header[0]
            .startswith("Imported from the text of the Helpjuice article")
        )
    html = (DATA / "simple_two_level.html").read_text(encoding="utf-8")
    (tmp_path / "saved-page").write_text(html, encoding="utf-8")
    assert import_helpjuice_file(tmp_path / "saved-page").tree["title"] == "Printer will not print"


def test_copied_text_markdown_is_escaped_and_without_answers_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "escaped.txt"
    path.write_text(
        "Title\n\n# not a heading [x](y) *z*\nIs it on?\n• Yes\n• No\nGood.\n{{ secret }}\n",
        encoding="utf-8",
    )
    result = import_helpjuice_file(path)
    tree = validated(result, tmp_path)
    start = tree["nodes"][tree["start"]]
    assert start["body"] == "\\# not a heading \\[x\\](y) \\*z\\*"
    plain = tmp_path / "plain.txt"
    plain.write_text("Just words.\n• One long item that is no answer at all, far too long\n")
    with pytest.raises(ArticleImportError, match=r"no bullets of answers such as '• Yes'"):
        import_helpjuice_file(plain)


def test_copied_text_of_too_many_lines_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    for separator in ("\n", "\r", "\u2028"):
        path.write_text(f"• Yes{separator}" * 100_001, encoding="utf-8", newline="")
        with pytest.raises(ArticleImportError, match="more than 100,000 lines"):
            import_helpjuice_file(path)
    path.write_text(COPIED_TEXT.read_text("utf-8") + "\r\n" * 60_000, "utf-8", newline="")
    assert import_helpjuice_file(path).tree["title"].startswith("How to let a guest join")


# With what no editor writes but a file may hold: a lone surrogate, an escape sequence, odd breaks.
LINES = [*sorted(set(COPIED_TEXT.read_text("utf-8").splitlines())), "\ud800", "\x1b[31m", "\u2028"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LINES) | st.text(max_size=12), max_size=120))
def test_any_shuffle_of_copied_lines_imports_or_is_refused_cleanly(lines: list[str]) -> None:
    imports_or_is_refused_cleanly(lambda: import_article_text("\n".join(lines), "shuffled"))
