"""An article's HTML as a small document model, parsed by Lexbor (selectolax), an HTML5 parser."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator, Sequence

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from engine.authoring.importers.errors import ArticleImportError
from engine.authoring.importers.nesting import MAX_ELEMENT_DEPTH, bound_markup
from engine.text import plain

# Single spaces are left alone: ordinary text then costs no replacement at all.
_SPACES = re.compile(r"\s\s+|[^\S ]")
_NOT_SPACE = re.compile(r"\S")
_PIECE = 64 * 1024
_NO_CLASSES: frozenset[str] = frozenset()
DROPPED_TAGS = frozenset(
    [
        "script",
        "style",
        "template",
        "noscript",
        "svg",
        "math",
        "object",
        "canvas",
        "iframe",
        "frameset",
        "select",
    ]
)
INLINE_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "big",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "img",
        "ins",
        "kbd",
        "label",
        "mark",
        "nobr",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
    ]
)
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


class Element:
    """One HTML element: its tag, attributes, children (elements or text) and parent."""

    __slots__ = ("attrs", "children", "classes", "parent", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None) -> None:
        self.tag = tag
        self.attrs = attrs
        named = attrs.get("class")
        self.classes = frozenset(named.split()) if named else _NO_CLASSES
        self.children: list[Element | str] = []
        self.parent = parent

    def __repr__(self) -> str:
        return f"<{self.tag} {sorted(self.classes)}>"


class Document:
    """A parsed page: the root element and whether over-deep nesting had to be flattened."""

    def __init__(self, root: Element, flattened_deep_nesting: bool) -> None:
        self.root = root
        self.flattened_deep_nesting = flattened_deep_nesting


def decode_html(data: bytes) -> tuple[str, str | None]:
    """The bytes as text, and a note when they were not UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    encoding = _declared_charset(data) or "windows-1252"
    text = data.decode(encoding, errors="replace")
    return text, f"the file is not valid UTF-8; it was read as {encoding}"


def _declared_charset(data: bytes) -> str | None:
    found = _DECLARED_CHARSET.search(data[:4096])
    if found is None:
        return None
    try:
        name = codecs.lookup(found.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return None if name == "utf-8" else name


def parse_html(text: str) -> Document:
    """The document tree of the HTML text, however malformed, as an HTML5 browser builds it."""
    bounded = bound_markup(text)
    try:
        parsed = LexborHTMLParser(bounded.text)
    except (SelectolaxError, ValueError) as problem:
        raise ArticleImportError(f"the HTML could not be parsed ({problem})") from problem
    builder = _ModelBuilder()
    builder.add(parsed.root)
    _join_adjacent_texts(builder.root)
    return Document(builder.root, bounded.flattened or builder.flattened)


class _ModelBuilder:
    """Copies Lexbor's tree into Elements without recursion, leaving out what is never content.

    Elements past MAX_ELEMENT_DEPTH (which bound_markup already prevents for the parser's own
    tree) are left out with their text kept, so no later walk can exhaust the stack.
    """

    def __init__(self) -> None:
        self.root = Element("#document", {}, None)
        self.flattened = False

    def add(self, top: LexborNode | None) -> None:
        # Each entry: the next node to copy, the element it goes into, and that element's depth.
        pending: list[tuple[LexborNode | None, Element, int]] = [(top, self.root, 0)]
        while pending:
            node, parent, depth = pending.pop()
            if node is None:
                continue
            pending.append((node.next, parent, depth))
            tag = node.tag or ""
            if tag == "-text":
                text = plain_in_pieces(node.text_content or "")
                if text:
                    parent.children.append(text)
            elif tag.startswith(("-", "!")) or tag in DROPPED_TAGS:
                continue
            elif depth >= MAX_ELEMENT_DEPTH:
                self.flattened = True
                pending.append((node.child, parent, depth))
            else:
                element = Element(tag, _clean_attrs(node.attributes), parent)
                parent.children.append(element)
                pending.append((node.child, element, depth + 1))


def _join_adjacent_texts(root: Element) -> None:
    """Makes each run of texts one string (a comment or a dropped element between them split
    it): once, at the end, since adding to the last text as each comes would copy it each time.
    """
    pending = [root]
    while pending:
        element = pending.pop()
        children: list[Element | str] = []
        run: list[str] = []
        for child in element.children:
            if isinstance(child, str):
                run.append(child)
                continue
            if run:
                children.append("".join(run))
                run = []
            children.append(child)
            pending.append(child)
        if run:
            children.append("".join(run))
        element.children = children


def _clean_attrs(attrs: dict[str, str | None]) -> dict[str, str]:
    return {name: plain_in_pieces(value or "") for name, value in attrs.items()}


def plain_in_pieces(text: str) -> str:
    """plain(text), a piece at a time: on megabytes of control characters, removing them all
    at once keeps a list of millions of fragments in memory."""
    if len(text) <= _PIECE:
        return plain(text)
    return "".join(plain(text[start : start + _PIECE]) for start in range(0, len(text), _PIECE))


def walk(root: Element, descend: Callable[[Element], bool] | None = None) -> Iterator[Element]:
    """Every element under root in document order; skips the inside of those not to descend."""
    pending: list[Element] = [
        child for child in reversed(root.children) if not isinstance(child, str)
    ]
    while pending:
        element = pending.pop()
        yield element
        if descend is None or descend(element):
            pending.extend(
                child for child in reversed(element.children) if not isinstance(child, str)
            )


def find_first(
    root: Element,
    matches: Callable[[Element], bool],
    descend: Callable[[Element], bool] | None = None,
) -> Element | None:
    """The first element under root, in document order, that matches."""
    return next((element for element in walk(root, descend) if matches(element)), None)


def text_of(root: Element | str) -> str:
    """All the text under root, whitespace collapsed to single spaces."""
    return collapse_spaces(gather_text([root], spacing))


def collapse_spaces(text: str) -> str:
    """The text on one line, each run of white space one space (as str.split sees it).

    Long text goes a piece at a time, each cut before a character that is not white space, so
    that no run is split and megabytes of tabs never become millions of fragments at once.
    """
    if len(text) <= _PIECE:
        return _SPACES.sub(" ", text).strip()
    pieces: list[str] = []
    start = 0
    while start < len(text):
        cut = _NOT_SPACE.search(text, start + _PIECE)
        end = len(text) if cut is None else cut.start()
        pieces.append(_SPACES.sub(" ", text[start:end]))
        start = end
    return "".join(pieces).strip()


def spacing(element: Element) -> str:
    """What separates an element's text from the text before it: nothing inside a line."""
    return "" if element.tag in INLINE_TAGS else " "


def gather_text(nodes: Sequence[Element | str], opening: Callable[[Element], str | None]) -> str:
    """The text under the nodes in document order, without recursion.

    opening(element) is the text put before the element's own, or None to leave it out.
    """
    parts: list[str] = []
    pending: list[Element | str] = list(reversed(nodes))
    while pending:
        node = pending.pop()
        if isinstance(node, str):
            parts.append(node)
            continue
        before = opening(node)
        if before is not None:
            parts.append(before)
            pending.extend(reversed(node.children))
    return "".join(parts)


def ancestors(element: Element) -> Iterator[Element]:
    """The element's parent, grandparent and so on up to the document."""
    current = element.parent
    while current is not None:
        yield current
        current = current.parent
