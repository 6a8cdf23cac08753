"""The plain line mode: a walk shown as text, answers read one per line or from `--answers`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from engine.text import display, plain
from engine.tree.model import Action, Input, Link, Node, Outcome
from engine.walk.action_runner import PendingCall, fields_first
from engine.walk.answers import Option, describe_options, match_option
from engine.walk.masking import MASK
from engine.walk.prompts import Call, Called, Choose, Confirm, Failed, Prompt, TypeValue, Way
from engine.walk.walker import ActionRecord, InvalidAnswer, Visit, Walk
from tui.answer_feed import AnswerFeed

HELP = """Commands (they start with a colon, so no answer can be taken for one):
  :back         go back to the previous question; later answers are forgotten
  :restart      start again from the first step
  :note TEXT    attach a note to this step
  :quit         stop here; the session stays open and can be resumed
  :help         this list
Answer with a choice's number, key or label; Enter continues a step.
To give an answer that starts with a colon, double it (::text)."""

RETRY = Option("Try again", "", "r", 0)
BY_HAND = Option("Do it by hand", "", "h", 1)
YES_WORDS = frozenset({"y", "yes"})
NO_WORDS = frozenset({"n", "no", ""})
RESULT_FIELDS = 6

Halt = int | None  # an exit code to stop with, or None to go on


@dataclass(frozen=True, slots=True)
class Stopped:
    """Why a walk stopped short, for `run --json` (SPEC section 4)."""

    reason: str  # answers-ran-out, answer-not-taken, quit, action-failed
    node: str
    answer: str | None
    expected: Sequence[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "node": self.node,
            "answer": self.answer,
            "expected": list(self.expected),
        }


class Screen:
    """Where plain mode writes what it shows, every secret the walk holds masked; no stream
    shows nothing (scripted --json)."""

    def __init__(self, stream: TextIO | None, walk: Walk) -> None:
        self.stream = stream
        self.walk = walk

    def line(self, text: str = "") -> None:
        if self.stream is not None:
            self.stream.write(self.walk.mask.text(text) + "\n")

    def prompt(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(text)
            self.stream.flush()


class PlainWalk:
    """Drives one walk to its end in text: shows each node, reads answers, runs actions."""

    def __init__(
        self,
        walk: Walk,
        feed: AnswerFeed,
        screen: Screen,
        errors: TextIO,
        resume_command: str,
    ) -> None:
        self.walk = walk
        self.feed = feed
        self.screen = screen
        self.errors = errors
        self.resume_command = resume_command
        self._shown = 0
        self._error_told: str | None = None
        self.stopped: Stopped | None = None

    # The loop.

    def run(self) -> int:
        """Walk until an outcome (0) or until the walk stops short (1; 130 on Ctrl-C)."""
        try:
            while not self.walk.finished:
                self._show_new()
                code = self._turn()
                if code is not None:
                    return code
        except KeyboardInterrupt:
            return self._stop("interrupted", 130, "quit")
        self._show_new()
        self.screen.line()
        self.screen.line(f"Finished: {self.walk.status}. Session {self.walk.id}.")
        return 0

    def recap(self) -> None:
        """Say where a resumed walk stands: the answers given so far, then the current node."""
        self.screen.line(f"Resuming session {self.walk.id}. Answered so far:")
        for number, visit in self._numbered()[:-1]:
            title = self.walk.text(self._node(visit).title)
            self.screen.line(f"  [{number}] {title} → {plain(visit.answer or '')}")
        self._shown = max(len(self.walk.visits) - 1, 0)

    def _turn(self) -> Halt:
        """Show what the walk needs now and give it the reply: the walk alone says what is next."""
        prompt = self.walk.prompt()
        if isinstance(prompt, Failed):
            return self._failed(prompt)
        if isinstance(prompt, Confirm):
            return self._confirm(prompt)
        if isinstance(prompt, Call):
            return self._call(prompt)
        return self._ask(prompt)

    def _ask(self, prompt: Prompt) -> Halt:
        taken = self._take(prompt)
        if not isinstance(taken, str):
            return taken
        return self._reply(prompt, taken)

    def _reply(self, prompt: Prompt, reply: str | Way) -> Halt:
        """Give the walk a reply to this prompt; a refused one is said (or stops a script)."""
        try:
            self.walk.reply(prompt.step, reply)
        except InvalidAnswer as exc:
            answer = reply if isinstance(reply, str) else reply.value
            return self._refused(exc.message, prompt, answer)
        return None

    def _take(self, prompt: Prompt) -> str | Halt:
        """The next answer as text; or an exit code; or None when a command was handled."""
        secret = isinstance(prompt, TypeValue) and prompt.secret
        self.screen.prompt("> ")
        text = self.feed.next(secret=secret)
        if text is None:
            self.screen.line()
            reason = "input ended" if self.feed.interactive else "out of answers"
            return self._stop(reason, 1, "answers-ran-out", prompt)
        if not self.feed.interactive:
            self.screen.line(MASK if secret else plain(text))
        if text.startswith("::"):
            return text[1:]
        if text.startswith(":"):
            return self._command(text[1:], prompt)
        return text

    # Showing.

    def _show_new(self) -> None:
        visits = self.walk.visits
        for index in range(self._shown, len(visits)):
            visit = visits[index]
            if visit.auto:
                self._show_transit(visit)
            else:
                self._show_node(visit)
        self._shown = len(visits)

    def _numbered(self) -> list[tuple[int, Visit]]:
        shown = [v for v in self.walk.visits if not v.auto]
        return list(enumerate(shown, start=1))

    def _node(self, visit: Visit) -> Node:
        return self.walk.trees[visit.tree_id].nodes[visit.node_id]

    def _show_transit(self, visit: Visit) -> None:
        node = self._node(visit)
        if visit is self.walk.current and self.walk.error:
            return  # a link that could not be followed: the error says why
        if isinstance(node, Link) and node.tree in self.walk.trees:
            self.screen.line(f"\n↪ Continuing in: {self.walk.link_title(visit)}")
            body = self.walk.text(node.body).strip()
            if body:
                self.screen.line(body)
        elif isinstance(node, Outcome):
            title = self.walk.text(node.title)
            self.screen.line(f"↩ {title} ({node.status}); back to the previous guide")

    def _show_node(self, visit: Visit) -> None:
        node = self._node(visit)
        number = sum(1 for v in self.walk.visits[: self.walk.visits.index(visit) + 1] if not v.auto)
        title = self.walk.text(node.title)
        heading = f"{title} ({node.status})" if isinstance(node, Outcome) else title
        self.screen.line()
        self.screen.line(f"[{number}] {heading}")
        body = self.walk.text(node.body).strip()
        if body:
            self.screen.line(body)
        if isinstance(node, Input):
            self.screen.line(f"  {self._input_hint(node)}")
        elif isinstance(node, Action) and self.walk.is_manual():
            self._show_manual(node)
        self._show_options(self.walk.options())

    def _show_options(self, options: list[Option]) -> None:
        for option in options:
            key = f"  [{plain(option.key)}]" if option.key else ""
            self.screen.line(f"  {option.index + 1}) {option.label}{key}")

    def _input_hint(self, node: Input) -> str:
        hint = self.walk.text(node.prompt) or "Your answer"
        notes = {"number": ["a number"], "email": ["an email address"]}.get(node.kind, [])
        if not node.required:
            notes.append("optional, Enter to skip")
        return f"{hint} ({', '.join(notes)})" if notes else hint

    def _show_manual(self, node: Action) -> None:
        preview = self.walk.preview_call()
        if self.walk.runner.dry_run and preview is not None:
            self.screen.line(f"  Dry run: would call {_call_line(preview)}")
        self.screen.line(f"  By hand ({plain(self.walk.by_hand_reason() or '')}):")
        manual = self.walk.text(node.manual).strip()
        for line in manual.splitlines() or ["Do it by hand, then choose what you found."]:
            self.screen.line(f"    {line}" if line else "")

    # Actions.

    def _call(self, prompt: Call) -> Halt:
        call = prompt.call
        self.screen.line(f"Calling {_call_line(call)}…")
        visit = self.walk.current
        self.walk.reply(prompt.step, Called(call, self.walk.runner.invoke(call)))
        self._show_result(visit)
        return None

    def _confirm(self, prompt: Confirm) -> Halt:
        """Yes makes the call; no (or Enter) does it by hand."""
        self.screen.line(f"This will call {_call_line(prompt.call)}.")
        self.screen.line("Run it? [y/N]")
        taken = self._take(prompt)
        if not isinstance(taken, str):
            return taken
        word = taken.strip().casefold()
        if word in YES_WORDS:
            return self._reply(prompt, Way.RUN)
        if word in NO_WORDS:
            self._shown = len(self.walk.visits) - 1
            return self._reply(prompt, Way.BY_HAND)
        message = f"{taken!r} is not an answer here; expected yes or no"
        return self._refused(message, prompt, taken)

    def _show_result(self, visit: Visit) -> None:
        record, node = visit.action, self._node(visit)
        if record is None:
            return
        if record.error:
            self.screen.line(f"  ✗ {plain(record.error)}")
        elif record.result is not None:
            first = self.walk.fields_read(node) if isinstance(node, Action) else []
            self.screen.line(f"  Result: {summarize(record.result, first)}")
        if record.route == "error":
            self.screen.line("  → taking the route for a failed call")
        elif record.route:
            self.screen.line(f"  → {plain(record.route)}")

    def _failed(self, prompt: Failed) -> Halt:
        """The walk cannot go on by itself: a failed call without on_error, or a broken link."""
        if not prompt.ways:
            return self._stop(prompt.message, 1, "action-failed", prompt)
        if self._error_told != prompt.message:
            self.screen.line(f"  ✗ {plain(prompt.message)}")
            self._show_options([RETRY, BY_HAND])
            self._error_told = prompt.message
        taken = self._take(prompt)
        if not isinstance(taken, str):
            return taken
        chosen = match_option(taken, [RETRY, BY_HAND])
        if chosen is None:
            expected = describe_options([RETRY, BY_HAND])
            message = f"{taken!r} is not an answer here; expected one of: {expected}"
            return self._refused(message, prompt, taken)
        self._error_told = None
        if chosen is BY_HAND:
            self._shown = len(self.walk.visits) - 1
        return self._reply(prompt, Way.BY_HAND if chosen is BY_HAND else Way.RUN)

    # Commands.

    def _command(self, text: str, prompt: Prompt) -> Halt:
        name, _, rest = text.strip().partition(" ")
        handlers = {
            "back": self._back,
            "restart": self._restart,
            "note": self._note,
            "quit": self._quit,
            "help": self._help,
        }
        handler = handlers.get(name.casefold())
        if handler is None:
            message = f"unknown command ':{plain(name)}'; type :help for the list"
            return self._refused(message, prompt, f":{text}")
        try:
            return handler(rest.strip())
        except InvalidAnswer as exc:
            return self._refused(exc.message, prompt, f":{text}")

    def _back(self, _: str) -> Halt:
        self._rewound(self.walk.back)
        return None

    def _restart(self, _: str) -> Halt:
        self._rewound(self.walk.restart)
        return None

    def _rewound(self, rewind: Any) -> None:
        answered = sum(1 for v in self.walk.visits if v.answer is not None)
        undone: list[ActionRecord] = rewind()
        forgotten = answered - sum(1 for v in self.walk.visits if v.answer is not None)
        self.screen.line(f"  Going back: {forgotten} answer(s) forgotten.")
        for record in undone:
            self.screen.line(
                f"  Warning: {_record_line(record)} already ran and going back does not undo it."
            )
        self._shown = len(self.walk.visits) - 1
        self._error_told = None

    def _note(self, text: str) -> Halt:
        self.walk.note(plain(text))
        self.screen.line("  Noted.")
        return None

    def _quit(self, _: str) -> Halt:
        return self._stop("stopped on request", 1, "quit")

    def _help(self, _: str) -> Halt:
        for line in HELP.splitlines():
            self.screen.line(line)
        return None

    # Stopping short.

    def _where(self) -> str:
        visit = self.walk.current
        title = self.walk.text(self._node(visit).title)
        return f"'{visit.qualified(self.walk.tree.id)}' ({title})"

    def _stop(
        self,
        reason: str,
        code: int,
        why: str,
        prompt: Prompt | None = None,
        answer: str | None = None,
    ) -> int:
        told = f"branchwise: {plain(reason)} (at {self._where()}); the session stays open.\n"
        self.errors.write(self.walk.mask.text(told) + f"Resume with: {self.resume_command}\n")
        prompt = prompt if prompt is not None else self.walk.prompt()
        if isinstance(prompt, Failed):
            why = "action-failed"  # what stopped the walk, whatever the last answer was
        if isinstance(prompt, TypeValue) and prompt.secret and answer is not None:
            answer = MASK
        node = self.walk.current.qualified(self.walk.tree.id)
        self.stopped = Stopped(why, node, answer, self._expected(prompt))
        return code

    def _expected(self, prompt: Prompt) -> list[str]:
        """What would have been taken at this prompt, as a person would type it."""
        if isinstance(prompt, Choose):
            return [option.label for option in prompt.options]
        if isinstance(prompt, TypeValue):
            return [self._input_hint(prompt.node)]
        if isinstance(prompt, Confirm):
            return ["yes", "no"]
        if isinstance(prompt, Failed) and prompt.ways:
            return [RETRY.label, BY_HAND.label]
        return []

    def _refused(self, message: str, prompt: Prompt, answer: str) -> Halt:
        """A bad answer: a person is asked again; a script stops here."""
        if self.feed.interactive:
            self.screen.line(f"  ✗ {plain(message)}")
            return None
        return self._stop(message, 1, "answer-not-taken", prompt, answer)


def _call_line(call: PendingCall) -> str:
    target = call.target()
    return plain(f"{call.uses} ({target})" if target else call.describe())


def _record_line(record: ActionRecord) -> str:
    shown = ", ".join(f"{k}={display(v)}" for k, v in record.params.items())
    return plain(f"{record.uses} ({shown})" if shown else record.uses)


def summarize(result: Mapping[str, Any], first: Sequence[str] = ()) -> str:
    """A few fields of an action result, on one line, scalars only: those the routes read
    (`first`) before the rest."""
    keys = list(fields_first(result, first))
    scalars = [k for k in keys if isinstance(result[k], (str, int, float, bool))]
    shown = [f"{plain(str(k))}={display(result[k])}" for k in scalars[:RESULT_FIELDS]]
    more = len(result) - len(shown)
    return ", ".join(shown) + (f" (+{more} more)" if more > 0 else "") if shown else "(no fields)"
