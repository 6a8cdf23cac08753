"""HTML elements converted to Markdown blocks: paragraphs, headings, lists, code, quotes, tables."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from engine.authoring.importers.errors import tree_too_large
from engine.authoring.importers.html_document import (
    INLINE_TAGS,
    Element,
    collapse_spaces,
    gather_text,
    spacing,
    text_of,
    walk,
)
from engine.files import MAX_TREE_BYTES

SKIPPED_TAGS = frozenset(
    [
        "head",
        "title",
        "meta",
        "link",
        "nav",
        "header",
        "footer",
        "form",
        "button",
        "input",
        "textarea",
    ]
)
EMPHASIS = {"strong": "**", "b": "**", "em": "*", "i": "*", "s": "~~", "del": "~~", "strike": "~~"}
CODE_TAGS = frozenset(["code", "kbd", "samp", "tt"])
HEADINGS = {f"h{level}": level for level in range(1, 7)}
MAX_BOLD_HEADING = 80
WEB_SCHEMES = frozenset({"http", "https"})
LINK_SCHEMES = WEB_SCHEMES | {"mailto"}

_HARD_BREAK = "\x00"  # control characters never survive parsing, so this cannot clash with text
_SPECIAL = re.compile(r"([\\`*_\[\]<])|&(?=#?\w+;)")
_LINE_START = re.compile(r"^(?:#{1,6}(?=\s|$)|>|[-+](?=\s|$)|-{3,}|={3,}|~{3,})", re.MULTILINE)
_ORDERED_START = re.compile(r"^(\d{1,9})(?=[.)](?:\s|$))", re.MULTILINE)
_BREAKS = re.compile(f" ?{_HARD_BREAK}+ ?")
_EDGE_SPACE = re.compile(f"^[\\s{_HARD_BREAK}]+|[\\s{_HARD_BREAK}]+$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_URL_IGNORED = re.compile(r"[\t\n\r]")  # a browser drops them from a URL, so must we
_URL_UNSAFE = re.compile(r"[\s<>\"`{}|\\^()\x00-\x1f\x7f]")

Skip = Callable[[Element], bool]


@dataclass(frozen=True)
class Block:
    """One Markdown block and its plain text; kind is heading, paragraph, list, code, quote,
    table or rule."""

    kind: str
    markdown: str
    text: str


class TextBudget:
    """How much text one import may convert: past what no tree could hold, it stops at once."""

    def __init__(self, limit: int = 2 * MAX_TREE_BYTES) -> None:
        self.limit = limit
        self.spent = 0

    def spend(self, size: int) -> None:
        self.spent += size
        if self.spent > self.limit:
            megabytes = self.limit // (1024 * 1024)
            raise tree_too_large(self.spent, f" (the article holds over {megabytes} MiB of text)")


def to_blocks(
    nodes: Sequence[Element | str], skip: Skip | None = None, budget: TextBudget | None = None
) -> list[Block]:
    """The Markdown blocks of these nodes; elements for which skip is true are left out.

    Each import shares one budget between its calls, so however the article is cut up, the text
    it converts is bounded.
    """
    return _Converter(skip or _skip_nothing, budget or TextBudget()).blocks(nodes)


def plain_text(nodes: Sequence[Element | str], skip: Skip | None = None) -> str:
    """The text of these nodes on one line; elements for which skip is true are left out."""
    return _Converter(skip or _skip_nothing, TextBudget()).plain(nodes)


def escaped_text(text: str) -> str:
    """Plain text as Markdown that shows it as it is, on one line."""
    return _escape_line_start(_escape_inline(collapse_spaces(text)))


def join_blocks(blocks: Sequence[Block]) -> str:
    """The blocks as one Markdown text."""
    return "\n\n".join(block.markdown for block in blocks)


def safe_url(url: str, schemes: frozenset[str] = LINK_SCHEMES) -> str | None:
    """The URL ready for a Markdown link, or None unless it names one of these schemes.

    A relative or protocol-relative link ('/kb/12', '//host/x') leads nowhere from a tree, or
    somewhere its author never chose, so only a full URL is kept.
    """
    cleaned = _URL_IGNORED.sub("", url).strip()
    try:
        parts = urlsplit(cleaned) if _SCHEME.match(cleaned) else None
        host = parts.hostname if parts is not None else None
    except ValueError:  # such as a broken IPv6 address
        return None
    if parts is None or parts.scheme.lower() not in schemes:
        return None
    if (parts.scheme.lower() in WEB_SCHEMES and not host) or not (parts.netloc or parts.path):
        return None
    # Percent-encoded, nothing in it can end the link or read as Markdown or HTML.
    return _URL_UNSAFE.sub(_percent_encoded, cleaned)


def _percent_encoded(found: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in found.group(0).encode("utf-8"))


def _skip_nothing(element: Element) -> bool:
    return False


class _Converter:
    """Walks elements once; recursion follows element depth, which parsing bounds."""

    def __init__(self, skip: Skip, budget: TextBudget) -> None:
        self.skip = skip
        self.budget = budget

    def _skipped(self, element: Element) -> bool:
        return element.tag in SKIPPED_TAGS or self.skip(element)

    def blocks(self, nodes: Sequence[Element | str]) -> list[Block]:
        out: list[Block] = []
        run: list[Element | str] = []
        for node in nodes:
            if isinstance(node, str) or node.tag in INLINE_TAGS or node.tag == "br":
                run.append(node)
            elif not self._skipped(node):
                out.extend(self._paragraph(run))
                run = []
                out.extend(self._block(node))
        out.extend(self._paragraph(run))
        return out

    def _block(self, element: Element) -> list[Block]:
        tag = element.tag
        if tag in HEADINGS:
            text = self._inline_text(element.children).replace("\\\n", " ")
            marks = "#" * HEADINGS[tag]
            return (
                [Block("heading", f"{marks} {text}", self.plain(element.children))] if text else []
            )
        if tag == "p":
            return self._paragraph(element.children)
        if tag in ("ul", "ol"):
            return self._list(element)
        if tag == "pre":
            return _code_block(element)
        if tag == "blockquote":
            return self._quote(element)
        if tag == "table":
            return self._table(element)
        if tag == "hr":
            return [Block("rule", "---", "")]
        return self.blocks(element.children)

    def _paragraph(self, nodes: Sequence[Element | str]) -> list[Block]:
        if not nodes:
            return []
        markdown = self._inline_text(nodes)
        if not markdown:
            return []
        text = self.plain(nodes)
        kind = "heading" if _is_bold_heading(nodes, text) else "paragraph"
        return [Block(kind, markdown, text)]

    def plain(self, nodes: Sequence[Element | str]) -> str:
        text = gather_text(nodes, lambda e: None if self._skipped(e) else spacing(e))
        return collapse_spaces(text)

    def _inline_text(self, nodes: Sequence[Element | str]) -> str:
        collapsed = collapse_spaces(self._inline(nodes, frozenset()))
        if _HARD_BREAK not in collapsed:
            return _escape_line_start(collapsed)
        collapsed = _BREAKS.sub(_HARD_BREAK, collapsed).strip(_HARD_BREAK + " ")
        lines = collapsed.split(_HARD_BREAK)
        return "\\\n".join(_escape_line_start(line) for line in lines)

    def _inline(self, nodes: Sequence[Element | str], marks: frozenset[str]) -> str:
        parts: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                if not node.isspace():  # the indentation between tags is no content
                    self.budget.spend(len(node))
                parts.append(_escape_inline(node))
            elif not self._skipped(node):
                parts.append(self._inline_element(node, marks))
        return "".join(parts)

    def _inline_element(self, element: Element, marks: frozenset[str]) -> str:
        tag = element.tag
        if tag == "br":
            return _HARD_BREAK
        if tag == "img":
            return _image_link(element)
        if tag in CODE_TAGS:
            return _code_span(text_of(element))
        if tag == "a":
            return self._link(element, marks)
        wrapper = EMPHASIS.get(tag)
        if wrapper is None or wrapper in marks:
            inner = self._inline(element.children, marks)
            return inner if tag in INLINE_TAGS else f" {inner} "
        return _wrap(self._inline(element.children, marks | {wrapper}), wrapper)

    def _link(self, element: Element, marks: frozenset[str]) -> str:
        inner = self._inline(element.children, marks)
        url = safe_url(element.attrs.get("href", ""))
        if url is None:
            return inner
        label = collapse_spaces(inner) or _escape_inline(url)
        return f"[{label}]({url})"

    def _list(self, element: Element) -> list[Block]:
        items = self._list_items(element)
        ordered = element.tag == "ol"
        number = _list_start(element)
        lines: list[str] = []
        for item in items:
            marker = f"{number}." if ordered else "-"
            lines.append(_list_item(marker, item))
            number += 1
        if not lines:
            return []
        text = " ".join(block.text for item in items for block in item)
        return [Block("list", "\n".join(lines), text)]

    def _list_items(self, element: Element) -> list[list[Block]]:
        items: list[list[Block]] = []
        for child in element.children:
            if isinstance(child, str) or self._skipped(child):
                continue
            blocks = self.blocks(child.children if child.tag == "li" else [child])
            if child.tag in ("ul", "ol") and items:
                items[-1].extend(blocks)  # a list right inside a list belongs to the item before
            elif blocks:
                items.append(blocks)
        return items

    def _quote(self, element: Element) -> list[Block]:
        inner = self.blocks(element.children)
        if not inner:
            return []
        quoted = "\n".join(f"> {line}" if line else ">" for line in join_blocks(inner).split("\n"))
        return [Block("quote", quoted, " ".join(block.text for block in inner))]

    def _table(self, element: Element) -> list[Block]:
        table_rows = _table_rows(element)
        rows = [self._row(row) for row in table_rows]
        rows = [row for row in rows if any(row)]
        if not rows:
            return []
        text = " ".join(self.plain([row]) for row in table_rows)
        width = max(len(row) for row in rows)
        padded = [row + [""] * (width - len(row)) for row in rows]
        lines = [_table_line(padded[0]), _table_line(["---"] * width)]
        lines.extend(_table_line(row) for row in padded[1:])
        return [Block("table", "\n".join(lines), text)]

    def _row(self, row: Element) -> list[str]:
        cells = [c for c in row.children if isinstance(c, Element) and c.tag in ("td", "th")]
        return [self._inline_text(cell.children).replace("\\\n", " ") for cell in cells]


def _is_bold_heading(nodes: Sequence[Element | str], text: str) -> bool:
    """Whether a paragraph is only a short bold phrase, as articles often write a heading."""
    content = [node for node in nodes if not isinstance(node, str) or node.strip()]
    if len(content) != 1 or isinstance(content[0], str) or len(text) > MAX_BOLD_HEADING:
        return False
    return content[0].tag in ("strong", "b") and not text.endswith((".", "?", "!", ":"))


def _escape_inline(text: str) -> str:
    return _SPECIAL.sub(lambda found: "\\" + found.group(0), text)


def _escape_line_start(line: str) -> str:
    escaped = _LINE_START.sub(lambda found: "\\" + found.group(0), line)
    return _ORDERED_START.sub(lambda found: found.group(1) + "\\", escaped)


def _wrap(inner: str, wrapper: str) -> str:
    core = _EDGE_SPACE.sub("", inner)
    if not core:
        return inner
    lead = " " if inner[:1].isspace() else ""
    trail = " " if inner[-1:].isspace() else ""
    return f"{lead}{wrapper}{core}{wrapper}{trail}"


def _code_span(text: str) -> str:
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _image_link(element: Element) -> str:
    alt = collapse_spaces(element.attrs.get("alt", ""))
    source = element.attrs.get("src", "")
    url = safe_url(source, WEB_SCHEMES)
    if url is None:
        return _escape_inline(alt)
    return f"[{_escape_inline(alt or 'image')}]({url})"


def _list_start(element: Element) -> int:
    start = element.attrs.get("start", "1").strip()
    return int(start) if start.isdigit() and len(start) < 10 else 1


def _list_item(marker: str, blocks: list[Block]) -> str:
    body = blocks[0].markdown
    for block in blocks[1:]:
        body += ("\n" if block.kind == "list" else "\n\n") + block.markdown
    indent = " " * (len(marker) + 1)
    lines = body.split("\n")
    rest = [f"{indent}{line}" if line else "" for line in lines[1:]]
    return "\n".join([f"{marker} {lines[0]}", *rest])


def _code_block(element: Element) -> list[Block]:
    code = _raw_text(element).strip("\n").rstrip()
    if not code.strip():
        return []
    longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=2)
    fence = "`" * (longest + 1)
    return [Block("code", f"{fence}\n{code}\n{fence}", collapse_spaces(code))]


def _raw_text(element: Element) -> str:
    text = gather_text([element], lambda e: "\n" if e.tag == "br" else "")
    return text.replace("\xa0", " ")


def _table_rows(table: Element) -> list[Element]:
    inside_this_table = walk(table, descend=lambda e: e.tag not in ("table", "tr"))
    return [element for element in inside_this_table if element.tag == "tr"]


def _table_line(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
