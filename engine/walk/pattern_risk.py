"""Patterns whose matching time can grow exponentially with the text, found before a walk runs."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from engine.walk.pattern_syntax import (
    LAST_CODE,
    Alt,
    Backref,
    Chars,
    Group,
    Look,
    Part,
    Ranges,
    Repeat,
    Seq,
    merge,
    parse,
)

_ANY: Ranges = ((0, LAST_CODE),)


@lru_cache(maxsize=1024)
def slow_reason(pattern: str) -> str | None:
    """Why matching the pattern can take exponential time, or None when it cannot. Raises
    re.error for a pattern re refuses.

    Inside a part that repeats, a quantifier whose characters may also come next, or a choice of
    alternatives that start alike, lets a backtracking matcher split one text in exponentially
    many ways. Without either, each repetition is matched in one way only, so the time grows
    at most polynomially with the text."""
    for loop in _parts(parse(pattern)):
        if isinstance(loop, Repeat) and loop.loops:
            found = _loop_reason(loop)
            if found is not None:
                inner, outer = _quoted(pattern, found.span), _quoted(pattern, loop.span)
                if isinstance(found, Alt):
                    return f"{inner} has alternatives that start alike inside {outer} (overlapping)"
                return f"{inner} repeats with no clear end inside {outer} (nested quantifiers)"
    return None


def _quoted(pattern: str, span: tuple[int, int]) -> str:
    return "'" + pattern[span[0] : span[1]].replace("\n", "\\n") + "'"


def _loop_reason(loop: Repeat) -> Repeat | Alt | None:
    """The quantifier or the choice inside a repeated part that makes it slow, if one does."""
    items = _items(loop.body)
    for inner in _parts(loop.body):
        if isinstance(inner, Alt) and _alike(inner.branches):
            return inner
        if isinstance(inner, Repeat) and inner.low != inner.high:
            if not any(inner is item for item in items):
                return inner  # deeper inside the part: not shown to have a clear end
            if _overlap(_first(inner.body)[0], _after(items, inner, loop)):
                return inner
    return None


def _items(body: Part) -> tuple[Part, ...]:
    """The parts a repeated body is a sequence of."""
    while isinstance(body, Group) and not (body.atomic or body.conditional):
        body = body.body
    return body.items if isinstance(body, Seq) else (body,)


def _after(items: tuple[Part, ...], inner: Repeat, loop: Repeat) -> Ranges:
    """What can come right after the inner quantifier: the rest of its sequence, and the next
    repetition of the loop when the rest can match nothing."""
    index = next(i for i, item in enumerate(items) if item is inner)
    ranges, empty = _first_of_sequence(items[index + 1 :])
    return merge([*ranges, *_first(loop.body)[0]]) if empty else ranges


def _overlap(one: Ranges, other: Ranges) -> bool:
    return any(low <= o_high and o_low <= high for low, high in one for o_low, o_high in other)


def _parts(part: Part) -> Iterator[Part]:
    """The part and every part inside it."""
    yield part
    if isinstance(part, Seq):
        inner: tuple[Part, ...] = part.items
    elif isinstance(part, Alt):
        inner = part.branches
    elif isinstance(part, (Group, Repeat, Look)):
        inner = (part.body,)
    else:
        inner = ()
    for item in inner:
        yield from _parts(item)


def _alike(branches: tuple[Part, ...]) -> bool:
    """Whether two of the branches can start with the same character."""
    seen: list[tuple[int, int]] = []
    for branch in branches:
        firsts = _first(branch)[0]
        if _overlap(firsts, tuple(seen)):
            return True
        seen = list(merge([*seen, *firsts]))
    return False


def _first(part: Part) -> tuple[Ranges, bool]:
    """The characters a match of the part can start with, and whether it can match nothing."""
    if isinstance(part, Chars):
        return (_folded(part.ranges) if part.folded else part.ranges), False
    if isinstance(part, Backref):
        return _ANY, True
    if isinstance(part, Seq):
        return _first_of_sequence(part.items)
    if isinstance(part, Alt):
        found = [_first(branch) for branch in part.branches]
        return merge([r for ranges, _ in found for r in ranges]), any(e for _, e in found)
    if isinstance(part, Group):
        return (_ANY, True) if part.conditional else _first(part.body)
    if isinstance(part, Repeat):
        ranges, empty = _first(part.body)
        return ranges, empty or part.low == 0
    return (), True  # an anchor or a lookaround takes no character


def _first_of_sequence(items: tuple[Part, ...]) -> tuple[Ranges, bool]:
    starts: list[tuple[int, int]] = []
    for item in items:
        ranges, empty = _first(item)
        starts.extend(ranges)
        if not empty:
            return merge(starts), False
    return merge(starts), True


def _folded(ranges: Ranges) -> Ranges:
    """The ranges with the other case of each letter in them (of small ranges: a wide one
    already holds most letters both ways)."""
    extra: list[tuple[int, int]] = []
    for low, high in ranges:
        if high - low < 512:
            for code in range(low, high + 1):
                char = chr(code)
                extra += [(ord(c), ord(c)) for c in (char.lower(), char.upper()) if len(c) == 1]
    return merge([*ranges, *extra])
