"""A yes/no question in a modal dialog; it dismisses with True for yes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.literal import literal


class ConfirmScreen(ModalScreen[bool]):
    """Asks before doing something that cannot be taken back, saying what it would do."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(False)", "Cancel"),
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n", "answer(False)", "No", show=False),
    ]

    def __init__(
        self, question: str, details: Sequence[str] = (), *, yes: str = "Yes", no: str = "Cancel"
    ) -> None:
        super().__init__()
        self.question = question
        self.details = list(details)
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(literal(self.question), classes="dialog-title")
            if self.details:
                yield Static(Content("\n").join(literal(d) for d in self.details), id="details")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes}  (y)", id="yes", variant="warning", compact=True)
                yield Button(f"{self.no}  (n)", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
