"""Rules on the words of a tree: no editor placeholders, no two answers that read or key alike."""

from __future__ import annotations

import re
from collections.abc import Iterator

from engine.lint.context import LintContext
from engine.lint.registry import rule
from engine.tree.model import Action, Input, Node, Question
from engine.tree.problems import Problem

# What web editors leave behind: whole-label placeholders, and phrases no article means to keep.
_PLACEHOLDER_LABELS = {
    "add button",
    "type button text",
    "button text",
    "write your initial question…",
    "write your initial question...",
    "write your initial question",
}
_PLACEHOLDER_PHRASES = re.compile(
    r"This content will be shown|Lorem ipsum|Type Button Text|\bTODO\b",
    re.IGNORECASE,
)
_TODO_CASE = re.compile(r"\bTODO\b")


def placeholder_in(text: str, is_label: bool) -> str | None:
    """The placeholder a text holds, or None; an empty label counts as one."""
    stripped = text.strip()
    if is_label and not stripped:
        return "an empty label"
    if stripped.casefold() in _PLACEHOLDER_LABELS:
        return repr(stripped)
    match = _PLACEHOLDER_PHRASES.search(text)
    if match is None:
        return None
    if match.group(0).upper() == "TODO" and not _TODO_CASE.search(text):
        return None
    return repr(match.group(0))


def _texts(node: Node) -> Iterator[tuple[str, tuple[str | int, ...], bool]]:
    yield node.title, ("title",), False
    yield node.body, ("body",), False
    if isinstance(node, Question):
        for i, choice in enumerate(node.choices):
            yield choice.label, ("choices", i, "label"), True
    elif isinstance(node, Action):
        yield node.manual, ("manual",), False
        for i, route in enumerate(node.routes):
            yield route.label, ("routes", i, "label"), True
    elif isinstance(node, Input):
        yield node.prompt, ("prompt",), False


@rule("placeholder-text")
def placeholder_text(ctx: LintContext) -> Iterator[Problem]:
    for field in ("title", "summary"):
        text = ctx.data.get(field)
        found = placeholder_in(text, False) if isinstance(text, str) else None
        if found:
            yield ctx.error(ctx.at(field), "placeholder-text", _left_in(found, field))
    for node in ctx.nodes():
        for text, where, is_label in _texts(node):
            found = placeholder_in(text, is_label)
            if found:
                message = _left_in(found, str(where[-1]))
                yield ctx.error(ctx.node_at(node.id, *where), "placeholder-text", message, node.id)


def _left_in(found: str, field: str) -> str:
    if found == "an empty label":
        return "the label is empty: a button needs text"
    return f"editor placeholder {found} left in '{field}'"


def _labels(node: Node) -> list[tuple[str, tuple[str | int, ...]]]:
    if isinstance(node, Question):
        return [(c.label, ("choices", i, "label")) for i, c in enumerate(node.choices)]
    if isinstance(node, Action):
        return [(r.label, ("routes", i, "label")) for i, r in enumerate(node.routes)]
    return []


@rule("duplicate-label")
def duplicate_label(ctx: LintContext) -> Iterator[Problem]:
    # Answers are matched by label without regard to case, so labels must differ that way too.
    for node in ctx.nodes():
        seen: dict[str, int] = {}
        for i, (label, where) in enumerate(_labels(node)):
            folded = " ".join(label.split()).casefold()
            if not folded:
                continue
            if folded in seen:
                message = (
                    f"label {label!r} is already used by answer {seen[folded] + 1} of this node"
                )
                yield ctx.error(ctx.node_at(node.id, *where), "duplicate-label", message, node.id)
            else:
                seen[folded] = i


@rule("duplicate-key-binding")
def duplicate_key_binding(ctx: LintContext) -> Iterator[Problem]:
    for node in ctx.nodes():
        if not isinstance(node, Question):
            continue
        seen: dict[str, int] = {}
        for i, choice in enumerate(node.choices):
            if choice.key is None:
                continue
            key = choice.key.casefold()
            clash = _key_clash(key, i, seen, len(node.choices))
            if clash:
                pos = ctx.node_at(node.id, "choices", i, "key")
                yield ctx.error(pos, "duplicate-key-binding", clash, node.id)
            seen.setdefault(key, i)


def _key_clash(key: str, index: int, seen: dict[str, int], count: int) -> str | None:
    if key in seen:
        return f"key {key!r} is already bound to answer {seen[key] + 1} of this node"
    # 1-9 always pick by position, so a digit key may only repeat its own position.
    if key.isdigit() and key != "0" and int(key) != index + 1 and int(key) <= count:
        return f"key {key!r} would shadow answer {key}, which digits always pick by position"
    return None
