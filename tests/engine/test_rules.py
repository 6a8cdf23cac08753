"""Every rule of the validator against the fixture trees under tests/data.

Each invalid fixture states what it must produce in `# expect:` comments:
`# expect: RULE SEVERITY LINE:COL ["part of the message"]`. The test asserts exactly those
problems: the rule, severity, line and column of each, and nothing else. A `# limits:` comment
sets reading limits (`# limits: max_bytes=300`). A directory is one case holding several files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.actions.registry import Registry
from engine.lint import RULES
from engine.tree.problems import Problem
from engine.tree.reader import Limits
from engine.tree.validation import validate_paths

DATA = Path(__file__).resolve().parent.parent / "data"
VALID = DATA / "valid"
INVALID = DATA / "invalid"
EXPECT = re.compile(r'#\s*expect:\s*([a-z-]+)\s+(error|warning)\s+(\d+):(\d+)(?:\s+"([^"]*)")?')
LIMITS = re.compile(r"#\s*limits:\s*(\w+)=(\d+)")
SPEC_RULES = {
    "yaml-syntax",
    "yaml-limits",
    "duplicate-key",
    "schema",
    "missing-target",
    "no-outcome",
    "unreachable",
    "placeholder-text",
    "duplicate-label",
    "duplicate-key-binding",
    "unknown-action",
    "undefined-variable",
    "unknown-tree",
    "duplicate-tree-id",
    "unset-variable",
    "slow-pattern",
}


@dataclass(frozen=True)
class Expected:
    path: str
    rule: str
    severity: str
    line: int
    column: int
    fragment: str | None


def expectations(path: Path) -> list[Expected]:
    text = path.read_bytes().decode("utf-8", errors="replace")
    return [
        Expected(str(path), m[1], m[2], int(m[3]), int(m[4]), m[5]) for m in EXPECT.finditer(text)
    ]


def limits_of(path: Path) -> Limits:
    text = path.read_bytes().decode("utf-8", errors="replace")
    return Limits(**{name: int(value) for name, value in LIMITS.findall(text)})


def files_of(case: Path) -> list[Path]:
    return sorted(case.rglob("*.yaml")) if case.is_dir() else [case]


INVALID_CASES = sorted(INVALID.iterdir())


def case_id(case: Path) -> str:
    return case.name.removesuffix(".yaml")


def run_case(case: Path, registry: Registry) -> list[Problem]:
    limits = limits_of(files_of(case)[0])
    return validate_paths([case], registry, frozenset({"tests/shipping-guide"}), limits)


@pytest.mark.parametrize("case", INVALID_CASES, ids=case_id)
def test_invalid_fixture_reports_exactly_its_expectations(case: Path, registry: Registry) -> None:
    expected = [e for file in files_of(case) for e in expectations(file)]
    assert expected, f"{case} states no '# expect:' line"
    problems = run_case(case, registry)
    found = sorted((p.path, p.rule, p.severity.value, p.line, p.column) for p in problems)
    wanted = sorted((e.path, e.rule, e.severity, e.line, e.column) for e in expected)
    assert found == wanted, "\n".join(f"{p.line}:{p.column} {p.rule} {p.message}" for p in problems)
    for item in expected:
        if item.fragment is None:
            continue
        messages = [p.message for p in problems if (p.line, p.column) == (item.line, item.column)]
        assert any(item.fragment in m for m in messages), (item, messages)


@pytest.mark.parametrize("case", INVALID_CASES, ids=case_id)
def test_invalid_fixture_is_named_after_a_rule_it_expects(case: Path) -> None:
    rules = {e.rule for file in files_of(case) for e in expectations(file)}
    named = next(
        rule for rule in sorted(rules, key=len, reverse=True) if case.name.startswith(rule)
    )
    assert named in rules


def test_every_rule_of_the_spec_has_an_invalid_fixture() -> None:
    covered = {e.rule for case in INVALID_CASES for f in files_of(case) for e in expectations(f)}
    assert SPEC_RULES | {"action-params"} <= covered


def test_every_registered_lint_rule_is_covered_by_a_fixture() -> None:
    covered = {e.rule for case in INVALID_CASES for f in files_of(case) for e in expectations(f)}
    assert set(RULES) <= covered


def test_valid_corpus_has_no_problem_at_all(registry: Registry) -> None:
    files = sorted(VALID.glob("*.yaml"))
    assert len(files) >= 3
    assert validate_paths([VALID], registry) == []


def test_valid_corpus_uses_every_node_type_and_condition_test() -> None:
    text = "\n".join(f.read_text("utf-8") for f in VALID.glob("*.yaml"))
    for node_type in ("step", "question", "input", "action", "outcome", "link"):
        assert f"type: {node_type}" in text
    for test in ("equals", "not_equals", "in", "matches", "exists", "lt", "le", "gt", "ge"):
        assert re.search(rf"\b{test}: ", text), test
    for combinator in ("all", "any", "not"):
        assert f"{{{combinator}: " in text


def test_valid_link_fails_without_the_linked_tree(registry: Registry) -> None:
    problems = validate_paths([VALID / "every-node-type.yaml"], registry)
    assert [(p.rule, p.node) for p in problems] == [("unknown-tree", "linked-help")]


@pytest.mark.parametrize(
    ("text", "is_label", "found"),
    [
        ("Button Text", True, "'Button Text'"),
        ("  add button ", True, "'add button'"),
        ("TODO: write the steps", False, "'TODO'"),
        ("Lorem ipsum dolor sit amet", False, "'Lorem ipsum'"),
        ("   ", True, "an empty label"),
        ("Add the todo list to the page", False, None),
        ("Button text colour is wrong", True, None),
        ("", False, None),
    ],
)
def test_placeholder_in(text: str, is_label: bool, found: str | None) -> None:
    from engine.lint.text_rules import placeholder_in

    assert placeholder_in(text, is_label) == found


@pytest.mark.parametrize(
    ("value", "kind", "fits"),
    [
        ("{{ order }}", "number", True),
        ("12", "number", False),
        (12, "number", True),
        (True, "number", False),
        ({"a": 1}, "mapping", True),
        ([1], "mapping", False),
        ([1], "list", True),
        (False, "boolean", True),
        ("yes", "boolean", False),
        (1001, "text", True),
        ({"a": 1}, "text", False),
        (None, "any", True),
    ],
)
def test_fits_kind(value: object, kind: str, fits: bool) -> None:
    from engine.lint.reference_rules import fits_kind

    assert fits_kind(value, kind) is fits
