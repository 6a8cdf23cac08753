"""Trees that loaded without errors, kept by content: a warm start builds them from JSON, without
the YAML parser, the schema or the lint rules.

One entry per tree file, holding the file's hash, a key of the engine's code and the file's data
as JSON. An entry is used only when the file still has that hash, the engine is the same code,
every tree the tree links to is still in the library, and every action it calls is built in (a
plugin's parameters may have changed since). The data still goes through the builder, as a file's
data does: a damaged or edited entry can only give the tree some other file would have given, and
the walk never fails on whatever the builder makes (tests/engine/test_tampered_caches.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.files import engine_key, write_json_whole
from engine.tree.builder import build_tree
from engine.tree.model import Action, Link, Tree

_FORMAT = 1
# The actions shipped with branchwise (engine.actions.catalog.builtin_actions; a test keeps the
# two the same): their parameters are part of the engine's code, so the key covers them.
BUILT_IN_ACTIONS = frozenset({"paya.get_contact", "paya.find_contacts", "http.request"})


def faithful(value: Any) -> bool:
    """Whether JSON gives this value back as it is (text keys only, JSON's kinds of value)."""
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and faithful(v) for k, v in value.items())
    if isinstance(value, list):
        return all(faithful(item) for item in value)
    return value is None or isinstance(value, (str, int, float))


def still_clean(tree: Tree, known_trees: frozenset[str]) -> bool:
    """Whether what the lint verdict depended on besides the file and the code still holds."""
    for node in tree.nodes.values():
        if isinstance(node, Link) and node.tree not in known_trees:
            return False
        if isinstance(node, Action) and node.action.uses not in BUILT_IN_ACTIONS:
            return False
    return True


class TreeCache:
    """Clean trees' data under a directory, one file per tree file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _file(self, path: str) -> Path:
        return self.directory / f"{hashlib.sha256(path.encode()).hexdigest()[:32]}.json"

    def stored(self, path: str, sha256: str) -> Tree | None:
        """The tree kept for the file at `path` holding content `sha256`, by this engine; whether
        its verdict still holds (`still_clean`) is the caller's to ask."""
        try:
            stored = json.loads(self._file(path).read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(stored, dict):
            return None
        expected = {"format": _FORMAT, "engine": engine_key(), "sha256": sha256}
        data = stored.get("data")
        if any(stored.get(k) != v for k, v in expected.items()) or not isinstance(data, dict):
            return None
        return build_tree(data, path, sha256)

    def store(self, tree: Tree, data: Any) -> None:
        """Keep a tree that loaded without errors, with the data it was built from."""
        if not tree.sha256 or not faithful(data):
            return
        entry = {"format": _FORMAT, "engine": engine_key(), "sha256": tree.sha256, "data": data}
        write_json_whole(self._file(tree.path), entry)
