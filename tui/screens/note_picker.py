"""A modal listing a walk's notes with their steps; it dismisses with the one chosen, or None."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from engine.walk.walker import Walk
from tui.going_back import step_title
from tui.literal import literal

NotePlace = tuple[int, int]
"""(visit index, note index within the visit)."""


def note_places(walk: Walk) -> list[NotePlace]:
    """Where every note of the walk is, in the order of the path."""
    return [(v, n) for v, visit in enumerate(walk.visits) for n in range(len(visit.notes))]


class NotePickerScreen(ModalScreen[NotePlace | None]):
    """Which note to edit: each shown under the title of its step; Enter picks, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, walk: Walk) -> None:
        super().__init__()
        self.walk = walk

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Edit which note?", classes="dialog-title")
            yield OptionList(*self._options(), id="notes")
            yield Static("Enter to edit · Escape to cancel", classes="dialog-hint")

    def _options(self) -> list[Option]:
        options = []
        for visit, note in note_places(self.walk):
            line = Content.assemble(
                literal(step_title(self.walk, visit)).stylize("dim"),
                "\n  ",
                literal(self.walk.visits[visit].notes[note]),
            )
            options.append(Option(line, id=f"{visit}:{note}"))
        return options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        visit, note = (event.option.id or "0:0").split(":")
        self.dismiss((int(visit), int(note)))

    def action_cancel(self) -> None:
        self.dismiss(None)
