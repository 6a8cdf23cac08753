"""The library: every tree, filtered as you type; open sessions to resume and recent ones below."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from engine.errors import BranchwiseError
from engine.text import plain
from tui.literal import literal, notify_plain

if TYPE_CHECKING:
    from engine.library.index import Entry
    from engine.sessions.record import SessionSummary
    from tui.app import BranchwiseApp

RECENT_SESSIONS = 20
WIDE = 100  # columns from which the table has room for tags; narrower, the summary lists them
MIN_TAGS = 18
MAX_ROWS = 100  # a table of thousands rebuilt on every key would lag behind typing
LAST_USED_SCAN = 1000


def when(timestamp: float | None, now: float) -> str:
    """A short, human time: `14:02` today, `3d ago` this month, else the date."""
    if timestamp is None:
        return ""
    age = now - timestamp
    if age < 86400 and time.localtime(timestamp).tm_yday == time.localtime(now).tm_yday:
        return time.strftime("%H:%M", time.localtime(timestamp))
    if age < 30 * 86400:
        return f"{max(int(age // 86400), 1)}d ago"
    return time.strftime("%Y-%m-%d", time.localtime(timestamp))


class SearchBox(Input):
    """The filter box; Enter in it opens the tree under the cursor, and the footer says so."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "submit", "Open")]


