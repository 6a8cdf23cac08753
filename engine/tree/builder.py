"""Building the tree model from read data; tolerant, so the linter can look at broken files too."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from engine.tree.model import (
    STATUSES,
    Action,
    ActionCall,
    Choice,
    Input,
    Link,
    Node,
    Outcome,
    Question,
    Route,
    Step,
    Tree,
    Variable,
)
from engine.walk.conditions import parse_condition


def _text(data: Mapping[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    return value if isinstance(value, str) else default


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _mapping(value: Any) -> Mapping[str, Any]:
    return MappingProxyType(dict(value)) if isinstance(value, Mapping) else MappingProxyType({})


def _choice(data: Mapping[str, Any]) -> Choice:
    key = data.get("key")
    return Choice(
        label=_text(data, "label"),
        goto=_text(data, "goto"),
        key=str(key) if isinstance(key, (str, int)) and not isinstance(key, bool) else None,
        when=parse_condition(data.get("when")),
        set=_mapping(data.get("set")),
    )


def _route(data: Mapping[str, Any]) -> Route:
    return Route(_text(data, "label"), _text(data, "goto"), parse_condition(data.get("when")))


def _action_call(data: Any) -> ActionCall:
    if not isinstance(data, Mapping):
        return ActionCall("")
    save_as = data.get("save_as")
    return ActionCall(
        uses=_text(data, "uses"),
        params=_mapping(data.get("with")),
        save_as=save_as if isinstance(save_as, str) else None,
        confirm=data.get("confirm") is True,
    )


def _optional(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def build_node(node_id: str, data: Mapping[str, Any]) -> Node:
    """One node of the model; an unknown type becomes a plain step with no way on."""
    common = {"id": node_id, "title": _text(data, "title"), "body": _text(data, "body")}
    kind = data.get("type")
    if kind == "question":
        return Question(**common, choices=tuple(_choice(c) for c in _list(data, "choices")))
    if kind == "input":
        return Input(
            **common,
            var=_text(data, "var"),
            next=_text(data, "next"),
            prompt=_text(data, "prompt"),
            kind=_text(data, "kind", "text"),
            pattern=_optional(data, "pattern"),
            required=data.get("required") is not False,
            invalid=_text(data, "invalid"),
        )
    if kind == "action":
        return Action(
            **common,
            action=_action_call(data.get("action")),
            routes=tuple(_route(r) for r in _list(data, "routes")),
            on_error=_optional(data, "on_error"),
            manual=_text(data, "manual"),
        )
    if kind == "outcome":
        status = _text(data, "status", "resolved")
        # Only a file the schema refused has another status; walked anyway (from a tampered
        # cache, say), it must still end the walk.
        return Outcome(**common, status=status if status in STATUSES else "unresolved")
    if kind == "link":
        return Link(**common, tree=_text(data, "tree"), next=_optional(data, "next"))
    return Step(**common, next=_text(data, "next"))


def _variables(data: Any) -> Mapping[str, Variable]:
    if not isinstance(data, Mapping):
        return MappingProxyType({})
    built = {}
    for name, spec in data.items():
        spec = spec if isinstance(spec, Mapping) else {}
        built[name] = Variable(
            name, _text(spec, "label"), spec.get("default"), spec.get("secret") is True
        )
    return MappingProxyType(built)


def build_tree(data: Mapping[str, Any], path: str = "", sha256: str = "") -> Tree:
    """The model of a tree file's data (assumed to be a mapping; invalid parts are skipped)."""
    raw_nodes = data.get("nodes")
    nodes = {
        node_id: build_node(node_id, node)
        for node_id, node in (raw_nodes.items() if isinstance(raw_nodes, Mapping) else ())
        if isinstance(node, Mapping)
    }
    version = data.get("version")
    tags = data.get("tags")
    tests = data.get("tests")
    return Tree(
        id=_text(data, "id"),
        version=version if isinstance(version, int) and not isinstance(version, bool) else 0,
        title=_text(data, "title"),
        start=_text(data, "start"),
        nodes=MappingProxyType(nodes),
        summary=_text(data, "summary"),
        product=_text(data, "product"),
        tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
        variables=_variables(data.get("variables")),
        path=path,
        sha256=sha256,
        tests=tuple(tests) if isinstance(tests, list) else (),
    )
