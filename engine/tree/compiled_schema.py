"""The published tree schema prepared for speed, with the same verdicts as the schema itself.

jsonschema spends most of a large tree's check resolving `$ref`s and trying each node against
the six `if type == ...` branches of `$defs/node`. Two in-memory rewrites remove that cost without
changing what is accepted: local references that do not recurse are inlined, and each node is
checked directly against the `then` branch its `type` selects (the branches are read from the
schema, so nothing here repeats a field list).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_LOCAL = "#/$defs/"
_ANNOTATIONS = frozenset({"description", "title", "examples", "$comment"})
Path = list[str | int]


@dataclass(frozen=True)
class CompiledSchema:
    """A checker for tree data: the tree without node branches, then each node by its type."""

    tree: Any
    by_type: Mapping[str, Any]

    def errors(self, data: Mapping[str, Any]) -> Iterator[tuple[Path, Any]]:
        """Each jsonschema error with the path of the mapping it was checked from."""
        for err in self.tree.iter_errors(data):
            yield [], err
        nodes = data.get("nodes")
        if not isinstance(nodes, Mapping):
            return
        for node_id, node in nodes.items():
            kind = node.get("type") if isinstance(node, Mapping) else None
            validator = self.by_type.get(kind) if isinstance(kind, str) else None
            if validator is not None:
                for err in validator.iter_errors(node):
                    yield ["nodes", node_id], err


def compile_schema(schema: Mapping[str, Any]) -> CompiledSchema:
    """The schema as a CompiledSchema (imports jsonschema: call only when a check runs)."""
    from jsonschema import Draft202012Validator

    defs = schema["$defs"]
    branches = node_branches(defs["node"])
    # Inlining builds new containers throughout, so the cached published schema is never changed.
    tree = inline_refs({k: v for k, v in schema.items() if k != "$defs"}, defs)
    tree["$defs"] = defs
    _without_branches(tree["properties"]["nodes"]["additionalProperties"])

    formats = format_checker()

    def validator(subschema: Mapping[str, Any]) -> Any:
        return Draft202012Validator(subschema, format_checker=formats)

    by_type = {
        kind: validator({**inline_refs(then, defs), "$defs": defs})
        for kind, then in branches.items()
    }
    return CompiledSchema(validator(tree), by_type)


def node_branches(node_def: Mapping[str, Any]) -> dict[str, Any]:
    """{type: schema} from the `allOf: [{if: {properties: {type: {const}}}, then}]` of a node."""
    branches = {}
    for branch in node_def.get("allOf", ()):
        kind = branch["if"]["properties"]["type"]["const"]
        branches[kind] = branch["then"]
    return branches


def _without_branches(node_def: dict[str, Any]) -> None:
    if "allOf" not in node_def:
        raise ValueError("the node schema has no type branches to dispatch on")
    del node_def["allOf"]


def inline_refs(schema: Any, defs: Mapping[str, Any], expanding: tuple[str, ...] = ()) -> Any:
    """The schema with `#/$defs/NAME` references replaced by their definitions.

    A reference met again while its own definition is being expanded stays a reference, so
    recursive definitions (conditions inside conditions) keep working.
    """
    if isinstance(schema, list):
        return [inline_refs(item, defs, expanding) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    name = ref[len(_LOCAL) :] if isinstance(ref, str) and ref.startswith(_LOCAL) else None
    if name is None or name in expanding or name not in defs:
        return {k: inline_refs(v, defs, expanding) for k, v in schema.items()}
    rest = {k: inline_refs(v, defs, expanding) for k, v in schema.items() if k != "$ref"}
    target = inline_refs(defs[name], defs, (*expanding, name))
    # An annotation beside `$ref` (a field's own description) only replaces the target's.
    if (rest.keys() & target.keys()) - _ANNOTATIONS:
        # Both sides say something under one keyword: keep both, as `$ref` beside it would.
        return {"allOf": [target], **rest}
    return {**target, **rest}


def format_checker() -> Any:
    """jsonschema's formats, with `regex` also false for a pattern Python refuses by raising
    something other than re.error (`a{99999999999999999999}`: OverflowError)."""
    import re

    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker()
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    checker.checks("regex", raises=(re.error, OverflowError, RecursionError))(_is_regex)
    return checker


def _is_regex(instance: object) -> bool:
    import re

    return not isinstance(instance, str) or bool(re.compile(instance))
