"""The walk's header line: branchwise · tree title · version, a DRY RUN badge, the elapsed time.

The tree named is the one the current step belongs to: a linked tree's, marked ↳, while the walk
is inside it.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from engine.walk.walker import Walk
from tui.literal import literal

DRY_RUN = Content.styled(" DRY RUN ", "bold $text-warning on $warning-muted")


def elapsed(seconds: float) -> str:
    """`0:42`, `12:05` or `1:02:03`."""
    whole = max(int(seconds), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


class WalkHeader(Widget):
    """Where the walk is: which tree, which version, how long the call has lasted.

    One line drawn by one widget (a widget more on the first frame is a millisecond more): the
    tree on the left, cut with an ellipsis when the line is short, the time on the right.
    """

    def __init__(self, walk: Walk, *, dry_run: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.walk = walk
        self.dry_run = dry_run

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh)

    def show(self, walk: Walk) -> None:
        """Show this walk's tree (a reload or a new session may bring a new one)."""
        self.walk = walk
        self.refresh()

    def render(self) -> Content:
        # Inside a linked tree, that tree is where the walk is: named with a mark saying so.
        tree = self.walk.current_tree if self.walk.visits else self.walk.tree
        linked = "↳ " if tree is not self.walk.tree else ""
        where = Content.assemble(
            " ", ("branchwise", "bold"), " · ", linked, literal(tree.title), f" · v{tree.version} "
        )
        badge = DRY_RUN if self.dry_run else Content("")
        seconds = self.walk.clock() - self.walk.started_at
        timer = Content.styled(f" ● {elapsed(seconds)} ", "$text-muted")
        room = max(self.size.width - timer.cell_length - badge.cell_length, 0)
        if where.cell_length > room:
            where = where.truncate(room, ellipsis=True)
        gap = max(self.size.width - where.cell_length - badge.cell_length - timer.cell_length, 0)
        return Content.assemble(where, badge, " " * gap, timer)
