"""The linter: rules over a built tree, each a small function in a registry, returning Problems."""

from __future__ import annotations

from engine.lint.context import LintContext
from engine.lint.registry import RULES, lint

__all__ = ["RULES", "LintContext", "lint"]

# Importing the rule modules registers their rules.
from engine.lint import flow_rules, graph_rules, pattern_rules, reference_rules, text_rules  # noqa: F401
