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


def format_github(problems: Sequence[Problem]) -> str:
    """One GitHub Actions workflow command per problem: `::error file=P,line=L,col=C,title=R::M`,
    so each shows on the pull request's diff at its line."""
    return "".join(
        annotation(p.severity.value, p.path, p.line, p.column, p.rule, p.message) for p in problems
    )


def annotation(level: str, path: str, line: int, column: int | None, title: str, text: str) -> str:
    """One workflow command line, escaped by GitHub's rules: `%`, CR and LF in the message, and
    also `:` and `,` in the properties, which would otherwise end them."""
    where = f"file={_property(path)},line={line}"
    if column is not None:
        where += f",col={column}"
    return f"::{level} {where},title={_property(title)}::{_data(text)}\n"


def _data(text: str) -> str:
    return plain(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def summary(problems: Sequence[Problem], files: int, skipped: int = 0) -> str:
    """A closing line: how many errors and warnings in how many files (and how many YAML files
    were skipped as no tree)."""
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    others = f"; {skipped} other YAML file(s) skipped, not trees" if skipped else ""
    return f"{files} file(s) checked: {errors} error(s), {warnings} warning(s){others}"
