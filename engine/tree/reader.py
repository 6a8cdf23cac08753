"""Reading tree files: safe YAML into plain data that remembers where each value stood.

The reader builds dicts, lists and scalars straight from the parser's events instead of using a
PyYAML constructor, for four reasons: duplicate keys are reported instead of merged, positions are
kept for every key and value, limits (size, depth, aliases) are enforced before any expansion can
cost time, and scalars follow YAML 1.2's core schema, so `No` and `on` stay the text a label says.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from engine.files import MAX_TREE_BYTES, FileRefused, over, read_regular_file
from engine.tree.problems import Problem, error

if TYPE_CHECKING:
    import yaml

# A position is a packed (line, column), both 1-based: one small int per value keeps a 50k-node
# tree's marks cheap. Columns past 2**20 are clamped, which no real file reaches.
_COL_BITS = 20
_COL_MASK = (1 << _COL_BITS) - 1
_PAIR_SHIFT = 48
_PAIR_MASK = (1 << _PAIR_SHIFT) - 1


def pack(line: int, column: int) -> int:
    """Pack a 1-based (line, column) into one int."""
    return (line << _COL_BITS) | min(column, _COL_MASK)


def unpack(pos: int) -> tuple[int, int]:
    """The (line, column) of a packed position."""
    return pos >> _COL_BITS, pos & _COL_MASK


def _pos(mark: Any) -> int:
    return pack(mark.line + 1, mark.column + 1)


class MarkedDict(dict[str, Any]):
    """A mapping from a YAML file; `key_position(k)` and `value_position(k)` say where k stood."""

    __slots__ = ("marks", "pos", "source")

    def __init__(self, pos: int) -> None:
        super().__init__()
        self.pos = pos
        # Both positions of a key packed in one int: a tuple of two would cost three objects.
        self.marks: dict[str, int] = {}
        self.source: _Source | None = None

    def key_position(self, key: str) -> int:
        """The packed position of a key."""
        return self.marks[key] >> _PAIR_SHIFT

    def value_position(self, key: str) -> int:
        """The packed position of a key's value."""
        return self.marks[key] & _PAIR_MASK


class MarkedList(list[Any]):
    """A sequence from a YAML file; `marks[i]` is the position of item i."""

    __slots__ = ("marks", "pos", "source")

    def __init__(self, pos: int) -> None:
        super().__init__()
        self.pos = pos
        self.marks: list[int] = []
        self.source: _Source | None = None


class _Source:
    """What a read keeps on its root to find positions later: the text, and the marks (made on
    first use after a lean read; a read with every mark has them from the start)."""

    __slots__ = ("limits", "line_starts", "marked", "text")

    def __init__(self, text: str, limits: Limits) -> None:
        self.text = text
        self.limits = limits
        self.marked: Any = None
        self.line_starts: list[int] | None = None

    def index(self, line: int, column: int) -> int:
        """The index in the text of a 1-based (line, column)."""
        if self.line_starts is None:
            self.line_starts = [0, *(m.end() for m in re.finditer("\n", self.text))]
        starts = self.line_starts
        return starts[min(max(line, 1), len(starts)) - 1] + column - 1

    def marked_root(self) -> Any:
        """The same data read again with every position (once, on first use)."""
        if self.marked is None:
            self.marked = _build(self.text, "", self.limits, marked=True).root
        return self.marked


@dataclass(frozen=True)
class Limits:
    """What a tree file may cost to read; past any of these the file is refused."""

    max_bytes: int = MAX_TREE_BYTES
    max_depth: int = 64
    max_aliases: int = 100
    # Nodes that aliases bring in, counted as if expanded: stops "billion laughs" files.
    max_alias_expansion: int = 10_000
    # Text that aliases bring in (the scalars they repeat, keys included), counted as if
    # expanded, may be at most what the file itself holds plus this: one long anchored body
    # repeated by each alias would cost every later stage (the schema, the lint rules, a walk,
    # a diagram) as much as a file that many times bigger.
    max_alias_bytes: int = 64 * 1024


@dataclass
class Document:
    """One file read: its data (None when unreadable), problems found reading it, its hash."""

    path: str
    data: Any
    problems: list[Problem] = field(default_factory=list)
    sha256: str = ""
    text: str = ""

    @property
    def readable(self) -> bool:
        return not any(p.rule in ("yaml-syntax", "yaml-limits") for p in self.problems)


