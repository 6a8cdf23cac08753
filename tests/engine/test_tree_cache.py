"""The tree cache: a tree that loaded clean is built again from its cached data, and only while
the verdict it had would still be the same; a damaged entry costs a full check, never a crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine import files
from engine.actions.catalog import builtin_actions
from engine.errors import BranchwiseError, InvalidTree
from engine.library import tree_cache
from engine.library.index import Library
from engine.library.tree_cache import BUILT_IN_ACTIONS, TreeCache, faithful, still_clean
from engine.tree.validation import check_file
from engine.walk.walker import Walk

ASK = """\
schema: branchwise/v1
id: tests/ask
version: 2
title: Ask
start: q
variables:
  mode: {label: Mode, default: "on"}
nodes:
  q:
    type: question
    title: Is it on?
    choices:
      - {label: "Yes", key: y, goto: done, when: {var: mode, matches: "^on"}}
      - {label: Other, goto: lookup}
      - {label: Elsewhere, goto: away}
  lookup:
    type: action
    title: Look the contact up
    action: {uses: paya.get_contact, with: {contact_id: "{{ mode }}"}, save_as: contact}
    routes:
      - {label: Found, goto: done}
    on_error: done
  away: {type: link, title: Go on elsewhere, tree: tests/other}
  done: {type: outcome, status: resolved, title: Done}
"""
OTHER = """\
schema: branchwise/v1
id: tests/other
version: 1
title: Other
start: end
nodes:
  end: {type: outcome, status: escalated, title: Escalate}
"""


@pytest.fixture
def trees(tmp_path: Path) -> Path:
    folder = tmp_path / "trees"
    folder.mkdir()
    (folder / "ask.yaml").write_text(ASK, encoding="utf-8")
    (folder / "other.yaml").write_text(OTHER, encoding="utf-8")
    return folder


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "trees").glob("*.json"))


def full_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The references the library checks in full from now on (the cache missed)."""
    checked: list[str] = []
    original = Library.check

    def counting(self: Library, ref: str) -> Any:
        checked.append(ref)
        return original(self, ref)

    monkeypatch.setattr(Library, "check", counting)
    return checked


