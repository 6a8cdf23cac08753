"""The walk screen: where am I (path), what do I say or do now (node), what are my options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from engine.errors import BranchwiseError
from engine.model import Action
from engine.model import Input as InputNode
from engine.walker import Walk
from tui.going_back import going_back_details, side_effect_lines, step_title
from tui.literal import literal, markdown_template, notify_plain
from tui.widgets.action_panel import ActionPanel
from tui.widgets.answer_buttons import AnswerButtons
from tui.widgets.input_panel import InputPanel
from tui.widgets.node_body import NodeBody
from tui.widgets.path_panel import PathPanel
from tui.widgets.problems_panel import ProblemsPanel
from tui.widgets.walk_header import WalkHeader

if TYPE_CHECKING:
    from engine.action_runner import PendingCall
    from tui.app import BranchwiseApp

PARTS = ("answers", "input-panel", "action-panel")


class WalkScreen(Screen[None]):
    """One walk, one node at a time; every option one key away."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+r", "restart", "Restart"),
        Binding("ctrl+n", "note", "Note"),
        Binding("ctrl+t", "transcript", "Transcript"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+b", "toggle_path", "Path", show=False),
    ]

    def __init__(self, walk: Walk) -> None:
        super().__init__()
        self.walk = walk
        self._pending: PendingCall | None = None
        self._result_shown = False
        self._laid_out = False
        self._show_again = False

    @property
    def branchwise(self) -> BranchwiseApp:
        from tui.app import BranchwiseApp

        assert isinstance(self.app, BranchwiseApp)
        return self.app

    def compose(self) -> ComposeResult:
        # Only what the first node needs; the rest is mounted right after the first frame.
        yield WalkHeader(self.walk, dry_run=self.branchwise.dry_run, id="header")
        with Horizontal(id="main"), Vertical(id="node"):
            yield Static(id="title")
            yield NodeBody(id="body")
            yield Static(id="walk-error")
            yield AnswerButtons(id="answers")
            needed = self._part_needed()
            if needed is not None:
                yield needed(id="input-panel" if needed is InputPanel else "action-panel")

    def on_mount(self) -> None:
        self.show_node()
        self.call_after_refresh(self._complete_layout)

    async def _complete_layout(self) -> None:
        """Mount what the first frame could do without: path, problems, footer, other parts."""
        main = self.query_one("#main", Horizontal)
        await self.mount(ProblemsPanel(id="problems"), before=main)
        await main.mount(PathPanel(id="path"), before=0)
        node = self.query_one("#node", Vertical)
        if not self.query(InputPanel):
            await node.mount(InputPanel(id="input-panel"))
        if not self.query(ActionPanel):
            await node.mount(ActionPanel(id="action-panel"))
        await self.mount(Footer(compact=True, show_command_palette=False))
        self.query_one(ProblemsPanel).display = False
        self._laid_out = True
        if self._show_again:
            self.show_node()
        else:
            self.query_one(PathPanel).show(self.walk)

    def _part_needed(self) -> type[InputPanel] | type[ActionPanel] | None:
        """The panel the current node is shown with, besides the answer buttons."""
        node = self.walk.node
        if isinstance(node, InputNode):
            return InputPanel
        if self.walk.error is not None or (isinstance(node, Action) and not self.walk.is_manual()):
            return ActionPanel
        return None

    # Showing the current node.

    def show_node(self) -> None:
        """Show the walk's current node, or its outcome when it has ended."""
        walk = self.walk
        self._pending = None
        self._result_shown = False
        if walk.finished:
            self.branchwise.show_outcome(walk)
            return
        node = walk.node
        needed = self._part_needed()
        if needed is not None and not self.query(needed):
            self._show_again = True  # a key came before the layout was complete
            return
        self.query_one(WalkHeader).show(walk)
        for path in self.query(PathPanel):
            path.show(walk)
        self.query_one("#title", Static).update(literal(walk.text(node.title)))
        self.query_one(NodeBody).show(self._body_markdown())
        self._show_error(None)
        if isinstance(node, InputNode):
            self._show_input(node)
        elif walk.error is not None:
            self._show_stuck(walk.error)
        elif isinstance(node, Action) and not walk.is_manual():
            self._start_action()
        else:
            self._show_part("answers")
            self.query_one(AnswerButtons).show(walk.options())
            self.call_after_refresh(self.query_one(AnswerButtons).focus_first)

    def _body_markdown(self) -> str:
        walk, node = self.walk, self.walk.node
        parts = [markdown_template(node.body, walk.variables)]
        if isinstance(node, Action) and walk.is_manual():
            if self.branchwise.dry_run:
                call = walk.preview_call()
                if call is not None:
                    parts.append(f"**DRY RUN** — not called: `{call.describe()}`")
            parts.append(markdown_template(node.manual, walk.variables))
        return "\n\n".join(part for part in parts if part.strip())

    def _show_part(self, name: str) -> None:
        for part in PARTS:
            for widget in self.query(f"#{part}"):
                widget.display = part == name

    def _show_error(self, message: str | None) -> None:
        shown = self.query_one("#walk-error", Static)
        shown.update(literal(message or ""))
        shown.display = message is not None

    def _show_input(self, node: InputNode) -> None:
        self._show_part("input-panel")
        panel = self.query_one(InputPanel)
        panel.ask(self.walk.text(node.prompt or node.title), self.walk.validate_input)
        self.call_after_refresh(panel.focus_box)

    def _show_stuck(self, message: str) -> None:
        """A failed call without on_error (retry, by hand, back), or a walk that cannot go on."""
        self._show_part("action-panel")
        is_action = isinstance(self.walk.node, Action)
        self.query_one(ActionPanel).show_failure(message, ran=True, can_retry=is_action)

    # Actions.

    def _start_action(self) -> None:
        call = self.walk.pending_call()
        if call is None:
            return
        self._show_part("action-panel")
        self._pending = call
        if call.confirm or call.side_effects:
            from tui.screens.confirm import ConfirmScreen

            details = [call.describe()]
            if call.side_effects:
                details.append("This call changes things; going back will not undo it.")
            question = f"Run {call.uses} now?"
            self.app.push_screen(
                ConfirmScreen(question, details, yes="Run it", no="Not now"), self._confirmed
            )
            return
        self.query_one(ActionPanel).run(call, self.walk.runner.invoke)

    def _confirmed(self, yes: bool | None) -> None:
        call = self._pending
        if call is None:
            return
        panel = self.query_one(ActionPanel)
        if yes:
            panel.run(call, self.walk.runner.invoke)
        else:
            panel.show_failure("Not called yet.", ran=False)

    @on(ActionPanel.Finished)
    def _call_finished(self, event: ActionPanel.Finished) -> None:
        if event.call is not self._pending:
            return  # the walk moved on while the call was out (went back, reloaded)
        visit_index = len(self.walk.visits) - 1
        self.walk.complete(event.call, event.result)
        if self.walk.error is not None:
            self.query_one(ActionPanel).show_failure(self.walk.error)
            return
        node = self.walk.trees[self.walk.visits[visit_index].tree_id].nodes[
            self.walk.visits[visit_index].node_id
        ]
        record = self.walk.visits[visit_index].action
        routes = [self.walk.text(r.label) for r in node.routes] if isinstance(node, Action) else []
        taken = record.route if record is not None else None
        if record is not None and record.error and isinstance(node, Action):
            routes.append("error")
            self._show_error(f"{record.uses} failed: {record.error}")
        self.query_one(ActionPanel).show_result(
            record.result if record is not None else None, routes, taken
        )
        self._pending = None
        self._result_shown = True

    @on(ActionPanel.Picked)
    def _action_picked(self, event: ActionPanel.Picked) -> None:
        self._do(event.what)

    def _do(self, what: str) -> None:
        if what == "continue":
            self.show_node()
        elif what in ("retry", "run"):
            self.walk.error = None
            self.show_node()
        elif what == "by-hand":
            self.walk.do_by_hand()
            self.show_node()
        elif what == "back":
            self.action_back()

    # Answers.

    @on(AnswerButtons.Chosen)
    def _chosen(self, event: AnswerButtons.Chosen) -> None:
        self.walk.choose(event.option)
        self.show_node()

    @on(InputPanel.Submitted)
    def _submitted(self, event: InputPanel.Submitted) -> None:
        try:
            self.walk.submit(event.value)
        except BranchwiseError as exc:
            self.query_one(InputPanel).show_reason(exc.message)
            return
        self.show_node()

    def on_key(self, event: events.Key) -> None:
        """Digits pick by position, a choice's own key picks it; text boxes keep their keys."""
        if isinstance(self.focused, Input) or event.character is None:
            return
        key = event.character.casefold()
        action_panel = next(iter(self.query(ActionPanel)), None)
        failed = action_panel is not None and action_panel.has_class("-failed")
        if action_panel is not None and action_panel.display and (self._result_shown or failed):
            what = {"1": "continue"} if self._result_shown else ACTION_KEYS
            if key in what:
                event.stop()
                self._do(what[key])
            return
        if not self.query_one(AnswerButtons).display:
            return
        for option in self.query_one(AnswerButtons).options:
            if key == str(option.index + 1) or (option.key and key == option.key.casefold()):
                event.stop()
                self.walk.choose(option)
                self.show_node()
                return

    # Going back, notes, other screens.

    def action_back(self) -> None:
        try:
            undone = self.walk.back()
        except BranchwiseError as exc:
            notify_plain(self.app, exc.message, "warning")
            return
        for line in side_effect_lines(undone):
            notify_plain(self.app, line, "warning", timeout=8)
        self.show_node()

    @on(PathPanel.JumpRequested)
    def _jump_requested(self, event: PathPanel.JumpRequested) -> None:
        index = event.index
        if index >= len(self.walk.visits) - 1:
            return
        from tui.screens.confirm import ConfirmScreen

        question = f"Go back to “{step_title(self.walk, index)}”?"
        details = going_back_details(self.walk, index)

        def go(yes: bool | None) -> None:
            if yes:
                self.walk.jump(index)
                self.show_node()

        self.app.push_screen(ConfirmScreen(question, details, yes="Go back"), go)

    def action_restart(self) -> None:
        from tui.screens.confirm import ConfirmScreen

        details = going_back_details(self.walk, 0)

        def restart(yes: bool | None) -> None:
            if yes:
                self.walk.restart()
                self.show_node()

        self.app.push_screen(
            ConfirmScreen("Start this tree again from its first step?", details, yes="Restart"),
            restart,
        )

    def action_note(self) -> None:
        from tui.screens.prompt import PromptScreen

        def add(text: str | None) -> None:
            if text and text.strip():
                self.walk.note(text)
                self.query_one(PathPanel).show(self.walk)
                notify_plain(self.app, "Note added to this step.")

        self.app.push_screen(PromptScreen("Note on this step", placeholder="what was said"), add)

    def action_transcript(self) -> None:
        self.branchwise.show_transcript(self.walk)

    def action_help(self) -> None:
        self.branchwise.show_help()

    def action_toggle_path(self) -> None:
        self.toggle_class("-path-toggled")

    def show_problems(self, problems: Sequence[object], message: str) -> None:
        """Problems of the watched tree file (--watch); none hides the panel."""
        self.query_one(ProblemsPanel).show(problems, message)

    def replace_walk(self, walk: Walk) -> None:
        """Show another walk of the same session (the tree file was reloaded)."""
        self.walk = walk
        self.show_node()


ACTION_KEYS = {"r": "retry", "h": "by-hand", "b": "back"}
