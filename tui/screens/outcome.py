"""The end of a walk: the status made obvious, the outcome named, the transcript and what next.

A secret value the walk holds shows masked here too, as in the transcript.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static

from engine.errors import BranchwiseError
from tui.going_back import side_effect_lines
from tui.literal import literal, markdown_template, notify_plain
from tui.screens.transcript import session_markdown
from tui.screens.walk import notify_refusal
from tui.transcript_export import (
    copy_transcript,
    download_transcript,
    offered_where,
    save_transcript,
)

if TYPE_CHECKING:
    from engine.walk.walker import Walk
    from tui.app import BranchwiseApp

STATUS_WORDS = {
    "resolved": "✓ Resolved",
    "escalated": "▲ Escalated",
    "unresolved": "✗ Unresolved",
}


class OutcomeScreen(Screen[None]):
    """Coloured by status: resolved green, escalated amber, unresolved red."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy", "Copy"),
        Binding("s", "save", "Save"),
        Binding("d", "download", "Download"),
        Binding("n", "new_session", "New session"),
        Binding("l", "library", "Library"),
        Binding("escape", "back", "Back"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(self, walk: Walk) -> None:
        super().__init__()
        self.walk = walk

    @property
    def branchwise(self) -> BranchwiseApp:
        from tui.app import BranchwiseApp

        assert isinstance(self.app, BranchwiseApp)
        return self.app

    def compose(self) -> ComposeResult:
        walk = self.walk
        status = STATUS_WORDS.get(walk.status, walk.status)
        title = literal(walk.mask.text(walk.text(walk.node.title)))
        banner = Content.assemble((status, "bold"), "  ", title)
        yield Static(banner, id="banner", classes=f"status-{walk.status}")
        with VerticalScroll(id="outcome"):
            body = markdown_template(walk.node.body, walk.public_variables())
            if body.strip():
                yield Markdown(body, id="outcome-body")
            yield Static("Transcript", classes="section-title")
            yield Markdown(session_markdown(walk, self.branchwise.store), open_links=False)
        yield Footer(compact=True, show_command_palette=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return offered_where(action, self.app.is_web)

    def action_copy(self) -> None:
        copy_transcript(self.app, session_markdown(self.walk, self.branchwise.store))

    def action_save(self) -> None:
        text = session_markdown(self.walk, self.branchwise.store)
        save_transcript(self.app, text, self.walk.id)

    def action_download(self) -> None:
        text = session_markdown(self.walk, self.branchwise.store)
        download_transcript(self.app, text, self.walk.id)

    def action_new_session(self) -> None:
        tree = self.walk.tree
        known = tree.id in self.branchwise.library.entries
        try:
            walk = self.branchwise.new_walk(tree.id if known else tree.path, after=self.walk)
        except BranchwiseError as error:
            notify_refusal(self.app, error, "cannot start again: ")
            return
        self.branchwise.open_walk(walk)

    def action_library(self) -> None:
        self.branchwise.show_library()

    async def action_back(self) -> None:
        """Re-open the last question (a wrong key at the end is easy to undo)."""
        try:
            undone = self.walk.back()
        except BranchwiseError as error:
            notify_refusal(self.app, error)
            return
        await self.branchwise.open_walk(self.walk)
        for line in side_effect_lines(undone):
            notify_plain(self.app, line, "warning", timeout=8)

    def action_help(self) -> None:
        self.branchwise.show_help()
