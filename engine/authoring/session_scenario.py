"""A recorded session as a scenario: its answers, its action results as stubs, where it went."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.sessions.record import SessionRecord, StepRecord
from engine.sessions.transcript import iso
from engine.text import one_line
from engine.walk.masking import MASK


@dataclass
class SessionScenario:
    """The scenario as data, and what a person should know about it (a secret left out, say)."""

    tree_id: str
    scenario: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def scenario_of(record: SessionRecord) -> SessionScenario:
    """The scenario that walks the session again: same answers, same results, same path."""
    warnings: list[str] = []
    answers: list[str] = []
    calls: dict[str, list[dict[str, Any]]] = {}
    for step in record.steps:
        if step.auto:
            continue
        result = _automatic_result(step)
        if result is not None and step.action is not None:
            calls.setdefault(step.action.uses, []).append(result)
        elif step.answer is not None:
            if step.answer == MASK:
                warnings.append(_secret_answer(step))
            answers.append(step.answer)
    scenario: dict[str, Any] = {"name": _name(record)}
    given = _given(record, warnings)
    if given:
        scenario["vars"] = given
    scenario["answers"] = answers
    if calls:
        scenario["actions"] = {uses: _stub(results) for uses, results in calls.items()}
    scenario["expect"] = _expect(record)
    warnings.extend(_mixed_modes(record, calls))
    return SessionScenario(record.tree_id, scenario, warnings)


def scenario_text(record: SessionRecord) -> tuple[str, list[str]]:
    """The scenario file (YAML) for a session, and its warnings."""
    made = scenario_of(record)
    body = yaml.safe_dump(
        {"tree": made.tree_id, "scenarios": [made.scenario]},
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    # one_line: a comment ends at a line break, and these come from the store.
    header = (
        f"# Recorded from session {one_line(record.id)} of {one_line(record.tree_id)} version "
        f"{record.tree_version}, started {iso(record.started_at)}.\n"
        "# Action results are the recorded ones, credentials masked; nothing real is called.\n"
    )
    return header + body, made.warnings


def _automatic_result(step: StepRecord) -> dict[str, Any] | None:
    """The stub of an action the walk called (not done by hand): its result or its error."""
    call = step.action
    if call is None or call.mode == "manual":
        return None
    if call.error is not None and call.result is None:
        return {"error": call.error}
    return dict(call.result or {})


def _stub(results: list[dict[str, Any]]) -> Any:
    """One result for every call when they agree, else the list taken in order."""
    first = results[0]
    return first if all(result == first for result in results) else results


def _given(record: SessionRecord, warnings: list[str]) -> dict[str, Any]:
    kept = {}
    for name, value in record.given.items():
        if value == MASK:
            warnings.append(f"--var {name} was a secret and is not kept: add it under 'vars'")
        else:
            kept[name] = value
    return kept


def _secret_answer(step: StepRecord) -> str:
    title = one_line(step.node_title or step.node_id)
    return f"the answer to “{title}” was a secret and is not kept: replace {MASK} with a test value"


def _expect(record: SessionRecord) -> dict[str, Any]:
    path = [_qualified(record.tree_id, step) for step in record.steps]
    return {"outcome": record.outcome, "status": record.status, "path": path}


def _qualified(root: str, step: StepRecord) -> str:
    return step.node_id if step.tree_id == root else f"{step.tree_id}:{step.node_id}"


def _mixed_modes(record: SessionRecord, stubbed: Mapping[str, Any]) -> Iterable[str]:
    """An action stubbed for its calls but also done by hand once: the stub makes it automatic."""
    by_hand = {
        step.action.uses
        for step in record.steps
        if step.action is not None and step.action.mode == "manual"
    }
    for uses in sorted(by_hand & set(stubbed)):
        yield (
            f"{uses} was called and also done by hand in this session; a stub makes every call "
            "automatic, so the answer given by hand is kept as an answer and may not fit"
        )


def _name(record: SessionRecord) -> str:
    ended = record.outcome or record.status
    who = f" by {record.agent}" if record.agent else ""
    ticket = f", ticket {record.ticket}" if record.ticket else ""
    return one_line(f"session {record.id}{who}{ticket}: ends at {ended}")
