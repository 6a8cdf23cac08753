"""The walk screen: where am I (path), what do I say or do now (node), what are my options.

A change the engine refuses (an answer leading nowhere, a session another walk took over, a
store that cannot be written) is said on the screen; the walk stays where it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static

from engine.errors import BranchwiseError, StoreFailed
from engine.tree.model import Action
from engine.tree.model import Input as InputNode
from engine.walk.answers import Option
from engine.walk.masking import MASK
from engine.walk.walker import ActionRecord, InvalidAnswer, Walk
from tui.literal import literal, markdown_template, notify_plain
from tui.widgets.answer_buttons import AnswerButtons
from tui.widgets.node_body import NodeBody
from tui.widgets.walk_header import WalkHeader

if TYPE_CHECKING:
    from engine.walk.action_runner import PendingCall
    from tui.app import BranchwiseApp
    from tui.widgets.action_panel import ActionPanel
    from tui.widgets.input_panel import InputPanel
    from tui.widgets.path_panel import PathPanel

PARTS = ("answers", "input-panel", "action-panel")
PATH_DELAY = 0.03  # seconds from a new node to its breadcrumbs: after the node's first frame


def refusal(error: BranchwiseError) -> str:
    """What to tell a person when the engine or the session store refused a change (the store's
    failures are BranchwiseErrors too: a locked, read-only or damaged file is never a traceback)."""
    if isinstance(error, StoreFailed):
        return f"{error.message}; this step was not saved"
    return error.message


def notify_refusal(app: App[Any], error: BranchwiseError, doing: str = "") -> None:
    """Say in a notification why a change was refused: a warning for an answer the walk does
    not take, an error that stays longer when the store refused it."""
    if isinstance(error, InvalidAnswer):
        notify_plain(app, error.message, "warning")
    else:
        notify_plain(app, f"{doing}{refusal(error)}", "error", timeout=10)


class WalkScreen(Screen[None]):
    """One walk, one node at a time; every option one key away."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+r", "restart", "Restart"),
        Binding("ctrl+n,f2", "note", "Note"),
        Binding("ctrl+t,f3", "transcript", "Transcript"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+b", "toggle_path", "Path"),
    ]

    def __init__(self, walk: Walk) -> None:
        super().__init__()
        self.walk = walk
        self._pending: PendingCall | None = None
        self._result_shown = False
        self._laid_out = False
        self._show_again = False
        self._part: str | None = None
        self._refill: str | None = None
        self._path_timer: Timer | None = None

    @property
    def branchwise(self) -> BranchwiseApp:
        from tui.app import BranchwiseApp

        assert isinstance(self.app, BranchwiseApp)
        return self.app

    def compose(self) -> ComposeResult:
        # Only what the first node needs; the rest is mounted right after the first frame.
        yield WalkHeader(self.walk, dry_run=self.branchwise.dry_run, id="header")
        # One scroll area for the whole node, so page keys reach a long body and the answers.
        # The path panel joins on the left once mounted; a refusal's message is mounted when
        # there is one (every widget of the first frame costs the start a millisecond).
        with Horizontal(id="main"), VerticalScroll(id="node", can_focus=False):
            yield Static(id="title")
            yield NodeBody(id="body")
            yield AnswerButtons(id="answers")
            needed = self._part_needed()
            if needed is not None:
                yield new_part(needed)

    def on_mount(self) -> None:
        self.set_class(self.branchwise.path_toggled, "-path-toggled")
        self.show_node()
        self.call_after_refresh(self._complete_layout)

    async def _complete_layout(self) -> None:
        """Mount what the first frame could do without: path, problems, footer, other parts."""
        from tui.widgets.path_panel import PathPanel
        from tui.widgets.problems_panel import ProblemsPanel

        main = self.query_one("#main", Horizontal)
        await self.mount(ProblemsPanel(id="problems"), before=main)
        await main.mount(PathPanel(id="path"), before=0)
        later = [new_part(name) for name in PARTS[1:] if not self.query(f"#{name}")]
        for panel in later:
            # Painted once, unseen, before it is hidden: a panel hidden before its first paint
            # delays the frames of the nodes after it (bench/tui.py measures it).
            panel.styles.opacity = 0
        await self.query_one("#node", VerticalScroll).mount_all(later)
        from textual.widgets import Footer  # a millisecond the first frame does without

        await self.mount(Footer(compact=True, show_command_palette=False))
        self.query_one("#problems").display = False
        self.call_after_refresh(self._settle_parts, later)
        self._laid_out = True
        if self._show_again:
            self.show_node()
        else:
            self._refresh_path()

    def _settle_parts(self, panels: list[Widget]) -> None:
        """Panels mounted after the first frame: shown when the node needs them, else hidden."""
        for panel in panels:
            panel.styles.clear_rule("opacity")
            for part in (panel, *panel.walk_children()):
                part.refresh()  # what was painted transparent is painted again
        if self._part is not None:
            self._show_part(self._part)

    def _part_needed(self) -> str | None:
        """The id of the panel the current node is shown with, besides the answer buttons."""
        node = self.walk.node
        if isinstance(node, InputNode):
            return "input-panel"
        if self.walk.error is not None or (isinstance(node, Action) and not self.walk.is_manual()):
            return "action-panel"
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
        if needed is not None and not self.query(f"#{needed}"):
            self._show_again = True  # a key came before the layout was complete
            return
        refill, self._refill = self._refill, None
        self.query_one(WalkHeader).show(walk)
        self._show_path_soon()
        self.query_one("#title", Static).update(literal(self._masked(walk.text(node.title))))
        self.query_one(NodeBody).show(self._body_markdown())
        node_area = self.query_one("#node", VerticalScroll)
        if node_area.scroll_y:
            node_area.scroll_home(animate=False)  # a new node starts at its title
        self._show_error(None)
        if isinstance(node, InputNode):
            self._show_input(node, refill)
        elif walk.error is not None:
            self._show_stuck(walk.error)
        elif isinstance(node, Action) and not walk.is_manual():
            self._start_action()
        else:
            self._show_part("answers")
            self.query_one(AnswerButtons).show([self._masked_option(o) for o in walk.options()])
            self.call_after_refresh(self.query_one(AnswerButtons).focus_first)

    def _show_path_soon(self) -> None:
        """Bring the breadcrumbs up to date just after the new question is painted: the
        question is what a person waits for, and keys pressed in quick succession update the
        path once."""
        if self._path_timer is None:
            self._path_timer = self.set_timer(PATH_DELAY, self._show_path)

    def _show_path(self) -> None:
        self._path_timer = None
        self._refresh_path()

    def _refresh_path(self) -> None:
        for path in self._path_panels():
            path.show(self.walk)

    def _path_panels(self) -> list[PathPanel]:
        """The path panel, once mounted after the first frame (its module loads then too)."""
        if not self._laid_out:
            return []
        from tui.widgets.path_panel import PathPanel

        return list(self.query(PathPanel))

    def _action_panel(self) -> ActionPanel | None:
        """The action panel, once a node has needed it (its module loads then too)."""
        if not self.query("#action-panel"):
            return None
        from tui.widgets.action_panel import ActionPanel

        return self.query_one(ActionPanel)

    def _shown_action_panel(self) -> ActionPanel:
        panel = self._action_panel()
        assert panel is not None, "a node that needs the action panel has it mounted"
        return panel

    def _masked(self, text: str) -> str:
        return self.walk.mask.text(text)

    def _masked_option(self, option: Option) -> Option:
        label = self._masked(option.label)
        return option if label == option.label else dataclasses.replace(option, label=label)

    def _body_markdown(self) -> str:
        walk, node = self.walk, self.walk.node
        shown = walk.public_variables()  # a secret in a template shows masked
        parts = [markdown_template(node.body, shown)]
        if isinstance(node, Action) and walk.is_manual():
            if self.branchwise.dry_run:
                call = walk.preview_call()
                if call is not None:
                    parts.append(f"**DRY RUN** — not called: `{call.describe()}`")
            parts.append(markdown_template(node.manual, shown))
        return "\n\n".join(part for part in parts if part.strip())

    def _show_part(self, name: str) -> None:
        self._part = name
        for part in PARTS:
            for widget in self.query(f"#{part}"):
                widget.display = part == name

    def _show_error(self, message: str | None) -> None:
        shown = next(iter(self.query("#walk-error").results(Static)), None)
        if shown is None:
            if message is None:
                return
            shown = Static(id="walk-error")
            self.query_one("#node", VerticalScroll).mount(shown, before="#answers")
        shown.update(literal(message or ""))
        shown.display = message is not None

    def _attempt(self, change: Callable[[], object]) -> bool:
        """Make a change to the walk; when it is refused, say why and stay on this node."""
        try:
            change()
        except BranchwiseError as error:
            self._refused(refusal(error))
            return False
        return True

    def _refused(self, message: str) -> None:
        """Say under the node, and in a notification seen wherever the node is scrolled, why a
        change was refused."""
        self._show_error(message)
        self.query_one("#walk-error", Static).scroll_visible(animate=False)
        notify_plain(self.app, message, "error", timeout=10)

    def _show_input(self, node: InputNode, value: str | None) -> None:
        """The input's box, holding `value` (the one given before going back) unless secret."""
        self._show_part("input-panel")
        panel = self._input_panel()
        secret = node.var in self.walk.secrets
        value = "" if value is None or value == MASK or secret else value
        # The title is already the largest text on the screen; only a prompt adds a label.
        prompt = self._masked(self.walk.text(node.prompt))
        panel.ask(prompt, self.walk.validate_input, value, secret=secret)
        self.call_after_refresh(panel.focus_box)

    def _show_stuck(self, message: str) -> None:
        """A failed call without on_error (retry, by hand, back), or a walk that cannot go on."""
        self._show_part("action-panel")
        is_action = isinstance(self.walk.node, Action)
        self._shown_action_panel().show_failure(message, ran=True, can_retry=is_action)

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
        self._shown_action_panel().run(call, self.walk.runner.invoke)

    def _confirmed(self, yes: bool | None) -> None:
        call = self._pending
        if call is None:
            return
        panel = self._shown_action_panel()
        if yes:
            panel.run(call, self.walk.runner.invoke)
        else:
            panel.show_failure("Not called yet.", ran=False)

    def on_action_panel_finished(self, event: ActionPanel.Finished) -> None:
        if event.call is not self._pending:
            return  # the walk moved on while the call was out (went back, reloaded)
        visit_index = len(self.walk.visits) - 1
        self._pending = None
        if not self._attempt(lambda: self.walk.complete(event.call, event.result)):
            # The call was made: offering to make it again could repeat what it changed.
            self._shown_action_panel().show_failure(
                "The call's result was not saved.", can_retry=False
            )
            return
        if self.walk.error is not None:
            self._shown_action_panel().show_failure(self.walk.error)
            return
        node = self.walk.trees[self.walk.visits[visit_index].tree_id].nodes[
            self.walk.visits[visit_index].node_id
        ]
        record = self.walk.visits[visit_index].action
        routes = (
            [self._masked(self.walk.text(r.label)) for r in node.routes]
            if isinstance(node, Action)
            else []
        )
        taken = self._masked(record.route) if record is not None and record.route else None
        if record is not None and record.error and isinstance(node, Action):
            routes.append("error")
            self._show_error(f"{record.uses} failed: {record.error}")
        self._shown_action_panel().show_result(
            record.result if record is not None else None, routes, taken
        )
        self._result_shown = True

    def on_action_panel_picked(self, event: ActionPanel.Picked) -> None:
        self._do(event.what)

    def _do(self, what: str) -> None:
        if what == "continue":
            self.show_node()
        elif what in ("retry", "run"):
            self.walk.error = None
            self.show_node()
        elif what == "by-hand":
            if self._attempt(self.walk.do_by_hand):
                self.show_node()
        elif what == "back":
            self.action_back()

    # Answers.

    @on(AnswerButtons.Chosen)
    def _chosen(self, event: AnswerButtons.Chosen) -> None:
        self._choose(event.option)

    def _choose(self, option: Option) -> None:
        if self._attempt(lambda: self.walk.choose(option)):
            self.show_node()

    def _input_panel(self) -> InputPanel:
        from tui.widgets.input_panel import InputPanel

        return self.query_one("#input-panel", InputPanel)

    def on_input_panel_submitted(self, event: InputPanel.Submitted) -> None:
        try:
            self.walk.submit(event.value)
        except InvalidAnswer as exc:
            self._input_panel().show_reason(exc.message)
            return
        except BranchwiseError as error:
            self._refused(refusal(error))
            return
        self.show_node()

    def on_key(self, event: events.Key) -> None:
        """Digits pick by position, a choice's own key picks it; text boxes keep their keys."""
        # A text box keeps the printable keys it is given; they never get here.
        if isinstance(self.focused, Input) or event.character is None:
            return
        key = event.character.casefold()
        action_panel = self._action_panel()
        failed = action_panel is not None and action_panel.has_class("-failed")
        if action_panel is not None and action_panel.display and (self._result_shown or failed):
            what = {"1": "continue"} if self._result_shown else offered_keys(action_panel)
            if key in what:
                event.stop()
                self._do(what[key])
            return
        if not self.query_one(AnswerButtons).display:
            return
        for option in self.query_one(AnswerButtons).options:
            if key == str(option.index + 1) or (option.key and key == option.key.casefold()):
                event.stop()
                self._choose(option)
                return

    # Going back, notes, other screens.

    def _rewind(self, go_back: Callable[[], list[ActionRecord]]) -> list[ActionRecord]:
        """Go back with `go_back`, keeping the answer given where it lands to fill it in again."""
        given = [visit.answer for visit in self.walk.visits]
        undone = go_back()
        here = len(self.walk.visits) - 1
        self._refill = given[here] if here < len(given) else None
        return undone

    def action_back(self) -> None:
        try:
            undone = self._rewind(self.walk.back)
        except InvalidAnswer as exc:
            notify_plain(self.app, exc.message, "warning")
            return
        except BranchwiseError as error:
            self._refused(refusal(error))
            return
        from tui.going_back import side_effect_lines

        for line in side_effect_lines(undone):
            notify_plain(self.app, line, "warning", timeout=8)
        self.show_node()

    def on_path_panel_jump_requested(self, event: PathPanel.JumpRequested) -> None:
        index = event.index
        if index >= len(self.walk.visits) - 1:
            return
        from tui.going_back import going_back_details, step_title
        from tui.screens.confirm import ConfirmScreen

        question = f"Go back to “{step_title(self.walk, index)}”?"
        details = going_back_details(self.walk, index)

        def go(yes: bool | None) -> None:
            if yes and self._attempt(lambda: self._rewind(lambda: self.walk.jump(index))):
                self.show_node()

        self.app.push_screen(ConfirmScreen(question, details, yes="Go back"), go)

    def action_restart(self) -> None:
        from tui.going_back import going_back_details
        from tui.screens.confirm import ConfirmScreen

        details = going_back_details(self.walk, 0)

        def restart(yes: bool | None) -> None:
            if yes and self._attempt(self.walk.restart):
                self.show_node()

        self.app.push_screen(
            ConfirmScreen("Start this tree again from its first step?", details, yes="Restart"),
            restart,
        )

    def action_note(self) -> None:
        from tui.screens.prompt import PromptScreen

        def add(text: str | None) -> None:
            if text and text.strip() and self._attempt(lambda: self.walk.note(text)):
                self._refresh_path()
                notify_plain(self.app, "Note added to this step.")

        self.app.push_screen(PromptScreen("Note on this step", placeholder="what was said"), add)

    def on_screen_resume(self) -> None:
        # Notes may have been added or edited on the transcript screen shown on top.
        self._refresh_path()

    def action_transcript(self) -> None:
        self.branchwise.show_transcript(self.walk)

    def action_help(self) -> None:
        self.branchwise.show_help()

    def action_toggle_path(self) -> None:
        """Show or hide the path; the choice holds for the next walks too."""
        self.toggle_class("-path-toggled")
        self.branchwise.path_toggled = self.has_class("-path-toggled")

    def show_problems(self, problems: Sequence[object], message: str) -> None:
        """Problems of the watched tree file (--watch); none hides the panel."""
        from tui.widgets.problems_panel import ProblemsPanel

        self.query_one(ProblemsPanel).show(problems, message)

    def replace_walk(self, walk: Walk) -> None:
        """Show another walk of the same session (the tree file was reloaded)."""
        self.walk = walk
        self.show_node()


# The keys of a failed call's buttons: r retries (or runs a call not made yet), h, b.
ACTION_KEYS = {"r": ("retry", "run"), "h": ("by-hand",), "b": ("back",)}


def offered_keys(panel: ActionPanel) -> dict[str, str]:
    """The failed call's keys whose buttons the panel shows, with what each does."""
    buttons = panel.query("#action-buttons AnswerButton")
    shown = {(button.id or "").removeprefix("do-") for button in buttons}
    return {key: what for key, whats in ACTION_KEYS.items() for what in whats if what in shown}


def new_part(name: str) -> Widget:
    """The input or action panel, by id; each panel's module is loaded when first needed (the
    input panel's multi-line text box alone costs a few milliseconds to import, too many before
    the first frame of a walk that starts with a question)."""
    if name == "input-panel":
        from tui.widgets.input_panel import InputPanel

        return InputPanel(id=name)
    from tui.widgets.action_panel import ActionPanel

    return ActionPanel(id=name)
