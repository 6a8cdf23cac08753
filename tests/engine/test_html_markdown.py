"""HTML to Markdown for imported articles, and the bounded HTML parsing under it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.authoring.importers.errors import ArticleImportError
from engine.authoring.importers.html_document import Element, collapse_spaces, parse_html, text_of
from engine.authoring.importers.html_markdown import join_blocks, safe_url, to_blocks
from engine.authoring.importers.nesting import MAX_ELEMENT_DEPTH, MAX_TAGS, bound_markup


def markdown(html: str) -> str:
    return join_blocks(to_blocks(parse_html(html).root.children))


def kinds(html: str) -> list[tuple[str, str]]:
    return [(block.kind, block.text) for block in to_blocks(parse_html(html).root.children)]


def test_paragraphs_headings_and_inline_styles() -> None:
    html = (
        "<h2>Set <em>up</em></h2><p>Click <strong>Save</strong>, then <i>wait</i> "
        "for <code>sync</code> to <s>fail</s> finish.</p>"
    )
    assert markdown(html) == (
        "## Set *up*\n\nClick **Save**, then *wait* for `sync` to ~~fail~~ finish."
    )


def test_emphasis_keeps_its_spaces_outside_and_does_not_double() -> None:
    assert markdown("<p>a<b> bold </b>b <b><strong>x</strong></b></p>") == "a **bold** b **x**"


def test_nested_lists_with_numbering_and_a_start() -> None:
    html = '<ol start="3"><li>Open<ul><li>Menu</li><li>Tab</li></ul></li><li>Close</li></ol>'
    assert markdown(html) == "3. Open\n   - Menu\n   - Tab\n4. Close"


def test_a_list_directly_inside_a_list_belongs_to_the_item_before() -> None:
    assert markdown("<ul><li>One</li><ul><li>Sub</li></ul><li>Two</li></ul>") == (
        "- One\n  - Sub\n- Two"
    )


def test_empty_list_items_are_skipped() -> None:
    assert markdown("<ul><li>&nbsp;</li><li>Yes</li><li> </li></ul>") == "- Yes"


def test_links_images_and_unsafe_schemes() -> None:
    html = (
        '<p><a href="https://x.test/a b(1)">site</a> <a href="mailto:a@x.test">mail</a> '
        '<a href="java\nscript:alert(1)">bad</a> <a href="/kb/12"></a> '
        '<img src="https://x.test/i.png" alt="Shot"> '
        '<img src="data:image/png;base64,AA" alt="inline"> <img src="vbscript:x"></p>'
    )
    assert markdown(html) == (
        "[site](https://x.test/a%20b%281%29) [mail](mailto:a@x.test) bad "
        "[Shot](https://x.test/i.png) inline"
    )
    assert safe_url(" JAVASCRIPT:alert(1)") is None
    assert safe_url("") is None


@pytest.mark.parametrize(
    "url",
    [
        "//evil.test/x",
        "/kb/12",
        "kb/12",
        "#top",
        "https:evil.test",
        "https:///path-only",
        "http://[broken",
        "tel:+15550100",
        "ftp://files.test/a",
        "data:text/html,<b>x</b>",
        "mailto:",
    ],
)
def test_only_full_http_https_and_mailto_urls_are_kept(url: str) -> None:
    assert safe_url(url) is None
    assert markdown(f'<p><a href="{url}">kept text</a></p>') == "kept text"


def test_kept_urls_cannot_end_the_link_or_read_as_markup() -> None:
    assert safe_url("https://x.test/<b>`{{v}}`</b> (1)\\") == (
        "https://x.test/%3Cb%3E%60%7B%7Bv%7D%7D%60%3C/b%3E%20%281%29%5C"
    )
    assert safe_url("HTTPS://Ünï.test/é?q=1&r=2#f") == "HTTPS://Ünï.test/é?q=1&r=2#f"
    assert markdown('<p><a href="https://x.test/">[click] *here*</a></p>') == (
        "[\\[click\\] \\*here\\*](https://x.test/)"
    )


def test_text_that_markdown_would_read_is_escaped() -> None:
    html = "<p>*not bold* _x_ [y](z) `c` &lt;b&gt; back\\slash &amp;copy;</p>"
    assert (
        markdown(html) == "\\*not bold\\* \\_x\\_ \\[y\\](z) \\`c\\` \\<b> back\\\\slash \\&copy;"
    )


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("# not a heading", "\\# not a heading"),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "1\\. not a list"),
        ("> not a quote", "\\> not a quote"),
        ("--- not a rule", "\\--- not a rule"),
    ],
)
def test_a_paragraph_that_starts_like_markdown_stays_a_paragraph(text: str, escaped: str) -> None:
    assert markdown(f"<p>{text}</p>") == escaped


def test_line_breaks_become_hard_breaks_and_each_line_is_escaped() -> None:
    assert markdown("<p>first<br>  # second<br><br></p>") == "first\\\n\\# second"


def test_code_blocks_keep_their_whitespace_and_fence_past_backticks() -> None:
    assert markdown("<pre>a\n  ```b<br>c</pre>") == "````\na\n  ```b\nc\n````"


def test_quotes_and_rules() -> None:
    assert markdown("<blockquote><p>One</p><p>Two</p></blockquote><hr>") == (
        "> One\n>\n> Two\n\n---"
    )


def test_tables_become_pipe_tables() -> None:
    html = "<table><tr><th>Key</th><th>Value</th></tr><tr><td>a|b</td></tr></table>"
    assert markdown(html) == "| Key | Value |\n| --- | --- |\n| a\\|b |  |"


def test_a_short_bold_paragraph_counts_as_a_heading() -> None:
    assert kinds("<p><strong>Resolution</strong></p><p><b>Note:</b></p><p><b>A</b> b</p>") == [
        ("heading", "Resolution"),
        ("paragraph", "Note:"),
        ("paragraph", "A b"),
    ]


def test_page_chrome_and_dropped_elements_leave_no_text() -> None:
    html = (
        "<head><title>T</title></head><nav>Menu</nav><form><input value='q'>Search</form>"
        "<script>x()</script><style>p{}</style><noscript>no</noscript><p>Body</p>"
        "<footer>Foot</footer>"
    )
    assert markdown(html) == "Body"


def test_skip_leaves_out_chosen_elements() -> None:
    root = parse_html('<p>Keep <span class="ctl">drop</span> this</p>').root
    blocks = to_blocks(root.children, skip=lambda element: "ctl" in element.classes)
    assert [(block.markdown, block.text) for block in blocks] == [("Keep this", "Keep this")]


def test_control_characters_never_reach_the_text() -> None:
    html = "<p>a\x1b[31mred\x07 b&#27;c\x00</p>"
    assert markdown(html) == "a\\[31mred bc"


def body_of(html: str) -> Element:
    root = parse_html(html).root
    body = next(element for element in root.children[0].children if element.tag == "body")
    assert isinstance(body, Element)
    return body


def test_implied_end_tags_close_paragraphs_items_and_cells() -> None:
    body = body_of("<p>one<p>two<ul><li>a<li>b</ul><table><tr><td>1<td>2<tr><td>3</table>")
    assert [child.tag for child in body.children if not isinstance(child, str)] == [
        "p",
        "p",
        "ul",
        "table",
    ]
    assert markdown("<ul><li>a<li>b</ul>") == "- a\n- b"


def test_misnested_markup_is_read_as_an_html5_browser_shows_it() -> None:
    assert markdown("<p>a <b>bold<p>still bold</p>") == "a **bold**\n\n**still bold**"
    assert markdown("<table><tr><td>cell</td></tr>stray</table>") == ("stray\n\n| cell |\n| --- |")


def depth_of(root: Element) -> int:
    """How many elements deep the tree under root goes."""
    deepest, pending = 0, [(root, 0)]
    while pending:
        element, depth = pending.pop()
        deepest = max(deepest, depth)
        pending.extend((c, depth + 1) for c in element.children if isinstance(c, Element))
    return deepest


def test_nesting_deeper_than_the_limit_is_kept_as_text() -> None:
    document = parse_html("<div>" * 1000 + "bottom" + "</div>" * 1000 + "<p>after</p>")
    assert document.flattened_deep_nesting
    assert depth_of(document.root) == MAX_ELEMENT_DEPTH
    assert text_of(document.root) == "bottom after"


@pytest.mark.parametrize(
    "opening", ["<div>", "<ul><li>", "<blockquote>", "<section><span>", "<table><tr><td>"]
)
def test_tags_past_the_depth_limit_are_cut_out_before_parsing(opening: str) -> None:
    bounded = bound_markup(opening * 1000 + "bottom")
    assert bounded.flattened
    assert len(bounded.text) < len(opening) * 1000
    assert bounded.text.endswith("bottom")
    document = parse_html(opening * 1000 + "bottom")
    assert depth_of(document.root) <= MAX_ELEMENT_DEPTH
    assert text_of(document.root) == "bottom"


@pytest.mark.parametrize(
    "html",
    [
        "<p>para" * 1000,
        "<ul>" + "<li>item" * 1000 + "</ul>",
        "<dl>" + "<dt>term<dd>meaning" * 1000 + "</dl>",
        "<table>" + "<tr><td>a<td>b" * 1000 + "</table>",
        "<a href='#'>link" * 1000,
        "<div>open</div>" * 1000,
        "<br><img src=x><hr>" * 1000,
        "<script>" + "<div>" * 1000 + "</script><p>after",
        "<!--" + "<div>" * 1000 + "--><p>after",
        "<textarea>" + "<div>" * 1000 + "</textarea><p>after",
    ],
)
def test_siblings_void_tags_raw_text_and_comments_do_not_count_as_depth(html: str) -> None:
    bounded = bound_markup(html)
    assert not bounded.flattened
    assert bounded.text == html


def test_the_end_tags_of_cut_elements_are_cut_too() -> None:
    html = "<div>" * 200 + "deep" + "</div>" * 200 + "<p>after</p>"
    bounded = bound_markup(html)
    assert bounded.text == "<div>" * 150 + "deep" + "</div>" * 150 + "<p>after</p>"


def test_an_article_with_too_many_tags_is_refused() -> None:
    bound_markup("<b>" * MAX_TAGS)
    with pytest.raises(ArticleImportError, match="more than 100,000 tags"):
        bound_markup("<b>" * (MAX_TAGS + 1))
    with pytest.raises(ArticleImportError, match="more than 100,000 tags"):
        parse_html("<a " * (MAX_TAGS + 1))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["word", " ", "  ", "\t", "\n", "\xa0", "\u2028", "é"]), max_size=60)
)
def test_collapsing_spaces_reads_text_as_str_split_does(pieces: list[str]) -> None:
    short = "".join(pieces)
    assert collapse_spaces(short) == " ".join(short.split())
    long = short * 2000 + " \t " * 30_000 + short * 2000
    assert collapse_spaces(long) == " ".join(long.split())


def test_text_split_by_comments_and_dropped_elements_is_one_string() -> None:
    body = body_of("<p>" + "words<!-- note --><script>x()</script>" * 5000 + "</p>")
    paragraph = body.children[0]
    assert isinstance(paragraph, Element)
    assert paragraph.children == ["words" * 5000]
