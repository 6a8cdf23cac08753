"""Rules on a tree's regular expressions: none may take exponential time to match."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from engine.lint.context import LintContext
from engine.lint.reference_rules import Where, node_var_tests
from engine.lint.registry import rule
from engine.tree.problems import Problem
from engine.walk.pattern_risk import slow_reason


def _patterns(raw: Mapping[str, Any]) -> Iterator[tuple[str, Where]]:
    """Each regular expression of a node (an input's pattern, a condition's matches)."""
    if isinstance(raw.get("pattern"), str):
        yield raw["pattern"], ("pattern",)
    for test, where in node_var_tests(raw):
        if isinstance(test.get("matches"), str):
            yield test["matches"], (*where, "matches")


@rule("slow-pattern")
def slow_pattern(ctx: LintContext) -> Iterator[Problem]:
    raw_nodes = ctx.data.get("nodes")
    if not isinstance(raw_nodes, Mapping):
        return
    for node_id, raw in raw_nodes.items():
        for pattern, where in _patterns(raw) if isinstance(raw, Mapping) else ():
            try:
                reason = slow_reason(pattern)
            except (re.error, RecursionError, OverflowError):
                continue  # the schema check reports it
            if reason is not None:
                message = (
                    f"this pattern can take exponential time to match: {reason}; give each "
                    "repetition a clear end, as in '(\\d+\\.)*'"
                )
                yield ctx.error(ctx.node_at(node_id, *where), "slow-pattern", message, node_id)
