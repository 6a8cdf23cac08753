"""Every property of the published schema says what it is: editors show it on hover."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.tree.checker import tree_schema


def properties(schema: Any, where: str = "#") -> Iterator[tuple[str, Any]]:
    """Each property schema anywhere in the schema, with its JSON pointer."""
    if isinstance(schema, dict):
        for name, sub in (schema.get("properties") or {}).items():
            yield f"{where}/properties/{name}", sub
        for key, value in schema.items():
            yield from properties(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for i, item in enumerate(schema):
            yield from properties(item, f"{where}/{i}")


def test_every_property_has_a_description() -> None:
    found = list(properties(tree_schema()))
    assert len(found) > 80  # the walk reaches the nodes, conditions and scenarios
    bare = [where for where, sub in found if not str(sub.get("description", "")).strip()]
    assert bare == []


def test_the_fields_the_issue_named_are_described() -> None:
    defs = tree_schema()["$defs"]
    assert "resolved" in defs["outcome"]["properties"]["status"]["description"]
    assert "first route" in defs["action"]["properties"]["routes"]["description"]
    for operator in ("equals", "in", "matches", "exists", "all", "any", "not"):
        assert defs["condition"]["properties"][operator]["description"]
    assert tree_schema()["properties"]["tags"]["description"]
