"""Reading tree files: safe YAML into plain data that remembers where each value stood.

The reader builds dicts, lists and scalars straight from the parser's events instead of using a
PyYAML constructor, for four reasons: duplicate keys are reported instead of merged, positions are
kept for every key and value, limits (size, depth, aliases) are enforced before any expansion can
cost time, and scalars follow YAML 1.2's core schema, so `No` and `on` stay the text a label says.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine.problems import Problem, error

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - only where libyaml is missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

# A position is a packed (line, column), both 1-based: one small int per value keeps a 50k-node
# tree's marks cheap. Columns past 2**20 are clamped, which no real file reaches.
_COL_BITS = 20
_COL_MASK = (1 << _COL_BITS) - 1


def pack(line: int, column: int) -> int:
    """Pack a 1-based (line, column) into one int."""
    return (line << _COL_BITS) | min(column, _COL_MASK)


def unpack(pos: int) -> tuple[int, int]:
    """The (line, column) of a packed position."""
    return pos >> _COL_BITS, pos & _COL_MASK


def _pos(mark: Any) -> int:
    return pack(mark.line + 1, mark.column + 1)


class MarkedDict(dict[str, Any]):
    """A mapping from a YAML file; `marks[key]` is (key position, value position)."""

    __slots__ = ("marks", "pos")

    def __init__(self, pos: int) -> None:
        super().__init__()
        self.pos = pos
        self.marks: dict[str, tuple[int, int]] = {}


class MarkedList(list[Any]):
    """A sequence from a YAML file; `marks[i]` is the position of item i."""

    __slots__ = ("marks", "pos")

    def __init__(self, pos: int) -> None:
        super().__init__()
        self.pos = pos
        self.marks: list[int] = []


@dataclass(frozen=True)
class Limits:
    """What a tree file may cost to read; past any of these the file is refused."""

    max_bytes: int = 2 * 1024 * 1024
    max_depth: int = 64
    max_aliases: int = 100
    # Nodes that aliases bring in, counted as if expanded: stops "billion laughs" files.
    max_alias_expansion: int = 10_000


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


class _LimitExceeded(Exception):
    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


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
        return int(value, 10)
    if _INT_OTHER.match(value):
        return int(value, 0)
    if _FLOAT.match(value):
        return float(value)
    return _SPECIAL_FLOATS.get(value, value)


def _resolve_tagged(tag: str, value: str, pos: int) -> Any:
    if tag in ("tag:yaml.org,2002:str", "!"):
        return value
    resolved = resolve_plain(value)
    expected = {
        "tag:yaml.org,2002:int": int,
        "tag:yaml.org,2002:float": (float, int),
        "tag:yaml.org,2002:bool": bool,
        "tag:yaml.org,2002:null": type(None),
    }.get(tag)
    if expected is None or not isinstance(resolved, expected):
        raise _LimitExceeded(pos, f"{value!r} is not a valid {tag.rsplit(':', 1)[-1]}")
    return float(resolved) if tag.endswith("float") else resolved


class _Builder:
    """Turns a stream of parser events into marked data, enforcing the limits as it goes."""

    def __init__(self, path: str, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.alias_count = 0
        self.alias_expansion = 0
        # Each open container: [container, pending key or None, key position, size].
        self.stack: list[list[Any]] = []
        self.root: Any = None
        self.documents = 0

    def feed(self, events: Any) -> None:
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
            raise _LimitExceeded(
                _pos(event.start_mark), "a tree file holds one YAML document, this is a second"
            )

    def _check_tag(self, event: Any) -> None:
        tag = event.tag
        if tag is not None and tag not in _SAFE_TAGS:
            raise _LimitExceeded(
                _pos(event.start_mark),
                f"tag {tag!r} is not allowed: tree files hold plain data only",
            )

    def _scalar(self, event: Any) -> None:
        self._check_tag(event)
        pos = _pos(event.start_mark)
        if event.tag not in (None, "!"):
            value = _resolve_tagged(event.tag, event.value, pos)
        elif event.implicit[0] and not event.style:
            value = resolve_plain(event.value)
        else:
            value = event.value
        self._add(value, pos, 1, event.anchor, key_text=event.value)

    def _alias(self, event: Any) -> None:
        pos = _pos(event.start_mark)
        if event.anchor not in self.anchors:
            raise _LimitExceeded(pos, f"alias *{event.anchor} names no anchor")
        value, weight = self.anchors[event.anchor]
        self.alias_count += 1
        self.alias_expansion += weight
        if self.alias_count > self.limits.max_aliases:
            raise _LimitExceeded(pos, f"more than {self.limits.max_aliases} aliases")
        if self.alias_expansion > self.limits.max_alias_expansion:
            raise _LimitExceeded(
                pos,
                f"aliases expand to more than {self.limits.max_alias_expansion} values",
            )
        self._add(value, pos, weight, None, key_text=None)

    def _mapping_start(self, event: Any) -> None:
        self._open(MarkedDict(_pos(event.start_mark)), event)

    def _sequence_start(self, event: Any) -> None:
        self._open(MarkedList(_pos(event.start_mark)), event)

    def _open(self, container: Any, event: Any) -> None:
        self._check_tag(event)
        if len(self.stack) >= self.limits.max_depth:
            raise _LimitExceeded(
                container.pos, f"nested deeper than {self.limits.max_depth} levels"
            )
        self.stack.append([container, None, 0, 1, event.anchor])

    def _end(self, event: Any) -> None:
        container, _key, _kpos, weight, anchor = self.stack.pop()
        self._add(container, container.pos, weight, anchor, key_text=None)

    def _add(self, value: Any, pos: int, weight: int, anchor: str | None, key_text: Any) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, weight)
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        frame[3] += weight
        container = frame[0]
        if type(container) is MarkedList:
            container.append(value)
            container.marks.append(pos)
        elif frame[1] is None:
            self._take_key(frame, value, pos, key_text)
        else:
            self._put(frame, container, value, pos)

    def _take_key(self, frame: list[Any], value: Any, pos: int, key_text: Any) -> None:
        if isinstance(value, (dict, list)):
            raise _LimitExceeded(pos, "a mapping key must be plain text, not a mapping or list")
        # Keys are names (node ids, field names), so they keep the text written, `1` or `yes`.
        frame[1] = key_text if isinstance(key_text, str) else str(value)
        frame[2] = pos

    def _put(self, frame: list[Any], container: MarkedDict, value: Any, pos: int) -> None:
        key, kpos = frame[1], frame[2]
        frame[1] = None
        if key in container:
            first_line = unpack(container.marks[key][0])[0]
            self.problems.append(
                error(
                    self.path,
                    unpack(kpos),
                    "duplicate-key",
                    f"key {key!r} repeats the key on line {first_line}; "
                    "the second one would silently replace the first",
                )
            )
            return
        container[key] = value
        container.marks[key] = (kpos, pos)


def read_text(text: str, path: str, limits: Limits | None = None) -> Document:
    """Read YAML text into a Document; every problem becomes a Problem, never an exception."""
    limits = limits or Limits()
    doc = Document(path=path, data=None, text=text)
    builder = _Builder(path, limits)
    try:
        builder.feed(yaml.parse(text, Loader=_Loader))
    except _LimitExceeded as exc:
        rule = "yaml-syntax" if "tag" in exc.message or "alias *" in exc.message else "yaml-limits"
        doc.problems.append(error(path, unpack(exc.pos), rule, exc.message))
        return doc
    except yaml.MarkedYAMLError as exc:
        doc.problems.append(_syntax_problem(path, exc))
        return doc
    except yaml.YAMLError as exc:
        doc.problems.append(error(path, (1, 1), "yaml-syntax", str(exc).strip()))
        return doc
    doc.data = builder.root
    doc.problems.extend(builder.problems)
    return doc


def _syntax_problem(path: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    pos = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    parts = [part for part in (exc.context, exc.problem) if part]
    return error(path, pos, "yaml-syntax", ", ".join(parts) or "not valid YAML")


def read_bytes(raw: bytes, path: str, limits: Limits | None = None) -> Document:
    """Read a file's bytes: size limit first, then UTF-8, then YAML."""
    limits = limits or Limits()
    digest = hashlib.sha256(raw).hexdigest()
    if len(raw) > limits.max_bytes:
        doc = Document(path=path, data=None, sha256=digest)
        doc.problems.append(
            error(
                path,
                (1, 1),
                "yaml-limits",
                f"the file is {len(raw):,} bytes, over the limit of {limits.max_bytes:,}",
            )
        )
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
    shown = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        doc = Document(path=shown, data=None)
        doc.problems.append(error(shown, (1, 1), "yaml-syntax", f"cannot read: {exc.strerror}"))
        return doc
    return read_bytes(raw, shown, limits)


def position_of(data: Any, path: tuple[Any, ...] | list[Any], key: bool = False) -> tuple[int, int]:
    """The (line, column) of the value at a path of keys and indexes, or of its key.

    Walks as deep as the path exists and answers for the deepest part found, so a problem with a
    missing field points at the mapping that lacks it.
    """
    best = getattr(data, "pos", pack(1, 1))
    current = data
    steps = list(path)
    for i, step in enumerate(steps):
        marks = getattr(current, "marks", None)
        if marks is None:
            break
        last = i == len(steps) - 1
        if isinstance(current, MarkedDict) and step in current.marks:
            kpos, vpos = current.marks[step]
            best = kpos if (key and last) else vpos
        elif isinstance(current, MarkedList) and isinstance(step, int) and step < len(marks):
            best = marks[step]
        else:
            break
        current = current[step]
    return unpack(best)
