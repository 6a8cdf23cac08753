"""A node's Markdown body: a light rendering for the very first frame, the Markdown widget after.

The Markdown widget costs more to import than the whole rest of the first frame, so the first
question is painted with bold, italics and code picked out by hand, and the widget takes over
right after that frame.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.widgets import Markdown

_INLINE = re.compile(r"\*\*(.+?)\*\*|__(.+?)__|\*(.+?)\*|`(.+?)`")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()<>#+\-.!|~])")


def quick_markdown(text: str) -> Content:
    """Markdown shown roughly: **bold**, *italic* and `code` styled, everything else literal."""
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


class NodeBody(VerticalScroll, can_focus=False):
    """Shows Markdown text; empty text hides it."""

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
        return self._markdown is not None and not self._syncing

    def show(self, text: str) -> None:
        """Show this Markdown (already made safe: values escaped, controls removed)."""
        self._text = text
        self.display = bool(text.strip())
        if self._markdown is None:
            self.query_one("#quick-body", Static).update(quick_markdown(text))
            self.call_after_refresh(self._upgrade)
        elif not self._syncing:
            self._syncing = True
            self.run_worker(self._sync(), group="node-body")
        self.scroll_home(animate=False)

    async def _sync(self) -> None:
        # One update at a time, always ending on the latest text: overlapping updates of a
        # Markdown widget can leave the older document on screen.
        try:
            while self._markdown is not None:
                target = self._text
                await self._markdown.update(target)
                if target == self._text:
                    return
        finally:
            self._syncing = False

    async def _upgrade(self) -> None:
        if self._markdown is not None or self._syncing:
            return
        self._syncing = True
        from textual.widgets import Markdown

        markdown = Markdown(self._text, open_links=False)
        await self.mount(markdown)  # its blocks are laid out before the light body goes
        await self.query_one("#quick-body", Static).remove()
        self._markdown = markdown
        if markdown.source != self._text:  # a newer node came while it was mounting
            self._syncing = False
            self.show(self._text)
            return
        self._syncing = False
