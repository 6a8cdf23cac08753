"""GitHub Actions annotations: one workflow command per problem, escaped by GitHub's rules."""

from __future__ import annotations

from engine.tree.problems import Problem, Severity
from engine.tree.report import annotation, format_github


def test_a_problem_becomes_an_error_command_at_its_line_and_column() -> None:
    problem = Problem("trees/a.yaml", 41, 9, Severity.ERROR, "missing-target", "'goto' names x")
    assert format_github([problem]) == (
        "::error file=trees/a.yaml,line=41,col=9,title=missing-target::'goto' names x\n"
    )


def test_warnings_are_warning_commands() -> None:
    problem = Problem("a.yaml", 3, 1, Severity.WARNING, "unreachable", "no path")
    assert format_github([problem]).startswith("::warning file=a.yaml,line=3,col=1,")


def test_the_message_escapes_percent_and_line_breaks() -> None:
    line = annotation("error", "a.yaml", 1, 2, "schema", "100% sure\r\nnext line")
    assert line == "::error file=a.yaml,line=1,col=2,title=schema::100%25 sure%0Anext line\n"


def test_properties_escape_colons_and_commas_that_would_end_them() -> None:
    line = annotation("error", "C:/trees/a,b.yaml", 1, None, "x::y", "m::n")
    assert line == "::error file=C%3A/trees/a%2Cb.yaml,line=1,title=x%3A%3Ay::m::n\n"


def test_control_characters_never_reach_the_log() -> None:
    line = annotation("error", "a\x1b[31m.yaml", 1, 1, "schema", "red \x1b]0;title\x07 text")
    assert "\x1b" not in line and "\x07" not in line
    assert line.count("\n") == 1
