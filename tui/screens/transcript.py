"""The transcript at any moment of a walk: the Markdown the export gives; notes are added here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static

from tui.literal import notify_plain
from tui.transcript_export import copy_transcript, save_transcript, transcript_markdown

if TYPE_CHECKING:
    from engine.record import SessionRecord
    from engine.walker import Walk


class TranscriptScreen(Screen[None]):
    """A walk's transcript so far (notes can be added), or a stored session's; Escape closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+n", "note", "Note"),
        Binding("c", "copy", "Copy"),
        Binding("s", "save", "Save"),
    ]

    def __init__(
        self, walk: Walk | None = None, store: Any = None, record: SessionRecord | None = None
    ) -> None:
        super().__init__()
        self.walk = walk
        self.store = store
        self.record = record

    @property
    def session_id(self) -> str:
        return self.walk.id if self.walk is not None else self.record.id if self.record else ""

    def markdown(self) -> str:
        """The Markdown the export gives for this session."""
        if self.walk is not None:
            return transcript_markdown(self.walk, self.store)
        from engine.transcript import to_markdown

        return to_markdown(self.record) if self.record is not None else ""

    def compose(self) -> ComposeResult:
        yield Static(f"Transcript · session {self.session_id}", classes="screen-title")
        with VerticalScroll(id="transcript"):
            yield Markdown(self.markdown(), open_links=False)
        yield Footer(compact=True, show_command_palette=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.walk is not None if action == "note" else True

    def action_close(self) -> None:
        self.dismiss(None)

    def action_copy(self) -> None:
        copy_transcript(self.app, self.markdown())

    def action_save(self) -> None:
        save_transcript(self.app, self.markdown(), self.session_id)

    def action_note(self) -> None:
        from tui.screens.prompt import PromptScreen

        walk = self.walk
        if walk is None:
            return

        def add(text: str | None) -> None:
            if text and text.strip():
                walk.note(text)
                self.query_one(Markdown).update(self.markdown())
                notify_plain(self.app, "Note added to the current step.")

        self.app.push_screen(PromptScreen("Note on the current step"), add)
