"""Transcripts of a session: Markdown to paste into a ticket, and the full record as JSON.

Every value that came from a tree, an input or an API is escaped so it cannot change the
Markdown's structure (no stray headings, tables, links or code), and control characters are
stripped. Fields whose names look like credentials are masked even when a result carries them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from engine.sessions.record import (
    CallRecord,
    RewindRecord,
    SessionRecord,
    StepRecord,
    filled_fields,
    hide_sensitive_fields,
    records_in,
)
from engine.text import display, plain

MAX_TABLE_ROWS = 12
MAX_CELL = 120

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&$])")
_BLOCK_START = re.compile(r"^(\s*)([-+=>]|\d+(?=[.)]))")
# What GitHub-flavoured Markdown turns into a link by itself: `scheme://` and `www.` are broken
# by an escape (`https\://`, `www\.`); an e-mail address is found after escapes are undone, so
# only a code span keeps it from becoming a mailto link.
_SCHEME_COLON = re.compile(r"(?<=[A-Za-z0-9]):(?=//)")
_WWW_DOT = re.compile(r"(?i)(?<=www)\.")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-]+@[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+)")


def iso(timestamp: float | None) -> str:
    """A time as UTC ISO 8601 to the second, or an empty text."""
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def inline(value: Any, limit: int | None = None) -> str:
    """A value as one line of Markdown text that renders as exactly that text."""
    text = " ".join(display(value).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    parts = _EMAIL.split(text)  # text, address, text, …: the addresses at the odd places
    return "".join(f"`{part}`" if i % 2 else _escaped(part) for i, part in enumerate(parts))


def _escaped(text: str) -> str:
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _WWW_DOT.sub(r"\\.", _SCHEME_COLON.sub(r"\\:", text))


def block_line(value: str) -> str:
    """One line of a block (a note): inline escapes, and no list or heading at its start."""
    if not value.strip():
        return ""
    return _BLOCK_START.sub(_escape_block_start, inline(value), count=1)


def _escape_block_start(found: re.Match[str]) -> str:
    indent, marker = found.group(1), found.group(2)
    # A digit cannot be escaped: an ordered list's marker is broken at its `.` or `)` instead.
    return f"{indent}{marker}\\" if marker[0].isdigit() else f"{indent}\\{marker}"


def to_json(record: SessionRecord) -> dict[str, Any]:
    """The full record as JSON-ready data (already redacted when it was recorded)."""
    data = record.to_dict()
    data["started"] = iso(record.started_at)
    data["ended"] = iso(record.ended_at) or None
    return data


def to_markdown(record: SessionRecord) -> str:
    """The session as Markdown for a ticket: who, when, each step and answer, the outcome."""
    parts = [*_header(record), "", "### Steps", ""]
    parts += list(_steps(record))
    parts += ["### Outcome", "", _outcome(record), ""]
    return "\n".join(parts)


def _header(record: SessionRecord) -> list[str]:
    lines = [
        f"## {inline(record.tree_title or record.tree_id)}",
        "",
        f"- Tree: {inline(record.tree_id)}, version {record.tree_version}",
        f"- Session: {inline(record.id)}",
        f"- Agent: {inline(record.agent) or 'unknown'}",
    ]
    if record.ticket:
        lines.append(f"- Ticket: {inline(record.ticket)}")
    lines.append(f"- Started: {iso(record.started_at)}")
    if record.ended_at is not None:
        lines.append(f"- Ended: {iso(record.ended_at)}")
    lines.append(f"- Status: **{inline(record.status)}**")
    return lines


def _steps(record: SessionRecord) -> Iterator[str]:
    rewinds = _rewinds_by_step(record.rewinds)
    number = 0
    for step in record.steps:
        if step.auto:
            yield _passed_through(step)
            yield ""
        else:
            number += 1
            yield from _step(number, step)
        for rewind in rewinds.pop(step.idx, []):
            yield _rewind(rewind)
            yield ""
    for left in rewinds.values():
        for rewind in left:
            yield _rewind(rewind)
            yield ""


def _passed_through(step: StepRecord) -> str:
    """A link followed, or a linked tree's outcome passed back: context, not a question."""
    if step.node_type == "link":
        return f"*Linked tree:* {inline(step.node_title)}"
    ended = f" ({inline(step.answer)})" if step.answer else ""
    return f"*Linked tree ended:* {inline(step.node_title)}{ended}"


def _rewinds_by_step(rewinds: Sequence[RewindRecord]) -> dict[int, list[RewindRecord]]:
    by_step: dict[int, list[RewindRecord]] = {}
    for rewind in rewinds:
        by_step.setdefault(rewind.to_idx, []).append(rewind)
    return by_step


