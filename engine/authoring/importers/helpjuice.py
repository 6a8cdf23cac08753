"""Helpjuice decision-tree articles converted to branchwise trees.

Helpjuice keeps a decision tree in the article body: a ``helpjuice-decision-tree`` block with
a first question and ``…-tabs``, whose ``…-tab-nav`` holds one ``…-button[data-id]`` per answer
and whose ``…-tab-content[id]`` panels hold each answer's content, possibly more tabs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from pathlib import Path

from engine.authoring.importers.article import (
    append_to_resolved,
    article_heading,
    attach_answer,
    chain,
    check_depth,
    content_root,
    end_of_branch,
    read_article,
    split_around,
    steps_before_tree,
    without_placeholders,
)
from engine.authoring.importers.article_text import import_article_text, is_article_text
from engine.authoring.importers.draft import (
    FALLBACK_QUESTION_TITLE,
    DraftNode,
    ImportLog,
    ImportResult,
    build_result,
    outcome,
    question_block,
    question_text,
    quoted,
    slugify,
)
from engine.authoring.importers.errors import ArticleImportError
from engine.authoring.importers.flattened_lists import read_flattened_tree
from engine.authoring.importers.html_document import (
    Document,
    Element,
    find_first,
    parse_html,
    text_of,
    walk,
)
from engine.authoring.importers.html_markdown import (
    Block,
    TextBudget,
    join_blocks,
    plain_text,
    to_blocks,
)
from engine.authoring.importers.nesting import MAX_ELEMENT_DEPTH

PREFIX = "helpjuice-decision-tree"
TREE = PREFIX
FIRST_QUESTION = f"{PREFIX}-first-question"
TABS = f"{PREFIX}-tabs"
TAB_NAV = f"{PREFIX}-tab-nav"
BUTTON = f"{PREFIX}-button"
BUTTON_TEXT = f"{PREFIX}-button-text"
PANEL = f"{PREFIX}-tab-content"
EDITOR_CONTROLS = frozenset(
    f"{PREFIX}-{name}"
    for name in ("delete-button", "add-tab-button", "add-answers", "delete", "info")
)
TREE_ID_FALLBACK = "imported-article"


def import_helpjuice_file(path: Path, tree_id: str | None = None) -> ImportResult:
    """The tree in a Helpjuice article file, saved as HTML or as the page's text; its id comes
    from the file name unless given."""
    text, decoding_note = read_article(path)
    log = ImportLog()
    if decoding_note is not None:
        log.warn(decoding_note)
    tree_id = tree_id or tree_id_from_name(path.stem)
    if is_article_text(path.name, text):
        return import_article_text(text, tree_id, path.name, log)
    return import_helpjuice(text, tree_id, path.name, log)


def tree_id_from_name(name: str) -> str:
    """A tree id made from a file name."""
    return slugify(name, limit=60) or TREE_ID_FALLBACK


def import_helpjuice(
    html: str, tree_id: str, source_name: str = "article", log: ImportLog | None = None
) -> ImportResult:
    """The branchwise tree held in a Helpjuice article's HTML."""
    log = log or ImportLog()
    document = parse_html(html)
    if document.flattened_deep_nesting:
        depth = MAX_ELEMENT_DEPTH
        log.warn(f"the HTML nests deeper than {depth} elements; deeper tags were read as text")
    heading = article_heading(document.root)
    tree_element = find_first(document.root, holds_answers)
    if tree_element is None:
        start, first = _read_without_tree_markup(document, heading, log)
    else:
        start, first = _read_tree_article(document.root, tree_element, heading, log)
    title = text_of(heading) if heading is not None else first.title
    header = [f"Imported from the Helpjuice article {source_name}."]
    return build_result(start, title, tree_id, log, header)


def _read_without_tree_markup(
    document: Document, heading: Element | None, log: ImportLog
) -> tuple[DraftNode, DraftNode]:
    try:
        return read_flattened_tree(document.root, heading, log)
    except ArticleImportError as problem:
        if not document.flattened_deep_nesting:
            raise
        raise ArticleImportError(
            f"{problem.message}; the HTML nests deeper than {MAX_ELEMENT_DEPTH} elements "
            "and nothing deeper is read as structure"
        ) from problem


def holds_answers(element: Element) -> bool:
    """Whether the element is a decision tree or a set of answer tabs."""
    return TREE in element.classes or TABS in element.classes


def is_editor_control(element: Element) -> bool:
    """Whether the element is one of the editor's own buttons rather than content."""
    return bool(element.classes & EDITOR_CONTROLS)


def _read_tree_article(
    root: Element, tree_element: Element, heading: Element | None, log: ImportLog
) -> tuple[DraftNode, DraftNode]:
    reader = _TreeReader(log, heading)
    before, after = split_around(content_root(root, tree_element), tree_element)
    leading = reader.blocks(before)
    first = reader.tree(tree_element, leading)
    if first is None:
        raise ArticleImportError("the decision tree has no question and no answers")
    if any(holds_answers(element) for node in after for element in _self_and_below(node)):
        log.warn("the article holds more than one decision tree; only the first was imported")
    append_to_resolved(first, reader.blocks(after), log)
    return chain(steps_before_tree(leading), first), first


def _self_and_below(node: Element | str) -> list[Element]:
    if isinstance(node, str):
        return []
    return [node, *walk(node)]


