"""engine.authoring.diagram: exact output, edge counts, and labels that survive any text."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.authoring.diagram import (
    LABEL_LIMIT,
    clean_label,
    diagram_of,
    dot_label,
    mermaid_id,
    mermaid_text,
    mermaid_too_large,
    to_dot,
    to_mermaid,
)
from engine.tree.builder import build_tree
from engine.tree.model import Action, Input, Link, Question, Step, Tree

SMALL: dict[str, Any] = {
    "id": "demo/small",
    "version": 2,
    "title": "Small demo",
    "start": "ask",
    "nodes": {
        "ask": {
            "type": "question",
            "title": "Is it on?",
            "choices": [{"label": "Yes", "goto": "check"}, {"label": "No", "goto": "power"}],
        },
        "power": {"type": "step", "title": "Plug it in", "next": "enter"},
        "enter": {"type": "input", "title": "Serial number", "var": "serial", "next": "check"},
        "check": {
            "type": "action",
            "title": "Look it up",
            "action": {"uses": "test.lookup"},
            "routes": [{"label": "Found", "goto": "done"}, {"label": "Not found", "goto": "other"}],
            "on_error": "give-up",
        },
        "other": {
            "type": "link",
            "title": "Try the other guide",
            "tree": "demo/other",
            "next": "end",
        },
        "done": {"type": "outcome", "status": "resolved", "title": "Fixed"},
        "give-up": {"type": "outcome", "status": "escalated", "title": "Call support"},
        "end": {"type": "outcome", "status": "unresolved", "title": "Not fixed"},
    },
}

SMALL_MERMAID = """\
flowchart TD
  %% Small demo (demo/small v2)
  entry(("Start"))
  n_ask{"Is it on?"}
  n_power["Plug it in"]
  n_enter[/"Serial number"/]
  n_check{{"Look it up"}}
  n_other[["Try the other guide"]]
  n_done(["Fixed"])
  n_give_up(["Call support"])
  n_end(["Not fixed"])
  t_demoZ2fZother[("demo/other")]
  entry --> n_ask
  n_ask -->|"Yes"| n_check
  n_ask -->|"No"| n_power
  n_power --> n_enter
  n_enter --> n_check
  n_check -->|"Found"| n_done
  n_check -->|"Not found"| n_other
  n_check -.->|"error"| n_give_up
  n_other ==>|"walks"| t_demoZ2fZother
  n_other -->|"then"| n_end
  classDef entry fill:#37474f,stroke:#37474f,color:#ffffff
  classDef resolved fill:#c8e6c9,stroke:#2e7d32,color:#1b5e20
  classDef escalated fill:#ffe0b2,stroke:#ef6c00,color:#7a3e00
  classDef unresolved fill:#ffcdd2,stroke:#c62828,color:#7f0000
  classDef tree fill:#e3f2fd,stroke:#1565c0,stroke-dasharray:4 3
  classDef missing fill:#ffffff,stroke:#c62828,stroke-dasharray:2 2,color:#c62828
  class entry entry
  class n_done resolved
  class n_give_up escalated
  class n_end unresolved
  class t_demoZ2fZother tree
