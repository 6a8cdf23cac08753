"""Best-effort reading of articles whose decision tree an older editor flattened into lists.

Such pages show each question as a paragraph followed by a bulleted list of its answers
("Yes", "No", "Add Button"), then one block of text per answer in the same order; a block
followed by another answer list is a further question.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.authoring.importers.article import (
    append_to_resolved,
    attach_answer,
    chain,
    check_depth,
    content_root,
    end_of_branch,
    is_placeholder_block,
    is_placeholder_label,
    keep_in_list,
    steps_before_tree,
    without_placeholders,
)
from engine.authoring.importers.draft import (
    FALLBACK_QUESTION_TITLE,
    DraftNode,
    ImportLog,
    outcome,
    question_text,
    quoted,
)
from engine.authoring.importers.errors import ArticleImportError
from engine.authoring.importers.html_document import Element, ancestors, walk
from engine.authoring.importers.html_markdown import (
    Block,
    Skip,
    TextBudget,
    join_blocks,
    plain_text,
    to_blocks,
)

MAX_ANSWER_LENGTH = 40
ANSWER_WORDS = frozenset({"yes", "no", "not sure", "i don't know", "maybe", "true", "false"})
ADD_BUTTON = "add button"


@dataclass(frozen=True)
class AnswerList:
    """A list that reads as the answer buttons of one question."""

    labels: list[str]


Item = Block | AnswerList


def read_flattened_tree(
    root: Element, heading: Element | None, log: ImportLog
) -> tuple[DraftNode, DraftNode]:
    """Where the walk starts and the first question, rebuilt from the article's lists."""
    container = content_root(root)
    answer_lists, holders = _answer_lists(container)
    if not answer_lists:
        raise ArticleImportError(
            "no decision tree found (no Helpjuice decision-tree markup, no answer lists)"
        )
    log.warn(
        "no Helpjuice decision-tree markup found; the tree was rebuilt from plain lists of "
        "answers on a best-effort basis: check every branch"
    )
    skip: Skip = lambda element: element is heading  # noqa: E731
    items = _Flattener(answer_lists, holders, skip).items(container)
    return FlatReader(items, log).read()


def _answer_lists(container: Element) -> tuple[dict[int, AnswerList], set[int]]:
    """The lists that read as answer buttons, and the elements holding them, by id()."""
    answer_lists: dict[int, AnswerList] = {}
    holders: set[int] = set()
    for element in walk(container):
        labels = _answer_labels(element) if element.tag in ("ul", "ol") else None
        if labels is None:
            continue
        answer_lists[id(element)] = AnswerList(labels)
        for holder in ancestors(element):
            if id(holder) in holders or holder is container:
                break
            holders.add(id(holder))
    return answer_lists, holders


def _answer_labels(element: Element) -> list[str] | None:
    items = [
        child for child in element.children if isinstance(child, Element) and child.tag == "li"
    ]
    if any(child.tag in ("ul", "ol") for item in items for child in walk(item)):
        return None
    return answer_labels([plain_text([item]) for item in items])


def answer_labels(items: list[str]) -> list[str] | None:
    """The labels of a list's items when it reads as answer buttons, else None: short items,
    and an editor placeholder among them or only words such as Yes and No."""
    labels = [label for label in items if label]
    if not labels or any(len(label) > MAX_ANSWER_LENGTH for label in labels):
        return None
    folded = [label.casefold() for label in labels]
    if any(is_placeholder_label(label) for label in labels):
        return labels
    return labels if len(labels) > 1 and all(label in ANSWER_WORDS for label in folded) else None


class _Flattener:
    """The article as one sequence of text blocks and answer lists."""

    def __init__(self, answer_lists: dict[int, AnswerList], holders: set[int], skip: Skip) -> None:
        self.answer_lists = answer_lists
        self.holders = holders
        self.skip = skip
        self.budget = TextBudget()

    def items(self, parent: Element) -> list[Item]:
        out: list[Item] = []
        run: list[Element | str] = []
        items_before_run = 0
        for node in parent.children:
            if isinstance(node, str) or not self._holds_answers(node):
                run.append(node)
                continue
            out.extend(self._blocks(parent, run, items_before_run))
            items_before_run += sum(_is_item(child) for child in [*run, node])
            run = []
            answers = self.answer_lists.get(id(node))
            out.extend([answers] if answers is not None else self.items(node))
        out.extend(self._blocks(parent, run, items_before_run))
        return out

    def _holds_answers(self, element: Element) -> bool:
        return id(element) in self.holders or id(element) in self.answer_lists

    def _blocks(self, parent: Element, nodes: list[Element | str], skipped: int) -> list[Block]:
        if not nodes:
            return []
        return to_blocks(keep_in_list(parent, nodes, skipped), self.skip, self.budget)


def _is_item(node: Element | str) -> bool:
    return isinstance(node, Element) and node.tag == "li"


class FlatReader:
    """Consumes the sequence: a question, then one block per answer, recursively.

    Which text belongs to which answer is a guess, so each is said in a comment on the question.
    """

    def __init__(self, items: list[Item], log: ImportLog) -> None:
        self.items = items
        self.log = log
        self.position = 0

    def read(self) -> tuple[DraftNode, DraftNode]:
        first_list = next(i for i, item in enumerate(self.items) if isinstance(item, AnswerList))
        asked = self.items[first_list - 1] if first_list else None
        if not isinstance(asked, Block) or asked.kind not in ("heading", "paragraph"):
            asked = None
        leading = self.items[: first_list - (asked is not None)]
        self.position = first_list
        first = self.question([asked] if asked is not None else [], depth=1)
        if first is None:
            raise ArticleImportError("the answer lists hold only editor placeholders")
        rest = self.items[self.position :]
        if any(isinstance(item, AnswerList) for item in rest):
            self.log.warn("more answer lists follow the tree; they were read as plain text")
        after = without_placeholders([item for item in rest if isinstance(item, Block)])
        append_to_resolved(first, after, self.log)
        before = without_placeholders([item for item in leading if isinstance(item, Block)])
        return chain(steps_before_tree(before), first), first

    def question(self, asked: list[Block], depth: int) -> DraftNode | None:
        check_depth(depth)
        answers = self.items[self.position]
        self.position += 1
        labels = answers.labels if isinstance(answers, AnswerList) else []
        title, rest = question_text(asked)
        node = DraftNode("question", title or FALLBACK_QUESTION_TITLE, join_blocks(rest))
        for position, label in enumerate(labels, start=1):
            if label.casefold() == ADD_BUTTON:
                node.comments.append("dropped the 'Add Button' item (an editor control)")
                continue
            has_panel, target = self._answer(depth)
            if target is not None and not is_placeholder_label(label):
                node.comments.append(_guessed(label, target))
            attach_answer(node, label, position, target, has_panel)
        return node if node.choices else end_of_branch(node, asked)

    def _answer(self, depth: int) -> tuple[bool, DraftNode | None]:
        block = self.items[self.position] if self.position < len(self.items) else None
        if not isinstance(block, Block):
            return False, None
        self.position += 1
        if is_placeholder_block(block):
            return True, None
        following = self.items[self.position] if self.position < len(self.items) else None
        if isinstance(following, AnswerList):
            return True, self.question([block], depth + 1)
        return True, outcome([block])


def _guessed(label: str, target: DraftNode) -> str:
    what = "question" if target.kind == "question" else "text"
    return f"guessed: answer {quoted(label)} leads to the next {what}, {quoted(target.title, 40)}"
