"""Resuming a stored session: a new walk replays the recorded answers and carries on recording.

Nothing is called while replaying: recorded action results are handed to the walk as they were.
Replay stops early at a secret answer (it is not kept, so it is asked again) and at the first
answer the tree, changed since, no longer takes; the messages say so.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.errors import BranchwiseError
from engine.sessions.record import CallRecord, SessionRecord, StepRecord
from engine.text import plain
from engine.tree.model import Action, Input, Tree
from engine.walk.action_runner import ActionRunner, CallResult, PendingCall
from engine.walk.masking import MASK
from engine.walk.walker import OPEN, InvalidAnswer, Walk

if TYPE_CHECKING:
    from engine.library.index import Library
    from engine.sessions.store import Store, StoreRecorder


@dataclass(frozen=True)
class Resumed:
    """The walk back where the session stopped, and what the person should be told."""

    walk: Walk
    messages: tuple[str, ...]
    replayed: int


def resume_walk(
    store: Store,
    session_id: str,
    library: Library,
    runner: ActionRunner,
    variables: Mapping[str, Any] | None = None,
    tree: Tree | None = None,
) -> Resumed:
    """Continue an open session (an id or a unique prefix); `variables` refill masked --vars.

    `tree` is the session's tree when the caller has it already (a tree walked from a file
    outside the library); otherwise it is found in the library by the recorded id.
    """
    # Read before the record: a change made after this is caught when the walk first writes.
    revision = store.revision(session_id)
    record = store.load(session_id)
    if record.status != OPEN:
        raise BranchwiseError(
            f"session {record.id} has ended ({record.status}); there is nothing to resume"
        )
    if tree is None:
        tree = _tree_of(record, library)
    elif tree.id != record.tree_id:
        raise BranchwiseError(
            f"session {record.id} walks {record.tree_id!r}, not {tree.id!r}; "
            "leave out TREE or name the session's own tree"
        )
    messages = _tree_messages(record, tree)
    given, missing = _given(record, variables or {})
    messages += [
        f"variable {name!r} was given as a secret and is not kept; give it again with --var"
        for name in missing
    ]
    recorder = store.recorder(resuming=True, revision=revision)
    walk, replayed, stopped = replay_session(record, tree, library, runner, recorder, given)
    if stopped is not None:
        messages.append(stopped)
    return Resumed(walk, tuple(messages), replayed)


def replay_session(
    record: SessionRecord,
    tree: Tree,
    library: Library,
    runner: ActionRunner,
    recorder: StoreRecorder | None,
    variables: Mapping[str, Any],
    *,
    clock: Callable[[], float] = time.time,
    reason: str | None = None,
) -> tuple[Walk, int, str | None]:
    """The recorded session walked again on `tree`: (the walk, answers replayed, why it stopped).

    A recorder, when given, then stores what differs from the record (steps the replay did not
    reach are kept as a rewind, with `reason` when the replay did not stop early) and goes on
    recording.
    """
    walk = Walk(
        tree,
        resolve_tree=library.load,
        runner=runner,
        recorder=recorder,
        variables=variables,
        session_id=record.id,
        clock=clock,
        agent=record.agent,
        ticket=record.ticket,
    )
    walk.started_at = record.started_at
    replayed, stopped = replay(walk, record)
    if recorder is not None:
        recorder.catch_up(walk, stopped or reason)
    return walk, replayed, stopped


def _tree_of(record: SessionRecord, library: Library) -> Tree:
    try:
        return library.load(record.tree_id)
    except BranchwiseError as exc:
        raise BranchwiseError(f"cannot resume session {record.id}: {exc.message}") from None


def _tree_messages(record: SessionRecord, tree: Tree) -> list[str]:
    if not record.tree_sha256 or tree.sha256 == record.tree_sha256:
        return []
    return [
        f"the tree {tree.id} changed since this session began (version {record.tree_version}, "
        f"now {tree.version}); recorded answers are replayed as far as they still fit"
    ]


def _given(record: SessionRecord, extra: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    given = {k: v for k, v in record.given.items() if v != MASK}
    given.update(extra)
    missing = [k for k, v in record.given.items() if v == MASK and k not in extra]
    return given, missing


def replay(walk: Walk, record: SessionRecord) -> tuple[int, str | None]:
    """Give the walk the recorded answers in order: (how many, why it stopped early or None)."""
    replayed = 0
    for step in record.shown_steps:
        problem = _mismatch(walk, step)
        if problem is not None:
            return replayed, problem
        visit = walk.current
        visit.at = step.entered_at
        visit.notes.extend(note.text for note in step.notes)
        if step.answer is None:
            break
        if step.answer == MASK and isinstance(walk.node, Input):
            return replayed, f"“{_title(step)}” takes a secret, which is not kept: give it again"
        problem = _give(walk, step)
        if problem is not None:
            return replayed, problem
        visit.answered_at = step.answered_at
        replayed += 1
    return replayed, None


def _title(step: StepRecord) -> str:
    return plain(step.node_title or step.node_id)


def _mismatch(walk: Walk, step: StepRecord) -> str | None:
    """Why the walk is not at this recorded step (the tree changed), or None."""
    if walk.finished or walk.error is not None:
        return f"the walk ended before “{_title(step)}”, where the session had got to"
    visit = walk.current
    if len(walk.visits) - 1 == step.idx and (visit.tree_id, visit.node_id) == (
        step.tree_id,
        step.node_id,
    ):
        return None
    return (
        f"the tree changed: the session went on to “{_title(step)}”, but the walk is now at "
        f"“{plain(walk.text(walk.node.title))}”; carry on from there"
    )


def _give(walk: Walk, step: StepRecord) -> str | None:
    """Hand the walk one recorded answer; why it no longer fits, or None."""
    answer = str(step.answer)
    try:
        if isinstance(walk.node, Action) and step.action is not None:
            _give_call(walk, step.action, answer)
        elif isinstance(walk.node, Input):
            walk.submit(answer)
        else:
            _choose(walk, answer)
    except InvalidAnswer as exc:
        return f"at “{_title(step)}” the recorded answer {answer!r} no longer fits: {exc.message}"
    if walk.error is not None:
        return f"at “{_title(step)}” the recorded result no longer routes: {walk.error}"
    return None


def _choose(walk: Walk, answer: str) -> None:
    exact = next((o for o in walk.options() if o.label == answer), None)
    if exact is not None:
        walk.choose(exact)
    else:
        walk.answer(answer)


def _give_call(walk: Walk, call: CallRecord, answer: str) -> None:
    """Route an action node as it was routed: by hand with the route taken, or on the result."""
    if call.mode == "manual":
        if not walk.is_manual():
            walk.do_by_hand()
        _choose(walk, answer)
        return
    pending = walk.preview_call() or _recorded_call(walk, call)
    walk.complete(pending, CallResult(result=call.result, error=call.error, mode=call.mode))


def _recorded_call(walk: Walk, call: CallRecord) -> PendingCall:
    """The call as recorded, for a node that would now be done by hand (say, under --manual)."""
    registry = walk.runner.registry
    spec = registry.spec(call.uses) if registry is not None else None
    return PendingCall(call.uses, dict(call.params), dict(call.params), spec, False)
