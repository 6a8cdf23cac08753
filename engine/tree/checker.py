"""Checking a tree's data against the published JSON Schema, with messages a person can act on."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from engine.tree.compiled_schema import CompiledSchema, compile_schema
from engine.tree.problems import Problem, error
from engine.tree.reader import position_of
from engine.tree.suggestions import closest, did_you_mean

SCHEMA_RESOURCE = "tree.schema.json"
_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "empty",
}
_PATTERN_NAMES = {
    "^[a-z0-9][a-z0-9_-]*$": "a node id (lowercase letters, digits, '-' and '_')",
    "^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*$": "a tree id such as 'product/topic'",
    "^[A-Za-z_][A-Za-z0-9_]*$": "a variable name (letters, digits and '_')",
    "^[a-z0-9]$": "a single lowercase letter or digit",
}


def schema_text() -> str:
    """The JSON Schema shipped in the package, as text."""
    return resources.files("engine.schema").joinpath(SCHEMA_RESOURCE).read_text("utf-8")


@cache
def tree_schema() -> dict[str, Any]:
    """The JSON Schema shipped in the package."""
    schema: dict[str, Any] = json.loads(schema_text())
    return schema


@cache
def _compiled() -> CompiledSchema:
    # jsonschema costs ~40 ms to import: only a check that really runs pays for it.
    return compile_schema(tree_schema())


def check_schema(data: Any, path: str) -> list[Problem]:
    """Every place where the data breaks the schema, one problem each."""
    if not isinstance(data, dict):
        found = "an empty file" if data is None else _TYPE_NAMES.get(_json_type(data), "a value")
        return [
            error(
                path,
                position_of(data, ()),
                "schema",
                f"a tree file must be a mapping with schema, id, version, title, start and "
                f"nodes, not {found}",
            )
        ]
    errors = [(err, [*base, *err.absolute_path]) for base, err in _compiled().errors(data)]
    misspelled = _misspelled_fields(errors)
    return [
        problem
        for err, where in errors
        if not _follows_from_a_misspelling(err, where, misspelled)
        for problem in _problems(data, path, err, where)
    ]


def _misspelled_fields(found: list[tuple[Any, list[Any]]]) -> set[tuple[Any, ...]]:
    """(*where, field) of each field an unknown field of the same mapping most likely meant."""
    meant = set()
    for err, where in found:
        if err.validator == "additionalProperties":
            allowed = err.schema.get("properties", {})
            for extra in _extra_fields(err):
                match = closest(extra, allowed)
                if match is not None:
                    meant.add((*where, match))
    return meant


def _follows_from_a_misspelling(err: Any, where: list[Any], meant: set[tuple[Any, ...]]) -> bool:
    """Whether a field is only missing because it is there, misspelled ('choises' for 'choices'):
    one mistake, told once, at the misspelled name."""
    return err.validator == "required" and (*where, _missing_field(err)) in meant


def _missing_field(err: Any) -> str:
    return err.message.split("'")[1] if "'" in err.message else "a field"


def _problems(data: Any, path: str, err: Any, where: list[Any]) -> list[Problem]:
    """One problem per schema error; one per field when a mapping has several unknown ones."""
    if err.validator == "additionalProperties":
        return [_unknown_field(data, path, err, where, extra) for extra in _extra_fields(err)]
    if _is_bad_name(err):
        # jsonschema reports a bad name at its mapping; the name itself is the offending node.
        at = [*where, err.instance]
        message = _name_message(err, describe_path(where))
        return [error(path, position_of(data, at, key=True), "schema", message, _node_of(at))]
    message = _message(err, where)
    return [error(path, position_of(data, where), "schema", message, _node_of(where))]


def _is_bad_name(err: Any) -> bool:
    schema_path = list(err.absolute_schema_path)
    return len(schema_path) >= 2 and schema_path[-2] == "propertyNames"


def _unknown_field(data: Any, path: str, err: Any, where: list[Any], extra: str) -> Problem:
    properties = err.schema.get("properties", {})
    allowed = ", ".join(sorted(properties))
    message = (
        f"{describe_path(where)} has unknown field {quoted(extra)}"
        f"{did_you_mean(extra, properties)} (allowed: {allowed})"
    )
    at = [*where, extra]
    return error(path, position_of(data, at, key=True), "schema", message, _node_of(at))


def _node_of(where: list[Any]) -> str | None:
    node = where[1] if len(where) > 1 and where[0] == "nodes" else None
    return node if isinstance(node, str) else None


def _extra_fields(err: Any) -> list[str]:
    allowed = err.schema.get("properties", {})
    return sorted(k for k in err.instance if k not in allowed)


def _message(err: Any, where: list[Any]) -> str:
    place = describe_path(where)
    kind = err.validator
    if kind == "required":
        return f"{place} needs '{_missing_field(err)}'"
    if kind in ("enum", "const"):
        options = err.validator_value if kind == "enum" else [err.validator_value]
        listed = ", ".join(str(o) for o in options)
        one_of = "one of " if kind == "enum" else ""
        guess = (
            did_you_mean(err.instance, map(str, options)) if isinstance(err.instance, str) else ""
        )
        return f"{place} must be {one_of}{listed}, not {_show(err.instance)}{guess}"
    if kind == "type":
        expected = (
            err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        )
        names = " or ".join(_TYPE_NAMES.get(str(t), str(t)) for t in expected)
        return f"{place} must be {names}, not {_show(err.instance)}"
    return _other_message(err, place, kind)


def _name_message(err: Any, place: str) -> str:
    pattern = err.validator_value if err.validator == "pattern" else ""
    wanted = _PATTERN_NAMES.get(pattern, f"a name matching {pattern}")
    return f"{place}: the name {_show(err.instance)} is not {wanted}"


def _other_message(err: Any, place: str, kind: str) -> str:
    if kind == "pattern":
        wanted = _PATTERN_NAMES.get(err.validator_value, f"text matching {err.validator_value}")
        return f"{place}: {_show(err.instance)} is not {wanted}"
    if kind == "format":
        reason = _regex_error(err.instance)
        return f"{place}: {_show(err.instance)} is not a valid regular expression ({reason})"
    if kind == "minLength":
        return f"{place} must not be empty"
    if kind in ("minItems", "minProperties") and not isinstance(err.instance, dict):
        return f"{place} needs at least {err.validator_value} item(s)"
    if kind in ("minProperties", "maxProperties", "dependentRequired"):
        return (
            f"{place} must be {{var: NAME, <one test>}} with one of equals, not_equals, in, "
            "matches, exists, lt, le, gt, ge; or one of {all: [..]}, {any: [..]}, {not: ..}"
        )
    if kind in ("minimum", "maximum"):
        bound = "at least" if kind == "minimum" else "at most"
        return f"{place} must be {bound} {err.validator_value:,}, not {_show(err.instance)}"
    if kind == "uniqueItems":
        return f"{place} repeats an item"
    return f"{place}: {err.message}"


def _regex_error(pattern: Any) -> str:
    import re

    try:
        re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        return str(exc)
    return "not accepted"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**60:
        return f"a number of {len(str(abs(value)))} digits"
    return repr(value)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


_SINGULAR = {
    "choices": "choice",
    "routes": "route",
    "tests": "scenario",
    "all": "condition",
    "any": "condition",
}


def describe_path(where: list[Any]) -> str:
    """A path as words: ['nodes', 'x', 'choices', 1, 'goto'] -> node 'x', choice 2, 'goto'."""
    if not where:
        return "the tree"
    parts: list[str] = []
    i = 0
    if where[0] == "nodes" and len(where) > 1:
        parts.append(f"node {quoted(where[1])}")
        i = 2
    while i < len(where):
        step = where[i]
        if isinstance(step, str) and i + 1 < len(where) and isinstance(where[i + 1], int):
            parts.append(f"{_SINGULAR.get(step, quoted(step))} {where[i + 1] + 1}")
            i += 2
            continue
        parts.append(quoted(step))
        i += 1
    return ", ".join(parts)


def quoted(name: Any) -> str:
    """A name from a file in quotes, escaped when it holds a line break or control character."""
    text = str(name)
    return f"'{text}'" if text.isprintable() and "'" not in text else repr(text)
