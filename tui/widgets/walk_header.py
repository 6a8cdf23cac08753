"""The walk's header line: branchwise · tree title · version, a DRY RUN badge, the elapsed time."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from engine.walker import Walk
from tui.literal import literal


def elapsed(seconds: float) -> str:
    """`0:42`, `12:05` or `1:02:03`."""
    whole = max(int(seconds), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


class WalkHeader(Horizontal):
    """Where the walk is: which tree, which version, how long the call has lasted."""

    def __init__(self, walk: Walk, *, dry_run: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.walk = walk
        self.dry_run = dry_run

    def compose(self) -> ComposeResult:
        yield Static(id="where")
        yield Static("DRY RUN", id="dry-run")
        yield Static(id="timer")

    def on_mount(self) -> None:
        self.query_one("#dry-run").display = self.dry_run
        self.show(self.walk)
        self.set_interval(1.0, self.tick)

    def show(self, walk: Walk) -> None:
        """Show this walk's tree (a reload or a new session may bring a new one)."""
        self.walk = walk
        where = Content.assemble(
            ("branchwise", "bold"), " · ", literal(walk.tree.title), f" · v{walk.tree.version}"
        )
        self.query_one("#where", Static).update(where)
        self.tick()

    def tick(self) -> None:
        seconds = self.walk.clock() - self.walk.started_at
        self.query_one("#timer", Static).update(f"● {elapsed(seconds)}")
