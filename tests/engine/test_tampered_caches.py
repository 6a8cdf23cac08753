"""Caches that lie: a damaged catalog or schema verdict costs time, never a crash or a wrong tree.

The schema cache is keyed by the file's content and the engine's code, so a
stale verdict is not reused; a verdict edited to say "clean" can let a schema-invalid tree be
walked, so the walk itself must never fail on whatever the builder makes of such a file.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import BranchwiseError, InvalidTree
from engine.files import engine_key
from engine.library.index import Library
from engine.library.schema_cache import SchemaCache
from engine.tree.reader import Document, read_file
from engine.tree.validation import check_document
from engine.walk.action_runner import ActionRunner
from engine.walk.walker import InvalidAnswer, Walk

DATA = Path(__file__).resolve().parent.parent / "data"
EVERY = DATA / "valid" / "every-node-type.yaml"
SHIPPING = DATA / "valid" / "shipping-guide.yaml"
MINIMAL = DATA / "valid" / "minimal.yaml"


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "trees"
    folder.mkdir()
    for source in (EVERY, SHIPPING, MINIMAL):
        (folder / source.name).write_bytes(source.read_bytes())
    return folder


def open_library(folder: Path, cache: Path) -> Library:
    return Library([folder], cache_dir=cache)


def catalog_file(cache: Path) -> Path:
    return cache / "catalog.json"


def tamper_catalog(cache: Path, change: Any) -> None:
    data = json.loads(catalog_file(cache).read_text())
    for entry in data["entries"].values():
        change(entry)
    catalog_file(cache).write_text(json.dumps(data))


# The catalog.


@pytest.mark.parametrize(
    "text",
    ["", '{"version": 1, "entries": {', "[]", '{"version": 1, "entries": []}', "\x00\xff"],
)
def test_a_catalog_that_is_not_json_or_not_a_catalog_is_read_again(
    library_dir: Path, tmp_path: Path, text: str
) -> None:
    cache = tmp_path / "cache"
    open_library(library_dir, cache)
    catalog_file(cache).write_text(text, encoding="utf-8", errors="surrogateescape")
    library = open_library(library_dir, cache)
    assert "tests/minimal" in library.ids
    assert json.loads(catalog_file(cache).read_text())["entries"]  # written again, whole


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e.pop("tags"),
        lambda e: e.update(tags=5),
        lambda e: e.update(tags=[1, None]),
        lambda e: e.update(id=5),
        lambda e: e.update(id=["list"]),
        lambda e: e.update(version="3"),
        lambda e: e.update(extra="field"),
        lambda e: e.update(sha256="0" * 64),
        lambda e: e.clear(),
    ],
)
def test_a_catalog_row_of_the_wrong_shape_is_ignored(
    library_dir: Path, tmp_path: Path, change: Any
) -> None:
    cache = tmp_path / "cache"
    open_library(library_dir, cache)
    tamper_catalog(cache, change)
    library = open_library(library_dir, cache)
    assert library.ids == {"tests/every-node-type", "tests/shipping-guide", "tests/minimal"}
    assert library.load("tests/minimal").id == "tests/minimal"


def test_a_catalog_that_sends_an_id_to_another_file_is_corrected(
    library_dir: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    open_library(library_dir, cache)
    # Every row now claims to be the shipping guide: the first file listed (every-node-type)
    # would be opened for it.
    tamper_catalog(cache, lambda e: e.update(id="tests/shipping-guide"))
    library = open_library(library_dir, cache)
    assert library.load("tests/shipping-guide").id == "tests/shipping-guide"
    assert library.ids == {"tests/every-node-type", "tests/shipping-guide", "tests/minimal"}


# The schema cache.


def poison(cache: Path, source: Path, rows: Any) -> None:
    """Write a schema verdict for a file, as if the checker had given it."""
    doc = read_file(source)
    folder = cache / "schema"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{doc.sha256}-{engine_key()}.json").write_text(json.dumps(rows))


BROKEN = """\
schema: branchwise/v1
id: tests/broken
version: true
title: Broken
start: ask
nodes:
  ask:
    type: question
    title: Pick
    choices:
      - {label: Regex, goto: typed, when: {var: x, matches: "(["}}
      - {label: In, key: ab, goto: typed, when: {var: x, in: 5}}
      - {label: Compare, goto: odd, when: {var: x, gt: "many"}}
      - {label: Nowhere, goto: 7}
  typed:
    type: input
    title: Type
    var: x
    pattern: "("
    next: odd
  odd:
    type: outcome
    status: open
    title: Odd
