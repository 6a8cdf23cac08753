"""Turning problems into text lines or JSON for people, editors and CI."""

from __future__ import annotations

import json
from collections.abc import Sequence

from engine.text import one_line, plain
from engine.tree.problems import Problem


def format_text(problems: Sequence[Problem]) -> str:
    """One `PATH:LINE:COL: severity: message (rule)` line per problem."""
    return "".join(
        f"{one_line(p.path)}:{p.line}:{p.column}: {p.severity.value}: {one_line(p.message)} "
        f"({p.rule})\n"
        for p in problems
    )


def format_json(problems: Sequence[Problem]) -> str:
    """A JSON list of {path, line, column, severity, rule, message, node}."""
    rows = [
        {
            "path": plain(p.path),
            "line": p.line,
            "column": p.column,
            "severity": p.severity.value,
            "rule": p.rule,
            "message": plain(p.message),
            "node": None if p.node is None else plain(p.node),
        }
        for p in problems
    ]
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def summary(problems: Sequence[Problem], files: int, skipped: int = 0) -> str:
    """A closing line: how many errors and warnings in how many files (and how many YAML files
    were skipped as no tree)."""
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    others = f"; {skipped} other YAML file(s) skipped, not trees" if skipped else ""
    return f"{files} file(s) checked: {errors} error(s), {warnings} warning(s){others}"