class _Refused(Exception):
    """Reading stops: the file breaks a limit (`yaml-limits`) or holds what a tree may not."""

    def __init__(self, pos: int, message: str, rule: str = "yaml-syntax") -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message
        self.rule = rule


_CORE_PREFIX = "tag:yaml.org,2002:"
_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "!",
}
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_MAX_INT_DIGITS = 4000
_MAX_OTHER_INT_DIGITS = 3300  # 16**3300 and 8**3300 are below 10**4000
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_OTHER = re.compile(r"0o[0-7]+\Z|0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOATS = {
    ".inf": float("inf"),
    ".Inf": float("inf"),
    ".INF": float("inf"),
    "+.inf": float("inf"),
    "-.inf": float("-inf"),
    "-.Inf": float("-inf"),
    "-.INF": float("-inf"),
    ".nan": float("nan"),
    ".NaN": float("nan"),
    ".NAN": float("nan"),
}


def resolve_plain(value: str) -> Any:
    """A plain scalar's value under YAML 1.2's core schema (`yes`, `no`, `on`, `off` stay text)."""
    if not value or value[0] in "~nN":
        return None if value in _NULLS else value
    first = value[0]
    if first in "tTfF":
        return _BOOLS.get(value, value)
    if first in "-+.0123456789":
        return _resolve_number(value)
    return value


def _resolve_number(value: str) -> Any:
    if _INT.match(value):
        # Python refuses to convert more than 4,300 digits; such a "number" stays text.
        return int(value, 10) if len(value) <= _MAX_INT_DIGITS else value
    if _INT_OTHER.match(value):
        # Hex and octal are bounded too: a bigger one would be over 4,000 digits once printed.
        return int(value, 0) if len(value) <= _MAX_OTHER_INT_DIGITS else value
    if _FLOAT.match(value):
        return float(value)
    return _SPECIAL_FLOATS.get(value, value)


_TAGGED_TYPES: dict[str, tuple[type, ...]] = {
    "tag:yaml.org,2002:int": (int,),
    "tag:yaml.org,2002:float": (float, int),
    "tag:yaml.org,2002:bool": (bool,),
    "tag:yaml.org,2002:null": (type(None),),
}


def _resolve_tagged(tag: str, value: str, pos: int) -> Any:
    if tag in ("tag:yaml.org,2002:str", "!"):
        return value
    resolved = resolve_plain(value)
    expected = _TAGGED_TYPES.get(tag, ())
    wrong_bool = isinstance(resolved, bool) and bool not in expected
    if not isinstance(resolved, expected) or wrong_bool:
        raise _Refused(pos, f"{value!r} is not a valid {tag.rsplit(':', 1)[-1]}")
    return float(cast(float, resolved)) if tag.endswith("float") else resolved


class _NeedsMarks(Exception):
    """A lean read met a duplicate key: its message needs the first key's line, so read marked."""


