"""Tests for `branchwise stats`, run as a real command in a subprocess over a real store."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from engine.sessions.store import Store
from tests.cli import isolated_env, run_cli
from tests.engine.test_stats import Sessions, record_sessions, tree_of

HOSTILE = """
id: test/hostile
version: 1
title: "Evil \\e[2J title"
start: ask
nodes:
  ask:
    type: question
    title: "Pick \\e]0;owned\\a one"
    choices:
      - {label: "Red \\e[31mhot", goto: done}
  done: {type: outcome, status: resolved, title: "Done \\x9b1m"}
"""


def branchwise(*args: str, home: Path, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`branchwise stats ARGS` in UTC; BRANCHWISE_DB names db, or a store not yet made in home."""
    store = {} if db is None else {"BRANCHWISE_DB": str(db)}
    return run_cli("stats", *args, env=isolated_env(home, TZ="UTC", **store))


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Printer v1 and v2 and the router tree, walked through the engine (tests/engine)."""
    path = tmp_path_factory.mktemp("store") / "sessions.db"
    with Store(path) as store:
        record_sessions(Sessions(store))
    return path


def test_without_a_tree_prints_one_row_per_tree_and_version(
    store_path: Path, tmp_path: Path
) -> None:
    done = branchwise("--db", str(store_path), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "TREE          VERSION  SESSIONS  RESOLVED  ESCALATED  UNRESOLVED  ABANDONED  TITLE",
        "test/printer        2         3         1          1           0          1  "
        "Printer jams and trays",
        "test/printer        1         5         1          1           1          2  Printer jams",
        "test/router         7         1         1          0           0          0  Router "
        "lights",
    ]


def test_with_a_tree_prints_each_version_and_its_nodes(store_path: Path, tmp_path: Path) -> None:
    done = branchwise("test/printer", home=tmp_path, db=store_path)
    assert done.returncode == 0, done.stderr
    blocks = done.stdout.split("\n\n")
    assert [block.splitlines()[0] for block in blocks[::2]] == [
        "test/printer version 2: Printer jams and trays",
        "test/printer version 1: Printer jams",
        "exits/visits by node, version by version",
    ]
    # A node keeps its history across versions while it keeps its id.
    assert blocks[5].splitlines() == [
        "NODE       V2   V1",
        "power      0/3  0/5",
        "tray       0/3  -",
        "jammed     1/2  1/4",
        "refill     0/1  -",
        "engineer   0/1  0/1",
        "paper      -    1/5",
        "switch-on  -    0/1",
        "fixed      -    0/1",
        "replaced   -    0/1",
    ]
    assert blocks[2].splitlines()[1:] == [
        "5 sessions: 1 resolved, 1 escalated, 1 unresolved, 2 abandoned",
        "outcomes: engineer 1, fixed 1, replaced 1",
    ]
    assert blocks[3].splitlines() == [
        "NODE       TITLE                             TYPE      VISITS  EXITS  MEDIAN  TAKEN",
        "power      Is the printer on?                question       5      0     30s  Yes 4, No 1",
        "paper      How many sheets are in the tray?  input          5      1     21s  -",
        "switch-on  Switch it on                      step           1      0     20s  -",
        "fixed      Fixed                             outcome        1      0       -  -",
        "jammed     Is paper stuck inside?            question       4      1   1m00s  No 1, Yes 1",
        "engineer   Send an engineer                  outcome        1      0       -  -",
        "replaced   Needs a new printer               outcome        1      0       -  -",
    ]


def test_json_carries_the_same_figures(store_path: Path, tmp_path: Path) -> None:
    done = branchwise("test/printer", "--format", "json", "--db", str(store_path), home=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["tree"], data["since"]) == ("test/printer", None)
    second, first = data["versions"]
    assert (second["version"], second["started"], second["abandoned"]) == (2, 3, 1)
    assert first["finished"] == {"resolved": 1, "escalated": 1, "unresolved": 1}
    assert first["nodes"][4] == {
        "node": "jammed",
        "title": "Is paper stuck inside?",
        "type": "question",
        "visits": 4,
        "exits": 1,
        "median_seconds": 60.0,
        "taken": {"No": 1, "Yes": 1},
    }
    summary = json.loads(branchwise("--format", "json", home=tmp_path, db=store_path).stdout)
    assert [(v["tree"], v["version"], v["started"]) for v in summary["versions"]] == [
        ("test/printer", 2, 3),
        ("test/printer", 1, 5),
        ("test/router", 7, 1),
    ]
    assert "nodes" not in summary["versions"][0]


def test_since_counts_only_later_sessions(store_path: Path, tmp_path: Path) -> None:
    done = branchwise("--since", "2026-11-07", "--format", "json", home=tmp_path, db=store_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["since"] == "2026-11-07T00:00:00+00:00"
    assert [(v["version"], v["started"]) for v in data["versions"]] == [(2, 2), (7, 1)]
    later = branchwise("test/router", "--since", "2026-11-09T12:00Z", home=tmp_path, db=store_path)
    assert (later.returncode, later.stdout) == (
        0,
        "no sessions of test/router since 2026-11-09T12:00+00:00\n",
    )


def test_an_empty_store_says_so_and_succeeds(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "sessions.db"
    done = branchwise("--db", str(missing), home=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "no sessions yet\n", "")
    assert not missing.parent.exists()
    empty = tmp_path / "empty.db"
    Store(empty).close()
    as_json = branchwise("test/printer", "--format", "json", home=tmp_path, db=empty)
    assert as_json.returncode == 0
    assert json.loads(as_json.stdout)["versions"] == []
    assert as_json.stderr == "branchwise: no sessions yet\n"


def test_an_unknown_tree_exits_2_naming_the_trees_with_sessions(
    store_path: Path, tmp_path: Path
) -> None:
    done = branchwise("test/nope", home=tmp_path, db=store_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"branchwise: no sessions of tree 'test/nope' in {store_path}; "
        "trees with sessions: test/printer, test/router\n"
    )


def test_bad_options_exit_2_with_a_reason(store_path: Path, tmp_path: Path) -> None:
    done = branchwise("--since", "last week", home=tmp_path, db=store_path)
    assert done.returncode == 2
    assert "argument --since: 'last week' is not a date: use YYYY-MM-DD" in done.stderr
    assert "Traceback" not in done.stderr
    wrong = branchwise("--format", "csv", home=tmp_path, db=store_path)
    assert wrong.returncode == 2 and "invalid choice: 'csv'" in wrong.stderr
    junk = tmp_path / "junk.db"
    junk.write_text("not a database " * 200, "utf-8")
    broken = branchwise(home=tmp_path, db=junk)
    assert broken.returncode == 1
    assert broken.stderr.startswith(f"branchwise: {junk}: cannot use the session store")


def test_text_from_trees_reaches_the_terminal_as_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    with Store(path) as store:
        Sessions(store).start(tree_of(HOSTILE), 0).answer(3, "1")
    for args in (("test/hostile",), (), ("test/hostile", "--format", "json")):
        done = branchwise(*args, home=tmp_path, db=path)
        assert done.returncode == 0, done.stderr
        assert not any(ch in done.stdout for ch in "\x1b\x07\x9b"), done.stdout
    table = branchwise("test/hostile", home=tmp_path, db=path).stdout
    assert "Evil [2J title" in table and "Red [31mhot 1" in table


def test_help_describes_every_option(tmp_path: Path) -> None:
    done = branchwise("--help", home=tmp_path)
    assert done.returncode == 0
    for words in ("TREE", "--format", "--since DATE", "--db", "abandoned", "median"):
        assert words in done.stdout
