"""The imported tree before its nodes have ids: draft nodes, their titles and notes, then ids."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.authoring.importers.html_document import collapse_spaces
from engine.authoring.importers.html_markdown import Block, join_blocks
from engine.lint.text_rules import placeholder_in

SCHEMA = "branchwise/v1"
MAX_TITLE_LENGTH = 120
MAX_SLUG_LENGTH = 40
FALLBACK_QUESTION_TITLE = "Choose the answer that applies"
FALLBACK_TITLE = "Follow the instructions below"
_ESCALATION = re.compile(
    r"\b(?:contact(?:ing)?|call|email|reach out to|get in touch with|send (?:it |them )?to)\s+"
    r"(?:(?:our|your|the|a)\s+)?(?:customer\s+|technical\s+|tech\s+|it\s+)?"
    r"(?:support|care|help\s?desk|service\s+desk|solution\s+provider|administrator|admin"
    r"|account\s+manager)\b"
    r"|\bescalat(?:e|ed|es|ing|ion)\b"
    r"|\b(?:open|submit|create|raise|file)\s+an?\s+(?:support\s+)?(?:ticket|case)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")
_TEMPLATE_OPEN = re.compile(r"\{(?=\{)")


@dataclass(frozen=True)
class ImportNote:
    """Something the article's author should check; severity is 'note' or 'warning'."""

    severity: str
    message: str


class UniqueNames:
    """Hands out names once each, numbering repeats ('x', 'x (2)', …) without rescanning."""

    def __init__(self, key: Callable[[str], str], numbered: Callable[[str, int], str]) -> None:
        self.key = key
        self.numbered = numbered
        self.taken: set[str] = set()
        self.next_number: dict[str, int] = {}

    def claim(self, name: str) -> str:
        """The name itself when still free, else the first free numbered form of it."""
        candidate = name
        number = self.next_number.get(self.key(name), 2)
        while self.key(candidate) in self.taken:
            candidate = self.numbered(name, number)
            number += 1
        self.next_number[self.key(name)] = number
        self.taken.add(self.key(candidate))
        return candidate


def _answer_labels() -> UniqueNames:
    # Answers are matched by label without regard to case, so they must differ that way.
    return UniqueNames(str.casefold, lambda label, number: f"{label} ({number})")


@dataclass(eq=False)
class DraftNode:
    """One node of the tree being built; kind is step, question or outcome."""

    kind: str
    title: str
    body: str = ""
    status: str = "resolved"
    choices: list[DraftChoice] = field(default_factory=list)
    next: DraftNode | None = None
    comments: list[str] = field(default_factory=list)
    labels: UniqueNames = field(default_factory=_answer_labels, repr=False)


@dataclass(eq=False)
class DraftChoice:
    """An answer button and the node it leads to."""

    label: str
    target: DraftNode


@dataclass(frozen=True)
class ImportResult:
    """The imported tree as data, comments to write above its nodes, and notes for the author."""

    tree: dict[str, Any]
    comments: dict[str, list[str]]
    notes: list[ImportNote]
    header: list[str]


class ImportLog:
    """Notes about the whole article, collected while it is converted."""

    def __init__(self) -> None:
        self.notes: list[ImportNote] = []

    def note(self, message: str) -> None:
        self.notes.append(ImportNote("note", message))

    def warn(self, message: str) -> None:
        self.notes.append(ImportNote("warning", message))


