"""The walk screen: where am I (path), what do I say or do now (node), what are my options.

The screen shows the walk's prompt (Walk.prompt) and nothing else decides what comes next:
every reply goes to Walk.reply with the step it answers, so a key typed ahead for a step
already left is refused by the engine and dropped here without a word. A change the engine
refuses (an answer leading nowhere, a session another walk took over, a store that cannot be
written) is said on the screen; the walk stays where it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static

from engine.errors import BranchwiseError, StoreFailed
from engine.tree.model import Action, Link, Outcome
from engine.walk.answers import Option
from engine.walk.masking import MASK
from engine.walk.prompts import (
    Call,
    Called,
    Choose,
    Confirm,
    Ended,
    Failed,
    Prompt,
    Reply,
    TypeValue,
    Way,
)
from engine.walk.walker import ActionRecord, InvalidAnswer, StaleReply, Walk
from tui.answer_keys import DIGIT_WAIT, AnswerKeys, Filtered, Held, Ignored
from tui.literal import escape_markdown, literal, markdown_template, notify_plain
from tui.widgets.answer_buttons import AnswerButton, AnswerButtons
from tui.widgets.node_body import NodeBody, is_inline, paragraphs, quick_markdown
from tui.widgets.walk_header import WalkHeader

if TYPE_CHECKING:
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
        self.prompt: Prompt = walk.prompt()
        self._keys = AnswerKeys(())
        self._digit_timer: Timer | None = None
        self._held_at = 0.0  # when the digits held were typed (the key event's time)
        self._result_shown = False
        self._laid_out = False
        self._show_again = False
        self._part: str | None = None
        self._refill: str | None = None
        self._path_timer: Timer | None = None
        self._early: list[events.Key] = []
        # The screen's own keys, each of a binding's keys ("ctrl+n,f2") on its own.
        self._bound = {
            key.strip(): b.action
            for b in self.BINDINGS
            if isinstance(b, Binding)
            for key in b.key.split(",")
        }

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
            needed = part_for(self.prompt)
            if needed is not None:
                yield new_part(needed)

    def on_mount(self) -> None:
        self.set_class(self.branchwise.path_toggled, "-path-toggled")
        self.show_node()
        self.call_after_refresh(self._complete_layout)
        node_area = self.query_one("#node", VerticalScroll)
        self.watch(node_area, "scroll_y", self._count_unseen, init=False)
        self.watch(node_area, "virtual_size", self._count_unseen, init=False)

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
            self._show_again = False
            self.show_node()
        else:
            self._refresh_path()
        self._take_early_keys()

    def _settle_parts(self, panels: list[Widget]) -> None:
        """Panels mounted after the first frame: shown when the node needs them, else hidden."""
        for panel in panels:
            panel.styles.clear_rule("opacity")
            for part in (panel, *panel.walk_children()):
                part.refresh()  # what was painted transparent is painted again
        if self._part is not None:
            self._show_part(self._part)

    # Showing what the walk needs now.

    def show_node(self) -> None:
        """Show the walk's prompt: its current node, or its outcome when it has ended."""
        walk = self.walk
        prompt = self.prompt = walk.prompt()
        self._result_shown = False
        self._keys = AnswerKeys(prompt.options if isinstance(prompt, Choose) else ())
        self._stop_digit_timer()
        if isinstance(prompt, Ended):
            self.branchwise.show_outcome(walk)
            return
        node = walk.node
        needed = part_for(prompt)
        if needed is not None and not self.query(f"#{needed}"):
            self._show_again = True  # a key came before the layout was complete
            return
        refill, self._refill = self._refill, None
        self.query_one(WalkHeader).show(walk)
        self._show_path_soon()
        self._show_passage()
        self.query_one("#title", Static).update(literal(self._masked(walk.text(node.title))))
        self.query_one(NodeBody).show(self._body_markdown())
        node_area = self.query_one("#node", VerticalScroll)
        if node_area.scroll_y:
            node_area.scroll_home(animate=False)  # a new node starts at its title
        self._show_error(None)
        self._show_filter()
        if isinstance(prompt, TypeValue):
            self._show_input(prompt, refill)
        elif isinstance(prompt, Failed):
            self._show_stuck(prompt)
        elif isinstance(prompt, (Confirm, Call)):
            self._start_action(prompt)
        else:
            self._show_part("answers")
            self._show_answers()
            self.call_after_refresh(self.query_one(AnswerButtons).focus_first)

    def _show_answers(self) -> None:
        """The answers the typed filter keeps (every one without a filter)."""
        answers = self.query_one(AnswerButtons)
        count = len(self._keys.options)
        answers.show([self._masked_option(o) for o in self._keys.shown()], count)
        self.call_after_refresh(self._count_unseen)

    def _count_unseen(self) -> None:
        """Say under the node how many answers are below what it shows ("↓ 3 more answers")."""
        found = self.query(AnswerButtons)
        if not found:
            return  # called after a refresh: the screen may be closing by then
        node_area = self.query_one("#node", VerticalScroll)
        answers = found.first()
        # Where the node's visible part ends, in the node's own (scrolled) lines.
        bottom = node_area.scroll_y + node_area.scrollable_content_region.height
        top = answers.virtual_region.y
        unseen = 0
        if answers.display and self._choosing():
            unseen = sum(
                1
                for b in answers.shown_buttons
                if b.is_mounted and top + b.virtual_region.y >= bottom
            )
        plural = "answer" if unseen == 1 else "answers"
        node_area.border_subtitle = f"↓ {unseen} more {plural}" if unseen else ""

    def _show_passage(self) -> None:
        """The links and linked outcomes passed through to get here, each as a line of its own
        (a link with its body): the walk as it went, not only the step it reached."""
        lines: list[Content] = []
        walk = self.walk
        for visit in walk.passage():
            node = walk.trees[visit.tree_id].nodes[visit.node_id]
            if isinstance(node, Link):
                lines.append(literal(self._masked(f"↪ {walk.link_title(visit)}")))
                body = markdown_template(node.body, walk.public_variables()).strip()
                if body:
                    lines.append(paragraphs(body) if is_inline(body) else quick_markdown(body))
            elif isinstance(node, Outcome):
                title = self._masked(walk.text(node.title))
                lines.append(literal(f"↩ {title} ({node.status})"))
        shown = Content("\n").join(lines) if lines else None
        self._show_line("passage", shown, "#title")

    def _show_filter(self) -> None:
        """The letters typed to filter the answers, while there are some."""
        text = self._keys.filter
        if not text:
            self._show_line("answer-filter", None)
            return
        matches = len(self._keys.shown())
        found = f"{matches} answer{'s' * (matches != 1)}" if matches else "no answer"
        self._show_line("answer-filter", f"Filter: {text}  ({found}; esc clears, backspace erases)")

    def _show_line(self, name: str, text: str | Content | None, before: str = "#answers") -> None:
        """A line of the node shown only at times (an error, a filter, links passed), mounted
        the first time it is needed: every widget of the first frame costs the start."""
        shown = next(iter(self.query(f"#{name}").results(Static)), None)
        if shown is None:
            if text is None:
                return
            shown = Static(id=name)
            self.query_one("#node", VerticalScroll).mount(shown, before=before)
        shown.update(text if isinstance(text, Content) else literal(text or ""))
        shown.display = text is not None

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
            reason = walk.by_hand_reason()
            if reason:
                parts.append(f"*By hand: {escape_markdown(reason)}.*")
            parts.append(markdown_template(node.manual, shown))
        return "\n\n".join(part for part in parts if part.strip())

    def _show_part(self, name: str) -> None:
        self._part = name
        for part in PARTS:
            for widget in self.query(f"#{part}"):
                widget.display = part == name

    def _show_error(self, message: str | None) -> None:
        self._show_line("walk-error", message)

    def _attempt(self, change: Callable[[], object]) -> bool:
        """Make a change to the walk; when it is refused, say why and stay on this node."""
        try:
            change()
        except BranchwiseError as error:
            self._refused(refusal(error))
            return False
        return True

    def _reply(self, reply: Reply, step: int | None = None) -> bool:
        """Give the walk a reply to the prompt shown (or to step `step`), then show what it
        needs next. A reply to a step already left is dropped without a word."""
        try:
            self.walk.reply(self.prompt.step if step is None else step, reply)
        except StaleReply:
            return False
        except BranchwiseError as error:
            self._refused(refusal(error))
            return False
        self.show_node()
        return True

    def _refused(self, message: str) -> None:
        """Say under the node, and in a notification seen wherever the node is scrolled, why a
        change was refused."""
        self._show_error(message)
        self.query_one("#walk-error", Static).scroll_visible(animate=False)
        notify_plain(self.app, message, "error", timeout=10)

    def _show_input(self, prompt: TypeValue, value: str | None) -> None:
        """The input's box, holding `value` (the one given before going back) unless secret."""
        self._show_part("input-panel")
        panel = self._input_panel()
        node, secret = prompt.node, prompt.secret
        value = "" if value is None or value == MASK or secret else value
        # The title is already the largest text on the screen; only a prompt adds a label.
        label = self._masked(self.walk.text(node.prompt))
        panel.ask(label, self.walk.validate_input, value, secret=secret)
        self.call_after_refresh(panel.focus_box)

    def _show_stuck(self, prompt: Failed) -> None:
        """A failed call without on_error, a call not made yet (retry or run it, by hand, back),
        or a walk that cannot go on (back)."""
        self._show_part("action-panel")
        can_retry = Way.RUN in prompt.ways
        self._shown_action_panel().show_failure(prompt.message, ran=prompt.ran, can_retry=can_retry)

    # Actions.

    def _start_action(self, prompt: Confirm | Call) -> None:
        self._show_part("action-panel")
        call = prompt.call
        if isinstance(prompt, Confirm):
            from tui.screens.confirm import ConfirmScreen

            details = [call.describe()]
            if call.side_effects:
                details.append("This call changes things; going back will not undo it.")
            question = f"Run {call.uses} now?"

            def confirmed(yes: bool | None) -> None:
                self._reply(Way.RUN if yes else Way.HOLD, prompt.step)

            self.app.push_screen(
                ConfirmScreen(question, details, yes="Run it", no="Not now"), confirmed
            )
            return
        self._shown_action_panel().run(call, self.walk.runner.invoke, prompt.step)

    def on_action_panel_finished(self, event: ActionPanel.Finished) -> None:
        visit_index = len(self.walk.visits) - 1
        try:
            self.walk.reply(event.step, Called(event.call, event.result))
        except StaleReply:
            return  # the walk moved on while the call was out (went back, reloaded)
        except BranchwiseError as error:
            self._refused(refusal(error))
            # The call was made: offering to make it again could repeat what it changed.
            self._shown_action_panel().show_failure(
                "The call's result was not saved.", can_retry=False
            )
            return
        if isinstance(self.walk.prompt(), Failed):
            self.show_node()
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
        first = self.walk.fields_read(node) if isinstance(node, Action) else []
        self._shown_action_panel().show_result(
            record.result if record is not None else None, routes, taken, first
        )
        self._result_shown = True

    def on_action_panel_picked(self, event: ActionPanel.Picked) -> None:
        self._do(event.what)

    def _do(self, what: str) -> None:
        if what == "continue":
            self.show_node()  # the result was shown; the walk is already at its next step
        elif what in ("retry", "run"):
            self._reply(Way.RUN)
        elif what == "by-hand":
            self._reply(Way.BY_HAND)
        elif what == "back":
            self.action_back()

    # Answers.

    @on(AnswerButtons.Chosen)
    def _chosen(self, event: AnswerButtons.Chosen) -> None:
        held = self._keys.take_held()  # Enter takes a number being typed at once
        self._choose(held if held is not None else event.option)

    def _choose(self, option: Option) -> None:
        self._reply(option)

    def _input_panel(self) -> InputPanel:
        from tui.widgets.input_panel import InputPanel

        return self.query_one("#input-panel", InputPanel)

    def on_input_panel_submitted(self, event: InputPanel.Submitted) -> None:
        try:
            self.walk.reply(self.prompt.step, event.value)
        except StaleReply:
            return
        except InvalidAnswer as exc:
            self._input_panel().show_reason(exc.message)
            return
        except BranchwiseError as error:
            self._refused(refusal(error))
            return
        self.show_node()

    def take_key(self, event: events.Key) -> bool:
        """Handle a key as soon as the app reads it, in the order keys were typed (see
        BranchwiseApp.on_event); False leaves it to the focused widget as usual.

        Digits pick by number, a choice's own key picks it, other letters filter a long list,
        Enter takes the answer under the focus (or the number being typed), and the screen's
        own keys (Esc, ctrl+r…) act at once. A text box keeps its keys. A screen not fully shown
        yet holds the keys for when it is; one whose walk has ended takes them and drops them.
        """
        if isinstance(self.prompt, TypeValue) or isinstance(self.focused, Input):
            return False
        if not self._laid_out or self._show_again:
            self._early.append(event)
            return True
        if isinstance(self.prompt, Ended):
            return event.is_printable or event.key == "enter"
        if event.key == "escape" and self._keys.digits:
            self._keys.take_held()  # Esc drops a number being typed, before anything else
            self._stop_digit_timer()
            return True
        action = self._bound.get(event.key)
        if action is not None:
            self._take_held()
            getattr(self, f"action_{action}")()
            return True
        if event.key == "backspace":
            return self._erase()
        if event.key == "enter":
            return self._enter()
        if event.character is None or not event.is_printable:
            return False
        return self._typed(event.character.casefold(), event.time)

    def _typed(self, key: str, typed_at: float) -> bool:
        action_panel = self._action_panel()
        failed = action_panel is not None and action_panel.has_class("-failed")
        if action_panel is not None and action_panel.display and (self._result_shown or failed):
            what = {"1": "continue"} if self._result_shown else offered_keys(action_panel)
            if key in what:
                self._do(what[key])
            return True
        if not self._choosing():
            return False
        # The held number is complete when this key is no digit that can follow it, or was
        # typed after the wait: by when the keys were typed, not when they are handled, so a
        # busy machine splits no number typed in a burst.
        late = typed_at - self._held_at > DIGIT_WAIT
        if self._keys.digits and (not key.isdecimal() or self._keys.spills(key) or late):
            self._take_held()  # this key is the next step's
            return self._typed(key, typed_at)
        typed = self._keys.press(key)
        if isinstance(typed, Ignored):
            return False
        if isinstance(typed, Held):
            self._stop_digit_timer()
            self._held_at = typed_at
            self._digit_timer = self.set_timer(DIGIT_WAIT, self._wait_over)
        elif isinstance(typed, Filtered):
            self._filtered()
        else:
            self._choose(typed)
        return True

    def _enter(self) -> bool:
        """Enter: the number being typed, else the answer (or action button) under the focus."""
        if self._keys.digits:
            self._take_held()
            return True
        focused = self.focused
        if not isinstance(focused, AnswerButton):
            return False
        if self._result_shown or not self._choosing():
            focused.press()  # an action panel's button: a message of its own, no answer
            return True
        answers = self.query_one(AnswerButtons)
        if focused in answers.shown_buttons:
            self._choose(answers.options[answers.shown_buttons.index(focused)])
        return True

    def _erase(self) -> bool:
        if not self._keys.erase():
            return False
        self._filtered()
        return True

    def _take_early_keys(self) -> None:
        """The keys typed before the screen was fully shown, now that it is; those it does not
        take (a key for a text box) are dropped."""
        early, self._early = self._early, []
        for event in early:
            if self.app.screen is not self:
                return  # the walk ended on one of them: the rest were for a screen now gone
            self.take_key(event)

    def _choosing(self) -> bool:
        """Whether the prompt shown asks to pick one of a list of answers."""
        return isinstance(self.prompt, Choose)

    def _filtered(self) -> None:
        self._show_filter()
        self._show_answers()
        self.call_after_refresh(self.query_one(AnswerButtons).focus_first)

    def _wait_over(self) -> None:
        """The wait for a second digit is over: the held digits are taken once the keys the app
        has already read are handled (one of them may be that second digit, typed in time)."""
        held_at = self._held_at

        def take() -> None:
            if self._keys.digits and self._held_at == held_at:  # not a later number's digits
                self._take_held()

        self.app.call_later(take)

    def _take_held(self) -> None:
        """The digits held for a longer number, taken as they are (the wait is over)."""
        self._stop_digit_timer()
        held = self._keys.take_held()
        if held is not None:
            self._choose(held)

    def _stop_digit_timer(self) -> None:
        timer, self._digit_timer = self._digit_timer, None
        if timer is not None:
            timer.stop()

    # Going back, notes, other screens.

    def _rewind(self, go_back: Callable[[], list[ActionRecord]]) -> list[ActionRecord]:
        """Go back with `go_back`, keeping the answer given where it lands to fill it in again."""
        given = [visit.answer for visit in self.walk.visits]
        undone = go_back()
        here = len(self.walk.visits) - 1
        self._refill = given[here] if here < len(given) else None
        return undone

    def action_back(self) -> None:
        if self._keys.clear_filter():  # Esc clears a filter before it goes back
            self._filtered()
            return
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


def part_for(prompt: Prompt) -> str | None:
    """The id of the panel a prompt is shown with, besides the answer buttons."""
    if isinstance(prompt, TypeValue):
        return "input-panel"
    if isinstance(prompt, (Failed, Confirm, Call)):
        return "action-panel"
    return None


def new_part(name: str) -> Widget:
    """The input or action panel, by id; each panel's module is loaded when first needed (the
    input panel's multi-line text box alone costs a few milliseconds to import, too many before
    the first frame of a walk that starts with a question)."""
    if name == "input-panel":
        from tui.widgets.input_panel import InputPanel

        return InputPanel(id=name)
    from tui.widgets.action_panel import ActionPanel

    return ActionPanel(id=name)
