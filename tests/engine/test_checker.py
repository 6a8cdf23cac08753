"""The JSON Schema check: readable messages, type-selected fields, and no drift from the model."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import engine.tree.builder
import engine.tree.model
from engine.tree.checker import check_schema, describe_path, schema_text, tree_schema
from engine.tree.compiled_schema import compile_schema, node_branches
from engine.tree.problems import Problem
from engine.tree.reader import read_text

REPO = Path(__file__).resolve().parents[2]
NODE_TYPES = ("step", "question", "input", "action", "outcome", "link")
# Builder functions and the schema definition whose fields each reads.
BUILDER_DEFS = {
    "_choice": "choice",
    "_route": "route",
    "_action_call": "actionCall",
    "_variables": "variable",
}
# Schema fields the model names differently, and those it does not keep.
RENAMED = {"with": "params"}
NOT_IN_MODEL = {"schema", "type"}


def tree(nodes: str, extra: str = "") -> str:
    return f"schema: branchwise/v1\nid: t/t\nversion: 1\ntitle: T\nstart: a\n{extra}nodes:\n{nodes}"


def check(text: str) -> list[Problem]:
    doc = read_text(text, "t.yaml")
    assert doc.problems == []
    return check_schema(doc.data, "t.yaml")


def test_the_committed_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads((REPO / "engine/schema/tree.schema.json").read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert tree_schema() == schema
    assert schema_text() == (REPO / "engine/schema/tree.schema.json").read_text("utf-8")


def test_a_bad_node_names_the_node_and_the_field() -> None:
    problems = check(tree("  a:\n    type: outcome\n    title: Done\n    status: fixed\n"))
    [problem] = problems
    assert problem.node == "a"
    assert "node 'a'" in problem.message and "'status'" in problem.message
    assert "resolved, escalated, unresolved" in problem.message
    assert (problem.line, problem.column) == (10, 13)


@pytest.mark.parametrize(
    ("node", "field"),
    [
        ("{type: question, title: Q, choices: [{label: a, goto: a}], status: resolved}", "status"),
        ("{type: outcome, title: O, status: resolved, choices: []}", "choices"),
        ("{type: step, title: S, next: a, var: x}", "var"),
        ("{type: link, title: L, tree: a/b, routes: []}", "routes"),
        ("{type: input, title: I, var: x, next: a, tree: a/b}", "tree"),
        (
            "{type: action, title: A, action: {uses: a.b}, routes: [{label: x, goto: a}], next: a}",
            "next",
        ),
    ],
)
def test_a_nodes_type_selects_the_fields_it_may_have(node: str, field: str) -> None:
    problems = check(tree(f"  a: {node}\n"))
    assert len(problems) == 1, problems
    message = problems[0].message
    assert f"unknown field '{field}'" in message
    assert "anyOf" not in message and "oneOf" not in message and "is not valid under" not in message


@pytest.mark.parametrize(
    "node",
    [
        "{type: step}",
        "{type: question, title: Q, choices: [{goto: a}]}",
        "{type: input, title: I, var: 'not a name', next: a}",
        "{type: action, title: A, action: {uses: 'Not An Action'}, routes: []}",
        "{type: outcome, title: '', status: resolved}",
        "{type: question, title: Q, choices: [{label: x, goto: a, when: {var: v}}]}",
        "{type: question, title: Q, choices: [{label: x, goto: a, when: {equals: 1}}]}",
        "{type: question, title: Q, choices: [{label: x, goto: a, when: {var: v, equals: [1]}}]}",
        "{type: question, title: Q, choices: [{label: x, goto: a, when: {any: []}}]}",
        "[not, a, mapping]",
        "{type: 5, title: T}",
    ],
)
def test_every_message_is_one_readable_line_about_one_node(node: str) -> None:
    problems = check(tree(f"  a: {node}\n"))
    assert problems
    for problem in problems:
        assert problem.node == "a"
        assert problem.message.startswith("node 'a'")
        assert "\n" not in problem.message
        assert len(problem.message) < 240
        for wall in ("anyOf", "oneOf", "is not valid under any", "should not be valid under"):
            assert wall not in problem.message


def test_a_condition_with_two_tests_says_what_a_condition_is() -> None:
    choice = "{label: x, goto: a, when: {var: v, equals: 1, exists: true}}"
    problems = check(tree(f"  a: {{type: question, title: Q, choices: [{choice}]}}\n"))
    [problem] = problems
    assert "node 'a', choice 1, 'when'" in problem.message
    assert "{var: NAME, <one test>}" in problem.message


def test_the_wrong_type_says_what_was_expected() -> None:
    problems = check(
        tree("  a: {type: outcome, title: T, status: resolved}\n").replace(
            "version: 1", "version: three"
        )
    )
    [problem] = problems
    assert problem.message == "'version' must be a whole number, not 'three'"
    assert (problem.line, problem.column) == (3, 10)


def test_a_file_that_is_not_a_mapping_is_one_problem() -> None:
    for text, found in (("- a\n- b\n", "a list"), ("just text\n", "text"), ("", "an empty file")):
        data = read_text(text, "t.yaml").data
        [problem] = check_schema(data, "t.yaml")
        assert problem.rule == "schema"
        assert problem.message.endswith(f"not {found}")


def test_describe_path() -> None:
    assert describe_path([]) == "the tree"
    assert describe_path(["nodes", "x", "choices", 1, "goto"]) == "node 'x', choice 2, 'goto'"
    assert describe_path(["nodes", "x", "routes", 0, "when", "all", 2, "var"]) == (
        "node 'x', route 1, 'when', condition 3, 'var'"
    )
    assert describe_path(["start"]) == "'start'"


# --- drift between schema, builder and model -------------------------------------------------


def schema_def(name: str) -> dict[str, Any]:
    definition: dict[str, Any] = tree_schema()["$defs"][name]
    return definition


def fields_read(function: ast.FunctionDef | ast.AST) -> Iterator[str]:
    """Field names a builder function reads: `x.get("f")`, `_text(x, "f")`, `x["f"]`."""
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            func = node.func
            args = node.args
            if isinstance(func, ast.Attribute) and func.attr == "get" and args:
                yield from _constant(args[0])
            elif isinstance(func, ast.Name) and func.id in ("_text", "_list", "_optional"):
                yield from _constant(args[1]) if len(args) > 1 else iter(())
        elif isinstance(node, ast.Subscript):
            yield from _constant(node.slice)


def _constant(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value


def builder_functions() -> dict[str, ast.FunctionDef]:
    module = ast.parse(inspect.getsource(engine.tree.builder))
    return {n.name: n for n in module.body if isinstance(n, ast.FunctionDef)}


def branch_type(statement: ast.stmt) -> str | None:
    """The node type an `if kind == "TYPE":` statement tests for."""
    test = statement.test if isinstance(statement, ast.If) else None
    if isinstance(test, ast.Compare) and isinstance(test.comparators[0], ast.Constant):
        value = test.comparators[0].value
        return value if isinstance(value, str) else None
    return None


def builder_branches(build_node: ast.FunctionDef) -> dict[str, list[ast.stmt]]:
    """build_node's statements by node type: each `if kind == "..."` branch, the final return
    (a step), and under "*" what every type shares."""
    branches: dict[str, list[ast.stmt]] = {"*": []}
    for statement in build_node.body:
        kind = branch_type(statement)
        if isinstance(statement, ast.If) and kind is not None:
            branches[kind] = statement.body
        elif isinstance(statement, ast.Return):
            branches["step"] = [statement]
        else:
            branches["*"].append(statement)
    return branches


def test_builder_reads_only_fields_the_schema_defines() -> None:
    functions = builder_functions()
    for function, definition in BUILDER_DEFS.items():
        read = set(fields_read(functions[function]))
        assert read, function
        assert read <= set(schema_def(definition)["properties"]), (function, read)
    root = set(fields_read(functions["build_tree"]))
    assert root <= set(tree_schema()["properties"]), root


def test_builder_reads_each_node_types_fields_from_that_types_definition() -> None:
    branches = builder_branches(builder_functions()["build_node"])
    common = {f for statement in branches.pop("*") for f in fields_read(statement)}
    assert {"type", "title", "body"} <= common
    assert set(branches) == set(NODE_TYPES)
    for node_type, body in branches.items():
        read = {f for statement in body for f in fields_read(statement)} | common
        assert read <= set(schema_def(node_type)["properties"]), (node_type, read)


def test_every_node_type_of_the_schema_has_a_model_class() -> None:
    enum = schema_def("node")["properties"]["type"]["enum"]
    assert tuple(enum) == NODE_TYPES
    classes = {
        cls.__name__.lower(): cls
        for _, cls in inspect.getmembers(engine.tree.model, inspect.isclass)
        if issubclass(cls, engine.tree.model.Node) and cls is not engine.tree.model.Node
    }
    assert set(classes) == set(enum)
    for node_type, cls in classes.items():
        properties = set(schema_def(node_type)["properties"]) - NOT_IN_MODEL
        model_fields = {f.name for f in dataclasses.fields(cls)}
        assert {RENAMED.get(p, p) for p in properties} <= model_fields, node_type
        assert cls(id="x", title="t").type == node_type


@pytest.mark.parametrize(
    ("definition", "model"),
    [
        ("choice", engine.tree.model.Choice),
        ("route", engine.tree.model.Route),
        ("actionCall", engine.tree.model.ActionCall),
        ("variable", engine.tree.model.Variable),
    ],
)
def test_every_field_of_a_part_is_kept_by_the_model(definition: str, model: type) -> None:
    properties = set(schema_def(definition)["properties"])
    model_fields = {f.name for f in dataclasses.fields(model)}
    assert {RENAMED.get(p, p) for p in properties} <= model_fields


def test_every_root_field_is_kept_by_the_tree_model() -> None:
    properties = set(tree_schema()["properties"]) - NOT_IN_MODEL
    assert properties <= {f.name for f in dataclasses.fields(engine.tree.model.Tree)}


# --- the compiled schema judges exactly as the published one -----------------------------------


def verdicts_of_published(data: Any) -> set[tuple[Any, ...]]:
    validator = Draft202012Validator(
        tree_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    return {
        (tuple(map(str, e.absolute_path)), e.validator, e.message)
        for e in validator.iter_errors(data)
    }


def verdicts_of_compiled(data: Any) -> set[tuple[Any, ...]]:
    return {
        (tuple(map(str, [*base, *e.absolute_path])), e.validator, e.message)
        for base, e in compile_schema(tree_schema()).errors(data)
    }


def fixture_data() -> dict[str, Any]:
    """The data of every fixture file that reads as a mapping (the others never reach a check)."""
    found = {}
    for path in sorted((REPO / "tests" / "data").rglob("*.yaml")):
        data = read_text(path.read_text("utf-8", errors="replace"), str(path)).data
        if isinstance(data, dict):
            found[str(path.relative_to(REPO / "tests" / "data"))] = data
    return found


FIXTURES = fixture_data()


@pytest.mark.parametrize("name", FIXTURES)
def test_compiled_schema_gives_the_published_schemas_verdicts(name: str) -> None:
    data = FIXTURES[name]
    assert verdicts_of_compiled(data) == verdicts_of_published(data)


def test_the_fixtures_exercise_the_schema_check() -> None:
    assert len(FIXTURES) >= 20
    assert sum(bool(verdicts_of_published(data)) for data in FIXTURES.values()) >= 7


def test_compiled_schema_keeps_recursive_conditions_checked() -> None:
    when = "{all: [{any: [{not: {var: x, equals: [1]}}]}]}"
    text = tree(
        f"  a: {{type: question, title: Q, choices: [{{label: l, goto: a, when: {when}}}]}}\n"
    )
    data = read_text(text, "t.yaml").data
    verdicts = verdicts_of_compiled(data)
    assert verdicts == verdicts_of_published(data)
    [(where, validator, _)] = list(verdicts)
    assert validator == "type"
    assert where == ("nodes", "a", "choices", "0", "when", "all", "0", "any", "0", "not", "equals")


def test_inlining_leaves_the_published_schema_untouched() -> None:
    before = json.dumps(tree_schema(), sort_keys=True)
    compile_schema(tree_schema())
    assert json.dumps(tree_schema(), sort_keys=True) == before
    assert set(node_branches(schema_def("node"))) == set(NODE_TYPES)


def test_a_node_that_is_not_a_mapping_is_reported_once() -> None:
    [problem] = check(tree("  a: [not, a, mapping]\n"))
    assert problem.message == "node 'a' must be a mapping, not a list"
    assert (problem.line, problem.column) == (7, 6)
