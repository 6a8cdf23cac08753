"""Walking a tree: a Walk moves node to node as answers come, goes back, and tells a recorder.

The walk knows nothing of screens: a face asks it for the current node and its options, gives it
answers, runs pending action calls (in a worker if it likes) and hands back their results.
"""

from __future__ import annotations

import time
import uuid
import weakref
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.errors import BranchwiseError
from engine.text import plain
from engine.tree.model import Action, Choice, Input, Link, Node, Outcome, Question, Step, Tree
from engine.walk.action_runner import ActionRunner, CallResult, PendingCall
from engine.walk.answers import CONTINUE, Option, check_input, describe_options, match_option
from engine.walk.conditions import holds, variables_of
from engine.walk.masking import MASK, Mask
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
from engine.walk.templates import render, render_value

OPEN = "open"


class InvalidAnswer(BranchwiseError):
    """An answer that fits nothing the current node offers; says what would fit."""


class StaleReply(BranchwiseError):
    """A reply meant for a step that is no longer the current one (a key typed ahead, a call
    that came back after the walk moved on): refused, and a face lets it go without a word."""


class WalkError(BranchwiseError):
    """The walk cannot go on (a link cycle, a missing tree, a failed action without on_error)."""


@dataclass(slots=True)
class ActionRecord:
    """One action call made (or done by hand) at a node; `params` has secrets masked."""

    uses: str
    params: Mapping[str, Any]
    mode: str  # called, stubbed, dry-run, manual
    side_effects: bool = False
    result: Mapping[str, Any] | None = None
    error: str | None = None
    route: str | None = None


@dataclass(slots=True)
class Visit:
    """One node shown on the walk's path, and what was answered there."""

    tree_id: str
    node_id: str
    at: float
    vars_before: dict[str, Any]
    frames: tuple[tuple[str, str], ...]
    auto: bool = False  # passed through without a question (links, outcomes of linked trees)
    by_hand: bool = False
    answer: str | None = None
    answered_at: float | None = None
    # The way out taken: "next", "choice:I", "route:I" (I indexes the node's list), "on_error".
    taken: str | None = None
    action: ActionRecord | None = None
    notes: list[str] = field(default_factory=list)

    def qualified(self, root: str) -> str:
        """The node id, prefixed with its tree's id when it is not the walk's own tree."""
        return self.node_id if self.tree_id == root else f"{self.tree_id}:{self.node_id}"


class Recorder(Protocol):
    """Told of every change as it happens, so a store can keep the walk (see engine.sessions.store).

    Each change of a walk (its start, an answer, a call's result, going back, a note) runs
    inside `change(walk)`: its events arrive in that block, which ends normally when the change
    is done and with the error when it is not, so a store can keep all of a change or none of
    it. `joined` (a recorder given to a walk begun without one) stands alone.
    """

    def change(self, walk: Walk) -> AbstractContextManager[None]: ...

    def started(self, walk: Walk) -> None: ...

    def entered(self, walk: Walk, index: int) -> None: ...

    def answered(self, walk: Walk, index: int) -> None: ...

    def rewound(self, walk: Walk, index: int) -> None: ...

    def noted(self, walk: Walk, index: int, text: str) -> None: ...

    def note_edited(self, walk: Walk, index: int, note_index: int, text: str) -> None: ...

    def ended(self, walk: Walk) -> None: ...

    def joined(self, walk: Walk) -> None: ...


class NullRecorder:
    """Keeps nothing: scenario tests and benchmarks."""

    def change(self, walk: Walk) -> AbstractContextManager[None]:
        return nullcontext()

    def started(self, walk: Walk) -> None:
        return None

    def entered(self, walk: Walk, index: int) -> None:
        return None

    def answered(self, walk: Walk, index: int) -> None:
        return None

    def rewound(self, walk: Walk, index: int) -> None:
        return None

    def noted(self, walk: Walk, index: int, text: str) -> None:
        return None

    def note_edited(self, walk: Walk, index: int, note_index: int, text: str) -> None:
        return None

    def ended(self, walk: Walk) -> None:
        return None

    def joined(self, walk: Walk) -> None:
        return None


TreeResolver = Callable[[str], Tree]


