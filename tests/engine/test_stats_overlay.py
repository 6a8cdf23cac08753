"""Statistics drawn on a diagram: fills by where walks stopped, notes, counts on the arrows."""

from __future__ import annotations

from engine.authoring.diagram import to_dot, to_mermaid
from engine.authoring.stats_overlay import stats_overlay
from engine.sessions.stats import NodeStats, VersionStats, VersionSummary
from engine.tree.builder import build_tree
from tests.engine.test_diagram import SMALL

TREE = build_tree(SMALL)


def node(node_id: str, visits: int, exits: int = 0, **taken: int) -> NodeStats:
    return NodeStats(node_id, node_id, "step", visits, exits, 4.0, dict(taken))


FIGURES = VersionStats(
    VersionSummary(
        "demo/small", 2, "Small demo", 10, {"resolved": 6, "escalated": 1, "unresolved": 0}, 3,
        {"done": 6, "give-up": 1},
    ),
    (
        node("ask", 10, 1, Yes=6, No=3),
        node("power", 3, 2),
        node("enter", 1),
        node("check", 7, 0, Found=6, error=1),
        node("done", 6),
        node("give-up", 1),
    ),
)  # fmt: skip


def test_each_node_gets_a_fill_and_a_note_from_its_figures():
    overlay = stats_overlay(TREE, FIGURES, "10 walks of version 2")
    assert overlay.nodes == {
        "ask": ("#ffa726", "10 visits · abandoned here: 1 (10%)"),
        "power": ("#ef5350", "3 visits · abandoned here: 2 (67%)"),
        "enter": ("#ffffff", "1 visit"),
        "check": ("#ffffff", "7 visits"),
        "other": ("#eeeeee", "never visited"),
        "done": ("#66bb6a", "ended here: 6 of 10 walks (60%)"),
        "give-up": ("#fff3e0", "ended here: 1 of 10 walks (10%)"),
        "end": ("#eeeeee", "never visited"),
    }
    assert overlay.counts == {
        ("ask", "Yes"): 6,
        ("ask", "No"): 3,
        ("power", ""): 1,
        ("enter", ""): 1,
        ("check", "Found"): 6,
        ("check", "Not found"): 0,
        ("check", "error"): 1,
    }


def test_the_overlay_is_drawn_in_dot_and_mermaid():
    overlay = stats_overlay(TREE, FIGURES, "10 walks of version 2")
    dot = to_dot(TREE, overlay)
    assert "Small demo (demo/small v2) · 10 walks of version 2" in dot
    assert (
        '"node:power" [label="Plug it in\\n3 visits · abandoned here: 2 (67%)", shape=box, '
        'fillcolor="#ef5350"]'
    ) in dot
    assert '"node:ask" -> "node:check" [label="Yes (6)", penwidth=6.0]' in dot
    assert '"node:check" -> "node:give-up" [label="error (1)", style=dashed, penwidth=1.8]' in dot
    mermaid = to_mermaid(TREE, overlay)
    assert "  style n_power fill:#ef5350" in mermaid
    assert '  n_ask -->|"Yes #40;6#41;"| n_check' in mermaid
    assert "  style legend0 fill:#ef5350,stroke:#b71c1c" in mermaid


def test_without_figures_every_node_is_never_visited_and_no_overlay_changes_nothing():
    overlay = stats_overlay(TREE, None, "no walks")
    assert {fill for fill, _ in overlay.nodes.values()} == {"#eeeeee"}
    assert overlay.counts == {}
    assert to_dot(TREE, None) == to_dot(TREE)
