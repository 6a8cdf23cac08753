"""Markup bounded before it is parsed: how many tags an article may hold and how deep they nest."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from engine.authoring.importers.errors import ArticleImportError

MAX_TAGS = 100_000
"""Articles with more tags are refused: parsing cost and memory grow with the tag count."""
MAX_ELEMENT_DEPTH = 150
"""Elements nested deeper than this are kept as text only, so no walk can exhaust the stack."""

VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
# Their content is text up to their end tag: a '<div>' inside a script opens nothing.
RAW_TEXT_TAGS = frozenset(
    ["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"]
)
# A start tag of one of these closes an open <p>, as an HTML5 parser does.
CLOSES_PARAGRAPH = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "details",
        "dialog",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "ul",
    ]
)
# A start tag of the key closes the nearest open element of the first set, unless an
# element of the second set is open nearer: '<li>' ends the item before it, not its list.
CLOSES_SIBLING: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "tr": (frozenset({"tr"}), frozenset({"table", "tbody", "thead", "tfoot"})),
    "option": (frozenset({"option"}), frozenset({"select", "datalist"})),
    "a": (frozenset({"a"}), frozenset()),
}
_TOKEN = re.compile(r"<(?:(!--)|(/?)([A-Za-z][^\t\n\f\r />]*))")


@dataclass
class BoundedMarkup:
    """The markup with every tag nested past the limit cut out, and whether any was."""

    text: str
    flattened: bool


def bound_markup(text: str) -> BoundedMarkup:
    """The markup as a parser may take it: refused over MAX_TAGS tags, over-deep tags cut out.

    A real HTML5 parser checks the open elements at each block tag, so thousands of unclosed
    ones cost it quadratic time; this single pass follows the elements an HTML5 parser would
    keep open closely enough to cut out the tags past MAX_ELEMENT_DEPTH, keeping their text.
    """
    scan = _NestingScan(text)
    scan.run()
    if not scan.cuts:
        return BoundedMarkup(text, flattened=False)
    kept: list[str] = []
    position = 0
    for start, end in scan.cuts:
        kept.append(text[position:start])
        position = end
    kept.append(text[position:])
    return BoundedMarkup("".join(kept), flattened=True)


@dataclass
class _NestingScan:
    """The open elements as a stack of names, with where each name sits in it."""

    text: str
    stack: list[str] = field(default_factory=list)
    positions: dict[str, list[int]] = field(default_factory=dict)
    cuts: list[tuple[int, int]] = field(default_factory=list)
    ignored_open: int = 0
    tags: int = 0

    def run(self) -> None:
        position = 0
        while (token := _TOKEN.search(self.text, position)) is not None:
            self._count_tag()
            if token.group(1):
                position = self._after(token.end(), "-->")
                continue
            name = token.group(3).lower()
            if token.group(2):
                self._end_tag(name, token.start())
                position = token.end()
            else:
                position = self._start_tag(name, token.start(), token.end())

    def _count_tag(self) -> None:
        self.tags += 1
        if self.tags > MAX_TAGS:
            raise ArticleImportError(
                f"the article has more than {MAX_TAGS:,} tags; longer articles are refused"
            )

    def _after(self, start: int, needle: str) -> int:
        found = self.text.find(needle, start)
        return len(self.text) if found < 0 else found + len(needle)

    def _tag_end(self, start: int) -> int:
        return self._after(start, ">")

    def _start_tag(self, name: str, start: int, end: int) -> int:
        if name == "plaintext":
            return len(self.text)  # everything after it is text
        if name in RAW_TEXT_TAGS:
            closing = re.compile(f"</{name}", re.IGNORECASE).search(self.text, end)
            return len(self.text) if closing is None else self._tag_end(closing.end())
        if name in VOID_TAGS:
            return end
        self._close_implied_by(name)
        if len(self.stack) >= MAX_ELEMENT_DEPTH:
            self.ignored_open += 1
            self.cuts.append((start, self._tag_end(end)))
            return self.cuts[-1][1]
        self.positions.setdefault(name, []).append(len(self.stack))
        self.stack.append(name)
        return end

    def _end_tag(self, name: str, start: int) -> None:
        if self.ignored_open:
            # The end tags of cut elements go too, so they close nothing the parser keeps.
            self.ignored_open -= 1
            self.cuts.append((start, self._tag_end(start)))
        elif self.positions.get(name):
            self._pop_to(self.positions[name][-1])

    def _close_implied_by(self, name: str) -> None:
        if name in CLOSES_PARAGRAPH and self.stack and self.stack[-1] == "p":
            self._pop_to(len(self.stack) - 1)
        rule = CLOSES_SIBLING.get(name)
        if rule is None:
            return
        closes, stops = rule
        nearest = self._nearest(closes)
        if nearest > self._nearest(stops):
            self._pop_to(nearest)

    def _nearest(self, names: frozenset[str]) -> int:
        """Where the innermost open element of these names is on the stack, or -1."""
        nearest = -1
        for name in names:
            found = self.positions.get(name)
            if found and found[-1] > nearest:
                nearest = found[-1]
        return nearest

    def _pop_to(self, depth: int) -> None:
        while len(self.stack) > depth:
            self.positions[self.stack.pop()].pop()