"""


def test_a_cache_verdict_saying_a_broken_file_is_clean_cannot_crash_the_walk(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "trees"
    folder.mkdir()
    broken = folder / "broken.yaml"
    broken.write_text(BROKEN)
    cache = tmp_path / "cache"
    poison(cache, broken, [])
    tree = open_library(folder, cache).load("tests/broken")  # the lie is believed
    walk = Walk(tree, runner=ActionRunner())
    # Conditions of the wrong kind are no conditions: every choice shows, none fails.
    assert [o.label for o in walk.options()] == ["Regex", "In", "Compare", "Nowhere"]
    walk.answer("Regex")
    with pytest.raises(InvalidAnswer, match="is not a valid regular expression"):
        walk.answer("anything")
    walk.back()
    with pytest.raises(InvalidAnswer, match="'Nowhere' leads to node '', which tree 'tests/broken"):
        walk.answer("Nowhere")
    walk.answer("Compare")
    assert walk.finished and walk.status == "unresolved"


def test_an_honest_cache_still_refuses_the_broken_file(tmp_path: Path) -> None:
    folder = tmp_path / "trees"
    folder.mkdir()
    (folder / "broken.yaml").write_text(BROKEN)
    with pytest.raises(InvalidTree) as refused:
        open_library(folder, tmp_path / "cache").load("tests/broken")
    assert {p.rule for p in refused.value.problems} == {"schema"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "rows",
    [
        [{"line": "1", "column": 1, "severity": "error", "rule": "schema", "message": "m"}],
        [{"line": 1, "column": 1, "severity": "fatal", "rule": "schema", "message": "m"}],
        [{"line": True, "column": 0, "severity": "error", "rule": 5, "message": "m"}],
        [{"line": 1}],
        ["row"],
        {"not": "a list"},
    ],
)
def test_schema_cache_rows_of_the_wrong_kind_are_checked_again(tmp_path: Path, rows: Any) -> None:
    cache = tmp_path / "cache"
    poison(cache, MINIMAL, [{**r, "node": None} if isinstance(r, dict) else r for r in rows]
           if isinstance(rows, list) else rows)  # fmt: skip
    doc = read_file(MINIMAL)
    assert SchemaCache(cache / "schema").check(doc) == []  # checked for real: minimal is clean


def test_a_verdict_another_engine_gave_is_not_trusted(tmp_path: Path) -> None:
    key = engine_key()
    assert re.fullmatch("[0-9a-f]{24}", key) and key != "0" * 24
    assert engine_key.__wrapped__() == key  # worked out again, it is the same key
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN)
    doc = read_file(broken)
    folder = tmp_path / "schema"
    folder.mkdir()
    (folder / f"{doc.sha256}-{'0' * 24}.json").write_text("[]")  # "clean", from other code
    assert {p.rule for p in SchemaCache(folder).check(doc)} == {"schema"}


# Whatever a schema-invalid file builds into, the walk never fails with anything but a message.

JUNK = st.sampled_from(
    [
        *(None, True, 0, -1, 1.5, "", "(", "[", "open", "weird", "{{ x }}", [], [1], {}),
        *({"var": "x", "in": 5}, {"var": "x", "matches": "("}, {"var": "x", "gt": "s"}, 10**30),
    ]
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        found += _paths(item, (*prefix, key))
    return found


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(st.data())
def test_a_walk_of_a_schema_invalid_tree_only_ever_raises_messages(data: st.DataObject) -> None:
    tree_data = copy.deepcopy(read_file(EVERY).data)
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(_paths(tree_data)))
        parent = tree_data
        for key in where[:-1]:
            parent = parent[key]
        parent[where[-1]] = data.draw(JUNK)
    checked = check_document(Document("t.yaml", tree_data, sha256="x"), None, None, _Lying())
    if checked.tree is None:
        return
    stubs = {"test.lookup": {"status": "paid", "total": 5}}
    try:
        walk = Walk(checked.tree, runner=ActionRunner(stubs=stubs))
        for answer in data.draw(st.lists(st.sampled_from(["1", "2", "3", "", "x", "(", "12345"]))):
            if walk.finished:
                break
            if walk.pending_call() is not None:
                walk.run_pending()
            elif walk.error:
                walk.back()
            else:
                with contextlib.suppress(InvalidAnswer):
                    walk.answer(answer)
        walk.summary()
    except BranchwiseError:
        pass


class _Lying:
    """A schema cache whose every verdict is "clean"."""

    def check(self, doc: Document) -> list[Any]:
        return []
