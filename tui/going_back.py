"""What going back to an earlier step would cost, in words for a confirmation dialog.

A secret value the walk holds shows masked in those words (a step's title, an answer's label).
"""

from __future__ import annotations

from engine.walk.walker import ActionRecord, Walk

MAX_LISTED = 6


def step_title(walk: Walk, index: int) -> str:
    """The title of the node a visit showed, with the variables it had then, secrets masked."""
    from engine.walk.templates import render

    visit = walk.visits[index]
    node = walk.trees[visit.tree_id].nodes[visit.node_id]
    return walk.mask.text(render(node.title, visit.vars_before))


def side_effect_lines(calls: list[ActionRecord]) -> list[str]:
    """One warning line per call with side effects that going back does not undo."""
    return [f"⚠ {call.uses} was already called; going back does not undo it." for call in calls]


def going_back_details(walk: Walk, index: int) -> list[str]:
    """The answers going back to a visit forgets, and the calls it cannot undo."""
    forgotten = [i for i in range(index, len(walk.visits)) if walk.visits[i].answer is not None]
    lines = [f"This forgets {len(forgotten)} answer(s):"] if forgotten else []
    for i in forgotten[:MAX_LISTED]:
        answer = walk.mask.text(str(walk.visits[i].answer))
        lines.append(f"  · {step_title(walk, i)} — {answer}")
    if len(forgotten) > MAX_LISTED:
        lines.append(f"  · … and {len(forgotten) - MAX_LISTED} more")
    return lines + side_effect_lines(walk.side_effects_after(index))
