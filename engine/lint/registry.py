"""The registry of lint rules: each rule is a function from a LintContext to Problems."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeAlias

from engine.lint.context import LintContext
from engine.tree.problems import Problem

Rule: TypeAlias = Callable[[LintContext], Iterable[Problem]]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register a rule under the name its problems carry."""

    def register(func: Rule) -> Rule:
        RULES[name] = func
        return func

    return register


def lint(ctx: LintContext) -> list[Problem]:
    """Every problem every rule finds in one tree."""
    return [problem for check in RULES.values() for problem in check(ctx)]
