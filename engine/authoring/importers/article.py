"""What every imported article shares: reading the file, its title, text around the tree,
editor placeholders, and how an answer button becomes a choice."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

from engine.authoring.importers.draft import (
    DraftNode,
    ImportLog,
    add_choice,
    dead_end,
    outcome,
    preorder,
    quoted,
    title_from_blocks,
)
from engine.authoring.importers.errors import ArticleImportError, tree_too_large
from engine.authoring.importers.html_document import (
    Element,
    ancestors,
    decode_html,
    find_first,
    text_of,
)
from engine.authoring.importers.html_markdown import Block, join_blocks
from engine.files import MAX_TREE_BYTES

MAX_ARTICLE_BYTES = 10 * 1024 * 1024
MAX_QUESTION_DEPTH = 60
PLACEHOLDER_LABELS = frozenset({"add button", "type button text", "button text", "todo"})
_PLACEHOLDER_TEXT = re.compile(
    r"^(?:this content will be shown\b|write your initial question\b|lorem ipsum\b)", re.I
)
_CONTENT_CLASSES = frozenset({"article-body", "article-content", "helpjuice-article-body"})


def read_article(path: Path) -> tuple[str, str | None]:
    """The article's text, and a note when it was not UTF-8; refuses what it cannot read.

    Error messages say what is wrong with the file without repeating its path.
    """
    try:
        if not path.is_file():
            what = "does not exist" if not path.exists() else "is not a regular file"
            raise ArticleImportError(what)
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise ArticleImportError(_too_big(size))
        with path.open("rb") as handle:
            data = handle.read(MAX_ARTICLE_BYTES + 1)
    except OSError as problem:
        raise ArticleImportError(f"cannot be read: {problem.strerror}") from problem
    if len(data) > MAX_ARTICLE_BYTES:
        raise ArticleImportError(_too_big(len(data)))
    return decode_html(data)


def _too_big(size: int) -> str:
    megabytes = size / (1024 * 1024)
    limit = MAX_ARTICLE_BYTES // (1024 * 1024)
    return f"the file is {megabytes:.1f} MiB; articles over {limit} MiB are refused"


def is_placeholder_label(label: str) -> bool:
    """Whether a button's label is empty or still the editor's placeholder."""
    folded = " ".join(label.split()).casefold()
    return not folded or folded.rstrip(".…:") in PLACEHOLDER_LABELS


def is_placeholder_block(block: Block) -> bool:
    """Whether a block is only editor placeholder text."""
    if not block.text:
        return False
    return bool(_PLACEHOLDER_TEXT.match(block.text)) or is_placeholder_label(block.text)


def without_placeholders(blocks: Sequence[Block]) -> list[Block]:
    """The blocks that are real content."""
    return [block for block in blocks if not is_placeholder_block(block)]


def article_heading(root: Element) -> Element | None:
    """The article's <h1>, or else its <title>."""
    heading = find_first(root, lambda element: element.tag == "h1" and bool(text_of(element)))
    if heading is not None:
        return heading
    return find_first(root, lambda element: element.tag == "title" and bool(text_of(element)))


def content_root(root: Element, inside: Element | None = None) -> Element:
    """The element holding the article's own text: its article body, <main> or <body>."""
    if inside is not None:
        marked = next((element for element in ancestors(inside) if _holds_article(element)), None)
    else:
        marked = find_first(root, _holds_article)
    body = find_first(root, lambda element: element.tag == "body")
    return marked or body or root


def _holds_article(element: Element) -> bool:
    return element.tag in ("article", "main") or bool(element.classes & _CONTENT_CLASSES)


def split_around(
    container: Element, target: Element
) -> tuple[list[Element | str], list[Element | str]]:
    """What comes before and after target inside container, in document order.

    Items cut out of a list stay in a copy of that list, so bullets and numbering survive.
    """
    before: list[Element | str] = []
    after: list[Element | str] = []
    child = target
    for parent in ancestors(target):
        index = next(i for i, node in enumerate(parent.children) if node is child)
        before[:0] = keep_in_list(parent, parent.children[:index])
        items_so_far = sum(_is_item(node) for node in parent.children[: index + 1])
        after.extend(keep_in_list(parent, parent.children[index + 1 :], skipped=items_so_far))
        if parent is container:
            break
        child = parent
    return before, after