class Walk:
    """One walk through a tree, from its start to an outcome."""

    def __init__(
        self,
        tree: Tree,
        *,
        resolve_tree: TreeResolver | None = None,
        runner: ActionRunner | None = None,
        recorder: Recorder | None = None,
        variables: Mapping[str, Any] | None = None,
        session_id: str | None = None,
        clock: Callable[[], float] = time.time,
        agent: str = "",
        ticket: str = "",
    ) -> None:
        self.tree = tree
        self.id = session_id or uuid.uuid4().hex[:12]
        self.runner = runner or ActionRunner()
        self.recorder: Recorder = recorder or NullRecorder()
        self.clock = clock
        self.agent = agent
        self.ticket = ticket
        self.given = dict(variables or {})
        self.trees: dict[str, Tree] = {tree.id: tree}
        self._resolve = resolve_tree
        self._node_of: tuple[Visit | None, Node | None] = (None, None)
        self.started_at = clock()
        self.visits: list[Visit] = []
        self.variables: dict[str, Any] = {}
        self.status = OPEN
        self.error: str | None = None
        # The current step's number (see `step`), and whether its call was confirmed or held.
        self._turn = 0
        self._confirmed = False
        self._held = False
        if tree.start not in tree.nodes:
            raise WalkError(
                f"tree {tree.id!r} has no start node {tree.start!r}; run 'branchwise validate'"
            )
        # The start is one change: the session and its first steps are kept, or none of it.
        with self.recorder.change(self):
            self.recorder.started(self)
            self._begin()

    # What is shown now.

    @property
    def current(self) -> Visit:
        return self.visits[-1]

    @property
    def node(self) -> Node:
        visit = self.visits[-1]
        seen, node = self._node_of
        if visit is not seen or node is None:
            # Asked several times a step; looked up once per visit.
            node = self.trees[visit.tree_id].nodes[visit.node_id]
            self._node_of = (visit, node)
        return node

    @property
    def current_tree(self) -> Tree:
        return self.trees[self.current.tree_id]

    @property
    def finished(self) -> bool:
        return self.status != OPEN

    @property
    def secrets(self) -> frozenset[str]:
        """Names of variables declared secret in any tree this walk has entered."""
        return frozenset(name for tree in self.trees.values() for name in tree.secrets)

    def text(self, template: str) -> str:
        """A title, body, label or manual text with the walk's variables filled in, as text."""
        return render(template, self.variables)

    def is_manual(self) -> bool:
        """Whether the current action node is done by a person (its routes become the answers)."""
        node = self.node
        if not isinstance(node, Action):
            return False
        if self.current.by_hand:
            return True
        return not self.runner.is_automatic(node.action.uses, self._call_args(node))

    def do_by_hand(self) -> None:
        """Do the current action node by hand after all (say, when its call failed)."""
        if not isinstance(self.node, Action):
            raise InvalidAnswer("only an action can be done by hand")
        self.current.by_hand = True
        self.error = None
        self._moved()

    def by_hand_reason(self) -> str | None:
        """Why the current action node is done by a person, in words; None when it is not."""
        node = self.node
        if not isinstance(node, Action) or not self.is_manual():
            return None
        if self.current.by_hand:
            return "chosen instead of the call"
        return self.runner.why_by_hand(node.action.uses, self._call_args(node))

    # What is needed now, and the reply to it.

    @property
    def step(self) -> int:
        """The current step's number, new at every change of what is asked: a reply names it,
        so a reply meant for an earlier step (a key typed ahead) is refused."""
        return self._turn

    def prompt(self) -> Prompt:
        """What the walk needs now, as one value a face shows and replies to."""
        step, node = self._turn, self.node
        if self.finished:
            return Ended(step, self.status)
        if self.error is not None:
            ways = (Way.RUN, Way.BY_HAND) if isinstance(node, Action) else ()
            return Failed(step, self.error, ways)
        if isinstance(node, Input):
            return TypeValue(step, node, node.var in self.secrets)
        if isinstance(node, Action) and not self.is_manual():
            if self._held:
                return Failed(step, "Not called yet.", (Way.RUN, Way.BY_HAND), ran=False)
            call = self.preview_call()
            assert call is not None, "an automatic action node has a call"
            if (call.confirm or call.side_effects) and not self._confirmed:
                return Confirm(step, call)
            return Call(step, call)
        return Choose(step, tuple(self.options()), self.by_hand_reason())

    def reply(self, step: int, reply: Reply) -> None:
        """Answer the prompt of step `step`: an option, typed text (a number, key or label, or
        an input's value), a call's result, or a way about the call (run it, hold it, by hand).

        Raises StaleReply when `step` is not the current step, and InvalidAnswer when the reply
        does not fit (an outcome takes none)."""
        if step != self._turn:
            raise StaleReply(f"step {step} is no longer the current one (now step {self._turn})")
        prompt = self.prompt()
        if isinstance(prompt, Ended):
            raise InvalidAnswer("the walk has ended; an outcome takes no answer")
        if isinstance(reply, Way):
            self._take_way(prompt, reply)
        elif isinstance(reply, Called):
            if not isinstance(prompt, Call):
                raise InvalidAnswer("no call is awaited at this step")
            self.complete(reply.call, reply.result)
        elif not isinstance(prompt, (Choose, TypeValue)):
            raise InvalidAnswer("this step takes no answer but about its call")
        elif isinstance(reply, Option):
            if not isinstance(prompt, Choose) or reply not in prompt.options:
                raise InvalidAnswer(f"{reply.label!r} is not an answer of this step")
            self.choose(reply)
        else:
            self.answer(reply)

    def _take_way(self, prompt: Prompt, way: Way) -> None:
        """Run, hold or do by hand the call a Confirm or a Failed prompt is about."""
        if isinstance(prompt, Confirm):
            ways: tuple[Way, ...] = (Way.RUN, Way.HOLD, Way.BY_HAND)
        else:
            ways = prompt.ways if isinstance(prompt, Failed) else ()
        if way not in ways:
            raise InvalidAnswer(f"'{way.value}' is not an answer at this step")
        if way is Way.BY_HAND:
            self.do_by_hand()
            return
        if way is Way.HOLD:
            self._held = True
        elif isinstance(prompt, Confirm):
            self._confirmed = True
        else:  # retried, or made after it was held
            self.error, self._held = None, False
        self._turn += 1

    def _moved(self) -> None:
        """What is asked changed: a new step number, and no call confirmed or held yet."""
        self._turn += 1
        self._confirmed = self._held = False

    def options(self) -> list[Option]:
        """The answers the current node offers, rendered; empty for inputs and outcomes."""
        node = self.node
        if self.finished:
            return []
        if isinstance(node, (Step, Question)):
            fixed = _fixed_options(self.trees[self.current.tree_id], node)
            if fixed is not None:
                return list(fixed)
        if isinstance(node, Question):
            shown = [c for c in node.choices if c.when is None or holds(c.when, self.variables)]
            return [Option(self.text(c.label), c.goto, c.key, i) for i, c in enumerate(shown)]
        if isinstance(node, Action) and self.is_manual():
            return [Option(self.text(r.label), r.goto, None, i) for i, r in enumerate(node.routes)]
        return []

    def _choice_at(self, node: Question, index: int) -> tuple[int, Choice]:
        """The choice shown at `index`, with its position among all of the node's choices."""
        shown = -1
        for position, choice in enumerate(node.choices):
            if choice.when is None or holds(choice.when, self.variables):
                shown += 1
                if shown == index:
                    return position, choice
        raise InvalidAnswer(f"node {node.id!r} shows no choice {index + 1}")

    # Answering.

    def answer(self, text: str) -> None:
        """Give the current node an answer as typed: a choice, a route, Continue or a value."""
        if self.finished:
            raise InvalidAnswer("the walk has ended; there is nothing more to answer")
        node = self.node
        if isinstance(node, Input):
            self.submit(text)
            return
        options = self.options()
        if not options:
            raise InvalidAnswer(f"node {node.id!r} takes no typed answer")
        option = match_option(text, options)
        if option is None:
            raise InvalidAnswer(
                f"{text!r} is not an answer here; expected one of: {describe_options(options)}"
            )
        self.choose(option)

    def choose(self, option: Option) -> None:
        """Take one of the current node's options."""
        if self.finished:
            raise InvalidAnswer("the walk has ended; an outcome takes no answer")
        node = self.node
        self._check_target(option.goto, option.label)
        with self._change():
            taken = "next"
            if isinstance(node, Question):
                position, choice = self._choice_at(node, option.index)
                if choice.set:
                    self.variables.update(choice.set)
                taken = f"choice:{position}"
            elif isinstance(node, Action):
                taken = f"route:{option.index}"
                self.current.action = ActionRecord(
                    node.action.uses,
                    self._shown_params(node),
                    "manual",
                    side_effects=self._side_effects(node),
                    route=option.label,
                )
            self._leave(option.label, option.goto, taken)

    def submit(self, text: str) -> None:
        """Give the current input node a value; an invalid one is refused with the reason."""
        node = self.node
        if self.finished or not isinstance(node, Input):
            raise InvalidAnswer(f"node {node.id!r} does not take a value")
        secret = node.var in self.secrets
        checked = check_input(node, text, secret=secret)
        if not checked.ok:
            raise InvalidAnswer(str(checked.reason))
        shown = MASK if secret else str(checked.value)
        self._check_target(node.next, shown)
        with self._change():
            self.variables[node.var] = checked.value
            self._leave(shown, node.next, "next")

    def _check_target(self, goto: str, answer: str) -> None:
        """Refuse an answer leading nowhere (only a tree that skipped validation has one)."""
        if goto not in self.current_tree.nodes:
            raise InvalidAnswer(
                f"{answer!r} leads to node {goto!r}, which tree {self.current.tree_id!r} does "
                "not have; choose another answer, or fix the tree (branchwise validate)"
            )

    def validate_input(self, text: str) -> str | None:
        """Why the current input would refuse this text, or None when it would take it."""
        node = self.node
        if not isinstance(node, Input):
            return None
        return check_input(node, text, secret=node.var in self.secrets).reason

    # Actions.

    def pending_call(self) -> PendingCall | None:
        """The call the current node is to make automatically, or None."""
        if self.is_manual():
            return None
        return self.preview_call()

    def preview_call(self) -> PendingCall | None:
        """The call the current action node would make, even when it is done by hand (dry-run)."""
        node = self.node
        if self.finished or not isinstance(node, Action):
            return None
        return self.runner.prepare(
            node.action.uses, self._call_args(node), node.action.confirm, self.mask
        )

    def _call_args(self, node: Action) -> dict[str, Any]:
        """The action's `with` values, the walk's variables filled in."""
        args: dict[str, Any] = render_value(dict(node.action.params), self.variables)
        return args

    def run_pending(self) -> None:
        """Make the current node's call here and now (blocking) and route on its result."""
        call = self.pending_call()
        if call is not None:
            self.complete(call, self.runner.invoke(call))

    def complete(self, call: PendingCall, result: CallResult) -> None:
        """Route the current action node on a call's result (made here or in a worker)."""
        node = self.node
        if self.finished or not isinstance(node, Action):
            raise WalkError("the current node is not an action")
        with self._change():
            self._route_on(node, call, result)

    def _route_on(self, node: Action, call: PendingCall, result: CallResult) -> None:
        self.error = None  # a retried call that now succeeds must not leave the old failure
        # The record is what people and the store see: secret values masked in it too.
        record = ActionRecord(
            call.uses,
            call.shown,
            result.mode,
            call.side_effects,
            call.mask.value(result.result) if result.result is not None else None,
            call.mask.text(result.error) if result.error is not None else None,
        )
        self.current.action = record
        if result.ok:
            if node.action.save_as:
                self.variables[node.action.save_as] = dict(result.result or {})
            index = next(
                (i for i, r in enumerate(node.routes) if holds(r.when, self.variables)), None
            )
            if index is not None:
                route = node.routes[index]
                record.route = route.label
                self._leave(self.text(route.label), route.goto, f"route:{index}")
                return
            record.error = "no route matched the result"
        self._fail(node, record)

    def _fail(self, node: Action, record: ActionRecord) -> None:
        if node.on_error:
            record.route = "error"
            self._leave(f"error: {record.error}", node.on_error, "on_error")
            return
        self.error = f"{node.action.uses} failed: {record.error}"
        self._moved()
        self.recorder.answered(self, len(self.visits) - 1)

    def _side_effects(self, node: Action) -> bool:
        spec = self.runner.registry.spec(node.action.uses) if self.runner.registry else None
        return spec is not None and spec.has_side_effects(self._call_args(node))

    def _shown_params(self, node: Action) -> dict[str, Any]:
        call = self.runner.prepare(node.action.uses, self._call_args(node), False, self.mask)
        return dict(call.shown)

    @property
    def mask(self) -> Mask:
        """The walk's one mask: the values of its secret variables and the config's credentials,
        masked in everything the faces show and the store keeps."""
        values = (str(self.variables[name]) for name in self.secrets if self.variables.get(name))
        return Mask(values) | self.runner.mask

    # Going back, notes.

    def back(self) -> list[ActionRecord]:
        """Re-open the previous question; returns side-effect calls made since then.

        Automatic action calls are stepped over: re-opening one would only run it again and land
        where the walk already is.
        """
        earlier = [i for i, v in enumerate(self.visits[:-1]) if not v.auto and not _was_called(v)]
        if not earlier:
            raise InvalidAnswer("this is the first step; there is nothing to go back to")
        return self.jump(earlier[-1])

    def side_effects_after(self, index: int) -> list[ActionRecord]:
        """Calls with side effects made at or after a visit: going back there does not undo them."""
        return [
            v.action
            for v in self.visits[index:]
            if v.action is not None and v.action.side_effects and v.action.mode == "called"
        ]

    def forgets(self, index: int) -> list[Visit]:
        """The answered visits going back to `index` would forget."""
        return [v for v in self.visits[index:] if v.answer is not None]

    def jump(self, index: int) -> list[ActionRecord]:
        """Re-open an earlier visit: later answers and the variables they set are dropped."""
        if not 0 <= index < len(self.visits) or self.visits[index].auto:
            raise InvalidAnswer(f"there is no step {index + 1} to go back to")
        undone = self.side_effects_after(index)
        with self._change(index):
            visit = self.visits[index]
            del self.visits[index + 1 :]
            self.variables = dict(visit.vars_before)
            visit.answer = visit.answered_at = visit.taken = None
            visit.action = None
            visit.by_hand = False
            self.status, self.error = OPEN, None
            self._moved()
            self.recorder.rewound(self, index)
        return undone

    def restart(self) -> list[ActionRecord]:
        """Back to the first step with nothing answered."""
        return self.jump(0)

    def record_with(self, recorder: Recorder) -> None:
        """Record a walk begun without a recorder: the walk as it stands, then every change.

        The terminal app paints the first question before it opens the session store. A
        recorder that refuses to join is not kept: the walk goes on with the one it had.
        """
        recorder.joined(self)
        self.recorder = recorder

    def note(self, text: str) -> None:
        """Attach a note to the current step."""
        cleaned = text.strip()
        if not cleaned:
            raise InvalidAnswer("a note needs some text")
        with self._change():
            self.current.notes.append(cleaned)
            self.recorder.noted(self, len(self.visits) - 1, cleaned)

    def edit_note(self, visit_index: int, note_index: int, text: str) -> None:
        """Change the text of a note taken on a step of the path (its place stays)."""
        cleaned = text.strip()
        if not cleaned:
            raise InvalidAnswer("a note needs some text")
        visits = self.visits
        if not 0 <= visit_index < len(visits) or not 0 <= note_index < len(
            visits[visit_index].notes
        ):
            raise InvalidAnswer(f"step {visit_index + 1} has no note {note_index + 1}")
        with self._change(visit_index):
            visits[visit_index].notes[note_index] = cleaned
            self.recorder.note_edited(self, visit_index, note_index, cleaned)

    # Moving.

    def _change(self, start: int = -1) -> _Undo | _NoUndo:
        """`with self._change():` around a change the recorder is told of. It opens the
        recorder's change; when the block ends normally the change is kept (a store commits all
        of it at once); when it raises (a store refusing it, say), the recorder's change ends
        with the error (a store keeps none of it), the walk is put back as it was, and the error
        goes on.

        `start` is the first visit the change may alter (the current one unless given); later
        visits may be dropped or added, earlier ones are left alone. NullRecorder never refuses,
        so a walk without a recorder keeps nothing.
        """
        if self.recorder.__class__ is NullRecorder:
            return _NO_UNDO
        return _Undo(self, start if start >= 0 else len(self.visits) - 1)

    def _begin(self) -> None:
        self._add_defaults(self.tree)
        self.variables.update(self.given)
        self._enter(self.tree, self.tree.start, ())

    def _add_defaults(self, tree: Tree) -> None:
        for name, var in tree.variables.items():
            if var.default is not None and name not in self.variables:
                self.variables[name] = var.default

    def _leave(self, answer: str, goto: str, taken: str) -> None:
        visits = self.visits
        visit = visits[-1]
        visit.answer = answer
        visit.taken = taken
        visit.answered_at = self.clock()
        self.recorder.answered(self, len(visits) - 1)
        self._enter(self.trees[visit.tree_id], goto, visit.frames)

    def _enter(self, tree: Tree, node_id: str, frames: tuple[tuple[str, str], ...]) -> None:
        node = tree.nodes.get(node_id)
        if node is None:
            # Only a tree that skipped validation can point nowhere; stop as a broken link does.
            self._stop(f"tree {tree.id!r} has no node {node_id!r}; run 'branchwise validate'")
            return
        auto = isinstance(node, Link) or (isinstance(node, Outcome) and self._continues(frames))
        visit = Visit(tree.id, node_id, self.clock(), dict(self.variables), frames, auto)
        self.visits.append(visit)
        self._node_of = (visit, node)
        self._moved()
        self.recorder.entered(self, len(self.visits) - 1)
        if isinstance(node, Link):
            self._follow(tree, node, frames)
        elif isinstance(node, Outcome):
            self._arrive(node, frames)

    def _continues(self, frames: tuple[tuple[str, str], ...]) -> bool:
        if not frames:
            return False
        tree_id, link_id = frames[-1]
        link = self.trees[tree_id].nodes[link_id]
        return isinstance(link, Link) and bool(link.next)

    def _follow(self, tree: Tree, link: Link, frames: tuple[tuple[str, str], ...]) -> None:
        open_trees = [tree_id for tree_id, _ in frames] + [tree.id]
        if link.tree in open_trees:
            chain = " → ".join([*open_trees, link.tree])
            self._stop(f"link cycle between trees: {chain}")
            return
        linked = self._tree(link.tree)
        if linked is None:
            return
        self._add_defaults(linked)
        self.current.answer = f"→ {linked.title}"
        self._enter(linked, linked.start, (*frames, (tree.id, link.id)))

    def _tree(self, tree_id: str) -> Tree | None:
        if tree_id not in self.trees:
            try:
                if self._resolve is None:
                    raise WalkError(f"tree {tree_id!r} is not available")
                self.trees[tree_id] = self._resolve(tree_id)
            except BranchwiseError as exc:
                self._stop(f"cannot open linked tree {tree_id!r}: {exc.message}")
                return None
        return self.trees[tree_id]

    def _arrive(self, outcome: Outcome, frames: tuple[tuple[str, str], ...]) -> None:
        if self._continues(frames):
            tree_id, link_id = frames[-1]
            link = self.trees[tree_id].nodes[link_id]
            assert isinstance(link, Link) and link.next
            self.current.answer = outcome.status
            self._enter(self.trees[tree_id], link.next, frames[:-1])
            return
        self.status = outcome.status
        self.recorder.ended(self)

    def _stop(self, message: str) -> None:
        self.error = message
        self._moved()
        self.recorder.answered(self, len(self.visits) - 1)

    # The walk as it is shown.

    def passage(self) -> list[Visit]:
        """The visits passed through on the way to the current one since the last step a person
        answered: a link into another tree, a linked tree's outcome on the way back."""
        passed: list[Visit] = []
        for visit in reversed(self.visits[:-1]):
            if not visit.auto:
                break
            passed.append(visit)
        return passed[::-1]

    def link_title(self, visit: Visit) -> str:
        """A link's title as shown: its own, else the linked tree's title."""
        node = self.trees[visit.tree_id].nodes[visit.node_id]
        if not isinstance(node, Link):
            return self.text(node.title)
        if node.title:
            return self.text(node.title)
        linked = self.trees.get(node.tree)
        return self.text(linked.title) if linked is not None else node.tree

    def fields_read(self, node: Action) -> list[str]:
        """The fields of the action's result its routes read (`is_user` for `contact.is_user`
        when the result is saved as `contact`), in the routes' order: shown first."""
        save_as = node.action.save_as
        if not save_as:
            return []
        fields: list[str] = []
        for route in node.routes:
            for name in variables_of(route.when) if route.when is not None else ():
                head, _, rest = name.partition(".")
                field_name = rest.split(".")[0]
                if head == save_as and field_name and field_name not in fields:
                    fields.append(field_name)
        return fields

    # Summaries.

    @property
    def outcome(self) -> str | None:
        """The outcome node reached (qualified when in a linked tree), or None."""
        return self.current.qualified(self.tree.id) if self.finished else None

    def path(self) -> list[str]:
        """The node ids visited, in order (linked trees' nodes as TREE:NODE)."""
        return [v.qualified(self.tree.id) for v in self.visits]

    def public_variables(self) -> dict[str, Any]:
        """The variables with secrets masked, also where a secret's value was copied into
        another variable (an action result that echoes it, say)."""
        named = {k: (MASK if k in self.secrets else v) for k, v in self.variables.items()}
        masked: dict[str, Any] = self.mask.value(named)
        return masked

    def summary(self) -> dict[str, Any]:
        """The object `run --json` prints (SPEC §4)."""
        return {
            "session": self.id,
            "tree": self.tree.id,
            "version": self.tree.version,
            "status": self.status,
            "outcome": self.outcome,
            "path": self.path(),
            "variables": self.public_variables(),
        }


