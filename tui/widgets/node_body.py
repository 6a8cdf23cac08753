"""A node's Markdown body: a light rendering at once, the Markdown widget a moment later.

The Markdown widget costs more to import than the whole rest of the first frame, and it parses
and mounts a new document asynchronously. So every node's body is first painted with bold,
italics and code picked out by hand (the frame after a keypress never shows the previous body),
and the Markdown widget takes its place as soon as it has the new document laid out. A body of
paragraphs with nothing but inline emphasis and code (most bodies) is complete in that first
rendering, so it stays: the whole node is painted in the frame after the key. Both wrap a fenced
code block's long lines (app.tcss has the Markdown widget's rule): nothing scrolls sideways.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.widgets import Markdown

# What only the Markdown widget renders: headings, lists, quotes, tables, fences, rules, indented
# code, links, images, HTML, hard line breaks, escapes.
_BLOCKS = re.compile(
    r"^ {0,3}(?:#{1,6}(?:\s|$)|[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|>|\||`{3}|~{3}|[=_-]{3})"
    r"|^(?: {4}|\t)|\]\(|\]\[|<[A-Za-z/!?]|  \n|\\\n|\\[\\`*_{}\[\]()<>#+\-.!|~]|&\w+;|&#"
    r"|(?<!\w)_(?!_)|(?<!_)_(?!\w)",
    re.MULTILINE,
)
_INLINE = re.compile(r"\*\*(.+?)\*\*|__(.+?)__|\*(.+?)\*|`(.+?)`")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()<>#+\-.!|~])")
# A fenced code block, to its closing fence or to the end of the text when it has none.
_FENCE = re.compile(
    r"^ {0,3}(?P<fence>`{3,}|~{3,})[^\n]*\n?(?P<code>.*?)(?:^ {0,3}(?P=fence)[`~]*[ \t]*$|\Z)",
    re.MULTILINE | re.DOTALL,
)


def quick_markdown(text: str) -> Content:
    """Markdown shown roughly: **bold**, *italic* and `code` styled, a fenced block's code as it
    is (no fence lines), everything else literal."""
    parts: list[Content] = []
    position = 0
    for fence in _FENCE.finditer(text):
        parts.append(_quick_inline(text[position : fence.start()]))
        parts.append(Content(fence.group("code").rstrip("\n")))
        position = fence.end()
    parts.append(_quick_inline(text[position:]))
    return Content.assemble(*parts)


def is_inline(text: str) -> bool:
    """Whether the Markdown is paragraphs of inline emphasis and code only, which
    `paragraphs` renders as the Markdown widget would."""
    return _BLOCKS.search(text) is None


def paragraphs(text: str) -> Content:
    """Inline-only Markdown in full: paragraphs apart, a paragraph's lines joined (a single line
    break is a space in Markdown), **bold**, *italic* and `code` styled."""
    parts: list[Content] = []
    for block in re.split(r"\n[ \t]*\n", text.strip()):
        if parts:
            parts.append(Content("\n\n"))
        parts.append(_quick_inline(" ".join(block.split())))
    return Content.assemble(*parts)


def _quick_inline(text: str) -> Content:
    parts: list[Content] = []
    position = 0
    for match in _INLINE.finditer(text):
        parts.append(Content(_ESCAPED.sub(r"\1", text[position : match.start()])))
        bold, strong, italic, code = match.groups()
        inner = _ESCAPED.sub(r"\1", bold or strong or italic or code)
        style = "bold" if (bold or strong) else "italic" if italic else "reverse"
        parts.append(Content.styled(inner, style))
        position = match.end()
    parts.append(Content(_ESCAPED.sub(r"\1", text[position:])))
    return Content.assemble(*parts)


class NodeBody(Vertical):
    """Shows Markdown text; empty text hides it. The node around it scrolls, not the body."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._markdown: Markdown | None = None
        self._syncing = False
        self._text = ""
        self._inline = False  # the text is complete in the quick rendering

    def compose(self) -> list[Static]:
        return [Static(id="quick-body")]

    @property
    def settled(self) -> bool:
        """Whether the body shows the latest text in full (the layout will not move)."""
        if self._inline:
            return True
        return self._markdown is not None and not self._syncing and self._markdown.display

    def show(self, text: str) -> None:
        """Show this Markdown (already made safe: values escaped, controls removed)."""
        self._text = text
        self.display = bool(text.strip())
        self._inline = is_inline(text)
        quick = self.query_one("#quick-body", Static)
        quick.update(paragraphs(text) if self._inline else quick_markdown(text))
        quick.display = True
        if self._markdown is None:
            # Mounted now for a later body that needs it, even when this one does not.
            self.call_after_refresh(self._upgrade)
            return
        self._markdown.display = False
        if not self._syncing and not self._inline:
            self._syncing = True
            self.run_worker(self._sync(), group="node-body")

    async def _sync(self) -> None:
        # One update at a time, always ending on the latest text: overlapping updates of a
        # Markdown widget can leave the older document on screen.
        try:
            while self._markdown is not None and not self._inline:
                target = self._text
                await self._markdown.update(target)
                if target == self._text:
                    self.query_one("#quick-body", Static).display = False
                    self._markdown.display = True
                    return
        finally:
            self._syncing = False

    async def _upgrade(self) -> None:
        if self._markdown is not None or self._syncing:
            return
        self._syncing = True
        from textual.widgets import Markdown

        markdown = Markdown(open_links=False)
        markdown.display = False
        await self.mount(markdown)
        self._markdown = markdown
        await self._sync()
