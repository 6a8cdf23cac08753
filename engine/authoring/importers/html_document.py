"""A small, bounded HTML document model built with the standard library's html.parser."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator, Sequence
from html.parser import HTMLParser

from engine.authoring.importers.errors import ArticleImportError
from engine.text import plain

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
# A start tag of one of these closes an open <p>, as an HTML5 browser does.
CLOSES_PARAGRAPH = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "details",
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
        "hr",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "ul",
    ]
)
_TAG_START = re.compile(r"<(?:[A-Za-z]|/[A-Za-z]|!|\?)")
_DOCTYPE = re.compile(r"<!doctype", re.IGNORECASE)
_RAW_TEXT_TAG = re.compile(r"<(script|style)[\s/>]", re.IGNORECASE)
_RAW_TEXT_END = {
    "script": re.compile(r"</script", re.IGNORECASE),
    "style": re.compile(r"</style", re.IGNORECASE),
}
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
        self.classes = frozenset(attrs.get("class", "").split())
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
    """The document tree of the HTML text, however malformed."""
    builder = _TreeBuilder()
    try:
        builder.feed(defuse_markup(text))
        builder.close()
    except (AssertionError, ValueError) as problem:
        raise ArticleImportError(f"the HTML could not be parsed ({problem})") from problem
    return Document(builder.root, builder.flattened)


def defuse_markup(text: str) -> str:
    """The text with every '<' that starts no complete tag escaped.

    html.parser rescans to the end of the input for each unterminated tag, which makes
    hostile input such as '<a <a <a …' take quadratic time; escaping those '<' first keeps
    parsing linear, and a browser would show them as text anyway.
    """
    scanner = _MarkupScanner(text)
    return scanner.run()


class _MarkupScanner:
    """One linear pass over the text, remembering where it last found each delimiter."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[str] = []
        self.found: dict[str, int] = {}

    def run(self) -> str:
        pos = 0
        while (start := _TAG_START.search(self.text, pos)) is not None:
            self.out.append(self.text[pos : start.start()].replace("<", "&lt;"))
            pos = self._take_construct(start.start())
        self.out.append(self.text[pos:].replace("<", "&lt;"))
        return "".join(self.out)

    def _next(self, needle: str, start: int) -> int:
        """Where needle next occurs at or after start, or len(text) when it never does."""
        cached = self.found.get(needle, -1)
        if cached < start:
            where = self._search(needle, start)
            cached = len(self.text) if where < 0 else where
            self.found[needle] = cached
        return cached

    def _search(self, needle: str, start: int) -> int:
        if needle in _RAW_TEXT_END:
            found = _RAW_TEXT_END[needle].search(self.text, start)
            return -1 if found is None else found.start()
        return self.text.find(needle, start)

    def _take_construct(self, start: int) -> int:
        if self.text.startswith("<!--", start):
            end = self._next("-->", start + 4) + 3
        elif self.text.startswith("<!", start) and not _DOCTYPE.match(self.text, start):
            # '<![CDATA[…]]>' and other '<!…>' are bogus comments in HTML: hidden, up to '>'.
            end = self._next(">", start) + 1
            if end <= len(self.text):
                return end
        else:
            end = self._next(">", start) + 1
            if self._next("<", start + 1) < end:
                end = len(self.text) + 1
        if end > len(self.text):
            self.out.append("&lt;")
            return start + 1
        self.out.append(self.text[start:end])
        raw = _RAW_TEXT_TAG.match(self.text, start)
        if raw is None:
            return end
        close = self._next(raw.group(1).lower(), end)
        self.out.append(self.text[end:close])
        return close


class _TreeBuilder(HTMLParser):
    """Turns parser events into Elements, closing what HTML closes implicitly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.stack: list[Element] = [self.root]
        self.dropping: str | None = None
        self.dropping_depth = 0
        self.ignored_open = 0
        self.flattened = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropping is not None or tag in DROPPED_TAGS:
            self._start_dropped(tag)
            return
        self._close_implied_by(tag)
        if tag in VOID_TAGS:
            self._append(Element(tag, _clean_attrs(attrs), self.stack[-1]))
        elif len(self.stack) > MAX_ELEMENT_DEPTH:
            self.ignored_open += 1
            self.flattened = True
        else:
            element = Element(tag, _clean_attrs(attrs), self.stack[-1])
            self._append(element)
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropping is not None or tag in DROPPED_TAGS:
            return
        self._close_implied_by(tag)
        self._append(Element(tag, _clean_attrs(attrs), self.stack[-1]))

    def _start_dropped(self, tag: str) -> None:
        # Only the dropped element's own tag is counted: its inside may leave others unclosed.
        if self.dropping is None:
            self.dropping = tag
        self.dropping_depth += tag == self.dropping

    def handle_endtag(self, tag: str) -> None:
        if self.dropping is not None:
            self.dropping_depth -= tag == self.dropping
            if not self.dropping_depth:
                self.dropping = None
        elif self.ignored_open:
            self.ignored_open -= 1
        elif tag not in ("body", "html"):
            # As in a browser, whatever follows </body> still belongs to the body.
            self._close(tag)

    def handle_data(self, data: str) -> None:
        if self.dropping is None:
            self._append(plain(data))

    def _append(self, node: Element | str) -> None:
        children = self.stack[-1].children
        if isinstance(node, str) and children and isinstance(children[-1], str):
            children[-1] += node
        elif node:
            children.append(node)

    def _close(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def _close_implied_by(self, tag: str) -> None:
        if tag in CLOSES_PARAGRAPH and self.stack[-1].tag == "p":
            self.stack.pop()
        elif tag == "li":
            self._close_open_sibling("li", stop_at=("ul", "ol"))
        elif tag in ("td", "th"):
            self._close_open_sibling("td", "th", stop_at=("tr", "table"))
        elif tag == "tr":
            self._close_open_sibling("tr", stop_at=("table", "tbody", "thead", "tfoot"))

    def _close_open_sibling(self, *tags: str, stop_at: tuple[str, ...]) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            current = self.stack[depth].tag
            if current in stop_at:
                return
            if current in tags:
                del self.stack[depth:]
                return


def _clean_attrs(attrs: list[tuple[str, str | None]]) -> dict[str, str]:
    return {name: plain(value or "") for name, value in attrs}


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
    return " ".join(gather_text([root], spacing).split())


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