def keep_in_list(
    parent: Element, nodes: list[Element | str], skipped: int = 0
) -> list[Element | str]:
    """The nodes, inside a copy of parent when they are items cut out of its list; an ordered
    list's copy goes on numbering after the skipped items."""
    if parent.tag not in ("ul", "ol") or not any(_is_item(node) for node in nodes):
        return nodes
    attrs = dict(parent.attrs)
    if parent.tag == "ol" and skipped:
        start = attrs.get("start", "1")
        attrs["start"] = str((int(start) if start.isdigit() and len(start) < 10 else 1) + skipped)
    copy = Element(parent.tag, attrs, None)
    copy.children = nodes
    return [copy]


def _is_item(node: Element | str) -> bool:
    return isinstance(node, Element) and node.tag == "li"


def steps_before_tree(blocks: Sequence[Block]) -> list[DraftNode]:
    """One step per heading section of the text before the tree (one step when it has none)."""
    sections: list[tuple[str | None, list[Block]]] = []
    for block in blocks:
        if block.kind == "heading":
            sections.append((block.text, []))
        elif not sections:
            sections.append((None, [block]))
        else:
            sections[-1][1].append(block)
    steps = []
    for heading, section in sections:
        title = heading or title_from_blocks(section)
        body = join_blocks(section)
        steps.append(DraftNode("step", title, body))
    return steps


def chain(steps: list[DraftNode], first: DraftNode) -> DraftNode:
    """Links the steps one after another and on to the tree; returns where the walk starts."""
    for current, following in pairwise([*steps, first]):
        current.next = following
    return steps[0] if steps else first


def append_to_resolved(start: DraftNode, blocks: Sequence[Block], log: ImportLog) -> None:
    """Adds the text after the tree to each resolved outcome, where the reader would go on."""
    text = join_blocks(blocks)
    if not text:
        return
    resolved = [node for node in preorder(start) if node.kind == "outcome"]
    resolved = [node for node in resolved if node.status == "resolved"]
    if len(text) * len(resolved) > MAX_TREE_BYTES:
        why = f" (the text after the decision tree ends each of {len(resolved):,} outcomes)"
        raise tree_too_large(len(text) * len(resolved), why)
    for node in resolved:
        node.body = f"{node.body or node.title}\n\n{text}"
    words = " ".join(block.text for block in blocks)
    if resolved:
        log.note(
            f"the text after the decision tree ({quoted(words, 40)}) ends each resolved outcome"
        )
    else:
        log.note(f"the text after the decision tree was left out: {quoted(words)}")


def attach_answer(
    question: DraftNode, label: str, position: int, target: DraftNode | None, has_panel: bool
) -> None:
    """Turns one answer button into a choice, or drops it when it is only a placeholder."""
    if is_placeholder_label(label):
        if target is None:
            what = " and its empty panel" if has_panel else ""
            question.comments.append(f"dropped the editor placeholder button {quoted(label)}{what}")
            return
        named = f"Answer {position}"
        question.comments.append(
            f"answer {position} still reads {quoted(label)}; named it {quoted(named)}"
        )
        label = named
    if target is None:
        reason = "its panel is empty or only placeholder text" if has_panel else "it has no panel"
        target = dead_end(label, f"answer {quoted(label)}: {reason}")
    add_choice(question, label, target)


def end_of_branch(question: DraftNode, blocks: Sequence[Block]) -> DraftNode | None:
    """The outcome a question without usable answers becomes, keeping its notes; None when it
    has no text either."""
    if not blocks:
        return None
    leaf = outcome(blocks)
    leaf.comments[:0] = [
        *question.comments,
        "no answer is left but editor placeholders, so the branch ends here",
    ]
    return leaf


def check_depth(depth: int) -> None:
    """Refuses trees nested deeper than any real article, before they cost time or stack."""
    if depth > MAX_QUESTION_DEPTH:
        raise ArticleImportError(
            f"the decision tree nests more than {MAX_QUESTION_DEPTH} questions deep"
        )
