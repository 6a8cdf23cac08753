"""A tree as a diagram: Mermaid flowchart or Graphviz dot source, with every label escaped."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from engine.text import plain
from engine.tree.model import Action, Input, Link, Node, Outcome, Question, Step, Tree

LABEL_LIMIT = 60
ENTRY = "entry"
# Mermaid's own defaults, which a diagram cannot raise: GitHub and GitLab refuse anything larger.
MERMAID_MAX_EDGES = 500
MERMAID_MAX_TEXT = 50_000


@dataclass(frozen=True, slots=True)
class Box:
    """One drawn node: a tree node, another tree a link walks, the start mark or a missing id."""

    name: str  # "entry", "node:ID" or "tree:ID": unique within one diagram
    kind: str  # a node type, or "entry", "tree", "missing"
    label: str
    status: str = ""
    fill: str = ""  # a colour an overlay gives it (usage statistics)


@dataclass(frozen=True, slots=True)
class Arrow:
    """One drawn edge; style is "solid", "error" (dashed), "walk" (bold, into another tree) or
    "missing" (dashed red, to a node that does not exist)."""

    source: str
    target: str
    label: str = ""
    style: str = "solid"
    width: float = 1.0  # an overlay draws busier arrows thicker


@dataclass(frozen=True, slots=True)
class Diagram:
    """What both formats draw, in the tree file's order."""

    title: str
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    legend: tuple[LegendEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One line of an overlay's legend: a sample box's colours and what they mean."""

    fill: str
    stroke: str
    text: str


@dataclass(frozen=True)
class Overlay:
    """Figures drawn over a tree's diagram: per node a fill and a line under its title, per way
    out a count, a caption for the title and a legend (engine.authoring.stats_overlay)."""

    caption: str
    nodes: Mapping[str, tuple[str, str]]  # node id -> (fill colour, note under the title)
    counts: Mapping[tuple[str, str], int]  # (node id, arrow label) -> times taken
    legend: tuple[LegendEntry, ...] = ()


MAX_WIDTH = 6.0


def overlaid(diagram: Diagram, overlay: Overlay | None) -> Diagram:
    """The diagram with an overlay's colours, notes, counts and legend, or as it is without one."""
    if overlay is None:
        return diagram
    boxes = tuple(_overlaid_box(box, overlay) for box in diagram.boxes)
    busiest = max(overlay.counts.values(), default=0)
    arrows = tuple(_counted_arrow(arrow, overlay, busiest) for arrow in diagram.arrows)
    title = f"{diagram.title} · {clean_label(overlay.caption, 2 * LABEL_LIMIT)}"
    return Diagram(title.replace("\n", " "), boxes, arrows, overlay.legend)


def _overlaid_box(box: Box, overlay: Overlay) -> Box:
    kind, _, node_id = box.name.partition(":")
    if kind != "node" or node_id not in overlay.nodes:
        return box
    fill, note = overlay.nodes[node_id]
    label = f"{box.label}\n{clean_label(note)}" if note else box.label
    return replace(box, label=label, fill=fill)


def _counted_arrow(arrow: Arrow, overlay: Overlay, busiest: int) -> Arrow:
    kind, _, node_id = arrow.source.partition(":")
    count = overlay.counts.get((node_id, arrow.label)) if kind == "node" else None
    if count is None:
        return arrow
    label = f"{arrow.label} ({count})" if arrow.label else str(count)
    width = 1.0 + (MAX_WIDTH - 1.0) * count / busiest if busiest else 1.0
    return replace(arrow, label=label, width=round(width, 1))


def clean_label(text: str, limit: int = LABEL_LIMIT) -> str:
    """Display text for a label: no controls, spaces collapsed, lines kept, cut with … at limit."""
    text = _printable(text)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    text = "\n".join(line for line in lines if line)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _printable(text: str) -> str:
    # plain() also replaces a lone surrogate, which could not be written as UTF-8 at output.
    return plain(text)


def diagram_of(tree: Tree) -> Diagram:
    """The boxes and arrows of a tree, with the start marked and other trees drawn once each."""
    arrows = [Arrow(ENTRY, _node_name(tree.start))]
    for node in tree.nodes.values():
        arrows.extend(arrow for arrow, _ in ways_out(node))
    boxes = [Box(ENTRY, "entry", "Start")]
    boxes.extend(_box_of(node) for node in tree.nodes.values())
    drawn = {box.name for box in boxes}
    for arrow in arrows:
        if arrow.target not in drawn:
            drawn.add(arrow.target)
            boxes.append(_extra_box(arrow.target))
    missing = {box.name for box in boxes if box.kind == "missing"}
    arrows = [replace(a, style="missing") if a.target in missing else a for a in arrows]
    title = clean_label(f"{tree.title or tree.id} ({tree.id} v{tree.version})", 2 * LABEL_LIMIT)
    return Diagram(title.replace("\n", " "), tuple(boxes), tuple(arrows))


def _node_name(node_id: str) -> str:
    return f"node:{node_id}"


def _box_of(node: Node) -> Box:
    label = clean_label(node.title) or clean_label(node.id)
    status = node.status if isinstance(node, Outcome) else ""
    return Box(_node_name(node.id), node.type, label, status)


def _extra_box(name: str) -> Box:
    kind, _, ident = name.partition(":")
    if kind == "tree":
        return Box(name, "tree", clean_label(ident) or "(no tree)")
    return Box(name, "missing", clean_label(f"missing: {ident or '(empty)'}"))


def ways_out(node: Node) -> Iterator[tuple[Arrow, str | None]]:
    """Each arrow out of a node, with the answer it stands for among the answers a session
    records (a choice's or a route's label, "error"), or None for the node's way on (into a
    linked tree, then on from it, or a step's next)."""
    source = _node_name(node.id)
    if isinstance(node, Question):
        for choice in node.choices:
            yield Arrow(source, _node_name(choice.goto), clean_label(choice.label)), choice.label
    elif isinstance(node, Action):
        for route in node.routes:
            yield Arrow(source, _node_name(route.goto), clean_label(route.label)), route.label
        if node.on_error:
            yield Arrow(source, _node_name(node.on_error), "error", "error"), "error"
    elif isinstance(node, Link):
        yield Arrow(source, f"tree:{node.tree}", "walks", "walk"), None
        if node.next:
            yield Arrow(source, _node_name(node.next), "then"), None
    elif isinstance(node, (Step, Input)):
        yield Arrow(source, _node_name(node.next)), None


# --- Mermaid ---------------------------------------------------------------------------------

_MERMAID_SHAPES = {
    "entry": ('(("', '"))'),
    "step": ('["', '"]'),
    "question": ('{"', '"}'),
    "input": ('[/"', '"/]'),
    "action": ('{{"', '"}}'),
    "outcome": ('(["', '"])'),
    "link": ('[["', '"]]'),
    "tree": ('[("', '")]'),
    "missing": ('["', '"]'),
}
_MERMAID_ARROWS = {"solid": "-->", "error": "-.->", "walk": "==>", "missing": "-.->"}
_MERMAID_MISSING_LINK = "stroke:#c62828,color:#c62828"
_MERMAID_CLASSES = (
    ("entry", "fill:#37474f,stroke:#37474f,color:#ffffff"),
    ("resolved", "fill:#c8e6c9,stroke:#2e7d32,color:#1b5e20"),
    ("escalated", "fill:#ffe0b2,stroke:#ef6c00,color:#7a3e00"),
    ("unresolved", "fill:#ffcdd2,stroke:#c62828,color:#7f0000"),
    ("tree", "fill:#e3f2fd,stroke:#1565c0,stroke-dasharray:4 3"),
    ("missing", "fill:#ffffff,stroke:#c62828,stroke-dasharray:2 2,color:#c62828"),
)
_MERMAID_NAMED = {'"': "#quot;", "&": "#amp;", "<": "#lt;", ">": "#gt;"}
# Characters with a meaning to Mermaid's parser or its entity pass, written as `#CODE;`: `:`
# and `;` too, because Mermaid strips the last `;` of a line matching `style…:…#…;`, and ﬂ and ¶
# because Mermaid uses them as its own entity placeholders.
_MERMAID_CODED = frozenset("#;:%|[](){}`\\ﬂ¶")
_PERCENTS = re.compile("%+")


def to_mermaid(tree: Tree, overlay: Overlay | None = None) -> str:
    """The tree as a Mermaid flowchart (renders on GitHub and GitLab)."""
    diagram = overlaid(diagram_of(tree), overlay)
    # Mermaid reads a %%{…}%% directive anywhere, comments too: the title's %% are made single.
    lines = ["flowchart TD", f"  %% {_PERCENTS.sub('%', diagram.title)}"]
    lines.extend(f"  {_mermaid_box(box)}" for box in diagram.boxes)
    lines.extend(f"  {_mermaid_arrow(arrow)}" for arrow in diagram.arrows)
    lines.extend(f"  classDef {name} {style}" for name, style in _MERMAID_CLASSES)
    lines.extend(f"  class {','.join(ids)} {name}" for name, ids in _mermaid_classes(diagram))
    lines.extend(_mermaid_overlay(diagram))
    broken = [str(i) for i, arrow in enumerate(diagram.arrows) if arrow.style == "missing"]
    if broken:
        lines.append(f"  linkStyle {','.join(broken)} {_MERMAID_MISSING_LINK}")
    return "\n".join(lines) + "\n"


def _mermaid_overlay(diagram: Diagram) -> Iterator[str]:
    """Fills, arrow widths and the legend of an overlay; nothing without one."""
    for box in diagram.boxes:
        if box.fill:
            yield f"  style {mermaid_id(box.name)} fill:{box.fill}"
    for index, arrow in enumerate(diagram.arrows):
        if arrow.width != 1.0:
            yield f"  linkStyle {index} stroke-width:{arrow.width}px"
    if diagram.legend:
        yield '  subgraph legend["Legend"]'
        yield "    direction TB"
        for index, entry in enumerate(diagram.legend):
            yield f'    legend{index}["{mermaid_text(entry.text)}"]'
        yield "  end"
        for index, entry in enumerate(diagram.legend):
            yield f"  style legend{index} fill:{entry.fill},stroke:{entry.stroke}"


def mermaid_too_large(tree: Tree, text: str) -> str:
    """Why usual Mermaid renderers will refuse the tree's flowchart text, or "" when they won't."""
    edges = len(diagram_of(tree).arrows)
    if edges > MERMAID_MAX_EDGES:
        return f"{edges} arrows, more than the {MERMAID_MAX_EDGES} Mermaid draws by default"
    if len(text) > MERMAID_MAX_TEXT:
        return f"{len(text)} characters, more than the {MERMAID_MAX_TEXT} Mermaid reads by default"
    return ""


def mermaid_id(name: str) -> str:
    """A Mermaid node id for a box name: only [A-Za-z0-9_], never a keyword, one per name.

    Lowercase letters and digits stay, `-` becomes `_`, anything else `Z<hex>Z`; the prefix
    keeps words such as `end` or `graph` from reading as keywords.
    """
    kind, colon, ident = name.partition(":")
    if not colon:
        return kind
    return f"{kind[0]}_" + "".join(_mermaid_id_char(c) for c in ident)


def _mermaid_id_char(char: str) -> str:
    if char == "-":
        return "_"
    if char.isascii() and (char.islower() or char.isdigit()):
        return char
    return f"Z{ord(char):x}Z"


def mermaid_text(text: str) -> str:
    """Label text for inside Mermaid's double quotes: entity codes, lines joined by <br>."""
    return "<br>".join("".join(_mermaid_char(c) for c in line) for line in text.split("\n"))


def _mermaid_char(char: str) -> str:
    if char in _MERMAID_NAMED:
        return _MERMAID_NAMED[char]
    return f"#{ord(char)};" if char in _MERMAID_CODED else char


def _mermaid_box(box: Box) -> str:
    opening, closing = _MERMAID_SHAPES.get(box.kind, _MERMAID_SHAPES["step"])
    return f"{mermaid_id(box.name)}{opening}{mermaid_text(box.label)}{closing}"


def _mermaid_arrow(arrow: Arrow) -> str:
    link = _MERMAID_ARROWS[arrow.style]
    if arrow.label:
        link = f'{link}|"{mermaid_text(arrow.label)}"|'
    return f"{mermaid_id(arrow.source)} {link} {mermaid_id(arrow.target)}"


def _mermaid_classes(diagram: Diagram) -> Iterator[tuple[str, list[str]]]:
    for name, _style in _MERMAID_CLASSES:
        ids = [mermaid_id(box.name) for box in diagram.boxes if _class_of(box) == name]
        if ids:
            yield name, ids


def _class_of(box: Box) -> str:
    return box.status if box.kind == "outcome" else box.kind


# --- Graphviz dot ----------------------------------------------------------------------------

_DOT_SHAPES = {
    "entry": 'shape=circle, fillcolor="#37474f", color="#37474f", fontcolor="#ffffff"',
    "step": "shape=box",
    "question": "shape=diamond",
    "input": "shape=parallelogram",
    "action": "shape=hexagon",
    "outcome": 'shape=box, style="rounded,filled"',
    "link": "shape=box, peripheries=2",
    "tree": 'shape=folder, fillcolor="#e3f2fd", color="#1565c0"',
    "missing": 'shape=box, style="dashed", color="#c62828", fontcolor="#c62828"',
}
_DOT_STATUS = {
    "resolved": 'fillcolor="#c8e6c9", color="#2e7d32"',
    "escalated": 'fillcolor="#ffe0b2", color="#ef6c00"',
    "unresolved": 'fillcolor="#ffcdd2", color="#c62828"',
}
_DOT_ARROWS = {
    "solid": "",
    "error": ", style=dashed",
    "walk": ", style=bold",
    "missing": ', style=dashed, color="#c62828", fontcolor="#c62828"',
}


def to_dot(tree: Tree, overlay: Overlay | None = None) -> str:
    """The tree as Graphviz dot source, every id and label quoted."""
    diagram = overlaid(diagram_of(tree), overlay)
    lines = [
        f"digraph {_dot_id(tree.id)} {{",
        f"  graph [label={dot_label(diagram.title)}, labelloc=t, fontname=Helvetica]",
        '  node [fontname=Helvetica, fontsize=11, style=filled, fillcolor="#ffffff"]',
        "  edge [fontname=Helvetica, fontsize=10]",
    ]
    lines.extend(f"  {_dot_box(box)}" for box in diagram.boxes)
    lines.extend(f"  {_dot_arrow(arrow)}" for arrow in diagram.arrows)
    lines.extend(_dot_legend(diagram.legend))
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_string(text: str) -> str:
    """A dot quoted string: backslashes and quotes escaped, newlines as \\n."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _dot_id(name: str) -> str:
    return dot_string(_printable(name))


def dot_label(text: str) -> str:
    """A dot label: quoted, with `&` written as an entity since Graphviz decodes entities."""
    return dot_string(text.replace("&", "&amp;"))


def _dot_box(box: Box) -> str:
    attributes = f"label={dot_label(box.label)}, {_DOT_SHAPES.get(box.kind, 'shape=box')}"
    if box.status in _DOT_STATUS:
        attributes += f", {_DOT_STATUS[box.status]}"
    if box.fill:
        attributes += f", fillcolor={dot_string(box.fill)}"
    return f"{_dot_id(box.name)} [{attributes}]"


def _dot_arrow(arrow: Arrow) -> str:
    label = f"label={dot_label(arrow.label)}" if arrow.label else ""
    width = f", penwidth={arrow.width}" if arrow.width != 1.0 else ""
    attributes = (label + _DOT_ARROWS[arrow.style] + width).lstrip(", ")
    edge = f"{_dot_id(arrow.source)} -> {_dot_id(arrow.target)}"
    return f"{edge} [{attributes}]" if attributes else edge


def _dot_legend(legend: tuple[LegendEntry, ...]) -> Iterator[str]:
    """An overlay's legend as a boxed cluster of sample nodes, stacked by invisible edges."""
    if not legend:
        return
    yield '  subgraph "cluster_legend" {'
    yield '    label="Legend"; fontsize=11; color="#9e9e9e"'
    for index, entry in enumerate(legend):
        colours = f"fillcolor={dot_string(entry.fill)}, color={dot_string(entry.stroke)}"
        yield f'    "legend:{index}" [label={dot_label(entry.text)}, shape=box, {colours}]'
    for index in range(1, len(legend)):
        yield f'    "legend:{index - 1}" -> "legend:{index}" [style=invis]'
    yield "  }"