class _Undo:
    """What one change may alter of a walk, kept to put back if the change raises (a store
    refusing it must leave the walk as the store still has it), and the recorder's change
    that is open meanwhile.

    Only what a change can touch is kept: the visits from `start` on (the list, and the fields
    of the first of them), the variables, status, error, the cached node and the trees opened.
    Action records are never changed in place once made, so keeping a reference is enough.
    """

    __slots__ = (
        "change",
        "fields",
        "notes",
        "start",
        "state",
        "tail",
        "values",
        "variables",
        "walk",
    )

    def __init__(self, walk: Walk, start: int) -> None:
        self.walk = walk
        self.start = start
        self.tail = walk.visits[start:]
        visit = self.tail[0]
        self.fields = (visit.answer, visit.answered_at, visit.taken, visit.action, visit.by_hand)
        self.notes = list(visit.notes)
        self.variables = walk.variables
        self.values = dict(walk.variables)
        self.state = (
            walk.status,
            walk.error,
            walk._node_of,
            len(walk.trees),
            walk._turn,
            walk._confirmed,
            walk._held,
        )
        self.change = walk.recorder.change(walk)

    def __enter__(self) -> None:
        # When the recorder refuses to begin (the session changed elsewhere), the walk has not
        # changed and the error goes on from here.
        self.change.__enter__()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: Any
    ) -> None:
        """Kept when the change is done; else the recorder's change ends with the error and the
        walk is as it was (objects others may hold keep their identity)."""
        if error is None:
            try:
                # A store may refuse only now, at its commit (PostgreSQL's batch reports
                # an error there): the walk is then put back all the same.
                self.change.__exit__(None, None, None)
            except BaseException:
                self._put_back()
                raise
            return
        try:
            self.change.__exit__(kind, error, trace)
        finally:
            self._put_back()

    def _put_back(self) -> None:
        walk = self.walk
        walk.visits[self.start :] = self.tail
        visit = self.tail[0]
        (visit.answer, visit.answered_at, visit.taken, visit.action, visit.by_hand) = self.fields
        visit.notes[:] = self.notes
        self.variables.clear()
        self.variables.update(self.values)
        walk.variables = self.variables
        (
            walk.status,
            walk.error,
            walk._node_of,
            trees,
            walk._turn,
            walk._confirmed,
            walk._held,
        ) = self.state
        for tree_id in list(walk.trees)[trees:]:
            del walk.trees[tree_id]


