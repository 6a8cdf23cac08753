"""A modal asking for one line of text (a note, a file name); it dismisses with the text or None."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.literal import literal


class PromptScreen(ModalScreen[str | None]):
    """One question, one text box; Enter gives the text, Escape gives None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, question: str, value: str = "", *, placeholder: str = "", select: bool = True
    ) -> None:
        """`select`: the value starts selected (typing replaces it), else the cursor is after it."""
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder
        self.select = select

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self.question), classes="dialog-title")
            yield Input(
                self.value, placeholder=self.placeholder, select_on_focus=self.select, id="answer"
            )
            yield Static("Enter to confirm · Escape to cancel", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
