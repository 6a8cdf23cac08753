"""Best-effort reading of an article's text as copied from its page, where the decision tree
shows as a question, a bullet per answer ('• Yes', '• No', '• Add Button') and the answers' texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from engine.authoring.importers.draft import ImportLog, ImportResult, build_result
from engine.authoring.importers.errors import ArticleImportError
from engine.authoring.importers.flattened_lists import (
    AnswerList,
    FlatReader,
    Item,
    answer_labels,
)
from engine.authoring.importers.html_document import collapse_spaces, plain_in_pieces
from engine.authoring.importers.html_markdown import Block, TextBudget, escaped_text

MAX_LINES = 100_000
"""Texts with more lines are refused, as HTML with more tags is."""
MAX_HEADING_LENGTH = 40
_BULLET = re.compile(r"^(?:[•◦▪▫●○‣∙·]|[-*+](?=\s))\s*")
_NUMBERED = re.compile(r"^(\d{1,9})[.)]\s+")
_HTML = re.compile(r"<(?:!doctype|html|head|body|div|p|h[1-6]|ul|ol|li|table|span|a)\b", re.I)
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
TREE_LABEL = "decision tree"
# What Helpjuice's search box shows above every article, copied along with it.
PAGE_CHROME = frozenset(
    {
        "looking for something?",
        "you will find your answers here!",
        "sorry, we didn't find any relevant articles for you.",
        "send us your queries using the form below and we will get back to you with a solution.",
    }
)
# Where the article ends and the page's footer (feedback, support, vendor) begins.
PAGE_FOOTER = "was this article helpful?"


def is_article_text(name: str, text: str) -> bool:
    """Whether an article file holds its page's text rather than HTML: by extension, else by
    whether any HTML tag starts near its top."""
    suffix = PurePath(name).suffix.lower()
    if suffix in (".txt", ".text"):
        return True
    if suffix in (".html", ".htm", ".xhtml"):
        return False
    return _HTML.search(text[:8192]) is None


def import_article_text(
    text: str, tree_id: str, source_name: str = "article", log: ImportLog | None = None
) -> ImportResult:
    """The branchwise tree in the text of a Helpjuice decision-tree article."""
    log = log or ImportLog()
    lines = _lines(text)
    title, items = _TextReader(log).read(lines)
    if not any(isinstance(item, AnswerList) for item in items):
        raise ArticleImportError(
            "no decision tree found (no bullets of answers such as '• Yes' and '• No')"
        )
    log.warn(
        "the article is plain text; the tree was rebuilt from its lines and bullets on a "
        "best-effort basis: check every branch"
    )
    start, first = FlatReader(items, log).read()
    header = [f"Imported from the text of the Helpjuice article {source_name}."]
    return build_result(start, title or first.title, tree_id, log, header)


def _lines(text: str) -> list[str]:
    # Every line break str.splitlines knows, counted before it makes a list of them all.
    breaks = sum(text.count(mark) for mark in _LINE_BREAKS) - text.count("\r\n")
    if breaks >= MAX_LINES:
        raise ArticleImportError(
            f"the article has more than {MAX_LINES:,} lines; longer articles are refused"
        )
    # Control characters go as they do from HTML text, once the lines are split at them.
    return [collapse_spaces(plain_in_pieces(line)) for line in text.splitlines()]


@dataclass
class _TextReader:
    """Turns lines into text blocks and answer lists, dropping the page's and editor's own."""

    log: ImportLog
    items: list[Item] = field(default_factory=list)
    budget: TextBudget = field(default_factory=TextBudget)
    dropped: list[str] = field(default_factory=list)

    def read(self, lines: list[str]) -> tuple[str | None, list[Item]]:
        """The article's title (its first line) and its items."""
        index = 0
        while index < len(lines):
            if lines[index].casefold() == PAGE_FOOTER:
                self.dropped.append(f"'{lines[index]}' and what follows it")
                break
            index = self._take(lines, index)
        if self.dropped:
            self.log.note(f"left out the page's own lines: {', '.join(self.dropped)}")
        return self._title(), self.items

    def _take(self, lines: list[str], index: int) -> int:
        """Reads the item that starts at lines[index]; returns where the next one starts."""
        line = lines[index]
        if not line:
            return index + 1
        if _BULLET.match(line) or _NUMBERED.match(line):
            return self._take_list(lines, index)
        folded = line.casefold()
        if folded in PAGE_CHROME or folded == TREE_LABEL:
            self.dropped.append(f"'{line}'")
        else:
            self._text(line)
        return index + 1

    def _text(self, line: str) -> None:
        self.budget.spend(len(line))
        last = self.items[-1] if self.items else None
        after_heading = isinstance(last, Block) and last.kind == "heading"
        kind = "heading" if _reads_as_heading(line) and not after_heading else "paragraph"
        # Placeholder text stays: it is an empty answer's text, and the reader drops it there.
        self.items.append(Block(kind, escaped_text(line), line))

    def _take_list(self, lines: list[str], index: int) -> int:
        """A run of bullets (or of numbered lines), blank lines between them allowed."""
        pattern = _BULLET if _BULLET.match(lines[index]) else _NUMBERED
        entries: list[str] = []
        while index < len(lines) and (not lines[index] or pattern.match(lines[index])):
            if lines[index]:
                entries.append(pattern.sub("", lines[index], count=1).strip())
            index += 1
        labels = answer_labels(entries) if pattern is _BULLET else None
        if labels is not None:
            self.items.append(AnswerList(labels))
        elif any(entries):
            self.items.append(
                _list_block(entries, ordered=pattern is _NUMBERED, budget=self.budget)
            )
        return index

    def _title(self) -> str | None:
        """The first line, taken out as the title when more text follows it before the tree."""
        first = self.items[0] if self.items else None
        if not isinstance(first, Block) or len(self.items) < 2:
            return None
        if not isinstance(self.items[1], Block) or len(first.text) > 120:
            return None
        self.items.pop(0)
        self.log.note(f"the first line was taken as the tree's title: '{first.text}'")
        return first.text


def _reads_as_heading(line: str) -> bool:
    """A short line without closing punctuation, as 'Product' or 'Resolution' read."""
    return len(line) <= MAX_HEADING_LENGTH and not line.endswith((".", "?", "!", ":", ";", ","))


def _list_block(entries: list[str], ordered: bool, budget: TextBudget) -> Block:
    kept = [entry for entry in entries if entry]
    budget.spend(sum(len(entry) for entry in kept))
    markers = [f"{number}." for number in range(1, len(kept) + 1)] if ordered else ["-"] * len(kept)
    lines = [f"{marker} {escaped_text(entry)}" for marker, entry in zip(markers, kept, strict=True)]
    return Block("list", "\n".join(lines), " ".join(kept))