class _NoUndo:
    """Nothing kept, nothing opened: the change of a walk whose recorder never refuses."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        return None


_NO_UNDO = _NoUndo()

# Options that depend on nothing but the node (no `when`, no template), made once per tree node.
_FIXED: dict[int, dict[str, tuple[Option, ...] | None]] = {}


def _fixed_options(tree: Tree, node: Step | Question) -> tuple[Option, ...] | None:
    """The node's options when they never change, else None; kept while the tree lives."""
    per_tree = _FIXED.get(id(tree))
    if per_tree is None:
        per_tree = _FIXED[id(tree)] = {}
        # Keyed by id, so the entry must go with the tree before another object takes the id.
        weakref.finalize(tree, _FIXED.pop, id(tree), None)
    if node.id not in per_tree:
        per_tree[node.id] = _options_of(node)
    return per_tree[node.id]


def _options_of(node: Step | Question) -> tuple[Option, ...] | None:
    if isinstance(node, Step):
        return (Option(CONTINUE, node.next, None, 0),)
    if any(c.when is not None or "{{" in c.label for c in node.choices):
        return None
    return tuple(Option(plain(c.label), c.goto, c.key, i) for i, c in enumerate(node.choices))


def _was_called(visit: Visit) -> bool:
    return visit.action is not None and visit.action.mode != "manual"