def quoted(text: str, limit: int = 60) -> str:
    """Text for a message, cut short and in quotes."""
    flat = collapse_spaces(text)
    return "'" + (flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…") + "'"


def short_title(text: str) -> str:
    """A title from running text: its first sentence, cut at a word when still too long."""
    flat = collapse_spaces(text)
    if len(flat) <= MAX_TITLE_LENGTH:
        return flat
    first = _SENTENCE_END.split(flat, maxsplit=1)[0]
    if len(first) <= MAX_TITLE_LENGTH:
        return first
    cut = first[:MAX_TITLE_LENGTH].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def title_from_blocks(blocks: Sequence[Block]) -> str:
    """The title a run of blocks suggests: its first heading or paragraph, shortened."""
    for block in blocks:
        if block.kind in ("heading", "paragraph") and block.text:
            return short_title(block.text)
    return short_title(next((block.text for block in blocks if block.text), FALLBACK_TITLE))


def question_block(blocks: Sequence[Block]) -> int | None:
    """Where the question is in a run of blocks: its last heading or paragraph."""
    for index in range(len(blocks) - 1, -1, -1):
        if blocks[index].kind in ("heading", "paragraph") and blocks[index].text:
            return index
    return None


def question_text(blocks: Sequence[Block]) -> tuple[str | None, list[Block]]:
    """A question's title (the last heading or paragraph) and the blocks left for its body."""
    index = question_block(blocks)
    if index is None:
        return None, list(blocks)
    title = _question_sentence(blocks[index].text)
    rest = list(blocks[:index]) + list(blocks[index + 1 :])
    if title != blocks[index].text:
        rest.insert(index, blocks[index])
    return title, rest


def _question_sentence(text: str) -> str:
    # A long paragraph that ends in a question is titled by that question alone.
    if len(text) <= MAX_TITLE_LENGTH:
        return text
    last = _SENTENCE_END.split(text)[-1]
    return last if last.endswith("?") and len(last) <= MAX_TITLE_LENGTH else short_title(text)


def outcome(blocks: Sequence[Block]) -> DraftNode:
    """An outcome node from the text where a branch ends; escalated when it sends to support."""
    title = title_from_blocks(blocks)
    body = join_blocks(blocks)
    node = DraftNode("outcome", title, body)
    found = _ESCALATION.search(" ".join(block.text for block in blocks))
    if found is not None:
        node.status = "escalated"
        node.comments.append(f"status escalated: the text says {quoted(found.group(0))}")
    return node


def dead_end(label: str, reason: str) -> DraftNode:
    """An unresolved outcome for an answer the article gives no instructions for."""
    node = DraftNode("outcome", f"No instructions for {quoted(label)}")
    node.status = "unresolved"
    node.comments.append(reason)
    return node


def add_choice(question: DraftNode, label: str, target: DraftNode) -> None:
    """Adds an answer, renaming it when another answer of the question already has its label."""
    unique = question.labels.claim(label)
    if unique != label:
        question.comments.append(
            f"two answers are labelled {quoted(label)}; the later one is now {quoted(unique)}"
        )
    question.choices.append(DraftChoice(unique, target))


def preorder(start: DraftNode) -> Iterator[DraftNode]:
    """Each node reachable from start once, depth first, in the order the article shows them."""
    seen: set[int] = set()
    pending = [start]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        following = [choice.target for choice in node.choices]
        if node.next is not None:
            following.append(node.next)
        pending.extend(reversed(following))


def slugify(text: str, limit: int = MAX_SLUG_LENGTH) -> str:
    """Lowercase ASCII words joined by '-', cut at a word boundary near limit characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug.strip("-")


def build_result(
    start: DraftNode, title: str, tree_id: str, log: ImportLog, header: list[str]
) -> ImportResult:
    """The finished tree: ids given, templates neutralised, comments and notes gathered."""
    nodes = list(preorder(start))
    for node in nodes:
        node.comments.extend(_placeholder_comments(node))
    log.notes.extend(ImportNote("note", f"the tree's {line}") for line in _placeholders_in(title))
    ids = _assign_ids(nodes)
    tree: dict[str, Any] = {
        "schema": SCHEMA,
        "id": tree_id,
        "version": 1,
        "title": _literal(title, log),
        "start": ids[id(start)],
        "nodes": {ids[id(node)]: _node_data(node, ids, log) for node in nodes},
    }
    comments = {ids[id(node)]: list(node.comments) for node in nodes if node.comments}
    notes = list(log.notes)
    for node_id, lines in comments.items():
        notes.extend(ImportNote("note", f"node '{node_id}': {line}") for line in lines)
    header = [*header, *(f"{note.severity}: {note.message}" for note in log.notes)]
    return ImportResult(tree, comments, notes, header)


def _placeholder_comments(node: DraftNode) -> list[str]:
    found = _placeholders_in(node.title)
    if node.body != node.title:
        found.extend(_placeholders_in(node.body, "body"))
    for choice in node.choices:
        found.extend(_placeholders_in(choice.label, "label", is_label=True))
    return found


def _placeholders_in(text: str, field_name: str = "title", is_label: bool = False) -> list[str]:
    found = placeholder_in(text, is_label)
    if found is None:
        return []
    return [
        f"{field_name} still holds the editor placeholder {found}: reword it, "
        "'branchwise validate' reports it until then"
    ]


def _assign_ids(nodes: list[DraftNode]) -> dict[int, str]:
    names = UniqueNames(str, lambda base, counter: f"{base}-{counter}")
    return {id(node): names.claim(slugify(node.title) or node.kind) for node in nodes}


def _node_data(node: DraftNode, ids: dict[int, str], log: ImportLog) -> dict[str, Any]:
    data: dict[str, Any] = {"type": node.kind}
    if node.kind == "outcome":
        data["status"] = node.status
    data["title"] = _literal(node.title, log)
    if node.body and node.body != node.title:
        data["body"] = _literal(node.body, log)
    if node.kind == "step" and node.next is not None:
        data["next"] = ids[id(node.next)]
    if node.kind == "question":
        data["choices"] = [
            {"label": _literal(choice.label, log), "goto": ids[id(choice.target)]}
            for choice in node.choices
        ]
    return data


def _literal(text: str, log: ImportLog) -> str:
    # '{{' would start a template in a tree; article text is never one.
    if "{{" not in text:
        return text
    message = "'{{' in the article was written as '{ {' so it is not read as a template"
    if message not in (note.message for note in log.notes):
        log.note(message)
    return _TEMPLATE_OPEN.sub("{ ", text)
