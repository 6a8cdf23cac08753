"""Validation never raises: arbitrary text, arbitrary YAML and broken trees all end in problems."""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from engine.actions.registry import Registry
from engine.lint import RULES
from engine.tree.checker import tree_schema
from engine.tree.compiled_schema import CompiledSchema, compile_schema
from engine.tree.reader import read_text
from engine.tree.validation import Checked, check_document

VALID = Path(__file__).resolve().parent.parent / "data" / "valid"
READ_RULES = {"yaml-syntax", "yaml-limits", "duplicate-key", "schema", "duplicate-tree-id"}
KNOWN_TREES = frozenset({"tests/shipping-guide", "tests/minimal", "tests/every-node-type"})
FORMATS = Draft202012Validator.FORMAT_CHECKER
FAST = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

yaml_characters = st.sampled_from([*"{}[]:-,&*!|>?'\"#%@`~\\ \t\nabyno01.", "\ufeff"])
any_character = st.characters() | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.sampled_from(["yes", "No", "step", "question", "{{ x }}", "{{ a.b }}", "Add Button"])
)
keys = st.text(max_size=10) | st.sampled_from(
    ["type", "nodes", "start", "id", "next", "goto", "choices", "when", "var", "action", "with"]
)
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=30,
)


# YAML counts NEL, LS and PS as line breaks too, and positions follow YAML.
YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def assert_only_reports(checked: Checked, text: str) -> None:
    lines = len(YAML_LINE_BREAK.findall(text)) + 2
    for problem in checked.problems:
        assert problem.rule in READ_RULES | set(RULES), problem
        assert 1 <= problem.line <= lines, problem
        assert problem.column >= 1, problem
        assert problem.message and "\n" not in problem.message, problem


def validate(text: str, registry: Registry | None = None) -> Checked:
    checked = check_document(read_text(text, "prop.yaml"), registry, KNOWN_TREES)
    assert_only_reports(checked, text)
    return checked


@FAST
@given(st.text(alphabet=any_character, max_size=300))
def test_arbitrary_text_only_reports(text: str) -> None:
    validate(text)


@FAST
@given(st.text(alphabet=yaml_characters, max_size=200))
def test_yaml_punctuation_soup_only_reports(text: str) -> None:
    validate(text)


@FAST
@given(documents)
def test_arbitrary_yaml_documents_only_report(document: Any) -> None:
    validate(yaml.safe_dump(document, allow_unicode=True))


@FAST
@given(st.dictionaries(keys, documents, max_size=6))
def test_arbitrary_trees_with_a_nodes_mapping_only_report(nodes: dict[str, Any]) -> None:
    tree = {"schema": "branchwise/v1", "id": "t/t", "version": 1, "title": "T", "start": "a"}
    tree["nodes"] = nodes
    validate(yaml.safe_dump(tree, allow_unicode=True))


@cache
def valid_trees() -> list[dict[str, Any]]:
    return [yaml.safe_load(path.read_text("utf-8")) for path in sorted(VALID.glob("*.yaml"))]


def places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a document."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(places(item, (*path, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(places(item, (*path, i)))
    return found


def mutate(document: Any, path: tuple[Any, ...], replacement: Any, delete: bool) -> None:
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement


@FAST
@given(data=st.data())
def test_mutated_valid_trees_only_report(data: st.DataObject, registry: Registry) -> None:
    document = copy.deepcopy(data.draw(st.sampled_from(valid_trees())))
    for _ in range(data.draw(st.integers(1, 4))):
        targets = places(document)
        if not targets:
            break
        path = data.draw(st.sampled_from(targets))
        mutate(document, path, data.draw(documents), data.draw(st.booleans()))
    validate(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), registry)


def test_the_valid_trees_are_clean_before_mutation(registry: Registry) -> None:
    for document in valid_trees():
        checked = validate(yaml.safe_dump(document, sort_keys=False), registry)
        assert checked.problems == [] and checked.ok


def verdicts(errors: Any) -> set[tuple[str, ...]]:
    # A set: for a node that is not a mapping the published schema repeats one error per branch.
    return {(*map(str, path), validator, message) for path, validator, message in errors}


@cache
def checkers() -> tuple[Any, CompiledSchema]:
    published = Draft202012Validator(tree_schema(), format_checker=FORMATS)
    return published, compile_schema(tree_schema())


@FAST
@given(data=st.data())
def test_compiled_schema_judges_mutated_trees_as_the_published_one(data: st.DataObject) -> None:
    document = copy.deepcopy(data.draw(st.sampled_from(valid_trees())))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(places(document)))
        mutate(document, path, data.draw(documents), data.draw(st.booleans()))
    published, compiled = checkers()
    expected = ((e.absolute_path, e.validator, e.message) for e in published.iter_errors(document))
    errors = compiled.errors(document)
    found = (([*base, *e.absolute_path], e.validator, e.message) for base, e in errors)
    assert verdicts(found) == verdicts(expected)
