"""The transcript at any moment of a walk: the Markdown the export gives; notes are added and
edited here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static

from engine.errors import BranchwiseError
from tui.literal import notify_plain
from tui.transcript_export import (
    copy_transcript,
    download_transcript,
    offered_where,
    save_transcript,
    transcript_markdown,
)

if TYPE_CHECKING:
    from engine.sessions.record import SessionRecord
    from engine.walk.walker import Walk


def session_markdown(walk: Walk, store: Any) -> str:
    """The walk's transcript as the store keeps it, or as the walk has it when the store cannot
    be read (a locked or damaged file)."""
    try:
        return transcript_markdown(walk, store)
    except BranchwiseError:
        return transcript_markdown(walk, None)


class TranscriptScreen(Screen[None]):
    """A walk's transcript so far (notes can be added and edited), or a stored session's."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+n,f2", "note", "Note"),
        Binding("e", "edit_note", "Edit note"),
        Binding("c", "copy", "Copy"),
        Binding("s", "save", "Save"),
        Binding("d", "download", "Download"),
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
            return session_markdown(self.walk, self.store)
        from engine.sessions.transcript import to_markdown

        return to_markdown(self.record) if self.record is not None else ""

    def compose(self) -> ComposeResult:
        yield Static(f"Transcript · session {self.session_id}", classes="screen-title")
        with VerticalScroll(id="transcript"):
            yield Markdown(self.markdown(), open_links=False)
        yield Footer(compact=True, show_command_palette=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "note":
            return self.walk is not None
        if action == "edit_note":
            return self.walk is not None and any(visit.notes for visit in self.walk.visits)
        return offered_where(action, self.app.is_web)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_copy(self) -> None:
        copy_transcript(self.app, self.markdown())

    def action_save(self) -> None:
        save_transcript(self.app, self.markdown(), self.session_id)

    def action_download(self) -> None:
        download_transcript(self.app, self.markdown(), self.session_id)

    def action_note(self) -> None:
        from tui.screens.prompt import PromptScreen

        walk = self.walk
        if walk is None:
            return

        def add(text: str | None) -> None:
            from tui.screens.walk import notify_refusal

            if not text or not text.strip():
                return
            try:
                walk.note(text)
            except BranchwiseError as error:
                notify_refusal(self.app, error)
                return
            self.query_one(Markdown).update(self.markdown())
            self.refresh_bindings()  # the first note makes "Edit note" available
            notify_plain(self.app, "Note added to the current step.")

        self.app.push_screen(PromptScreen("Note on the current step"), add)

    def action_edit_note(self) -> None:
        """Pick a note (at once when there is only one), then change its text."""
        from tui.screens.note_picker import NotePickerScreen, note_places

        walk = self.walk
        if walk is None:
            return
        places = note_places(walk)
        if len(places) == 1:
            self._edit_note(places[0])
        elif places:
            self.app.push_screen(NotePickerScreen(walk), self._edit_note)

    def _edit_note(self, place: tuple[int, int] | None) -> None:
        from tui.screens.prompt import PromptScreen

        walk = self.walk
        if walk is None or place is None:
            return
        visit, note = place

        def save(text: str | None) -> None:
            if text is None:
                return
            from tui.screens.walk import notify_refusal

            try:
                walk.edit_note(visit, note, text)
            except BranchwiseError as error:
                notify_refusal(self.app, error)
                return
            self.query_one(Markdown).update(self.markdown())
            self.refresh_bindings()
            notify_plain(self.app, "Note changed.")

        current = walk.visits[visit].notes[note]
        self.app.push_screen(PromptScreen("Edit the note", current, select=False), save)