"""

SMALL_DOT = """\
digraph "demo/small" {
  graph [label="Small demo (demo/small v2)", labelloc=t, fontname=Helvetica]
  node [fontname=Helvetica, fontsize=11, style=filled, fillcolor="#ffffff"]
  edge [fontname=Helvetica, fontsize=10]
  "entry" [label="Start", shape=circle, fillcolor="#37474f", color="#37474f", fontcolor="#ffffff"]
  "node:ask" [label="Is it on?", shape=diamond]
  "node:power" [label="Plug it in", shape=box]
  "node:enter" [label="Serial number", shape=parallelogram]
  "node:check" [label="Look it up", shape=hexagon]
  "node:other" [label="Try the other guide", shape=box, peripheries=2]
  "node:done" [label="Fixed", {OUTCOME}, fillcolor="#c8e6c9", color="#2e7d32"]
  "node:give-up" [label="Call support", {OUTCOME}, fillcolor="#ffe0b2", color="#ef6c00"]
  "node:end" [label="Not fixed", {OUTCOME}, fillcolor="#ffcdd2", color="#c62828"]
  "tree:demo/other" [label="demo/other", shape=folder, fillcolor="#e3f2fd", color="#1565c0"]
  "entry" -> "node:ask"
  "node:ask" -> "node:check" [label="Yes"]
  "node:ask" -> "node:power" [label="No"]
  "node:power" -> "node:enter"
  "node:enter" -> "node:check"
  "node:check" -> "node:done" [label="Found"]
  "node:check" -> "node:other" [label="Not found"]
  "node:check" -> "node:give-up" [label="error", style=dashed]
  "node:other" -> "tree:demo/other" [label="walks", style=bold]
  "node:other" -> "node:end" [label="then"]
}
""".replace("{OUTCOME}", 'shape=box, style="rounded,filled"')

NASTY = (
    "He said \"hi\" and 'bye'",
    "a[b]c{d}e(f)g[[h]]",
    "#quot; #35; ## &amp; &#35; x",
    "a;b;c;",
    "p|q||r",
    "<b>bold</b> & <script>alert(1)</script>",
    'back\\slash \\n \\" \\N \\G ends with \\',
    "line one\nline two\r\nline three",
    "**bold** _it_ `code` [link](http://example.com)",
    "emoji 🙋🏻‍♂️ ❤ ✔ 中文",
    "x" * 200,
    "style x:#f00;",
    "classDef a fill:#fff;",
    "%% a comment %%{init: {}}%%",
    "end",
    "-->|x| B -.-> C ==> D",
    "A-- b --> C -> D",
    "ﬂ°°60¶ß",
    "tab\there   and   spaces",
    "\x1b[31mred\x07 bell",
    "{{ contact.email }}",
    "digraph { a -> b }",
)

MERMAID_ENTITY = re.compile(r"#(quot|amp|lt|gt|\d+);")
MERMAID_LINE = re.compile(
    r'^  (\w+)(\(\("|\["|\{"|\[/"|\{\{"|\(\["|\[\["|\[\(")(.*)'
    r'("\)\)|"\]|"\}|"/\]|"\}\}|"\]\)|"\]\]|"\)\])$'
)
MERMAID_EDGE = re.compile(r'^  (\w+) (-->|-\.->|==>)(?:\|"([^"]*)"\|)? (\w+)$')
DOT_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
DOT_EDGE = re.compile(r'^  "(?:[^"\\]|\\.)*" -> "(?:[^"\\]|\\.)*"( \[.*\])?$')
DOT_BOX = re.compile(r'^  "((?:[^"\\]|\\.)*)" \[label="((?:[^"\\]|\\.)*)", .*\]$')


def small_tree() -> Tree:
    return build_tree(SMALL)


def nasty_tree() -> Tree:
    """Every nasty text as a question title, a choice label, a route label and a link title."""
    nodes: dict[str, Any] = {}
    ids = ["end", "graph", "style", "class", "a--b", "x-ray", "o-ring", "subgraph", "default"]
    ids += [f"q{i}" for i in range(len(ids), len(NASTY))]
    for i, text in enumerate(NASTY):
        after = ids[i + 1] if i + 1 < len(ids) else "act"
        nodes[ids[i]] = {
            "type": "question",
            "title": text,
            "choices": [{"label": text, "goto": after}, {"label": "stop", "goto": "done"}],
        }
    nodes["act"] = {
        "type": "action",
        "title": NASTY[5],
        "action": {"uses": "test.lookup"},
        "routes": [{"label": text, "goto": "hop"} for text in NASTY],
        "on_error": "done",
    }
    nodes["hop"] = {"type": "link", "title": NASTY[0], "tree": "other/tree-x", "next": "done"}
    nodes["done"] = {"type": "outcome", "status": "resolved", "title": NASTY[6]}
    return build_tree(
        {"id": "t/nasty", "version": 1, "title": NASTY[0], "start": "end", "nodes": nodes}
    )


def generated_tree(seed: int, size: int) -> Tree:
    """A random tree of every node type; labels drawn from the nasty texts."""
    rng = random.Random(seed)
    ids = [f"n{i}-{rng.choice(['a', 'b_c', 'end'])}" for i in range(size)]
    kinds = ["step", "question", "input", "action", "outcome", "link"]
    nodes = {node_id: _random_node(rng, rng.choice(kinds), ids) for node_id in ids}
    return build_tree(
        {"id": "gen/tree", "version": 1, "title": "gen", "start": ids[0], "nodes": nodes}
    )


def _random_node(rng: random.Random, kind: str, ids: list[str]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": kind, "title": rng.choice(NASTY)}
    labels = rng.sample(NASTY, rng.randint(1, 4))
    if kind in ("step", "input"):
        node["next"] = rng.choice(ids)
    elif kind == "question":
        node["choices"] = [{"label": label, "goto": rng.choice(ids)} for label in labels]
    elif kind == "action":
        node["routes"] = [{"label": label, "goto": rng.choice(ids)} for label in labels]
        if rng.random() < 0.5:
            node["on_error"] = rng.choice(ids)
    elif kind == "outcome":
        node["status"] = rng.choice(["resolved", "escalated", "unresolved"])
    elif kind == "link":
        node["tree"] = rng.choice(["other/one", "other/two", "x"])
        if rng.random() < 0.5:
            node["next"] = rng.choice(ids)
    return node


def expected_arrows(tree: Tree) -> int:
    """1 start arrow, one per choice and route, per on_error, per next, per link to its tree."""
    count = 1
    for node in tree.nodes.values():
        if isinstance(node, Question):
            count += len(node.choices)
        elif isinstance(node, Action):
            count += len(node.routes) + (1 if node.on_error else 0)
        elif isinstance(node, Link):
            count += 1 + (1 if node.next else 0)
        elif isinstance(node, (Step, Input)):
            count += 1
    return count


def decode_mermaid(text: str) -> str:
    def entity(match: re.Match[str]) -> str:
        name = match.group(1)
        named = {"quot": '"', "amp": "&", "lt": "<", "gt": ">"}
        return named[name] if name in named else chr(int(name))

    return MERMAID_ENTITY.sub(entity, text.replace("<br>", "\n"))


def decode_dot(text: str) -> str:
    out = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)
    return out.replace("&amp;", "&")


def check_mermaid_structure(source: str) -> None:
    """Every line is a known statement; quotes pair up and no label holds a raw special char."""
    lines = source.splitlines()
    assert lines[0] == "flowchart TD"
    for line in lines[1:]:
        assert line.count('"') % 2 == 0, line
        outside = re.sub(r'"[^"]*"', '""', line)
        for opening, closing in ("[]", "{}", "()"):
            assert outside.count(opening) == outside.count(closing), line
        for label in re.findall(r'"([^"]*)"', line):
            bare = MERMAID_ENTITY.sub("", label).replace("<br>", "")
            assert not set(bare) & set('"[]{}()|<>#;:%`\\'), (line, label)
        known = (MERMAID_LINE, MERMAID_EDGE)
        statement = line.startswith(("  classDef ", "  class ", "  %% "))
        assert statement or any(p.match(line) for p in known), line


def test_small_tree_as_mermaid_exactly() -> None:
    assert to_mermaid(small_tree()) == SMALL_MERMAID


def test_small_tree_as_dot_exactly() -> None:
    assert to_dot(small_tree()) == SMALL_DOT


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_tree_has_one_arrow_per_way_on(seed: int) -> None:
    tree = generated_tree(seed, 150)
    mermaid = to_mermaid(tree).splitlines()
    dot = to_dot(tree).splitlines()
    arrows = expected_arrows(tree)
    assert sum(1 for line in mermaid if MERMAID_EDGE.match(line)) == arrows
    assert sum(1 for line in dot if DOT_EDGE.match(line)) == arrows
    linked = {node.tree for node in tree.nodes.values() if isinstance(node, Link)}
    boxes = 1 + len(tree.nodes) + len(linked)
    assert sum(1 for line in mermaid if MERMAID_LINE.match(line)) == boxes
    assert sum(1 for line in dot if DOT_BOX.match(line)) == boxes
    check_mermaid_structure(to_mermaid(tree))


def test_outcomes_are_coloured_by_status() -> None:
    tree = generated_tree(4, 120)
    mermaid = to_mermaid(tree)
    for status in ("resolved", "escalated", "unresolved"):
        ids = sorted(
            mermaid_id(f"node:{n.id}")
            for n in tree.nodes.values()
            if getattr(n, "status", "") == status
        )
        line = next(
            line
            for line in mermaid.splitlines()
            if line.endswith(f" {status}") and line.startswith("  class ")
        )
        assert sorted(line.split()[1].split(",")) == ids


def test_nasty_labels_keep_mermaid_well_formed_and_round_trip() -> None:
    tree = nasty_tree()
    source = to_mermaid(tree)
    check_mermaid_structure(source)
    labels = {
        m.group(1): decode_mermaid(m.group(3))
        for m in map(MERMAID_LINE.match, source.splitlines())
        if m
    }
    for node in tree.nodes.values():
        assert labels[mermaid_id(f"node:{node.id}")] == clean_label(node.title)
    edge_labels = [
        decode_mermaid(m.group(3) or "") for m in map(MERMAID_EDGE.match, source.splitlines()) if m
    ]
    for text in NASTY:
        assert clean_label(text) in edge_labels


def test_nasty_labels_round_trip_through_dot_quoting() -> None:
    tree = nasty_tree()
    matches = (DOT_BOX.match(line) for line in to_dot(tree).splitlines())
    boxes = {m.group(1): m.group(2) for m in matches if m}
    for node in tree.nodes.values():
        assert decode_dot(boxes[f"node:{node.id}"]) == clean_label(node.title)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's 'dot' is not installed")
def test_graphviz_parses_nasty_dot_and_draws_every_label() -> None:
    tree = nasty_tree()
    done = subprocess.run(
        ["dot", "-Tsvg"],
        input=to_dot(tree).encode("utf-8"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert not done.stderr.strip(), done.stderr.decode()
    svg = ET.fromstring(done.stdout)
    drawn = {el.text for el in svg.iter("{http://www.w3.org/2000/svg}text")}
    for text in NASTY:
        for line in clean_label(text).split("\n"):
            assert line in drawn, line


def test_labels_are_cleaned_and_cut_at_the_limit() -> None:
    assert clean_label("a\x1b[31m b\t\tc \r\n\n  d ") == "a[31m b c\nd"
    cut = clean_label("word " * 40)
    assert len(cut) == LABEL_LIMIT
    assert cut.endswith("…")
    assert clean_label("\ud800x") == "\ufffdx"


def test_mermaid_ids_avoid_keywords_and_never_collide() -> None:
    names = ["end", "graph", "style", "class", "a-b", "a_b", "a--b", "A", "x/y", "é"]
    ids = [mermaid_id(f"node:{name}") for name in names]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"n_[A-Za-z0-9_]+", i) for i in ids)
    assert mermaid_id("tree:end") == "t_end"
    assert mermaid_id("entry") == "entry"


@given(st.text(), st.text())
def test_mermaid_ids_are_one_to_one(first: str, second: str) -> None:
    if first != second:
        assert mermaid_id(f"node:{first}") != mermaid_id(f"node:{second}")
    assert re.fullmatch(r"n_[A-Za-z0-9_]*", mermaid_id(f"node:{first}"))


@given(st.text())
def test_any_text_is_escaped_for_both_formats(text: str) -> None:
    label = clean_label(text)
    assert len(label) <= LABEL_LIMIT
    assert '"' not in mermaid_text(label)
    assert decode_mermaid(mermaid_text(label)) == label
    quoted = dot_label(label)
    assert DOT_QUOTED.fullmatch(quoted)
    assert decode_dot(quoted[1:-1]) == label


def test_a_missing_target_is_drawn_as_missing() -> None:
    data = {
        **SMALL,
        "nodes": {**SMALL["nodes"], "power": {"type": "step", "title": "P", "next": "gone"}},
    }
    diagram = diagram_of(build_tree(data))
    missing = [box for box in diagram.boxes if box.kind == "missing"]
    assert [(b.name, b.label) for b in missing] == [("node:gone", "missing: gone")]
    assert '  n_gone["missing#58; gone"]' in to_mermaid(build_tree(data)).splitlines()


def test_only_huge_trees_are_too_large_for_mermaid() -> None:
    small = small_tree()
    assert mermaid_too_large(small, to_mermaid(small)) == ""
    big = generated_tree(5, 400)
    assert "more than the 500 Mermaid draws" in mermaid_too_large(big, to_mermaid(big))


def test_a_title_cannot_carry_a_mermaid_directive_into_the_comment_line() -> None:
    data = {**SMALL, "title": 'T %%{init: {"theme": "dark"}}%% \n%%{init: {}}%%'}
    comment = to_mermaid(build_tree(data)).splitlines()[1]
    assert comment.startswith("  %% T %{init: ")
    assert "%%{" not in comment[5:] and "}%%" not in comment