def test_a_clean_tree_is_built_again_from_the_cache_equal_to_the_checked_one(
    trees: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = Library([trees], cache).load("tests/ask")
    assert len(entries(cache)) == 1
    checked = full_checks(monkeypatch)
    again = Library([trees], cache).load("tests/ask")
    assert checked == []
    assert again == first == check_file(trees / "ask.yaml").tree
    assert again.path == str(trees / "ask.yaml") and again.sha256 == first.sha256


def test_an_edited_file_is_checked_again_and_its_entry_replaced(
    trees: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    Library([trees], cache).load("tests/ask")
    (trees / "ask.yaml").write_text(ASK.replace("Is it on?", "Is it plugged in?"), "utf-8")
    checked = full_checks(monkeypatch)
    tree = Library([trees], cache).load("tests/ask")
    assert checked == ["tests/ask"]
    assert tree.nodes["q"].title == "Is it plugged in?"
    assert len(entries(cache)) == 1  # one entry per file, the newest
    assert Library([trees], cache).load("tests/ask").nodes["q"].title == "Is it plugged in?"
    assert checked == ["tests/ask"]


def test_a_file_broken_after_it_was_cached_is_refused(trees: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    Library([trees], cache).load("tests/ask")
    (trees / "ask.yaml").write_text(ASK.replace("goto: done}", "goto: nowhere}"), "utf-8")
    with pytest.raises(InvalidTree, match="error"):
        Library([trees], cache).load("tests/ask")


def test_a_linked_tree_gone_from_the_library_makes_the_link_an_error_again(
    trees: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    Library([trees], cache).load("tests/ask")
    (trees / "other.yaml").unlink()
    with pytest.raises(InvalidTree) as refused:
        Library([trees], cache).load("tests/ask")
    assert "unknown-tree" in {p.rule for p in refused.value.problems}  # type: ignore[attr-defined]


def test_a_tree_calling_an_action_not_built_in_is_always_checked(trees: Path) -> None:
    # A plugin's parameters may have changed since: the action-params verdict would be stale.
    tree = check_file(trees / "ask.yaml").tree
    assert tree is not None
    assert still_clean(tree, frozenset({"tests/other"}))
    assert not still_clean(tree, frozenset())
    (trees / "ask.yaml").write_text(ASK.replace("paya.get_contact", "acme.lookup"), "utf-8")
    plugin_tree = check_file(trees / "ask.yaml").tree
    assert plugin_tree is not None
    assert not still_clean(plugin_tree, frozenset({"tests/other"}))


def test_a_new_engine_does_not_trust_an_older_ones_entries(
    trees: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    Library([trees], cache).load("tests/ask")
    monkeypatch.setattr(tree_cache, "engine_key", lambda: "another-engine")
    checked = full_checks(monkeypatch)
    Library([trees], cache).load("tests/ask")
    assert checked == ["tests/ask"]


def test_the_engine_key_follows_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = tmp_path / "engine"
    (engine / "lint").mkdir(parents=True)
    (engine / "lint" / "rules.py").write_text("A = 1\n")
    monkeypatch.setattr(files, "_ENGINE", engine)
    before = files.engine_key.__wrapped__()
    (engine / "lint" / "rules.py").write_text("A = 12\n")
    assert files.engine_key.__wrapped__() != before


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json",
        "[]",
        '{"format": 1}',
        "\x00\xff",
        '{"format": 1, "engine": "?", "sha256": "?", "data": {}}',
    ],
)
def test_a_damaged_entry_costs_a_full_check(
    trees: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    cache = tmp_path / "cache"
    Library([trees], cache).load("tests/ask")
    entries(cache)[0].write_text(content, encoding="utf-8", errors="surrogateescape")
    checked = full_checks(monkeypatch)
    assert Library([trees], cache).load("tests/ask").title == "Ask"
    assert checked == ["tests/ask"]


@pytest.mark.parametrize(
    "data",
    [
        {"id": "tests/ask"},
        {"id": "tests/ask", "start": "q", "nodes": "many"},
        {"id": "tests/ask", "start": "q", "nodes": {"q": {"type": "question", "choices": 5}}},
        {"id": "tests/ask", "start": "q", "nodes": {"q": {"type": "step", "next": 7}}},
    ],
)
def test_an_edited_entry_can_only_give_a_tree_whose_walk_fails_with_a_message(
    trees: Path, tmp_path: Path, data: dict[str, Any]
) -> None:
    cache = tmp_path / "cache"
    Library([trees], cache).load("tests/ask")
    entry = entries(cache)[0]
    stored = json.loads(entry.read_text("utf-8"))
    entry.write_text(json.dumps({**stored, "data": data}), "utf-8")
    library = Library([trees], cache)
    tree = library.load("tests/ask")  # believed, as an edited file would be
    with pytest.raises(BranchwiseError):
        walk = Walk(tree, resolve_tree=library.load)
        walk.answer("1")


def test_an_entry_claiming_another_tree_is_not_used(trees: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    Library([trees], cache).load("tests/ask")
    entry = entries(cache)[0]
    stored = json.loads(entry.read_text("utf-8"))
    stored["data"]["id"] = "tests/other"
    entry.write_text(json.dumps(stored), "utf-8")
    assert Library([trees], cache).load("tests/ask").id == "tests/ask"


def test_data_json_would_change_is_not_cached(tmp_path: Path) -> None:
    assert faithful({"a": [1, 2.5, None, True, "x", {"b": {}}]})
    assert not faithful({1: "a number key"})
    assert not faithful({"a": [{"b": (1, 2)}]})
    tree = check_file(Path(__file__).parent.parent / "data" / "valid" / "minimal.yaml").tree
    assert tree is not None
    cache = TreeCache(tmp_path / "trees")
    cache.store(tree, {"id": "tests/minimal", "set": {1: "one"}})
    assert not (tmp_path / "trees").exists()


def test_without_a_cache_directory_nothing_is_cached(trees: Path) -> None:
    library = Library([trees])
    assert library.tree_cache is None
    assert library.load("tests/ask").id == "tests/ask"


def test_the_built_in_action_names_are_those_the_catalog_ships() -> None:
    assert {action.spec.name for action in builtin_actions()} == BUILT_IN_ACTIONS


def test_a_cache_file_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    file = tmp_path / "cache" / "entry.json"
    files.write_json_whole(file, {"a": [1, 2]})
    assert json.loads(file.read_text("utf-8")) == {"a": [1, 2]}
    files.write_json_whole(file, {"bad": {1, 2}})  # a set is no JSON
    assert json.loads(file.read_text("utf-8")) == {"a": [1, 2]}  # the old one stays whole
    assert [p.name for p in file.parent.iterdir()] == ["entry.json"]  # no half-written leftovers
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache folder should be")
    files.write_json_whole(blocked / "entry.json", {"a": 1})  # says nothing, keeps nothing
    assert blocked.read_text() == "a file where the cache folder should be"
