"""An action node at work: running, then its result and route taken, or its failure and ways on."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.visual import Visual
from textual.widgets import LoadingIndicator, Static

from engine.text import display
from engine.walk.action_runner import CallResult, PendingCall, fields_first
from engine.walk.masking import mask_credential_fields
from tui.literal import literal
from tui.widgets.answer_buttons import AnswerButton
from tui.widgets.hanging import Hanging, Stacked

MAX_VALUE = 300  # characters of one value; it wraps under its column
MAX_ROWS = 8
MAX_RECORDS = 5  # records of a list shown under their field
Invoke = Callable[[PendingCall], CallResult]


def running_text(call: PendingCall) -> Content:
    """What is being done, in words, then the call itself (secrets masked)."""
    summary = call.spec.summary if call.spec is not None else call.uses
    return Content.assemble(
        literal(f"{summary}…"), "\n", Content.styled(display(call.describe()), "dim")
    )


def result_table(result: Mapping[str, Any] | None, first: Sequence[str] = ()) -> Visual:
    """The result's fields as two columns of literal text, a long value wrapping under its
    column; a list of records (contacts found, say) one record a line under its field. The
    fields named in `first` (those the routes read) come first. Credential-named fields are
    masked, as in the transcript."""
    if not result:
        return Content.styled("(no result)", "dim")
    from engine.sessions.record import records_in

    shown: Mapping[str, Any] = mask_credential_fields(fields_first(result, first))
    width = min(max(len(display(k)) for k in shown), 24)
    rows: list[Hanging] = []
    for key, value in list(shown.items())[:MAX_ROWS]:
        name = Content.styled(f"{display(key):<{width}}  ", "bold")
        records = records_in(value)
        if records is None:
            rows.append(Hanging(name, literal(_clipped(display(value)))))
            continue
        rows.append(Hanging(name, Content(f"{len(records)} item{'s' * (len(records) != 1)}")))
        under = " " * name.cell_length
        for number, record in enumerate(records[:MAX_RECORDS], 1):
            rows.append(Hanging(f"{under}{number}. ", literal(_clipped(_record_line(record)))))
        if len(records) > MAX_RECORDS:
            more = f"… and {len(records) - MAX_RECORDS} more"
            rows.append(Hanging(under, Content.styled(more, "dim")))
    if len(shown) > MAX_ROWS:
        more = f"… and {len(shown) - MAX_ROWS} more fields (see the session's JSON export)"
        rows.append(Hanging("", Content.styled(more, "dim")))
    return Stacked(rows)


def _record_line(record: Mapping[str, Any]) -> str:
    """A record's fields that hold a value, in its own order, on one line."""
    from engine.sessions.record import filled_fields

    # A no-break space keeps each name with the start of its value when the line wraps.
    return " · ".join(
        f"{display(key)}:\u00a0{display(item)}" for key, item in filled_fields(record)
    )


def _clipped(text: str) -> str:
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


class ActionPanel(Vertical):
    """Runs an automatic action in a worker thread and shows it running, done, or failed."""

    class Finished(Message):
        """The call came back (from the worker thread)."""

        def __init__(self, call: PendingCall, result: CallResult, step: int) -> None:
            super().__init__()
            self.call = call
            self.result = result
            self.step = step  # the walk's step the call was made for

    class Picked(Message):
        """A person chose what to do next: continue, retry, run, by-hand or back."""

        def __init__(self, what: str) -> None:
            super().__init__()
            self.what = what

    def compose(self) -> ComposeResult:
        with Horizontal(id="running"):
            yield LoadingIndicator()
            yield Static(id="running-text")
        yield Static(id="message")
        yield Vertical(id="routes")
        yield Horizontal(id="action-buttons")
        yield Static(id="result")

    def _state(self, state: str) -> None:
        for name in ("running", "failed", "done"):
            self.set_class(name == state, f"-{name}")

    def run(self, call: PendingCall, invoke: Invoke, step: int) -> None:
        """Make the call for the walk's step `step` in a worker thread; `Finished` comes back
        with its result."""
        self._state("running")
        self.query_one("#running-text", Static).update(running_text(call))
        self._buttons([])
        self._invoke(call, invoke, step)

    @work(thread=True, exclusive=True, group="action-call")
    def _invoke(self, call: PendingCall, invoke: Invoke, step: int) -> None:
        self.post_message(self.Finished(call, invoke(call), step))

    def show_result(
        self,
        result: Mapping[str, Any] | None,
        routes: Sequence[str],
        taken: str | None,
        first: Sequence[str] = (),
    ) -> None:
        """The result as a small table (the fields the routes read, `first`, at its top) and
        every route, the one taken highlighted."""
        self._state("done")
        table = self.query_one("#result", Static)
        table.update(result_table(result, first))
        table.border_title = "Result"
        box = self.query_one("#routes", Vertical)
        box.remove_children()
        box.mount(Static("Route taken:", classes="route"))
        box.mount_all(
            Static(
                Content.assemble("▸ " if r == taken else "  ", literal(r)),
                classes="route taken" if r == taken else "route",
            )
            for r in routes
        )
        self._buttons([("continue", "1  Continue  (enter)")])

    def show_failure(self, message: str, *, ran: bool = True, can_retry: bool = True) -> None:
        """The call failed (or was not made): say why, offer retry, by hand, or back."""
        self._state("failed")
        self.query_one("#message", Static).update(literal(message))
        first = ("retry", "Retry  (r)") if ran else ("run", "Run it  (r)")
        ways = [first, ("by-hand", "Do it by hand  (h)")] if can_retry else []
        self._buttons([*ways, ("back", "Back  (b)")])

    def _buttons(self, specs: Sequence[tuple[str, str]]) -> None:
        row = self.query_one("#action-buttons", Horizontal)
        row.remove_children()
        row.mount_all(AnswerButton(Content(label), id=f"do-{what}") for what, label in specs)
        if specs:
            self.call_after_refresh(self.focus_first_button)

    def focus_first_button(self) -> None:
        first = next(iter(self.query("#action-buttons AnswerButton")), None)
        if first is not None:
            first.focus(scroll_visible=False)

    def on_answer_button_pressed(self, event: AnswerButton.Pressed) -> None:
        event.stop()
        self.post_message(self.Picked((event.button.id or "").removeprefix("do-")))
