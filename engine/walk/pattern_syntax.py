"""A tree's regular expression read into its parts, as Python's re reads it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache
from typing import TypeAlias

LAST_CODE = 0x10FFFF
_PLANE_SIZE = 0x10000
_PLANES = (LAST_CODE + 1) // _PLANE_SIZE
Ranges: TypeAlias = tuple[tuple[int, int], ...]  # inclusive, sorted, apart
_VERBOSE_SPACE = " \t\n\r\v\f"
_CHAR_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
# A comment, or a group of global flags; re reads escapes inside a comment as pairs.
_LEADING = re.compile(r"\(\?\#(?:\\.|[^\\)])*\)|\(\?([aiLmsux]+)\)", re.DOTALL)


@dataclass(frozen=True)
class Chars:
    """One character from `ranges`; `folded` when case is ignored (re's own rules then)."""

    ranges: Ranges
    folded: bool = False


@dataclass(frozen=True)
class Anchor:
    """A position: `^`, `$` (at the end or before a last newline), `line^`, `line$`, `\\A`,
    `\\Z`, or a word boundary `\\b`, `\\B` (`ascii` when \\w is ASCII for it)."""

    kind: str
    ascii: bool = False


@dataclass(frozen=True)
class Backref:
    """The text a group took, again."""

    group: str


@dataclass(frozen=True)
class Look:
    """A lookahead or lookbehind: `body` must (or, `negative`, must not) match there."""

    body: Part
    behind: bool
    negative: bool


@dataclass(frozen=True)
class Seq:
    items: tuple[Part, ...]


@dataclass(frozen=True)
class Alt:
    branches: tuple[Part, ...]
    span: tuple[int, int]


@dataclass(frozen=True)
class Group:
    """A group; `atomic` (`(?>…)`) never gives back what it took; `conditional` is `(?(…)…)`."""

    body: Part
    atomic: bool = False
    conditional: bool = False
    names: tuple[str, ...] = ()  # a capturing group's number, and its name if it has one


@dataclass(frozen=True)
class Repeat:
    body: Part
    low: int
    high: int | None  # None: no upper bound
    possessive: bool
    span: tuple[int, int]

    @property
    def loops(self) -> bool:
        """Whether its body may be matched more than once."""
        return self.high is None or self.high > 1


Part: TypeAlias = Chars | Anchor | Backref | Look | Seq | Alt | Group | Repeat


def parse(pattern: str) -> Part:
    """The parts of a pattern Python's re accepts (raises re.error for one it refuses)."""
    re.compile(pattern)
    reader = _Reader(pattern)
    return reader.alternation(reader.leading_flags())


class _Reader:
    """Reads a pattern left to right; each method reads one construct and returns its part."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.at = 0
        self.groups = 0

    def peek(self, ahead: int = 0) -> str:
        index = self.at + ahead
        return self.text[index] if index < len(self.text) else ""

    def take(self, count: int = 1) -> str:
        taken = self.text[self.at : self.at + count]
        self.at += count
        return taken

    def leading_flags(self) -> str:
        """The flags of `(?aimsux)` groups at the start (after comments, maybe): re applies them
        to the whole pattern."""
        flags = ""
        while True:
            self.skip_verbose(flags)
            found = _LEADING.match(self.text, self.at)
            if found is None:
                return flags
            flags += found.group(1) or ""
            self.at = found.end()

    def alternation(self, flags: str) -> Part:
        start = self.at
        branches = [self.sequence(flags)]
        while self.peek() == "|":
            self.take()
            branches.append(self.sequence(flags))
        return branches[0] if len(branches) == 1 else Alt(tuple(branches), (start, self.at))

    def sequence(self, flags: str) -> Part:
        items: list[Part] = []
        starts: list[int] = []
        while True:
            self.skip_verbose(flags)
            if self.peek() in ("", "|", ")"):
                return items[0] if len(items) == 1 else Seq(tuple(items))
            start = self.at
            item = self.atom(flags)
            if item is not None:
                items.append(self.quantified(item, start, flags))
                starts.append(start)
            elif items:  # a comment: re applies a quantifier after it to the item before it
                items[-1] = self.quantified(items[-1], starts[-1], flags)

    def skip_verbose(self, flags: str) -> None:
        while "x" in flags and self.peek() and self.peek() in _VERBOSE_SPACE + "#":
            if self.take() == "#":
                while self.peek() not in ("", "\n"):
                    self.take()

    def quantified(self, item: Part, start: int, flags: str) -> Part:
        while True:
            self.skip_verbose(flags)
            bounds = self.bounds()
            if bounds is None:
                return item
            possessive = self.peek() == "+"
            if self.peek() in ("?", "+"):
                self.take()
            item = Repeat(item, bounds[0], bounds[1], possessive, (start, self.at))

    def bounds(self) -> tuple[int, int | None] | None:
        char = self.peek()
        simple = {"*": (0, None), "+": (1, None), "?": (0, 1)}
        if char in simple:
            self.take()
            return simple[char]
        found = re.match(r"\{(\d*)(,?)(\d*)\}", self.text[self.at :])
        if char != "{" or found is None or found.group() == "{}":
            return None
        self.at += found.end()
        low = int(found.group(1) or 0)
        high = found.group(3) or (None if found.group(2) else found.group(1))
        return low, None if high is None else int(high)

    def atom(self, flags: str) -> Part | None:
        char = self.take()
        if char == "(":
            return self.group(flags)
        if char == "[":
            return self.char_set(flags)
        if char == "\\":
            return self.escape(flags)
        if char == ".":
            return Chars(((0, LAST_CODE),) if "s" in flags else ((0, 9), (11, LAST_CODE)))
        if char in "^$":
            return Anchor(("line" if "m" in flags else "") + char)
        return _literal(ord(char), flags)

    def group(self, flags: str) -> Part | None:
        if self.peek() != "?":
            return self.group_body(flags, self.capture())
        self.take()
        kind = self.peek()
        if kind == "#":
            while (char := self.take()) != ")":
                if char == "\\":
                    self.take()  # re reads an escaped parenthesis as part of the comment
            return None
        if kind == ":":
            self.take()
            return self.group_body(flags)
        if kind == ">":
            self.take()
            return replace(self.group_body(flags), atomic=True)
        if kind in ("=", "!") or self.text.startswith(("<=", "<!"), self.at):
            behind = self.take() == "<"
            negative = self.take() == "!" if behind else kind == "!"
            return Look(self.group_body(flags), behind, negative)
        if kind == "P":
            return self.named(flags)
        if kind == "(":
            while self.take() != ")":
                pass
            return replace(self.group_body(flags), conditional=True)
        return self.group_body(self.scoped_flags(flags))

    def named(self, flags: str) -> Part:
        self.take()
        opener = self.take()
        name_end = self.text.index(">" if opener == "<" else ")", self.at)
        name = self.text[self.at : name_end]
        self.at = name_end + 1
        return self.group_body(flags, self.capture(name)) if opener == "<" else Backref(name)

    def scoped_flags(self, flags: str) -> str:
        found = re.match(r"([aiLmsux]*)(?:-([imsx]*))?:", self.text[self.at :])
        assert found is not None  # re accepted the pattern, and no other group starts so
        self.at += found.end()
        removed = found.group(2) or ""
        return "".join(f for f in flags + found.group(1) if f not in removed)

    def capture(self, *name: str) -> tuple[str, ...]:
        self.groups += 1  # numbered as they open, as re numbers them
        return (str(self.groups), *name)

    def group_body(self, flags: str, names: tuple[str, ...] = ()) -> Group:
        body = self.alternation(flags)
        self.take()  # the closing parenthesis
        return Group(body, names=names)

    def escape(self, flags: str) -> Part:
        char = self.take()
        if char in "dDwWsS":
            return Chars(class_ranges(char, "a" in flags))
        if char in "AZ":
            return Anchor("\\" + char)
        if char in "bB":
            return Anchor("\\" + char, ascii="a" in flags)
        if char.isdigit() and not self.octal_follows(char):
            digits = char + (self.take() if self.peek().isdigit() else "")
            return Backref(digits)
        return _literal(self.escaped_code(char), flags)

    def octal_follows(self, first: str) -> bool:
        """Whether a digit escape is an octal character (`\\0`, `\\012`), not a group number."""
        three = first + self.peek() + self.peek(1)
        return first == "0" or (len(three) == 3 and all(c in "01234567" for c in three))

    def escaped_code(self, char: str) -> int:
        """The code of the character an escape (after its backslash) stands for."""
        if char in "01234567":
            digits = char
            while len(digits) < 3 and self.peek() in tuple("01234567"):
                digits += self.take()
            return int(digits, 8)
        widths = {"x": 2, "u": 4, "U": 8}
        if char in widths:
            return int(self.take(widths[char]), 16)
        if char == "N":
            end = self.text.index("}", self.at)
            name = self.text[self.at + 1 : end]
            self.at = end + 1
            return ord(unicodedata.lookup(name))
        return _CHAR_ESCAPES.get(char, ord(char))

    def char_set(self, flags: str) -> Chars:
        negated = self.peek() == "^"
        if negated:
            self.take()
        ranges: list[tuple[int, int]] = []
        first = True
        while first or self.peek() != "]":
            first = False
            ranges.extend(self.set_member(flags))
        self.take()
        merged = merge(ranges)
        return Chars(complement(merged) if negated else merged, folded="i" in flags)

    def set_member(self, flags: str) -> Ranges:
        low = self.set_char(flags)
        if isinstance(low, tuple):
            return low
        if self.peek() == "-" and self.peek(1) not in ("]", ""):
            self.take()
            high = self.set_char(flags)
            assert isinstance(high, int)  # re refuses a range that ends in a class
            return ((low, high),)
        return ((low, low),)

    def set_char(self, flags: str) -> int | Ranges:
        char = self.take()
        if char != "\\":
            return ord(char)
        char = self.take()
        if char in "dDwWsS":
            return class_ranges(char, "a" in flags)
        return self.escaped_code(char)


def _literal(code: int, flags: str) -> Chars:
    return Chars(((code, code),), folded="i" in flags)


def merge(ranges: list[tuple[int, int]] | Ranges) -> Ranges:
    """The same characters as sorted ranges that neither overlap nor touch."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return tuple(merged)


def complement(ranges: Ranges) -> Ranges:
    """Every character not in the ranges."""
    gaps: list[tuple[int, int]] = []
    next_code = 0
    for low, high in ranges:
        if low > next_code:
            gaps.append((next_code, low - 1))
        next_code = high + 1
    if next_code <= LAST_CODE:
        gaps.append((next_code, LAST_CODE))
    return tuple(gaps)


@cache
def class_ranges(letter: str, ascii: bool) -> Ranges:
    """The characters `\\d`, `\\w`, `\\s` (or their negations) stand for, asked of re itself
    over every character, so they are right for this Python's Unicode version by construction.
    Read plane by plane: the text of every character at once is 4 MB."""
    if letter.isupper():
        return complement(class_ranges(letter.lower(), ascii))
    runs: list[tuple[int, int]] = []
    for plane in range(_PLANES):
        start = plane * _PLANE_SIZE
        found = re.finditer(f"\\{letter}+", _plane(plane), re.ASCII if ascii else 0)
        runs += ((start + run.start(), start + run.end() - 1) for run in found)
    return merge(runs)


def _plane(plane: int) -> str:
    """The plane's every code point in order, lone surrogates too (built from bytes: faster than
    joining chr() of each)."""
    utf32 = bytearray(4 * _PLANE_SIZE)
    utf32[0::4] = bytes(range(256)) * 256
    utf32[1::4] = b"".join(bytes([i]) * 256 for i in range(256))
    utf32[2::4] = bytes([plane]) * _PLANE_SIZE
    return utf32.decode("utf-32-le", "surrogatepass")
