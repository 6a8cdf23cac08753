"""One button per answer of the current node, each with its number and key printed on it."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button

from engine.answers import Option
from tui.literal import literal


def option_label(option: Option, number_width: int = 1) -> Content:
    """`1  Yes  (y)`: the number (right-aligned to `number_width`), the label as literal text,
    and the key when there is one."""
    number = f"{option.index + 1:>{number_width}}"
    parts: list[Content | tuple[str, str]] = [(number, "bold"), Content("  ")]
    parts.append(literal(option.label))
    if option.key:
        parts.append(Content.styled(f"  ({option.key})", "dim"))
    return Content.assemble(*parts)


def relabel(button: Button, label: Content) -> None:
    """Give a button a new label, and a new height when the old or new label wraps."""
    before = Content.from_text(button.label).cell_length
    button.label = label
    room = button.content_size.width
    # A new label alone does not lay the button out again; laying out every button on every
    # node costs a millisecond a keypress, so only when the label wraps or did.
    if not room or max(before, label.cell_length) > room:
        button.refresh(layout=True)


class AnswerButtons(Vertical):
    """The current node's options as buttons; up and down move between them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "app.focus_previous", "Previous", show=False),
        Binding("down", "app.focus_next", "Next", show=False),
    ]

    class Chosen(Message):
        """A person picked one of the options."""

        def __init__(self, option: Option) -> None:
            super().__init__()
            self.option = option

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.options: list[Option] = []

    def show(self, options: list[Option]) -> None:
        """Show these options, reusing the buttons already mounted."""
        self.options = list(options)
        width = len(str(len(options)))
        buttons = list(self.query_children(Button))
        for button, option in zip(buttons, options, strict=False):
            relabel(button, option_label(option, width))
            # A reused button is a new answer: it must take the next Enter or click at once.
            button.remove_class("-active", "taken")
        for button in buttons[len(options) :]:
            button.remove()
        if len(options) > len(buttons):
            self.mount_all(
                Button(option_label(o, width), compact=True, classes="answer")
                for o in options[len(buttons) :]
            )
        self.display = bool(options)

    def focus_first(self) -> None:
        """Put the focus on the first option, so Enter takes it."""
        first = next(iter(self.query_children(Button)), None)
        if first is not None:
            first.focus(scroll_visible=False)

    def highlight(self, label: str) -> None:
        """Mark the option with this label as the one taken."""
        for button, option in zip(self.query_children(Button), self.options, strict=False):
            button.set_class(option.label == label, "taken")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        buttons = list(self.query_children(Button))
        index = buttons.index(event.button)
        if index < len(self.options):
            self.post_message(self.Chosen(self.options[index]))