class _Builder:
    """Turns a stream of parser events into data, enforcing the limits as it goes.

    Marked, every mapping and list remembers where its items stood. Lean, only the root does,
    and remembers the text instead, so positions are worked out again if ever asked for: most
    files have no problem to point at, and marks would double what a big tree costs to hold.
    """

    def __init__(self, path: str, limits: Limits, marked: bool, size: int = 0) -> None:
        self.path = path
        self.limits = limits
        self.max_alias_bytes = size + limits.max_alias_bytes
        self.marked = marked
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        self.alias_count = 0
        self.alias_expansion = 0
        self.alias_bytes = 0
        # Each open container: [container, pending key or None, key mark, size, anchor, position,
        # text size (the length of every scalar in it)].
        self.stack: list[list[Any]] = []
        self.root: Any = None
        self.documents = 0

    def feed(self, events: Any) -> None:
        import yaml

        handlers = {
            yaml.ScalarEvent: self._scalar,
            yaml.MappingStartEvent: self._mapping_start,
            yaml.SequenceStartEvent: self._sequence_start,
            yaml.MappingEndEvent: self._end,
            yaml.SequenceEndEvent: self._end,
            yaml.AliasEvent: self._alias,
            yaml.DocumentStartEvent: self._document_start,
        }
        for event in events:
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)

    def _document_start(self, event: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            raise _Refused(
                _pos(event.start_mark), "a tree file holds one YAML document, this is a second"
            )

    def _check_tag(self, event: Any) -> None:
        tag = event.tag
        if tag is not None and tag not in _SAFE_TAGS:
            shown = tag.replace(_CORE_PREFIX, "!!")
            message = f"tag {shown} is not allowed: tree files hold plain data only"
            raise _Refused(_pos(event.start_mark), message)

    def _scalar(self, event: Any) -> None:
        tag = event.tag
        if tag is None:
            value = (
                resolve_plain(event.value) if event.implicit[0] and not event.style else event.value
            )
        else:
            self._check_tag(event)
            value = (
                event.value
                if tag == "!"
                else _resolve_tagged(tag, event.value, _pos(event.start_mark))
            )
        self._add(value, event.start_mark, (1, len(event.value)), event.anchor, event.value)

    def _alias(self, event: Any) -> None:
        if event.anchor not in self.anchors:
            raise _Refused(_pos(event.start_mark), f"alias *{event.anchor} names no anchor")
        value, weight, size = self.anchors[event.anchor]
        self.alias_count += 1
        self.alias_expansion += weight
        self.alias_bytes += size
        limits, pos = self.limits, _pos(event.start_mark)
        if self.alias_count > limits.max_aliases:
            raise _Refused(pos, f"more than {limits.max_aliases} aliases", "yaml-limits")
        if self.alias_expansion > limits.max_alias_expansion:
            message = f"aliases expand to more than {limits.max_alias_expansion:,} values"
            raise _Refused(pos, message, "yaml-limits")
        if self.alias_bytes > self.max_alias_bytes:
            message = (
                f"aliases repeat {self.alias_bytes:,} characters of text by here, more than the "
                f"file holds plus {limits.max_alias_bytes:,} (*{event.anchor} repeats {size:,})"
            )
            raise _Refused(pos, message, "yaml-limits")
        self._add(value, event.start_mark, (weight, size), None, key_text=None)

    def _mapping_start(self, event: Any) -> None:
        pos = _pos(event.start_mark)
        self._open(MarkedDict(pos) if self.marked or not self.stack else {}, pos, event)

    def _sequence_start(self, event: Any) -> None:
        pos = _pos(event.start_mark)
        self._open(MarkedList(pos) if self.marked or not self.stack else [], pos, event)

    def _open(self, container: Any, pos: int, event: Any) -> None:
        self._check_tag(event)
        if len(self.stack) >= self.limits.max_depth:
            message = f"nested deeper than {self.limits.max_depth} levels"
            raise _Refused(pos, message, "yaml-limits")
        self.stack.append([container, None, None, 1, event.anchor, pos, 0])

    def _end(self, event: Any) -> None:
        container, _key, _kmark, weight, anchor, pos, size = self.stack.pop()
        self._add(container, pos, (weight, size), anchor, key_text=None)

    def _add(
        self, value: Any, where: Any, cost: tuple[int, int], anchor: str | None, key_text: Any
    ) -> None:
        """Put a finished value in its container; `where` is its position or its parser mark,
        `cost` the values and characters of text it holds."""
        if anchor is not None:
            self.anchors[anchor] = (value, *cost)
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        frame[3] += cost[0]
        frame[6] += cost[1]
        container = frame[0]
        if frame[1] is not None:
            self._put(frame, container, value, where)
        elif isinstance(container, list):
            container.append(value)
            if isinstance(container, MarkedList) and self.marked:
                container.marks.append(_packed(where))
        else:
            self._take_key(frame, value, where, key_text)

    def _take_key(self, frame: list[Any], value: Any, where: Any, key_text: Any) -> None:
        if isinstance(value, (dict, list)):
            message = "a mapping key must be plain text, not a mapping or list"
            raise _Refused(_packed(where), message)
        # Keys are names (node ids, field names), so they keep the text written, `1` or `yes`.
        # Interned: a big tree repeats `type`, `title` and `goto` hundreds of thousands of times.
        frame[1] = sys.intern(key_text if isinstance(key_text, str) else str(value))
        frame[2] = where

    def _put(self, frame: list[Any], container: dict[str, Any], value: Any, where: Any) -> None:
        key, kwhere = frame[1], frame[2]
        frame[1] = None
        if key in container:
            self._duplicate(container, key, _packed(kwhere))
            return
        container[key] = value
        if self.marked:
            container.marks[key] = (_packed(kwhere) << _PAIR_SHIFT) | _packed(where)  # type: ignore[attr-defined]

    def _duplicate(self, container: dict[str, Any], key: str, kpos: int) -> None:
        if not isinstance(container, MarkedDict) or key not in container.marks:
            raise _NeedsMarks
        first_line = unpack(container.key_position(key))[0]
        message = (
            f"key {key!r} repeats the key on line {first_line}; "
            "the second one would silently replace the first"
        )
        node = self._node_of(key)
        self.problems.append(error(self.path, unpack(kpos), "duplicate-key", message, node))

    def _node_of(self, key: str) -> str | None:
        """The node a key being read belongs to (the key itself when it is a node id)."""
        if len(self.stack) < 2 or self.stack[0][1] != "nodes":
            return None
        node: str = key if len(self.stack) == 2 else self.stack[1][1]
        return node


def _packed(where: Any) -> int:
    return where if isinstance(where, int) else _pos(where)


def _build(text: str, path: str, limits: Limits, marked: bool) -> _Builder:
    # Imported here: a warm start builds its trees from the tree cache and never needs YAML.
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser where built
    builder = _Builder(path, limits, marked, len(text))
    builder.feed(yaml.parse(text, Loader=loader))
    return builder


def read_text(text: str, path: str, limits: Limits | None = None) -> Document:
    """Read YAML text into a Document; every problem becomes a Problem, never an exception."""
    limits = limits or Limits()
    import yaml

    doc = Document(path=path, data=None, text=text)
    if len(text) > limits.max_bytes:
        doc.problems.append(_too_big(path, len(text), limits))
        return doc
    try:
        try:
            builder = _build(text, path, limits, marked=False)
        except _NeedsMarks:
            builder = _build(text, path, limits, marked=True)
    except _Refused as exc:
        doc.problems.append(error(path, unpack(exc.pos), exc.rule, exc.message))
        return doc
    except (yaml.YAMLError, UnicodeError) as exc:
        doc.problems.append(_syntax_problem(path, text, exc))
        return doc
    doc.data = builder.root
    if isinstance(doc.data, (MarkedDict, MarkedList)):
        source = doc.data.source = _Source(text, limits)
        if builder.marked:
            source.marked = doc.data  # read with every mark already
    doc.problems.extend(builder.problems)
    return doc


def _too_big(path: str, size: int, limits: Limits) -> Problem:
    return error(path, (1, 1), "yaml-limits", over(size, limits.max_bytes))


def _syntax_problem(path: str, text: str, exc: Exception) -> Problem:
    import yaml

    if isinstance(exc, yaml.MarkedYAMLError):
        return _marked_problem(path, exc)
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_problem(path, text, exc)
    if isinstance(exc, UnicodeEncodeError):
        where = _position_in(text, exc.start)
        return error(path, where, "yaml-syntax", "the text holds a character UTF-8 cannot encode")
    return error(path, (1, 1), "yaml-syntax", plain_line(str(exc)) or "not valid YAML")


def _marked_problem(path: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    parts = [part for part in (exc.context, exc.problem) if part]
    message = ", ".join(parts) or "not valid YAML"
    found = _unclosed_bracket(exc)
    if found is not None:
        # The parser notices a missing `}` or `]` lines later, wherever the next item stands:
        # the mistake is the bracket that opened on its own line and never closed.
        mark = exc.context_mark
        closing = "}" if "mapping" in (exc.context or "") else "]"
        message = (
            f"this '{'{' if closing == '}' else '['}' is never closed: expected ',' or "
            f"'{closing}' before line {found.line + 1}, column {found.column + 1}"
        )
    # Found only at the end of the file, an unclosed quote or bracket is shown where it opened.
    elif exc.context_mark is not None and "end of stream" in (exc.problem or ""):
        mark = exc.context_mark
    pos = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    # libyaml's own guard against deep flow nesting is a limit, not a syntax mistake.
    rule = "yaml-limits" if "maximum nesting depth" in message else "yaml-syntax"
    return error(path, pos, rule, message)


def _unclosed_bracket(exc: yaml.MarkedYAMLError) -> Any:
    """Where the parser stopped inside a flow mapping or list opened on an earlier line, or
    None when it did not."""
    opened, found = exc.context_mark, exc.problem_mark
    inside_flow = (exc.context or "").startswith("while parsing a flow ")
    if inside_flow and opened is not None and found is not None and found.line > opened.line:
        return found
    return None


def _reader_problem(path: str, text: str, exc: yaml.reader.ReaderError) -> Problem:
    char = exc.character
    char_text = chr(char) if isinstance(char, int) else str(char)
    found = text.find(char_text) if char_text else -1
    where = _position_in(text, found) if found >= 0 else (1, 1)
    code = ord(char_text[0]) if char_text else 0
    return error(
        path, where, "yaml-syntax", f"character U+{code:04X} is not allowed in YAML ({exc.reason})"
    )


def match_after(
    data: Any, position: tuple[int, int], pattern: re.Pattern[str], skip: int = 0
) -> tuple[re.Match[str], tuple[int, int]] | None:
    """The match of `pattern` that comes after `skip` others from a position in the text the
    data was read from, and its (line, column); None when the data keeps no text (it was not
    read from a file) or the text holds no such match."""
    source = getattr(data, "source", None)
    if not isinstance(source, _Source):
        return None
    start = source.index(*position)
    for index, match in enumerate(pattern.finditer(source.text, start)):
        if index == skip:
            return match, _position_in(source.text, match.start())
    return None


def _position_in(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def plain_line(text: str) -> str:
    """A message squeezed onto one line."""
    return " ".join(text.split())


def read_bytes(raw: bytes, path: str, limits: Limits | None = None) -> Document:
    """Read a file's bytes: size limit first, then UTF-8, then YAML."""
    limits = limits or Limits()
    digest = hashlib.sha256(raw).hexdigest()
    if len(raw) > limits.max_bytes:
        doc = Document(path=path, data=None, sha256=digest)
        doc.problems.append(_too_big(path, len(raw), limits))
        return doc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        doc = Document(path=path, data=None, sha256=digest)
        line = raw[: exc.start].count(b"\n") + 1
        doc.problems.append(error(path, (line, 1), "yaml-syntax", "the file is not UTF-8 text"))
        return doc
    doc = read_text(text, path, limits)
    doc.sha256 = digest
    return doc


def read_file(path: Path, limits: Limits | None = None, display: str | None = None) -> Document:
    """Read one tree file from disk (a file that cannot be opened is reported, not raised)."""
    limits = limits or Limits()
    shown = display or str(path)
    try:
        raw = read_regular_file(path, limits.max_bytes)
    except FileRefused as exc:
        rule = "yaml-limits" if exc.size is not None else "yaml-syntax"
        message = exc.message if exc.size is not None else f"cannot read: {exc.message}"
        return _unread(shown, rule, message)
    except OSError as exc:
        return _unread(shown, "yaml-syntax", f"cannot read: {exc.strerror or exc}")
    return read_bytes(raw, shown, limits)


def _unread(path: str, rule: str, message: str) -> Document:
    doc = Document(path=path, data=None)
    doc.problems.append(error(path, (1, 1), rule, message))
    return doc


def position_of(data: Any, path: tuple[Any, ...] | list[Any], key: bool = False) -> tuple[int, int]:
    """The (line, column) of the value at a path of keys and indexes, or of its key.

    Walks as deep as the path exists and answers for the deepest part found, so a problem with a
    missing field points at the mapping that lacks it.
    """
    source = getattr(data, "source", None)
    if source is not None:
        data = source.marked_root()
    best = getattr(data, "pos", pack(1, 1))
    current = data
    steps = list(path)
    for i, step in enumerate(steps):
        marks = getattr(current, "marks", None)
        if marks is None:
            break
        last = i == len(steps) - 1
        if isinstance(current, MarkedDict) and step in current.marks:
            both = key and last
            best = current.key_position(step) if both else current.value_position(step)
        elif isinstance(current, MarkedList) and isinstance(step, int) and step < len(marks):
            best = marks[step]
        else:
            break
        current = current[step]
    return unpack(best)
