"""Usage statistics as a diagram overlay: where walks ended or were abandoned, ways counted.

Each node of the tree is filled by how often walks stopped there: an outcome in its status's
colour, deeper the larger the share of the version's walks that ended there; any other node on
a heat scale by its drop-off, the share of the walks reaching it that were abandoned there (open
sessions whose last step it is). A node no walk reached is grey. Each way out is labelled with
the times it was taken, and drawn thicker the busier it is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from engine.authoring.diagram import LegendEntry, Overlay, ways_out
from engine.sessions.stats import NodeStats, VersionStats
from engine.tree.model import Node, Outcome, Tree

UNVISITED = ("#eeeeee", "#9e9e9e")
UNTOUCHED = ("#ffffff", "#616161")  # visited, and no walk stopped here
# Abandoned here, as a share of the walks that reached the node: (lowest share, fill, stroke,
# legend text).
ABANDONED = (
    (0.25, "#ef5350", "#b71c1c", "abandoned here: 25% or more of the walks reaching it"),
    (0.10, "#ffa726", "#e65100", "abandoned here: 10–24% of the walks reaching it"),
    (0.0, "#ffe082", "#ff8f00", "abandoned here: under 10% of the walks reaching it"),
)
# Ended at an outcome, as a share of the version's walks: pale, medium and strong fills (dark
# text stays readable on each), and the stroke.
ENDED = {
    "resolved": ("#e8f5e9", "#a5d6a7", "#66bb6a", "#1b5e20"),
    "escalated": ("#fff3e0", "#ffcc80", "#ffa726", "#e65100"),
    "unresolved": ("#ffebee", "#ef9a9a", "#ef5350", "#b71c1c"),
}
ENDED_STEPS = (0.5, 0.2)  # a share at or above the first is deep, above the second medium


def stats_overlay(tree: Tree, figures: VersionStats | None, caption: str) -> Overlay:
    """The overlay of one version's figures on its tree (all grey when there are none)."""
    by_node = {node.node: node for node in figures.nodes} if figures is not None else {}
    started = figures.summary.started if figures is not None else 0
    ended = dict(figures.summary.outcomes) if figures is not None else {}
    nodes = {
        node.id: _node_look(node, by_node.get(node.id), ended.get(node.id, 0), started)
        for node in tree.nodes.values()
    }
    counts = dict(_counts(tree, by_node))
    return Overlay(caption, nodes, counts, legend())


def _node_look(node: Node, figures: NodeStats | None, ended: int, started: int) -> tuple[str, str]:
    if figures is None or figures.visits == 0:
        return UNVISITED[0], "never visited"
    if isinstance(node, Outcome):
        return _ended_fill(node.status, ended / started if started else 0.0), (
            f"ended here: {ended} of {started} walks ({_percent(ended, started)})"
        )
    note = f"{_times(figures.visits, 'visit')}"
    if figures.exits == 0:
        return UNTOUCHED[0], note
    share = figures.exits / figures.visits
    fill = next(fill for lowest, fill, _, _ in ABANDONED if share >= lowest)
    dropped = _percent(figures.exits, figures.visits)
    return fill, f"{note} · abandoned here: {figures.exits} ({dropped})"


def _ended_fill(status: str, share: float) -> str:
    pale, medium, strong, _ = ENDED.get(status, ENDED["resolved"])
    if share >= ENDED_STEPS[0]:
        return strong
    return medium if share >= ENDED_STEPS[1] else pale


def _percent(part: int, whole: int) -> str:
    share = 100 * part / whole if whole else 0.0
    return "under 1%" if 0 < share < 1 else f"{round(share)}%"


def _times(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _counts(tree: Tree, by_node: Mapping[str, NodeStats]) -> Iterator[tuple[tuple[str, str], int]]:
    """(node id, arrow label as the diagram draws it) -> times that way was taken."""
    for node in tree.nodes.values():
        figures = by_node.get(node.id)
        if figures is None:
            continue
        for arrow, answer in ways_out(node):
            if answer is not None:
                count = figures.taken.get(answer, 0)
            elif arrow.style == "walk":
                count = figures.visits
            else:
                count = max(0, figures.visits - figures.exits)  # the walks that moved on
            yield (node.id, arrow.label), count


def legend() -> tuple[LegendEntry, ...]:
    """What the colours mean."""
    entries = [LegendEntry(fill, stroke, text) for _, fill, stroke, text in ABANDONED]
    entries.append(LegendEntry(*UNTOUCHED, "no walk stopped here"))
    entries.append(LegendEntry(*UNVISITED, "never visited"))
    for status, (_, medium, _, stroke) in ENDED.items():
        entries.append(LegendEntry(medium, stroke, f"ended here ({status}); deeper = more walks"))
    return tuple(entries)
