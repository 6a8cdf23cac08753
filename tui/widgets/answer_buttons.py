"""One button per answer of the current node, each with its number and key printed on it."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from engine.walk.answers import Option
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


class AnswerButton(Static, can_focus=True):
    """One answer: its number, label and key (a long label wraps); Enter or a click takes it.

    Not Textual's Button: its stylesheet (every variant in every state) is parsed before the
    first question can be painted, about 3 ms of a start (bench/tui.py), for looks app.tcss
    replaces anyway.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "press", "Choose", show=False)]

    class Pressed(Message):
        """The button was clicked, or Enter was pressed on it."""

        def __init__(self, button: AnswerButton) -> None:
            super().__init__()
            self.button = button

        @property
        def control(self) -> AnswerButton:
            return self.button

    def __init__(self, label: Content, *, id: str | None = None) -> None:
        super().__init__(label, id=id)
        self.label = label

    def relabel(self, label: Content) -> None:
        """Show a new label; laid out again only when the old or the new one wraps (laying out
        every button on every node costs a millisecond a keypress)."""
        room = self.content_size.width
        wraps = not room or max(self.label.cell_length, label.cell_length) > room
        self.label = label
        self.update(label, layout=wraps)

    def press(self) -> None:
        self.post_message(self.Pressed(self))

    def action_press(self) -> None:
        self.press()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.press()


class AnswerButtons(Vertical):
    """The current node's options as buttons; up and down move between them.

    The buttons are kept in a list of their own, and those a shorter list does not need are
    hidden, never removed: a list shown while the last one's buttons are still being mounted or
    removed (keys typed in a burst) would otherwise lose answers to the pending removals."""

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
        self._buttons: list[AnswerButton] = []

    def show(self, options: list[Option], numbers: int | None = None) -> None:
        """Show these options, reusing the buttons made before; `numbers` is how many answers
        the node has (a filtered list keeps their numbers' width)."""
        self.options = list(options)
        width = len(str(numbers if numbers is not None else len(options)))
        buttons = self._buttons
        for button, option in zip(buttons, options, strict=False):
            button.relabel(option_label(option, width))
            button.remove_class("taken")
            button.display = True
        for button in buttons[len(options) :]:
            button.display = False
        if len(options) > len(buttons):
            new = [AnswerButton(option_label(o, width)) for o in options[len(buttons) :]]
            buttons.extend(new)
            self.mount_all(new)
        self.display = bool(options)

    @property
    def shown_buttons(self) -> list[AnswerButton]:
        """The buttons of the options shown, in order."""
        return self._buttons[: len(self.options)]

    def focus_first(self) -> None:
        """Put the focus on the first option, so Enter takes it."""
        first = next((b for b in self.shown_buttons if b.is_mounted), None)
        if first is not None:
            first.focus(scroll_visible=False)

    def highlight(self, label: str) -> None:
        """Mark the option with this label as the one taken."""
        for button, option in zip(self._buttons, self.options, strict=False):
            button.set_class(option.label == label, "taken")

    def on_answer_button_pressed(self, event: AnswerButton.Pressed) -> None:
        event.stop()
        index = self._buttons.index(event.button)
        if index < len(self.options):
            self.post_message(self.Chosen(self.options[index]))
