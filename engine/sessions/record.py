"""What a session is as data: its steps, action calls, notes and rewinds, secrets masked.

A SessionRecord comes either from the store (engine.sessions.store) or from a live walk
(`record_of`); transcripts (engine.sessions.transcript) are made from it. Every text that could
hold a secret passes through the walk's `mask` before it becomes part of a record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from engine.walk.masking import MASK, Mask
from engine.walk.templates import render

if TYPE_CHECKING:
    from engine.walk.walker import Visit, Walk


def records_in(value: Any) -> list[Mapping[str, Any]] | None:
    """A result's value as a list of records (the contacts found, say), or None when it is not."""
    if isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
        return value
    return None


def filled_fields(record: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """A record's scalar fields that hold a value, in its own order."""
    return [
        (str(key), item)
        for key, item in record.items()
        if item not in (None, "") and not isinstance(item, (Mapping, list))
    ]


@dataclass(frozen=True)
class CallRecord:
    """One action call made at a step (or done by hand); params and result masked."""

    uses: str
    params: Mapping[str, Any]
    mode: str
    side_effects: bool
    result: Mapping[str, Any] | None
    error: str | None
    route: str | None
    at: float | None


@dataclass(frozen=True)
class NoteRecord:
    """A note a person attached to a step."""

    text: str
    at: float | None


@dataclass(frozen=True)
class StepRecord:
    """One node shown on the walk (or passed through, when `auto`), and its answer."""

    idx: int
    tree_id: str
    node_id: str
    node_title: str
    node_type: str
    entered_at: float
    answer: str | None = None
    answered_at: float | None = None
    auto: bool = False
    action: CallRecord | None = None
    notes: tuple[NoteRecord, ...] = ()


@dataclass(frozen=True)
class RewindRecord:
    """The walk went back to step `to_idx` (or was resumed there); what that dropped."""

    to_idx: int
    at: float
    reason: str
    dropped: tuple[StepRecord, ...] = ()


@dataclass(frozen=True)
class SessionRecord:
    """A whole session: the tree walked, who and when, every step, and how it ended."""

    id: str
    tree_id: str
    tree_version: int
    tree_sha256: str
    tree_title: str
    agent: str
    ticket: str
    started_at: float
    ended_at: float | None
    status: str
    outcome: str | None
    error: str | None
    variables: Mapping[str, Any] = field(default_factory=dict)
    given: Mapping[str, Any] = field(default_factory=dict)
    steps: tuple[StepRecord, ...] = ()
    rewinds: tuple[RewindRecord, ...] = ()

    @property
    def shown_steps(self) -> tuple[StepRecord, ...]:
        """The steps a person saw (links and pass-through outcomes left out)."""
        return tuple(step for step in self.steps if not step.auto)

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class SessionSummary:
    """One line of the session list."""

    id: str
    started_at: float
    agent: str
    ticket: str
    tree_id: str
    tree_version: int
    tree_title: str
    status: str
    steps: int
    outcome: str | None
    ended_at: float | None
    error: str | None


def step_of(walk: Walk, index: int, mask: Mask | None = None) -> StepRecord:
    """The record of one visit of a live walk (notes without times; the store keeps those)."""
    mask = mask if mask is not None else walk.mask
    visit = walk.visits[index]
    node = walk.trees[visit.tree_id].nodes[visit.node_id]
    return StepRecord(
        idx=index,
        tree_id=visit.tree_id,
        node_id=visit.node_id,
        node_title=mask.text(render(node.title, visit.vars_before)),
        node_type=node.type,
        entered_at=visit.at,
        answer=mask.value(visit.answer),
        answered_at=visit.answered_at,
        auto=visit.auto,
        action=call_of(visit, mask),
        notes=tuple(NoteRecord(mask.text(n), None) for n in visit.notes),
    )


def call_of(visit: Visit, mask: Mask) -> CallRecord | None:
    """The action call made at a visit, masked, or None."""
    action = visit.action
    if action is None:
        return None
    return CallRecord(
        uses=action.uses,
        params=mask.value(action.params) or {},
        mode=action.mode,
        side_effects=action.side_effects,
        result=mask.value(action.result),
        error=mask.value(action.error),
        route=mask.value(action.route),
        at=visit.answered_at,
    )


def given_variables(walk: Walk, mask: Mask | None = None) -> dict[str, Any]:
    """The variables the walk was started with (--var), secrets masked."""
    mask = mask if mask is not None else walk.mask
    given = {k: (MASK if k in walk.secrets else v) for k, v in walk.given.items()}
    return dict(mask.value(given))


def record_of(walk: Walk) -> SessionRecord:
    """The record of a live walk, as the store would hold it (rewinds are only in the store)."""
    mask = walk.mask
    ended = walk.finished
    last = walk.visits[-1]
    return SessionRecord(
        id=walk.id,
        tree_id=walk.tree.id,
        tree_version=walk.tree.version,
        tree_sha256=walk.tree.sha256,
        tree_title=walk.tree.title,
        agent=walk.agent,
        ticket=walk.ticket,
        started_at=walk.started_at,
        ended_at=last.at if ended else None,
        status=walk.status,
        outcome=walk.outcome,
        error=mask.value(walk.error),
        variables=walk.public_variables(),
        given=given_variables(walk, mask),
        steps=tuple(step_of(walk, i, mask) for i in range(len(walk.visits))),
    )
