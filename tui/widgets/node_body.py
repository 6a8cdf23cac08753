"""A node's Markdown body: a light rendering at once, the Markdown widget a moment later.

The Markdown widget costs more to import than the whole rest of the first frame, and it parses
and mounts a new document asynchronously. So every node's body is first painted with bold,
italics and code picked out by hand (the frame after a keypress never shows the previous body),
and the Markdown widget takes its place as soon as it has the new document laid out. Both wrap
a fenced code block's long lines (app.tcss has the Markdown widget's rule): nothing scrolls
sideways.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.widgets import Markdown

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

    def compose(self) -> list[Static]:
        return [Static(id="quick-body")]

    @property
    def settled(self) -> bool:
        """Whether the Markdown widget shows the latest text (the layout will not move)."""
        return self._markdown is not None and not self._syncing and self._markdown.display

    def show(self, text: str) -> None:
        """Show this Markdown (already made safe: values escaped, controls removed)."""
        self._text = text
        self.display = bool(text.strip())
        quick = self.query_one("#quick-body", Static)
        quick.update(quick_markdown(text))
        quick.display = True
        if self._markdown is None:
            self.call_after_refresh(self._upgrade)
            return
        self._markdown.display = False
        if not self._syncing:
            self._syncing = True
            self.run_worker(self._sync(), group="node-body")

    async def _sync(self) -> None:
        # One update at a time, always ending on the latest text: overlapping updates of a
        # Markdown widget can leave the older document on screen.
        try:
            while self._markdown is not None:
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
