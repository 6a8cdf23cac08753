"""Finding a tree in the library: every word must be found, and where it is found ranks it."""

from __future__ import annotations

from pathlib import Path

from engine.library.index import Entry, Library

TREE = """\
schema: branchwise/v1
id: net/router-reset
version: 1
title: Reset the router
product: Home Office
tags: [wifi, modem]
start: s
nodes:
  s:
    type: step
    title: Unplug it
    body: Wait for the lights to go **amber**.
    next: q
  q:
    type: question
    title: Is it back?
    prompt: Look at the lamp
    choices:
      - {label: Blinking green, goto: e}
  e: {type: outcome, status: resolved, title: Done}
"""


def entry(**fields: str | tuple[str, ...]) -> Entry:
    base: dict[str, object] = {"id": "t/x", "path": "x.yaml", "sha256": "0" * 64, "title": "X"}
    return Entry(**{**base, **fields})  # type: ignore[arg-type]


def test_each_word_counts_where_it_is_found_first() -> None:
    tree = entry(title="Router reset", tags=("wifi",), summary="home network", text="unplug it")
    assert tree.rank("router") == 0
    assert tree.rank("wifi") == 1
    assert tree.rank("network") == 2
    assert tree.rank("unplug") == 3
    assert tree.rank("ROUTER unplug") == 3
    assert tree.rank("router printer") is None
    assert tree.rank("") == 0


def test_bodies_prompts_and_labels_are_searched(tmp_path: Path) -> None:
    (tmp_path / "router.yaml").write_text(TREE, encoding="utf-8")
    [found] = Library([tmp_path]).entries.values()
    for word in ("amber", "lamp", "blinking green", "unplug", "modem", "office"):
        assert found.rank(word) is not None, word
    assert found.rank("purple") is None
