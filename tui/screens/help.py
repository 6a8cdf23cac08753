"""Every key of the app, screen by screen, read from the screens' own bindings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

ANSWER_KEYS = (
    ("1 … 9, 25", "pick by number (10+ answers: two digits)"),
    ("y, n, a … z", "an answer's key; letters filter a long list"),
    ("↑ ↓  Enter", "move between the answers and take one"),
    ("r  h  b", "after a failed call: retry, do it by hand, back"),
    ("PgUp PgDn", "scroll a long node; the numbers still answer"),
    ("Enter", "in a text box: give the value (a paste keeps every line)"),
    ("ctrl+j", "in a text box: start a new line"),
)


def _rows(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    rows = []
    for binding in bindings:
        if isinstance(binding, Binding) and binding.description:
            rows.append((binding.key_display or binding.key, binding.description))
    return rows


def secret_box_rows() -> list[tuple[str, str]]:
    """The secret text box's own keys (ctrl+o), said as what they do to the dots."""
    from tui.widgets.input_panel import SecretBox

    words = {"reveal": "in a secret's text box: show or hide what is typed"}
    return [
        (binding.key_display or binding.key, words.get(binding.action, binding.description))
        for binding in SecretBox.BINDINGS
        if isinstance(binding, Binding)
    ]


def key_table(title: str, rows: list[tuple[str, str]]) -> Content:
    """A heading and one `key  what it does` line per row."""
    lines = [Content.styled(title, "bold underline")]
    lines += [Content.assemble((f"  {key:<14}", "bold"), what) for key, what in rows]
    return Content("\n").join(lines)


def help_sections() -> list[Content]:
    """The keys of the walk, the answers, the transcript, the outcome, the library, the app."""
    from tui.app import BranchwiseApp
    from tui.screens.library import LibraryScreen
    from tui.screens.outcome import OutcomeScreen
    from tui.screens.transcript import TranscriptScreen
    from tui.screens.walk import WalkScreen

    app_rows = [*_rows(BranchwiseApp.BINDINGS), ("ctrl+p", "command palette: every command")]
    return [
        key_table("Walking", _rows(WalkScreen.BINDINGS)),
        key_table("Answering", [*ANSWER_KEYS, *secret_box_rows()]),
        key_table("Transcript", _rows(TranscriptScreen.BINDINGS)),
        key_table("At the outcome", _rows(OutcomeScreen.BINDINGS)),
        key_table("Library", _rows(LibraryScreen.BINDINGS)),
        key_table("Anywhere", app_rows),
    ]


class HelpScreen(ModalScreen[None]):
    """Every binding; any of Escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", show=False),
        Binding("question_mark", "close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help"):
            yield Static("Keys", classes="dialog-title")
            for section in help_sections():
                yield Static(section, classes="help-section")

    def action_close(self) -> None:
        self.dismiss(None)
