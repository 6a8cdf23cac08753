"""Lines that wrap under their own text, not back to the edge: a mark, then the text hanging.

A breadcrumb (`✓ ` then the title), a note (`· ` then its text) and a row of an action's result
(the field's name, then its value) all wrap this way.
"""

from __future__ import annotations

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual


class Hanging(Visual):
    """A mark, then the text; the text's wrapped lines hang under its first line."""

    def __init__(self, mark: str | Content, text: Content) -> None:
        self.mark = Content(mark) if isinstance(mark, str) else mark
        self.text = text
        self._wrapped: tuple[int, Content] | None = None

    def lines(self, width: int) -> Content:
        """The text wrapped to `width` cells (kept for the next frame of the same width)."""
        if self._wrapped is None or self._wrapped[0] != width:
            indent = self.mark.cell_length
            lines = self.text.wrap(max(width - indent, 1)) or [Content()]
            hang = Content(" " * indent)
            lines = [
                Content.assemble(self.mark if i == 0 else hang, line)
                for i, line in enumerate(lines)
            ]
            self._wrapped = (width, Content("\n").join(lines))
        return self._wrapped[1]

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self.lines(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.mark.cell_length + self.text.cell_length

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.lines(width).plain.count("\n") + 1


class Stacked(Visual):
    """Hanging lines one under the other."""

    def __init__(self, items: list[Hanging]) -> None:
        self.items = items

    def _lines(self, width: int) -> Content:
        return Content("\n").join(item.lines(width) for item in self.items)

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self._lines(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        widths = (item.get_optimal_width(rules, container_width) for item in self.items)
        return max(widths, default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return sum(item.get_height(rules, width) for item in self.items)
