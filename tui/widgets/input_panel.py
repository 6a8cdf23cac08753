"""An input node's prompt, its text box, and the reason under the box while the value is invalid.

The box takes several lines: a pasted compiler output or log keeps every line (the choices
after an input often match a later one). Enter submits, as on every other node; ctrl+j (or
shift+enter where the terminal tells it apart) starts a new line, and the hint under the box
says so. A secret (a variable declared `secret: true`) is typed into a one-line box that shows
dots, which ctrl+o turns into the text and back; the reason under it never quotes the value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static, TextArea

from tui.literal import literal

Validator = Callable[[str], "str | None"]
HINT = "Enter submits · ctrl+j new line · a paste keeps every line"
DOTS_HINT = "Enter submits · typed as dots · ctrl+o shows it"
REVEALED_HINT = "Enter submits · shown as typed · ctrl+o hides it"
NEW_LINE_KEYS = ("ctrl+j", "shift+enter")


class AnswerBox(TextArea):
    """A text box that grows with its value; Enter asks for it to be submitted."""

    class Entered(Message):
        """Enter was pressed in the box."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter" or event.key in NEW_LINE_KEYS:
            event.stop()
            event.prevent_default()  # TextArea's own handler would insert a new line
            if event.key == "enter":
                self.post_message(self.Entered())
            else:
                self.replace("\n", *self.selection)
            return
        await super()._on_key(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Page keys scroll the whole node (title, body, answers), not the few lines of the box.
        if action in ("cursor_page_up", "cursor_page_down"):
            return False
        return super().check_action(action, parameters)


class SecretBox(Input):
    """A one-line box for a secret: dots while typed, unless ctrl+o shows the text."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+o", "reveal", "Show/hide")]

    class Revealed(Message):
        """The value was shown or hidden again."""

    def action_reveal(self) -> None:
        self.password = not self.password
        self.post_message(self.Revealed())


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
        self._secret = False

    def compose(self) -> ComposeResult:
        yield Static(id="prompt")
        yield AnswerBox(id="value", highlight_cursor_line=False)
        yield SecretBox(id="secret-value", password=True)
        yield Static(id="reason")
        yield Static(HINT, id="hint")

    @property
    def value(self) -> str:
        """The text in the box, every line of it."""
        if self._secret:
            return self.query_one(SecretBox).value
        return self.query_one(AnswerBox).text

    def ask(
        self, prompt: str, validate: Validator, value: str = "", *, secret: bool = False
    ) -> None:
        """Ask for a new value with this prompt (none shows no label), checked as it is typed;
        a secret is asked in a box of dots, always empty to begin with."""
        self._validate = validate
        self._secret = secret
        label = self.query_one("#prompt", Static)
        label.update(literal(prompt))
        label.display = bool(prompt)
        box = self.query_one(AnswerBox)
        box.load_text("" if secret else value)
        box.move_cursor(box.document.end)
        box.display = not secret
        hidden = self.query_one(SecretBox)
        hidden.password = True
        hidden.value = ""
        hidden.display = secret
        self.query_one("#hint", Static).update(DOTS_HINT if secret else HINT)
        self.show_reason(None)

    def focus_box(self) -> None:
        box = self.query_one(SecretBox) if self._secret else self.query_one(AnswerBox)
        box.focus(scroll_visible=False)

    def show_reason(self, reason: str | None) -> None:
        """Show why the value is refused, or nothing when it is fine."""
        shown = self.query_one("#reason", Static)
        shown.update(literal(reason or ""))
        shown.display = bool(reason)
        self.query_one(AnswerBox).set_class(bool(reason), "-invalid")
        self.query_one(SecretBox).set_class(bool(reason), "-invalid")

    def _check(self, value: str) -> None:
        # Nothing typed yet is not worth a complaint; Enter on it still says why.
        self.show_reason(self._validate(value) if value else None)

    def _submit(self) -> None:
        value = self.value
        reason = self._validate(value)
        self.show_reason(reason)
        if reason is None:
            self.post_message(self.Submitted(value))

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._check(event.text_area.text)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._check(event.value)

    def on_answer_box_entered(self, event: AnswerBox.Entered) -> None:
        event.stop()
        self._submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_secret_box_revealed(self, event: SecretBox.Revealed) -> None:
        event.stop()
        revealed = not self.query_one(SecretBox).password
        self.query_one("#hint", Static).update(REVEALED_HINT if revealed else DOTS_HINT)