def _step(number: int, step: StepRecord) -> Iterator[str]:
    kind = "" if step.node_type in ("step", "question") else f" ({inline(step.node_type)})"
    answer = f" → {inline(step.answer)}" if step.answer is not None else ""
    yield f"**{number}. {inline(step.node_title or step.node_id)}**{kind}{answer}"
    yield ""
    if step.action is not None:
        yield from _call(step.action)
    for note in step.notes:
        yield from _quote(note.text)


def _call(call: CallRecord) -> Iterator[str]:
    effects = ", has side effects" if call.side_effects else ""
    params = _pairs(call.params)
    line = f"- Action: {inline(call.uses)} ({inline(call.mode)}{effects})"
    yield line + (f" with {params}" if params else "")
    if call.error:
        yield f"- Error: {inline(call.error)}"
    if call.route:
        yield f"- Route taken: {inline(call.route)}"
    yield ""
    if call.result:
        yield from _result_table(call.result)


def _pairs(params: Mapping[str, Any]) -> str:
    shown = hide_sensitive_fields(params)
    return ", ".join(f"{inline(k)}: {inline(v, MAX_CELL)}" for k, v in shown.items())


def _result_table(result: Mapping[str, Any]) -> Iterator[str]:
    rows = list(_scalar_fields(hide_sensitive_fields(result)))
    if not rows:
        return
    yield "| Field | Value |"
    yield "|---|---|"
    for key, value in rows[:MAX_TABLE_ROWS]:
        yield f"| {inline(key)} | {_cell(value) or ' '} |"
    if len(rows) > MAX_TABLE_ROWS:
        yield f"| … | {len(rows) - MAX_TABLE_ROWS} more fields in the JSON export |"
    yield ""
    for key, value in rows[:MAX_TABLE_ROWS]:
        records = records_in(value)
        if records is not None:
            yield from _records(key, records)


def _cell(value: Any) -> str:
    records = records_in(value)
    if records is not None:
        return f"{len(records)} record{'s' * (len(records) != 1)}, listed below"
    if isinstance(value, list):
        return inline(", ".join(display(item) for item in value), MAX_CELL)
    return inline(value, MAX_CELL)


def _records(key: str, records: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    """Each record of a list (the contacts found, say) on a line of the fields holding a value."""
    yield f"{inline(key)}:"
    yield ""
    for number, record in enumerate(records[:MAX_TABLE_ROWS], 1):
        fields = " · ".join(f"{inline(k)}: {inline(v, MAX_CELL)}" for k, v in filled_fields(record))
        yield f"- {number}\\. {fields or '(no fields)'}"
    if len(records) > MAX_TABLE_ROWS:
        yield f"- … {len(records) - MAX_TABLE_ROWS} more in the JSON export"
    yield ""


def _scalar_fields(value: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted name, value) of each field, one level of nesting deep; deeper mappings counted."""
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, Mapping):
            if prefix:
                yield name, f"{len(item)} fields"
            else:
                yield from _scalar_fields(item, f"{name}.")
        else:
            yield name, item


def _quote(text: str) -> Iterator[str]:
    for line in plain(text).splitlines() or [""]:
        yield f"> {block_line(line)}".rstrip()
    yield ""


def _rewind(rewind: RewindRecord) -> str:
    when = iso(rewind.at)
    dropped = "; ".join(_dropped(step) for step in rewind.dropped)
    forgot = f", forgetting: {dropped}" if dropped else ""
    if rewind.reason == "went back":
        return f"↩ *Went back to this step at {when}*{forgot}"
    return f"↩ *Resumed here at {when} ({inline(rewind.reason)})*{forgot}"


def _dropped(step: StepRecord) -> str:
    title = inline(step.node_title)
    said = [f"{title} → {inline(step.answer)}"] if step.answer is not None else []
    notes = [f"note at {title} “{inline(n.text, MAX_CELL)}”" for n in step.notes]
    return ", ".join([*said, *notes])


def _outcome(record: SessionRecord) -> str:
    last = record.steps[-1] if record.steps else None
    where = inline(last.node_title) if last is not None else "the start"
    if record.status == "open":
        text = f"**open**: stopped at {where}"
    else:
        node = f" ({inline(record.outcome)})" if record.outcome else ""
        text = f"**{inline(record.status)}**: {where}{node}"
    if record.error:
        text += f"\n\nError: {inline(record.error)}"
    return text
