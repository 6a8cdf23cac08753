"""Rules on names a tree refers to: actions, variables and other trees."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.actions.registry import ActionSpec
from engine.lint.context import LintContext
from engine.lint.registry import rule
from engine.tree.model import Action, Link, defined_variables
from engine.tree.problems import Problem
from engine.tree.reader import match_after
from engine.tree.suggestions import did_you_mean
from engine.walk.templates import TEMPLATE, names_in

Where = tuple[str | int, ...]
_TEMPLATED = ("title", "body", "manual", "prompt")


@rule("unknown-action")
def unknown_action(ctx: LintContext) -> Iterator[Problem]:
    if ctx.registry is None:
        return
    for node in ctx.nodes():
        if isinstance(node, Action) and node.action.uses and node.action.uses not in ctx.registry:
            names = ctx.registry.names()
            guess = did_you_mean(node.action.uses, names)
            known = ", ".join(names) or "none"
            message = f"action {node.action.uses!r} is not registered{guess} (known: {known})"
            yield ctx.error(
                ctx.node_at(node.id, "action", "uses"), "unknown-action", message, node.id
            )


@rule("action-params")
def action_params(ctx: LintContext) -> Iterator[Problem]:
    if ctx.registry is None:
        return
    for node in ctx.nodes():
        spec = ctx.registry.spec(node.action.uses) if isinstance(node, Action) else None
        if spec is not None and isinstance(node, Action):
            yield from _param_problems(ctx, node, spec)


def _param_problems(ctx: LintContext, node: Action, spec: ActionSpec) -> Iterator[Problem]:
    given = node.action.params
    for name, value in given.items():
        param = spec.param(name)
        if param is None:
            allowed = ", ".join(p.name for p in spec.params) or "none"
            message = f"{spec.name} takes no parameter {name!r} (takes: {allowed})"
            pos = ctx.node_at(node.id, "action", "with", name, key=True)
            yield ctx.error(pos, "action-params", message, node.id)
        elif not fits_kind(value, param.kind):
            message = (
                f"{spec.name} parameter {name!r} must be {_KIND_NAMES.get(param.kind, param.kind)}"
            )
            pos = ctx.node_at(node.id, "action", "with", name)
            yield ctx.error(pos, "action-params", f"{message}, not {value!r}", node.id)
    for param in spec.params:
        if param.required and param.name not in given:
            message = f"{spec.name} needs parameter {param.name!r} in 'with'"
            # The mapping that lacks it: `with`, or the action itself when it has no `with`.
            pos = ctx.node_at(node.id, "action", "with")
            yield ctx.error(pos, "action-params", message, node.id)


_KIND_NAMES = {
    "text": "text",
    "number": "a number",
    "boolean": "true or false",
    "mapping": "a mapping",
    "list": "a list",
    "any": "a value",
}


def fits_kind(value: Any, kind: str) -> bool:
    """Whether a `with` value can be a parameter of that kind (a template can be anything)."""
    if isinstance(value, str) and "{{" in value:
        return True
    if kind == "text":
        return isinstance(value, (str, int, float))
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "mapping":
        return isinstance(value, Mapping)
    if kind == "list":
        return isinstance(value, list)
    return True


def _strings(value: Any, where: Where) -> Iterator[tuple[str, Where]]:
    if isinstance(value, str):
        yield value, where
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, (*where, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*where, i))


def var_tests(value: Any, where: Where) -> Iterator[tuple[Mapping[str, Any], Where]]:
    """Each `{var: NAME, <test>: ..}` of a condition, and where it stands."""
    if isinstance(value, Mapping):
        if isinstance(value.get("var"), str):
            yield value, where
        for key in ("all", "any"):
            for i, item in enumerate(
                value.get(key) or [] if isinstance(value.get(key), list) else []
            ):
                yield from var_tests(item, (*where, key, i))
        if "not" in value:
            yield from var_tests(value["not"], (*where, "not"))


def node_var_tests(raw: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], Where]]:
    """Each variable test in the `when` of a node's choices and routes, and where it stands."""
    for listing in ("choices", "routes"):
        items = raw.get(listing)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, Mapping):
                yield from var_tests(item.get("when"), (listing, i, "when"))


# (name, where, k): the k-th template of the text at `where`, or a condition's var (k None).
Reference = tuple[str, Where, int | None]


def _templates(text: str, where: Where) -> Iterator[Reference]:
    return ((name, where, k) for k, name in enumerate(names_in(text)))


def references(raw: Mapping[str, Any]) -> Iterator[Reference]:
    """Every variable a node's raw data reads: in its templates and its conditions."""
    for field in _TEMPLATED:
        if isinstance(raw.get(field), str):
            yield from _templates(raw[field], (field,))
    for listing in ("choices", "routes"):
        items = raw.get(listing)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, Mapping) and isinstance(item.get("label"), str):
                yield from _templates(item["label"], (listing, i, "label"))
    for test, where in node_var_tests(raw):
        yield test["var"], (*where, "var"), None
    action = raw.get("action")
    if isinstance(action, Mapping):
        for text, where in _strings(action.get("with"), ("action", "with")):
            yield from _templates(text, where)


@rule("undefined-variable")
def undefined_variable(ctx: LintContext) -> Iterator[Problem]:
    defined = defined_variables(ctx.tree)
    raw_nodes = ctx.data.get("nodes")
    if not isinstance(raw_nodes, Mapping):
        return
    # A variable a rejected node names may be the one it sets under a misspelled field.
    maybe_defined = ctx.rejected_texts
    for node_id, raw in raw_nodes.items():
        if not isinstance(raw, Mapping):
            continue
        for name, where, k in references(raw):
            root = name.split(".", 1)[0]
            if root not in defined and root not in maybe_defined:
                guess = did_you_mean(root, defined)
                message = (
                    f"variable {root!r} is used but nothing defines it{guess} (declare it under "
                    "'variables', or set it by an input, a save_as or a choice)"
                )
                pos = ctx.node_at(node_id, *where)
                if k is not None:
                    pos = template_position(ctx, pos, name, k)
                yield ctx.error(pos, "undefined-variable", message, node_id)


def template_position(
    ctx: LintContext, value: tuple[int, int], name: str, k: int
) -> tuple[int, int]:
    """Where the k-th `{{ }}` of the text at `value` stands in the file; the text's own position
    when the file does not show it as written (an escape in a quoted string, say)."""
    found = match_after(ctx.data, value, TEMPLATE, k)
    if found is None or found[0].group(1) != name:
        return value
    return found[1]


@rule("unknown-tree")
def unknown_tree(ctx: LintContext) -> Iterator[Problem]:
    if ctx.known_trees is None:
        return
    for node in ctx.nodes():
        if isinstance(node, Link) and node.tree and node.tree not in ctx.known_trees:
            guess = did_you_mean(node.tree, ctx.known_trees)
            message = (
                f"link names tree {node.tree!r}, which is not in the library{guess} (a tree "
                "named by path finds the trees of its folder; name another with --library DIR)"
            )
            yield ctx.error(ctx.node_at(node.id, "tree"), "unknown-tree", message, node.id)
