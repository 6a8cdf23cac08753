"""A pattern in RE2's syntax, meaning for a search exactly what it means to Python's re."""

from __future__ import annotations

from typing import Any

from engine.walk.pattern_syntax import Alt, Anchor, Chars, Group, Part, Repeat, Seq

# RE2 refuses counted repeats above 1000; re's meaning there is kept by re itself.
_RE2_MAX_REPEAT = 1000
_SURROGATES = (0xD800, 0xDFFF)
# What re's anchors are in RE2. `$` (at the end or before a last newline) has no RE2 spelling
# that does not take the newline, so it is spelled only where nothing follows it.
_RE2_ANCHORS = {"^": r"\A", "\\A": r"\A", "\\Z": r"\z", "line^": "(?m:^)", "line$": "(?m:$)"}


def re2_compiled(spelling: str) -> Any:
    """RE2's compiled form of a spelling, or None when RE2 refuses it."""
    import re2

    options = re2.Options()
    options.log_errors = False  # a refusal is an answer here (re matches it), not a fault
    try:
        return re2.compile(spelling, options)
    except re2.error:  # over RE2's memory budget: a huge counted repeat of a large class
        return None


def re2_spelling(part: Part, last: bool = True) -> str | None:
    """The pattern in RE2's syntax, meaning for a search what it means to re; None when RE2
    cannot say it (backreferences, lookaround, case folding, Unicode word boundaries, ...).
    `last`: nothing follows the part in the pattern."""
    if isinstance(part, Chars):
        return None if part.folded else _set_spelling(part)
    if isinstance(part, Anchor):
        return _anchor_spelling(part, last)
    if isinstance(part, Seq):
        count = len(part.items)
        spelled = [re2_spelling(item, last and i == count - 1) for i, item in enumerate(part.items)]
        return None if None in spelled else "".join(s for s in spelled if s is not None)
    if isinstance(part, Alt):
        branches = [re2_spelling(branch, last) for branch in part.branches]
        return None if None in branches else "|".join(b for b in branches if b is not None)
    if isinstance(part, Group):
        body = None if part.atomic or part.conditional else re2_spelling(part.body, last)
        return None if body is None else f"(?:{body})"
    if isinstance(part, Repeat):
        return _repeat_spelling(part)
    return None  # a backreference or a lookaround


def _set_spelling(part: Chars) -> str:
    pieces = []
    for low, high in part.ranges:
        if low <= _SURROGATES[1] and high >= _SURROGATES[0]:  # RE2 reads only UTF-8 text
            pieces += [(low, _SURROGATES[0] - 1), (_SURROGATES[1] + 1, high)]
        else:
            pieces.append((low, high))
    spelled = "".join(
        f"\\x{{{low:x}}}" + (f"-\\x{{{high:x}}}" if high > low else "")
        for low, high in pieces
        if low <= high
    )
    if len(pieces) == 1 and pieces[0][0] == pieces[0][1]:
        return spelled
    return f"[{spelled}]" if spelled else r"[^\x00-\x{10ffff}]"


def _anchor_spelling(part: Anchor, last: bool) -> str | None:
    if part.kind in _RE2_ANCHORS:
        return _RE2_ANCHORS[part.kind]
    if part.kind == "$":
        return r"(?:\n?\z)" if last else None
    # RE2's word boundary is ASCII's; re's \B never matches an empty text, RE2's does.
    return part.kind if part.ascii and part.kind == "\\b" else None


def _repeat_spelling(part: Repeat) -> str | None:
    bounded = max(part.low, part.high or 0) <= _RE2_MAX_REPEAT
    body = re2_spelling(part.body, last=False)
    if part.possessive or not bounded or body is None:
        return None
    high = "" if part.high is None else str(part.high)
    return f"(?:{body}){{{part.low},{high}}}"