class LibraryScreen(Screen[None]):
    """Find the right tree in seconds: type, see the table shrink, press Enter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("enter", "open", "Open"),
        # s on the table; F2 also while typing in the search box, which takes the s.
        Binding("s,f2", "stats", "Statistics", key_display="s/F2"),
        Binding("f1", "help", "Help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[Entry] = []
        self.last_used: dict[str, float] = {}
        self.tags_column = False  # whether the table lists tags (wide enough when it was made)

    @property
    def branchwise(self) -> BranchwiseApp:
        from tui.app import BranchwiseApp

        assert isinstance(self.app, BranchwiseApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield Static("branchwise · library", id="library-title")
        yield SearchBox(
            placeholder="Type to filter by title, tag, product or any step", id="search"
        )
        yield DataTable(id="trees", cursor_type="row", zebra_stripes=True)
        yield Static(id="tree-summary")
        yield Static(id="sessions-title", classes="section-title")
        yield DataTable(id="sessions", cursor_type="row")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.last_used = self._last_used()
        self.entries = sorted(
            self.branchwise.library.entries.values(),
            key=lambda e: (-self.last_used.get(e.id, 0.0), e.title.casefold()),
        )
        self._tree_columns()
        self.show_trees("")
        self.show_sessions()
        self.query_one("#search", Input).focus()

    def _tree_columns(self) -> None:
        """Title first: in 80 columns a whole title matters more than its tags, which the
        summary of the tree under the cursor lists instead; wider, the tags get what the
        longest title leaves."""
        table = self.query_one("#trees", DataTable)
        # Chosen once: the rows must keep the columns they were made for after a resize.
        self.tags_column = self.app.size.width >= WIDE
        width = max(self.app.size.width - 6, 40)
        product = 14 if self.tags_column else 12
        rest = width - product - 10 - (6 if self.tags_column else 4)
        longest = max((len(entry.title) for entry in self.entries), default=0)
        title = min(rest - MIN_TAGS, max(longest, MIN_TAGS)) if self.tags_column else rest
        table.add_column("Title", width=title, key="title")
        table.add_column("Product", width=product, key="product")
        if self.tags_column:
            table.add_column("Tags", width=rest - title, key="tags")
        table.add_column("Last used", width=10, key="used")

    def show_trees(self, query: str) -> None:
        """Show the trees matching every word of the query, best match first (the first MAX_ROWS
        of them); without a query, the last used first."""
        table = self.query_one("#trees", DataTable)
        table.clear()
        now = self.branchwise.clock()
        matching = self._matching(query)
        for entry in matching[:MAX_ROWS]:
            tags = [literal(", ".join(entry.tags))] if self.tags_column else []
            used = when(self.last_used.get(entry.id), now)
            table.add_row(literal(entry.title), literal(entry.product), *tags, used, key=entry.id)
        self.query_one("#library-title", Static).update(self._count(len(matching)))
        self._show_summary(matching[0] if matching else None)

    def _matching(self, query: str) -> list[Entry]:
        """The trees holding every word of the query, by rank; last used first among equals."""
        if not query.strip():
            return self.entries
        ranked = [(entry.rank(query), entry) for entry in self.entries]
        found = [(rank, entry) for rank, entry in ranked if rank is not None]
        return [entry for _, entry in sorted(found, key=lambda pair: pair[0])]

    def _show_summary(self, entry: Entry | None) -> None:
        """The summary of the tree under the cursor, with its id, version and size."""
        shown = self.query_one("#tree-summary", Static)
        shown.display = entry is not None
        if entry is None:
            return
        facts = [entry.id, f"v{entry.version}", f"{entry.nodes} steps"]
        if entry.tags and not self.tags_column:
            facts.append(", ".join(entry.tags))
        about = Content.styled(plain(" · ".join(facts)), "dim")
        summary = literal(" ".join(entry.summary.split()))
        shown.update(Content.assemble(about, " — ", summary) if entry.summary else about)

    @on(DataTable.RowHighlighted, "#trees")
    def _tree_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        self._show_summary(self.branchwise.library.entries.get(key) if key else None)

    def _count(self, matching: int) -> str:
        total = len(self.entries)
        shown = f"{matching:,} of {total:,} trees" if matching != total else f"{total:,} trees"
        if matching > MAX_ROWS:
            shown += f", the first {MAX_ROWS} shown: type to narrow"
        return f"branchwise · library · {shown}"

    def _last_used(self) -> dict[str, float]:
        store = self.branchwise.store
        if store is None:
            return {}
        used: dict[str, float] = {}
        for summary in store.list_sessions(limit=LAST_USED_SCAN):
            used.setdefault(summary.tree_id, summary.started_at)
        return used

    def show_sessions(self) -> None:
        """Open sessions (resumable) first, then the most recent finished ones."""
        store = self.branchwise.store
        table = self.query_one("#sessions", DataTable)
        title = self.query_one("#sessions-title", Static)
        if store is None:
            title.update("Sessions are not kept (no session store)")
            table.display = False
            return
        opened = store.open_sessions()
        ended = [s for s in store.list_sessions(limit=RECENT_SESSIONS) if s.status != "open"]
        title.update(f"Open sessions ({len(opened)}) · recent sessions — Enter resumes")
        width = max(self.app.size.width - 6, 40)
        table.add_column("Status", width=10)
        table.add_column("Tree", width=width - 10 - 5 - 10 - 8 - 10 - 10)
        table.add_column("Steps", width=5)
        table.add_column("Started", width=10)
        table.add_column("Agent", width=8)
        table.add_column("Ticket", width=10)
        now = self.branchwise.clock()
        for summary in [*opened, *ended]:
            table.add_row(*self._session_row(summary, now), key=summary.id)
        table.display = bool(opened or ended)

    def _session_row(self, summary: SessionSummary, now: float) -> list[Any]:
        return [
            summary.status,
            literal(summary.tree_title or summary.tree_id),
            str(summary.steps),
            when(summary.started_at, now),
            literal(summary.agent),
            literal(summary.ticket),
        ]

    @on(Input.Changed, "#search")
    def _filter(self, event: Input.Changed) -> None:
        self.show_trees(event.value)

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_open()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key is None:
            return
        if event.data_table.id == "sessions":
            self.open_session(key)
        else:
            self.open_tree(key)

    def action_move(self, step: int) -> None:
        table = self.query_one("#trees", DataTable)
        table.move_cursor(row=table.cursor_row + step)

    def action_open(self) -> None:
        """Open the tree under the cursor (Enter in the search box)."""
        tree_id = self._tree_under_cursor()
        if tree_id is not None:
            self.open_tree(tree_id)

    def _tree_under_cursor(self) -> str | None:
        table = self.query_one("#trees", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return None if key is None else str(key)

    def open_tree(self, tree_id: str) -> None:
        try:
            walk = self.branchwise.new_walk(tree_id)
        except BranchwiseError as exc:
            notify_plain(self.app, exc.message, "error", timeout=10)
            return
        self.branchwise.open_walk(walk)

    def open_session(self, session_id: str) -> None:
        """Resume an open session; show the transcript of an ended one."""
        app = self.branchwise
        try:
            record = app.store.load(session_id)
            if record.status != "open":
                app.show_record(record)
                return
            from engine.sessions.resume import resume_walk
            from tui.walk_factory import build_runner

            runner = app.runner or build_runner(app.library, app.options)
            resumed = resume_walk(app.store, session_id, app.library, runner)
        except BranchwiseError as exc:
            notify_plain(app, exc.message, "error", timeout=10)
            return
        for message in resumed.messages:
            notify_plain(app, message, "warning", timeout=10)
        app.open_walk(resumed.walk)

    def action_stats(self) -> None:
        """The statistics of the tree under the cursor, version by version."""
        from tui.screens.stats import StatsScreen

        entry = self.branchwise.library.entries.get(self._tree_under_cursor() or "")
        if entry is not None:
            self.app.push_screen(StatsScreen(entry.id, entry.title, self.branchwise.store))

    def action_help(self) -> None:
        self.branchwise.show_help()
