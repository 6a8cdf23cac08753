"""An input node's prompt, its text box, and the reason under the box while the value is invalid."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from tui.literal import literal

Validator = Callable[[str], "str | None"]


class InputPanel(Vertical):
    """Asks for a value; Enter submits it when the walk would take it."""

    class Submitted(Message):
        """A value the walk accepts was entered."""

        def __init__(self, value: str) -> None:
            super().__init__()
            self.value = value

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._validate: Validator = lambda text: None

    def compose(self) -> ComposeResult:
        yield Static(id="prompt")
        yield Input(id="value")
        yield Static(id="reason")

    def ask(self, prompt: str, validate: Validator, value: str = "") -> None:
        """Ask for a new value with this prompt, checked by `validate` as it is typed."""
        self._validate = validate
        self.query_one("#prompt", Static).update(literal(prompt))
        box = self.query_one("#value", Input)
        box.value = value
        self.show_reason(None)

    def focus_box(self) -> None:
        self.query_one("#value", Input).focus(scroll_visible=False)

    def show_reason(self, reason: str | None) -> None:
        """Show why the value is refused, or nothing when it is fine."""
        shown = self.query_one("#reason", Static)
        shown.update(literal(reason or ""))
        shown.display = bool(reason)
        self.query_one("#value", Input).set_class(bool(reason), "-invalid")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        # Nothing typed yet is not worth a complaint; Enter on it still says why.
        self.show_reason(self._validate(event.value) if event.value else None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        reason = self._validate(event.value)
        self.show_reason(reason)
        if reason is None:
            self.post_message(self.Submitted(event.value))
