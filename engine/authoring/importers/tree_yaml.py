"""The imported tree as YAML text, with the importer's comments above the nodes they concern."""

from __future__ import annotations

import re
from typing import Any

import yaml

from engine.authoring.importers.draft import ImportResult
from engine.text import plain

YAML_WIDTH = 100
_LINE_BREAKS = re.compile("[\r\n\x85\u2028\u2029]+")


# libyaml's emitter where built: the pure-Python one takes seconds on a tree near the size limit.
_SafeDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _ReadableDumper(_SafeDumper):  # type: ignore[valid-type,misc]
    """The safe dumper, writing multi-line text as literal blocks so Markdown stays readable."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_ReadableDumper.add_representer(str, _represent_text)


def render_tree_yaml(result: ImportResult) -> str:
    """YAML for the tree; a '#' comment above each node the author should look at again."""
    parts = [f"# {comment_text(line)}\n" for line in result.header]
    head = {key: value for key, value in result.tree.items() if key != "nodes"}
    parts.append(_dump(head))
    parts.append("nodes:\n")
    for node_id, node in result.tree["nodes"].items():
        parts.extend(f"  # {comment_text(line)}\n" for line in result.comments.get(node_id, []))
        parts.append(_indented(_dump({node_id: node})))
    return "".join(parts)


def comment_text(text: str) -> str:
    """Text that stays inside one YAML comment line."""
    return plain(_LINE_BREAKS.sub(" ", text)).strip()


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(
        data,
        Dumper=_ReadableDumper,
        sort_keys=False,
        allow_unicode=True,
        width=YAML_WIDTH,
        default_flow_style=False,
    )


def _indented(text: str) -> str:
    return "\n".join(f"  {line}" if line else line for line in text.split("\n"))
