"""A tree's statistics, version by version: per node visits, drop-off and median time as bars."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.literal import literal

if TYPE_CHECKING:
    from engine.sessions.stats import NodeStats, VersionStats
    from engine.sessions.store import Store

EIGHTHS = " ▏▎▍▌▋▊▉"
VISITS_BAR = 8
DROP_BAR = 6
TIME_BAR = 5
# The three figure columns: a bar and its value; then each column's padding, margins, scrollbar.
COLUMNS = {"visits": VISITS_BAR + 6, "drop": DROP_BAR + 10, "time": TIME_BAR + 7}
FIXED_COLUMNS = sum(COLUMNS.values()) + 2 * 4 + 2 + 2


def bar(value: float, largest: float, width: int) -> str:
    """A horizontal bar of `width` cells, full when value is the largest, in eighths of a cell."""
    if largest <= 0 or value <= 0:
        return " " * width
    eighths = max(1, round(8 * width * min(value, largest) / largest))
    full, part = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[part] if part else "")).ljust(width)


def version_figures(store: Store, tree_id: str) -> list[VersionStats]:
    """The one place this screen reads the session store: each version's figures, newest first."""
    from engine.sessions.stats import tree_stats

    return tree_stats(store, tree_id)


class StatsScreen(Screen[None]):
    """Which node to rewrite: where walks of each version are abandoned, and where time goes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("left,[", "version(1)", "Older version", key_display="←"),
        Binding("right,]", "version(-1)", "Newer version", key_display="→"),
    ]

    def __init__(self, tree_id: str, title: str, store: Store | None) -> None:
        super().__init__()
        self.tree_id = tree_id
        self.tree_title = title
        self.store = store
        self.versions: list[VersionStats] = []
        self.shown = 0  # index into versions, 0 the newest
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble("branchwise · statistics · ", literal(self.tree_title)),
            id="stats-title",
        )
        yield Static("Reading the session store…", id="stats-summary")
        yield DataTable(id="stats-nodes", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#stats-nodes", DataTable)
        table.add_column("Node", width=max(self.app.size.width - FIXED_COLUMNS, 16), key="node")
        table.add_column("Visits", width=COLUMNS["visits"], key="visits")
        table.add_column("Drop-off", width=COLUMNS["drop"], key="drop")
        table.add_column("Median time", width=COLUMNS["time"], key="time")
        table.display = False
        if self.store is None:
            self._say("Sessions are not kept (no session store), so there is nothing to count.")
            self.loaded = True
            return
        self.run_worker(self._load, thread=True, exclusive=True)

    def _load(self) -> None:
        from engine.errors import BranchwiseError

        assert self.store is not None
        try:
            versions = version_figures(self.store, self.tree_id)
        except BranchwiseError as exc:
            self.app.call_from_thread(self._say, exc.message)
        else:
            self.app.call_from_thread(self._show_versions, versions)
        self.loaded = True

    def _say(self, text: str) -> None:
        self.query_one("#stats-summary", Static).update(literal(text))

    def _show_versions(self, versions: list[VersionStats]) -> None:
        self.versions = versions
        if not versions:
            self._say("No walks of this tree yet: its figures appear once it has been walked.")
            return
        self.shown = 0
        self._show(versions[0])

    def action_version(self, step: int) -> None:
        if not self.versions:
            return
        self.shown = min(max(self.shown + step, 0), len(self.versions) - 1)
        self._show(self.versions[self.shown])

    def _show(self, version: VersionStats) -> None:
        self.query_one("#stats-summary", Static).update(self._summary(version))
        table = self.query_one("#stats-nodes", DataTable)
        table.clear()
        table.display = True
        for row in node_rows(version.nodes):
            table.add_row(*row)

    def _summary(self, version: VersionStats) -> Content:
        summary = version.summary
        ended = " · ".join(f"{count} {status}" for status, count in summary.finished.items())
        which = f"version {summary.version}"
        if len(self.versions) > 1:
            which += f" ({self.shown + 1} of {len(self.versions)}, newest first: ← → for others)"
        walks = f"{summary.started} walk{'' if summary.started == 1 else 's'}"
        return Content(f"{which} · {walks}: {ended} · {summary.abandoned} abandoned")


def node_rows(nodes: Sequence[NodeStats]) -> list[tuple[Content, ...]]:
    """One row per node: its title, then visits, drop-off and median time as bars and text."""
    from tui.commands.stats import duration

    most_visits = max((n.visits for n in nodes), default=0)
    drops = [n.exits / n.visits if n.visits else 0.0 for n in nodes]
    worst = max(drops, default=0.0)
    slowest = max((n.median_seconds or 0.0 for n in nodes), default=0.0)
    rows: list[tuple[Content, ...]] = []
    for node, drop in zip(nodes, drops, strict=True):
        seconds = node.median_seconds or 0.0
        rows.append(
            (
                literal(" ".join(node.title.split()) or node.node),
                _bar_cell(bar(node.visits, most_visits, VISITS_BAR), str(node.visits), "$primary"),
                _bar_cell(bar(drop, worst, DROP_BAR), _drop_text(node), "$error"),
                _bar_cell(
                    bar(seconds, slowest, TIME_BAR), duration(node.median_seconds), "$warning"
                ),
            )
        )
    return rows


def _drop_text(node: NodeStats) -> str:
    if not node.exits:
        return "0"
    share = 100 * node.exits / node.visits
    return f"{node.exits} ({share:.0f}%)" if share >= 1 else f"{node.exits} (<1%)"


def _bar_cell(drawn: str, value: str, colour: str) -> Content:
    return Content.assemble((drawn, colour), " ", value)
