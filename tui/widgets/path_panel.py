"""The path so far as breadcrumbs (done ones ticked, the current one marked), and the notes.

A secret value the walk holds shows masked in a breadcrumb and a note, as on the walk screen.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from engine.walk.walker import Walk
from tui.literal import literal
from tui.widgets.hanging import Hanging, Stacked

DONE = "✓ "
HERE = "▸ "
NOTE = "· "
MAX_KEPT = 2000  # crumbs kept for reuse, a bound for very long sessions


def crumbs(walk: Walk, made: dict[tuple[str, str], Hanging]) -> list[tuple[int, Hanging]]:
    """(visit index, line) for each step a person saw: links and pass-throughs are left out.

    A crumb already `made` for the same mark and title is used again: its lines stay wrapped,
    so a keypress lays out only the new crumbs, not the whole path.
    """
    if len(made) > MAX_KEPT:
        made.clear()
    lines: list[tuple[int, Hanging]] = []
    last = len(walk.visits) - 1
    for index, visit in enumerate(walk.visits):
        if visit.auto:
            continue
        node = walk.trees[visit.tree_id].nodes[visit.node_id]
        mark = HERE if index == last else DONE
        title = walk.mask.text(walk.text(node.title))
        crumb = made.get((mark, title))
        if crumb is None:
            crumb = made[mark, title] = Hanging(mark, literal(title))
        lines.append((index, crumb))
    return lines


def notes_text(walk: Walk) -> Stacked:
    """Every note of the walk under its bullet, as literal text (secrets masked, as stored)."""
    notes = [walk.mask.text(note) for visit in walk.visits for note in visit.notes]
    return Stacked([Hanging(NOTE, literal(note)) for note in notes])


class PathPanel(Vertical):
    """Breadcrumbs of the walk; choosing an earlier one asks to go back there."""

    class JumpRequested(Message):
        """A person chose an earlier step of the path."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._made: dict[tuple[str, str], Hanging] = {}

    def compose(self) -> ComposeResult:
        yield OptionList(id="crumbs")
        yield Static(id="notes-heading")
        yield Static(id="notes")

    def on_mount(self) -> None:
        self.border_title = "Path"

    def show(self, walk: Walk) -> None:
        """Show the walk's path and notes as they are now."""
        lines = crumbs(walk, self._made)
        crumb_list = self.query_one("#crumbs", OptionList)
        crumb_list.set_options(Option(line, id=f"visit-{index}") for index, line in lines)
        if lines:
            crumb_list.highlighted = len(lines) - 1
        count = sum(len(visit.notes) for visit in walk.visits)
        self.query_one("#notes-heading", Static).update(f"Notes ({count})" if count else "")
        self.query_one("#notes", Static).update(notes_text(walk))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if option_id.startswith("visit-"):
            self.post_message(self.JumpRequested(int(option_id.removeprefix("visit-"))))
