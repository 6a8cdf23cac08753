"""The library: every tree under some directories, found by id, listed from a cache by content.

A tree named by its path brings its own folder in: the trees beside it (searched recursively) are
found by id too, and win over the library's on a repeated id, as they are the ones being edited
together. The folder is searched only when an id is not found otherwise.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from engine.errors import InvalidTree, TreeNotFound
from engine.files import (
    MAX_TREE_BYTES,
    FileRefused,
    holds_a_tree,
    is_tree_file,
    read_regular_file,
    write_json_whole,
)
from engine.library.tree_cache import TreeCache, still_clean
from engine.tree.model import Link

if TYPE_CHECKING:
    from engine.actions.registry import Registry
    from engine.library.schema_cache import SchemaCache
    from engine.tree.model import Tree
    from engine.tree.validation import Checked

_CATALOG_VERSION = 2  # 2: an entry's text holds bodies, prompts, manuals and route labels
_NODE_TEXTS = ("title", "body", "prompt", "manual")


@dataclass(frozen=True)
class Entry:
    """What the library shows of a tree without building it."""

    id: str
    path: str
    sha256: str
    title: str
    summary: str = ""
    product: str = ""
    tags: tuple[str, ...] = ()
    version: int = 0
    nodes: int = 0
    # Lowercased titles, labels and bodies, for filtering by any word of the tree.
    text: str = ""

    def rank(self, query: str) -> int | None:
        """How well the tree matches the query, lower first; None when a word of it is nowhere.

        Each word counts where it is found first: the title (0), the tags (1), the id, product
        or summary (2), or the text of a step (3): a tree named for what was typed comes before
        one that mentions it in passing."""
        places = (
            self.title.casefold(),
            " ".join(self.tags).casefold(),
            " ".join((self.id, self.product, self.summary)).casefold(),
            self.text,
        )
        total = 0
        for word in query.casefold().split():
            tier = next((i for i, place in enumerate(places) if word in place), None)
            if tier is None:
                return None
            total += tier
        return total


def _entry_from_data(path: str, sha256: str, data: Any) -> Entry | None:
    if not holds_a_tree(data) or not isinstance(data.get("id"), str):
        return None
    raw_nodes = data.get("nodes")
    nodes: Mapping[str, Any] = raw_nodes if isinstance(raw_nodes, Mapping) else {}
    words: list[str] = []
    for node in nodes.values():
        if isinstance(node, Mapping):
            words += (str(node.get(field) or "") for field in _NODE_TEXTS)
            for listing in ("choices", "routes"):
                items = node.get(listing)
                for item in items if isinstance(items, list) else []:
                    if isinstance(item, Mapping):
                        words.append(str(item.get("label", "")))
    raw_tags = data.get("tags")
    tags: list[Any] = raw_tags if isinstance(raw_tags, list) else []
    version = data.get("version")
    return Entry(
        id=data["id"],
        path=path,
        sha256=sha256,
        title=str(data.get("title") or data["id"]),
        summary=str(data.get("summary") or ""),
        product=str(data.get("product") or ""),
        tags=tuple(str(t) for t in tags),
        version=version if isinstance(version, int) else 0,
        nodes=len(nodes),
        text=" ".join(words).casefold(),
    )


_ENTRY_FIELDS = frozenset(field.name for field in fields(Entry))
_ENTRY_TEXTS = ("id", "path", "sha256", "title", "summary", "product", "text")


def _cached_entry(cached: Any, path: Path, sha: str) -> Entry | None:
    """The entry a catalog row describes, or None when the row is not one (a damaged cache)."""
    if not isinstance(cached, dict) or cached.keys() != _ENTRY_FIELDS:
        return None
    tags, numbers = cached["tags"], (cached["version"], cached["nodes"])
    sound = (
        cached["sha256"] == sha
        and all(isinstance(cached[name], str) for name in _ENTRY_TEXTS)
        and isinstance(tags, list)
        and all(isinstance(tag, str) for tag in tags)
        and all(isinstance(n, int) and not isinstance(n, bool) for n in numbers)
    )
    return Entry(**{**cached, "path": str(path), "tags": tuple(tags)}) if sound else None


class Library:
    """Trees found under directories (earlier directories win on a repeated id)."""

    def __init__(
        self,
        dirs: Iterable[Path],
        cache_dir: Path | None = None,
        registry: Registry | None = None,
    ) -> None:
        self.dirs = [Path(d) for d in dirs]
        self.cache_dir = cache_dir
        self._registry = registry
        self.entries: dict[str, Entry] = {}
        self.shadowed: list[Entry] = []
        # Folders of trees named by path: searched, first, once an id is not found otherwise.
        self.folders: list[Path] = []
        self._pending: list[Path] = []
        self._scan()

    @property
    def schema_cache(self) -> SchemaCache | None:
        from engine.library.schema_cache import SchemaCache

        return SchemaCache(self.cache_dir / "schema") if self.cache_dir else None

    @property
    def tree_cache(self) -> TreeCache | None:
        return TreeCache(self.cache_dir / "trees") if self.cache_dir else None

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            from engine.actions.catalog import default_registry

            self._registry = default_registry()
        return self._registry

    def _scan(self, trust_catalog: bool = True) -> None:
        catalog = self._load_catalog() if trust_catalog else {}
        self.entries, self.shadowed = {}, []
        self._from_catalog = False
        fresh: dict[str, dict[str, Any]] = {}
        for path in self._files():
            try:
                # A FIFO, a device or a huge file in a tree folder must not hang every command.
                raw = read_regular_file(path, MAX_TREE_BYTES)
            except (OSError, FileRefused):
                continue
            sha = hashlib.sha256(raw).hexdigest()
            entry = self._entry(path, sha, raw, catalog.get(sha))
            if entry is None:
                continue
            fresh[sha] = asdict(entry)
            if entry.id in self.entries:
                self.shadowed.append(entry)
            else:
                self.entries[entry.id] = entry
        # The catalog lists the library's own directories, not the folders a run brought in.
        if not self.folders and fresh.keys() != catalog.keys():
            self._save_catalog(fresh)

    def _files(self) -> Iterable[Path]:
        seen: set[str] = set()
        for directory in [*self.folders, *self.dirs]:
            if not directory.is_dir():
                continue
            for path in sorted(p for p in directory.rglob("*.yaml") if is_tree_file(p)):
                real = os.path.realpath(path)  # a folder inside a library directory: once
                if real not in seen:
                    seen.add(real)
                    yield path

    def _note_folder(self, file: Path) -> None:
        folder = file.parent
        if folder not in self.folders and folder not in self._pending:
            self._pending.append(folder)

    def search_folders(self) -> bool:
        """Bring in the folders of the trees named by path so far; whether there were any."""
        if not self._pending:
            return False
        self.folders.extend(self._pending)
        self._pending = []
        self._scan()
        return True

    def ids_beside(self, files: Iterable[Path]) -> frozenset[str]:
        """The library's ids and those of the trees in the folders of these files."""
        for file in files:
            self._note_folder(file)
        self.search_folders()
        return self.ids

    def _entry(
        self, path: Path, sha: str, raw: bytes, cached: dict[str, Any] | None
    ) -> Entry | None:
        entry = _cached_entry(cached, path, sha)
        if entry is not None:
            self._from_catalog = True
            return entry
        from engine.tree.reader import read_bytes  # a file the catalog does not know yet

        doc = read_bytes(raw, str(path))
        return _entry_from_data(str(path), sha, doc.data)

    def _catalog_file(self) -> Path | None:
        return self.cache_dir / "catalog.json" if self.cache_dir else None

    def _load_catalog(self) -> dict[str, dict[str, Any]]:
        file = self._catalog_file()
        if file is None:
            return {}
        try:
            stored = json.loads(file.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(stored, dict) or stored.get("version") != _CATALOG_VERSION:
            return {}
        entries = stored.get("entries")
        return entries if isinstance(entries, dict) else {}

    def _save_catalog(self, entries: dict[str, dict[str, Any]]) -> None:
        file = self._catalog_file()
        if file is not None:
            write_json_whole(file, {"version": _CATALOG_VERSION, "entries": entries})

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self.entries)

    def find(self, ref: str) -> Path:
        """The file of a tree named by id or by path."""
        if ref in self.entries:
            return Path(self.entries[ref].path)
        path = Path(ref)
        if path.name.endswith(".test.yaml"):
            raise TreeNotFound(f"{ref} is a scenario file, not a tree; run 'branchwise test {ref}'")
        if path.suffix in (".yaml", ".yml") or (os.sep in ref and path.exists()):
            if path.is_file():
                self._note_folder(path)
                return path
            raise TreeNotFound(f"no tree file at {ref}")
        if self.search_folders() and ref in self.entries:
            return Path(self.entries[ref].path)
        if self._from_catalog:
            # The catalog may have lost or renamed the tree (a stale or edited cache).
            self._scan(trust_catalog=False)
            if ref in self.entries:
                return Path(self.entries[ref].path)
        known = ", ".join(sorted(self.entries)) or "none"
        raise TreeNotFound(
            f"no tree {ref!r} in the library (known: {known}); name its file, or its folder "
            "with --library DIR"
        )

    def check(self, ref: str) -> Checked:
        """The validation of the tree a reference names (its untitled links titled)."""
        checked = self._check(ref)
        own = checked.doc.data.get("id") if isinstance(checked.doc.data, Mapping) else None
        if ref in self.entries and own != ref:
            # The catalog sent an id to a file holding another tree (a stale or edited cache):
            # list the files again from what they hold, and look once more.
            self._scan(trust_catalog=False)
            checked = self._check(ref)
        if checked.tree is not None:
            checked.tree = self._titled_links(checked.tree)
        return checked

    def _check(self, ref: str) -> Checked:
        # Imported here: a tree found in the tree cache needs no schema and no lint rules.
        from engine.tree.reader import read_file
        from engine.tree.validation import check_document, linked_ids

        path = self.find(ref)
        doc = read_file(path)
        if doc.readable and not holds_a_tree(doc.data):
            raise TreeNotFound(
                f"{path} is not a tree file (a tree has a 'schema' key, or 'start' and 'nodes')"
            )
        if not linked_ids(doc.data) <= self.ids:
            self.search_folders()
        # A tree opened by path belongs to the walk's world even when outside the library.
        own = doc.data.get("id") if isinstance(doc.data, Mapping) else None
        known = self.ids | ({own} if isinstance(own, str) else set())
        return check_document(doc, self.registry, known, self.schema_cache)

    def load(self, ref: str) -> Tree:
        """The tree a reference names, or InvalidTree carrying its errors."""
        cached = self._cached(ref)
        if cached is not None:
            return self._titled_links(cached)
        checked = self.check(ref)
        errors = [p for p in checked.problems if p.is_error]
        if checked.tree is None or errors:
            raise InvalidTree(
                f"{checked.doc.path} has {len(errors)} error(s); run 'branchwise validate "
                f"{checked.doc.path}'",
                list(errors),
            )
        if self.tree_cache is not None:
            self.tree_cache.store(checked.tree, checked.doc.data)
        return checked.tree

    def _titled_links(self, tree: Tree) -> Tree:
        """The tree with each link that has no title of its own titled as the tree it walks."""
        titles = {
            node_id: self.entries[node.tree].title
            for node_id, node in tree.nodes.items()
            if isinstance(node, Link) and not node.title and node.tree in self.entries
        }
        if not titles:
            return tree
        nodes = {**tree.nodes, **{i: replace(tree.nodes[i], title=t) for i, t in titles.items()}}
        return replace(tree, nodes=MappingProxyType(nodes))

    def _cached(self, ref: str) -> Tree | None:
        """The tree from the tree cache, when its file loaded clean before and still would."""
        cache = self.tree_cache
        if cache is None:
            return None
        try:
            path = self.find(ref)
            raw = read_regular_file(path, MAX_TREE_BYTES)
        except (TreeNotFound, OSError, FileRefused):
            return None  # the full check says why
        tree = cache.stored(str(path), hashlib.sha256(raw).hexdigest())
        if tree is None or (ref in self.entries and tree.id != ref):
            return None
        if not _linked(tree) <= self.ids:
            self.search_folders()  # its links may be beside it
        return tree if still_clean(tree, self.ids | {tree.id}) else None


def _linked(tree: Tree) -> set[str]:
    return {node.tree for node in tree.nodes.values() if isinstance(node, Link)}
