"""The library and trees named by path: their folder is searched for the trees they link to."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.actions.registry import Registry
from engine.authoring.starter import starter_scenarios
from engine.errors import TreeNotFound
from engine.library.index import Library
from engine.tree.model import Link


def tree_text(tree_id: str, title: str, link: str | None = None) -> str:
    start = "go" if link else "end"
    nodes = f"  go: {{type: link, tree: {link}, next: end}}\n" if link else ""
    return (
        f"schema: branchwise/v1\nid: {tree_id}\nversion: 1\ntitle: {title}\nstart: {start}\n"
        f"nodes:\n{nodes}  end: {{type: outcome, status: resolved, title: End}}\n"
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    (work / "more").mkdir(parents=True)
    (work / "main.yaml").write_text(tree_text("w/main", "Main", link="w/helper"), "utf-8")
    (work / "more" / "helper.yaml").write_text(tree_text("w/helper", "The helper"), "utf-8")
    (work / "ci.yaml").write_text("id: not-a-tree\njobs: {}\n", "utf-8")
    return work


def test_the_folder_of_a_tree_named_by_path_is_searched_for_its_links(
    folder: Path, tmp_path: Path, registry: Registry
) -> None:
    library = Library([tmp_path / "empty"], registry=registry)
    tree = library.load(str(folder / "main.yaml"))
    assert library.folders == [folder]
    assert library.load("w/helper").title == "The helper"
    # The link had no title: it is shown as the linked tree's.
    link = tree.nodes["go"]
    assert isinstance(link, Link) and link.title == "The helper"
    # A check (what run --watch reloads) titles it too.
    checked = library.check(str(folder / "main.yaml")).tree
    assert checked is not None and checked.nodes["go"].title == "The helper"


def test_the_folder_is_not_searched_when_every_link_is_known(
    folder: Path, tmp_path: Path, registry: Registry
) -> None:
    library = Library([folder / "more"], registry=registry)
    library.load(str(folder / "main.yaml"))
    assert library.folders == []


def test_yaml_that_holds_no_tree_is_not_in_the_library(folder: Path, registry: Registry) -> None:
    library = Library([folder], registry=registry)
    assert library.ids == {"w/main", "w/helper"}
    with pytest.raises(TreeNotFound, match="is not a tree file"):
        library.load(str(folder / "ci.yaml"))


def test_an_id_found_nowhere_says_how_to_bring_its_folder_in(tmp_path: Path) -> None:
    with pytest.raises(TreeNotFound, match="--library DIR"):
        Library([tmp_path]).find("no/such-tree")


def test_starter_scenarios_walk_through_a_link(
    folder: Path, tmp_path: Path, registry: Registry
) -> None:
    (folder / "more" / "helper.yaml").write_text(
        tree_text("w/helper", "The helper")
        .replace(
            "start: end",
            "start: ask\n",
        )
        .replace(
            "nodes:\n",
            "nodes:\n  ask: {type: question, title: Ok?, choices: [{label: Sure, goto: end}]}\n",
        ),
        "utf-8",
    )
    library = Library([tmp_path / "empty"], registry=registry)
    tree = library.load(str(folder / "main.yaml"))
    assert "answers:\n  - Sure\n" in starter_scenarios(tree, library.load)
    assert starter_scenarios(tree).endswith("scenarios: []\n")  # without a way to the link's tree


def test_a_tree_without_links_never_searches_its_folder(
    folder: Path, tmp_path: Path, registry: Registry
) -> None:
    for _ in range(2):  # the second load is from the tree cache
        library = Library([tmp_path / "empty"], tmp_path / "cache", registry)
        library.load(str(folder / "more" / "helper.yaml"))
        assert library.folders == []


def test_a_cached_tree_finds_its_links_beside_it_again(
    folder: Path, tmp_path: Path, registry: Registry
) -> None:
    for _ in range(2):
        library = Library([tmp_path / "empty"], tmp_path / "cache", registry)
        assert library.load(str(folder / "main.yaml")).nodes["go"].title == "The helper"
    assert library.folders == [folder]
    assert any((tmp_path / "cache" / "trees").iterdir())
