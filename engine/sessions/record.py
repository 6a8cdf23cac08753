"""What a session is as data: its steps, action calls, notes and rewinds, secrets redacted.

A SessionRecord comes either from the store (engine.sessions.store) or from a live walk
(`record_of`); transcripts (engine.sessions.transcript) are made from it. Every text that could
hold a secret passes through `Redactor` before it becomes part of a record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from engine.walk.action_runner import MASK, mask
from engine.walk.templates import render

if TYPE_CHECKING:
    from engine.walk.walker import Visit, Walk

# Field names that hold credentials in API results and parameters, whatever their value.
SENSITIVE_FIELD = re.compile(
    r"(^|[_-])(password|passwd|passphrase|secret|token|api[_-]?key|authori[sz]ation|cookie|"
    r"credentials?)$",
    re.IGNORECASE,
)


def hide_sensitive_fields(value: Any) -> Any:
    """A copy of a JSON-like value with the values of credential-named fields masked."""
    if isinstance(value, Mapping):
        return {
            key: MASK if _holds_credential(str(key), item) else hide_sensitive_fields(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [hide_sensitive_fields(item) for item in value]
    return value


def _holds_credential(key: str, value: Any) -> bool:
    return bool(SENSITIVE_FIELD.search(key)) and value not in (None, "", True, False)


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
    """One action call made at a step (or done by hand); params and result redacted."""

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


class Redactor:
    """Masks every secret a walk knows of: secret variables' values and config credentials."""

    def __init__(self, secrets: frozenset[str]) -> None:
        self.secrets = frozenset(s for s in secrets if s and s != MASK)

    @classmethod
    def of(cls, walk: Walk) -> Redactor:
        values = {str(walk.variables[name]) for name in walk.secrets if walk.variables.get(name)}
        return cls(frozenset(values) | walk.runner.config_secrets())

    def value(self, value: Any) -> Any:
        """A copy of a JSON-like value: secrets masked wherever they stand, and credential-named
        fields masked whatever they hold."""
        value = hide_sensitive_fields(value)
        if not self.secrets:
            return value
        return mask({"value": value}, self.secrets)["value"]

    def text(self, text: str | None) -> str | None:
        return None if text is None else str(self.value(text))

    def mapping(self, value: Mapping[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else dict(self.value(dict(value)))


def step_of(walk: Walk, index: int, redactor: Redactor | None = None) -> StepRecord:
    """The record of one visit of a live walk (notes without times; the store keeps those)."""
    redactor = redactor or Redactor.of(walk)
    visit = walk.visits[index]
    node = walk.trees[visit.tree_id].nodes[visit.node_id]
    return StepRecord(
        idx=index,
        tree_id=visit.tree_id,
        node_id=visit.node_id,
        node_title=str(redactor.text(render(node.title, visit.vars_before))),
        node_type=node.type,
        entered_at=visit.at,
        answer=redactor.text(visit.answer),
        answered_at=visit.answered_at,
        auto=visit.auto,
        action=call_of(visit, redactor),
        notes=tuple(NoteRecord(str(redactor.text(n)), None) for n in visit.notes),
    )


def call_of(visit: Visit, redactor: Redactor) -> CallRecord | None:
    """The action call made at a visit, redacted, or None."""
    action = visit.action
    if action is None:
        return None
    return CallRecord(
        uses=action.uses,
        params=redactor.mapping(action.params) or {},
        mode=action.mode,
        side_effects=action.side_effects,
        result=redactor.mapping(action.result),
        error=redactor.text(action.error),
        route=redactor.text(action.route),
        at=visit.answered_at,
    )


def public_variables(walk: Walk, redactor: Redactor | None = None) -> dict[str, Any]:
    """The walk's variables with secret ones masked and any secret text inside others masked."""
    redactor = redactor or Redactor.of(walk)
    return dict(redactor.value(walk.public_variables()))


def given_variables(walk: Walk, redactor: Redactor | None = None) -> dict[str, Any]:
    """The variables the walk was started with (--var), secrets masked."""
    redactor = redactor or Redactor.of(walk)
    given = {k: (MASK if k in walk.secrets else v) for k, v in walk.given.items()}
    return dict(redactor.value(given))


def record_of(walk: Walk) -> SessionRecord:
    """The record of a live walk, as the store would hold it (rewinds are only in the store)."""
    redactor = Redactor.of(walk)
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
        error=redactor.text(walk.error),
        variables=public_variables(walk, redactor),
        given=given_variables(walk, redactor),
        steps=tuple(step_of(walk, i, redactor) for i in range(len(walk.visits))),
    )