class _TreeReader:
    """Reads a decision tree's questions, answers and panels into draft nodes."""

    def __init__(self, log: ImportLog, heading: Element | None) -> None:
        self.log = log
        self.heading = heading
        self.read: dict[int, DraftNode | None] = {}
        self.budget = TextBudget()

    def skip(self, element: Element) -> bool:
        return element is self.heading or is_editor_control(element)

    def blocks(self, nodes: Sequence[Element | str]) -> list[Block]:
        return without_placeholders(to_blocks(nodes, self.skip, self.budget))

    def tree(self, element: Element, leading: list[Block]) -> DraftNode | None:
        """The first question; bare tabs take it from the text before them, removed from leading."""
        asked, tabs = self._parts(element)
        if asked is not None:
            return self.question([], self.blocks(asked.children), tabs, [], depth=1)
        index = question_block(leading)
        if index is None:
            self.log.warn("the decision tree has no first question")
            return self.question([], [], tabs, [], depth=1)
        return self.question([], [leading.pop(index)], tabs, [], depth=1)

    def question(
        self,
        intro: list[Block],
        asked: list[Block],
        tabs: Element | None,
        trailing: list[Block],
        depth: int,
    ) -> DraftNode | None:
        check_depth(depth)
        title, rest = question_text(asked)
        node = DraftNode(
            "question", title or FALLBACK_QUESTION_TITLE, join_blocks(intro + rest + trailing)
        )
        if title is None:
            node.comments.append("no question text comes before the answers; check the title")
        if trailing:
            node.comments.append("text after the answers was put in this question's body")
        if tabs is not None:
            self._answers(node, tabs, depth)
        return node if node.choices else end_of_branch(node, intro + asked + trailing)

    def _read_once(self, panel: Element, depth: int) -> DraftNode | None:
        # Buttons sharing a panel share its node: read again, n levels would cost 2**n nodes.
        if id(panel) not in self.read:
            self.read[id(panel)] = self.panel(panel, depth)
        return self.read[id(panel)]

    def panel(self, panel: Element, depth: int) -> DraftNode | None:
        nested = find_first(
            panel, holds_answers, descend=lambda element: not holds_answers(element)
        )
        if nested is None:
            blocks = self.blocks(panel.children)
            return outcome(blocks) if blocks else None
        before, after = split_around(panel, nested)
        intro, trailing = self.blocks(before), self.blocks(after)
        asked, tabs = self._parts(nested)
        if asked is not None:
            return self.question(intro, self.blocks(asked.children), tabs, trailing, depth)
        return self.question([], intro, tabs, trailing, depth)

    def _parts(self, element: Element) -> tuple[Element | None, Element | None]:
        """The first question and the answer tabs of a decision tree (or of bare tabs)."""
        if TABS in element.classes:
            return None, element
        asked = find_first(
            element, lambda e: FIRST_QUESTION in e.classes, descend=lambda e: not holds_answers(e)
        )
        tabs = find_first(
            element,
            lambda e: TABS in e.classes,
            descend=lambda e: not holds_answers(e) and FIRST_QUESTION not in e.classes,
        )
        return asked, tabs

    def _answers(self, question: DraftNode, tabs: Element, depth: int) -> None:
        buttons = _buttons(tabs)
        matcher = _PanelMatcher(_panels(tabs), buttons)
        for position, button in enumerate(buttons, start=1):
            label = plain_text(_label_element(button).children, self.skip)
            panel, by_position = matcher.panel_for(button)
            if by_position:
                question.comments.append(
                    f"answer {quoted(label)} names no panel; it got the next panel no button names"
                )
            target = None if panel is None else self._read_once(panel, depth + 1)
            attach_answer(question, label, position, target, panel is not None)
        self._report_unused(question, matcher.unused())

    def _report_unused(self, question: DraftNode, panels: list[Element]) -> None:
        for panel in panels:
            text = " ".join(block.text for block in self.blocks(panel.children))
            if text:
                question.comments.append(f"a panel no answer leads to was left out: {quoted(text)}")


class _PanelMatcher:
    """Finds each button's panel by id; a button without an id takes the next unnamed panel."""

    def __init__(self, panels: list[Element], buttons: list[Element]) -> None:
        self.panels = panels
        self.by_id: dict[str, Element] = {}
        for panel in panels:
            self.by_id.setdefault(panel.attrs.get("id", ""), panel)
        named = {button.attrs.get("data-id", "") for button in buttons} - {""}
        self.spare = deque(panel for panel in panels if panel.attrs.get("id", "") not in named)
        self.used: set[int] = set()

    def panel_for(self, button: Element) -> tuple[Element | None, bool]:
        """The button's panel, and whether it was matched by position rather than id."""
        named = button.attrs.get("data-id", "")
        panel = self.by_id.get(named) if named else None
        # Only a button that names no panel at all may take one by position (older editors).
        by_position = not named and bool(self.spare)
        if by_position:
            panel = self.spare.popleft()
        if panel is not None:
            self.used.add(id(panel))
        return panel, by_position

    def unused(self) -> list[Element]:
        """The panels no button led to."""
        return [panel for panel in self.panels if id(panel) not in self.used]


def _outside_panels(element: Element) -> bool:
    return PANEL not in element.classes and not holds_answers(element)


def _buttons(tabs: Element) -> list[Element]:
    nav = find_first(tabs, lambda e: TAB_NAV in e.classes, descend=_outside_panels)
    scope = walk(nav or tabs, descend=lambda e: _outside_panels(e) and BUTTON not in e.classes)
    return [element for element in scope if BUTTON in element.classes]


def _panels(tabs: Element) -> list[Element]:
    scope = walk(tabs, descend=_outside_panels)
    return [element for element in scope if PANEL in element.classes]


def _label_element(button: Element) -> Element:
    text = find_first(button, lambda element: BUTTON_TEXT in element.classes)
    return text or button
