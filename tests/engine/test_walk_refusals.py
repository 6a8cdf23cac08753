"""A change the recorder refuses leaves the walk exactly as it was, and can be made again later."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from engine.errors import BranchwiseError
from engine.sessions.resume import resume_walk
from engine.sessions.store import SessionChanged, Store
from engine.tree.builder import build_tree
from engine.walk.action_runner import ActionRunner
from engine.walk.walker import NullRecorder, Walk
from tests.session_walks import library, runner, start

FOUND = {"var": "found.found", "equals": True}
MAIN = build_tree(
    {
        "id": "main",
        "version": 1,
        "title": "Main",
        "start": "hello",
        "nodes": {
            "hello": {"type": "step", "title": "Hello {{ name }}", "next": "ask"},
            "ask": {
                "type": "question",
                "title": "Which way?",
                "choices": [
                    {"label": "Look it up", "key": "l", "goto": "look", "set": {"mood": "keen"}},
                    {"label": "Ask for help", "key": "h", "goto": "help"},
                    {"label": "Done already", "key": "d", "goto": "end"},
                ],
            },
            "help": {"type": "link", "title": "Help", "tree": "help", "next": "ref"},
            "look": {
                "type": "action",
                "title": "Look up {{ name }}",
                "action": {"uses": "any.lookup", "with": {"who": "{{ name }}"}, "save_as": "found"},
                "routes": [{"label": "Found", "when": FOUND, "goto": "ref"}],
                "manual": "Look it up yourself.",
            },
            "ref": {"type": "input", "title": "Reference?", "var": "ref", "next": "fix"},
            "fix": {
                "type": "action",
                "title": "Fix it",
                "action": {"uses": "any.fix"},
                "routes": [{"label": "Fixed", "goto": "end"}],
                "manual": "Fix it by hand.",
            },
            "end": {"type": "outcome", "status": "resolved", "title": "Done"},
        },
    }
)
HELP = build_tree(
    {
        "id": "help",
        "version": 1,
        "title": "Help",
        "start": "read",
        "variables": {"token": {"secret": True}, "colour": {"default": "blue"}},
        "nodes": {
            "read": {"type": "input", "title": "Token?", "var": "token", "next": "finish"},
            "finish": {"type": "outcome", "status": "escalated", "title": "Helped"},
        },
    }
)
TREES = {"main": MAIN, "help": HELP}
STUBS = {"any.lookup": {"found": True}, "any.fix": {"error": "fix service down"}}


class Refused(BranchwiseError):
    """What the refusing recorder raises: a store that cannot take the change."""


class Refusing:
    """A recorder that hears every event and refuses the chosen one (its nth time) once set;
    it writes down how each change ended and the events heard outside any change."""

    def __init__(self) -> None:
        self.heard: list[str] = []
        self.changes: list[str] = []
        self.outside: list[str] = []
        self._changing = False
        self.raised: Refused | None = None
        self._refuse: tuple[str, int] | None = None
        self._seen = 0

    def refuse(self, event: str, nth: int = 1) -> None:
        self._refuse, self._seen, self.raised = (event, nth), 0, None

    def stop_refusing(self) -> None:
        self._refuse = None

    def _hear(self, event: str) -> None:
        if self._refuse is not None and self._refuse[0] == event:
            self._seen += 1
            if self._seen == self._refuse[1]:
                self.raised = Refused(f"the store refused {event}")
                raise self.raised
        self.heard.append(event)
        if not self._changing:
            self.outside.append(event)

    @contextmanager
    def change(self, walk: Walk) -> Iterator[None]:
        assert not self._changing, "a change began inside another"
        self._changing = True
        try:
            yield
        except BaseException as error:
            self.changes.append(f"dropped: {error}")
            raise
        finally:
            self._changing = False
        self.changes.append("kept")

    def started(self, walk: Walk) -> None:
        self._hear("started")

    def entered(self, walk: Walk, index: int) -> None:
        self._hear("entered")

    def answered(self, walk: Walk, index: int) -> None:
        self._hear("answered")

    def rewound(self, walk: Walk, index: int) -> None:
        self._hear("rewound")

    def noted(self, walk: Walk, index: int, text: str) -> None:
        self._hear("noted")

    def note_edited(self, walk: Walk, index: int, note_index: int, text: str) -> None:
        self._hear("note_edited")

    def ended(self, walk: Walk) -> None:
        self._hear("ended")

    def joined(self, walk: Walk) -> None:
        self._hear("joined")


def new_walk(recorder: Refusing | None = None) -> Walk:
    return Walk(
        MAIN,
        resolve_tree=TREES.__getitem__,
        runner=ActionRunner(stubs=STUBS),
        recorder=recorder,
        variables={"name": "Ann"},
        session_id="s-1",
        clock=lambda: 1000.0,
    )


def state(walk: Walk) -> dict[str, Any]:
    """Everything a face or a store can see of a walk."""
    return {
        "path": walk.path(),
        "node": walk.node.id,
        "tree": walk.current_tree.id,
        "variables": dict(walk.variables),
        "status": walk.status,
        "error": walk.error,
        "notes": [list(v.notes) for v in walk.visits],
        "visits": [
            (v.answer, v.answered_at, v.taken, v.action, v.by_hand, v.auto, v.vars_before)
            for v in walk.visits
        ],
        "summary": walk.summary(),
        "options": [(o.label, o.goto) for o in walk.options()],
        "manual": walk.is_manual(),
        "pending": walk.pending_call(),
        "secrets": walk.secrets,
    }


# Where each change starts from.


def at_ask(walk: Walk) -> None:
    walk.answer("Continue")
    walk.note("customer called")


def at_look(walk: Walk) -> None:
    at_ask(walk)
    walk.answer("l")


def at_read(walk: Walk) -> None:
    at_ask(walk)
    walk.answer("h")


def at_ref(walk: Walk) -> None:
    at_look(walk)
    walk.run_pending()


def at_fix(walk: Walk) -> None:
    at_ref(walk)
    walk.submit("REF-7")


def failed_then_by_hand(walk: Walk) -> None:
    at_fix(walk)
    walk.run_pending()
    assert walk.error == "any.fix failed: fix service down"
    walk.do_by_hand()


def ended(walk: Walk) -> None:
    at_ask(walk)
    walk.answer("d")
    assert walk.status == "resolved"


Change = Callable[[Walk], object]
CASES: list[tuple[str, Callable[[Walk], None], Change, str, int]] = [
    ("answer refused", at_ask, lambda w: w.answer("l"), "answered", 1),
    ("answer's next step refused", at_ask, lambda w: w.answer("l"), "entered", 1),
    ("input refused", at_ref, lambda w: w.submit("REF-7"), "answered", 1),
    ("input's next step refused", at_ref, lambda w: w.answer("REF-7"), "entered", 1),
    ("call result refused", at_look, lambda w: w.run_pending(), "answered", 1),
    ("call's next step refused", at_look, lambda w: w.run_pending(), "entered", 1),
    ("failed call refused", at_fix, lambda w: w.run_pending(), "answered", 1),
    ("by hand refused", failed_then_by_hand, lambda w: w.answer("Fixed"), "answered", 1),
    ("by hand's outcome refused", failed_then_by_hand, lambda w: w.answer("Fixed"), "ended", 1),
    ("outcome refused", at_ask, lambda w: w.answer("d"), "ended", 1),
    ("linked tree's first step refused", at_ask, lambda w: w.answer("h"), "entered", 2),
    ("secret back from a link refused", at_read, lambda w: w.answer("tok-9"), "entered", 2),
    ("back refused", at_fix, lambda w: w.back(), "rewound", 1),
    ("jump refused", at_fix, lambda w: w.jump(1), "rewound", 1),
    ("restart refused", ended, lambda w: w.restart(), "rewound", 1),
    ("note refused", at_ask, lambda w: w.note("second call"), "noted", 1),
    ("note edit refused", at_fix, lambda w: w.edit_note(1, 0, "rang twice"), "note_edited", 1),
]


@pytest.mark.parametrize(
    ("setup", "change", "event", "nth"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_refused_change_leaves_the_walk_as_it_was_and_can_be_made_later(
    setup: Callable[[Walk], None], change: Change, event: str, nth: int
) -> None:
    recorder = Refusing()
    walk = new_walk(recorder)
    setup(walk)
    before = state(walk)
    walk.clock = lambda: 2000.0  # a change that slipped through would show this time
    recorder.refuse(event, nth)
    with pytest.raises(Refused) as caught:
        change(walk)
    assert caught.value is recorder.raised  # the recorder's own error, unchanged
    assert recorder.changes[-1] == f"dropped: the store refused {event}"
    assert state(walk) == before

    recorder.stop_refusing()
    heard = len(recorder.heard)
    change(walk)
    twin_recorder = Refusing()
    twin = new_walk(twin_recorder)
    setup(twin)
    twin.clock = walk.clock
    twin_heard = len(twin_recorder.heard)
    change(twin)
    assert state(walk) == state(twin) != before
    assert recorder.heard[heard:] == twin_recorder.heard[twin_heard:]
    assert recorder.changes[-1] == "kept"
    # Every event is heard inside a change, a new walk's start too.
    assert recorder.outside == []


def test_a_refused_link_forgets_the_tree_it_opened() -> None:
    recorder = Refusing()
    walk = new_walk(recorder)
    at_ask(walk)
    recorder.refuse("entered", 2)
    with pytest.raises(Refused):
        walk.answer("h")
    assert list(walk.trees) == ["main"] and walk.secrets == frozenset()
    assert "colour" not in walk.variables


def test_objects_a_face_holds_stay_the_walks_own_after_a_refusal() -> None:
    recorder = Refusing()
    walk = new_walk(recorder)
    at_fix(walk)
    visits, variables, notes = walk.visits, walk.variables, walk.visits[1].notes
    recorder.refuse("rewound")
    with pytest.raises(Refused):
        walk.jump(1)
    assert walk.visits is visits and walk.variables is variables
    assert walk.visits[1].notes is notes and notes == ["customer called"]
    assert walk.variables["ref"] == "REF-7" and walk.node.id == "fix"


def test_a_recorder_that_refuses_to_join_is_not_kept() -> None:
    walk = new_walk()
    walk.answer("Continue")
    before = state(walk)
    recorder = Refusing()
    recorder.refuse("joined")
    with pytest.raises(Refused):
        walk.record_with(recorder)
    assert isinstance(walk.recorder, NullRecorder) and state(walk) == before
    walk.answer("d")  # goes on without recording, as before
    assert recorder.heard == []
    recorder.stop_refusing()
    walk.record_with(recorder)
    walk.restart()
    assert recorder.heard == ["joined", "rewound"]  # kept now: it hears the restart


def test_a_walk_whose_session_another_process_resumed_stays_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with Store(path) as first_store, Store(path) as second_store:
        walk = start(first_store, runner(tmp_path))
        walk.answer("Continue")
        walk.note("customer called twice")
        before = state(walk)
        resume_walk(second_store, walk.id, library(), runner(tmp_path))
        with pytest.raises(SessionChanged, match="changed by another walk"):
            walk.answer("a")
        assert state(walk) == before
        with pytest.raises(SessionChanged):
            walk.back()
        with pytest.raises(SessionChanged):
            walk.note("too late")
        assert state(walk) == before
        record = second_store.load(walk.id)
    # What the walk shows is what the store has.
    assert [(s.node_id, s.answer) for s in record.steps] == [
        (v.node_id, v.answer) for v in walk.visits
    ]
    assert [[n.text for n in s.notes] for s in record.steps] == before["notes"]
