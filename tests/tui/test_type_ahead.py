"""Keys typed ahead in one burst: the path recorded is the one the keys mean, every list shows all
its answers, two-digit numbers and filters work, and no outcome holds an answer."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from textual import events

from engine.library.index import Library
from engine.sessions.store import Store
from engine.walk.walker import Walk
from tests.tui.conftest import PAYA, TREES, frozen_clock
from tests.tui.pilot_steps import answer_buttons, screen_text, wait_for
from tui.app import BranchwiseApp, make_app
from tui.screens.walk import WalkScreen

TYPE_AHEAD = Path(__file__).resolve().parents[1] / "data" / "typeahead"
TREE = "tests/type-ahead"
STEPS = [f"step-{i}" for i in range(1, 9)]
TO_THE_LONG_LIST = ["1", "3", "2", "2", *["1"] * 8]  # intro, q-kind, q-error, q-code, 8 steps
KEYS = {"enter": "\r", "backspace": "\x7f", "escape": "\x1b"}


def burst(app: BranchwiseApp, *keys: str) -> None:
    """Every key posted to the app at once, as a terminal delivers keys typed in a burst."""
    for key in keys:
        app.post_message(events.Key(key, KEYS.get(key, key)))


def outcome_answers(db: Path) -> list[tuple[str, str]]:
    """(node, answer) of every stored step that is an outcome and holds an answer."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT node_id, answer FROM steps WHERE node_type = 'outcome' AND answer IS NOT NULL"
        ).fetchall()
    return [(str(node), str(answer)) for node, answer in rows]


def stored_path(db: Path) -> list[str]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT node_id FROM steps ORDER BY idx").fetchall()
    return [str(node) for (node,) in rows]


def recorded_app(tmp_path: Path, tree: str = TREE, *dirs: Path) -> tuple[BranchwiseApp, Walk]:
    lib = Library(list(dirs) or [TYPE_AHEAD])
    store = Store(tmp_path / "sessions.sqlite3")
    walk = Walk(lib.load(tree), resolve_tree=lib.load, recorder=store.recorder())
    return make_app(lib, store, walk, clock=frozen_clock), walk


async def shown(app: BranchwiseApp, pilot: object) -> WalkScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, WalkScreen) and app.screen._laid_out)  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, WalkScreen)
    return screen


def visible_labels(pilot: object) -> list[str]:
    return [str(b.label) for b in answer_buttons(pilot) if b.display]  # type: ignore[arg-type]


async def test_a_burst_walks_the_path_the_keys_mean_and_25_picks_answer_25(tmp_path: Path) -> None:
    app, walk = recorded_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(app, pilot)
        burst(app, *TO_THE_LONG_LIST, "2", "5", "1")
        await wait_for(pilot, lambda: walk.finished)
    expected = ["intro", "q-kind", "q-error", "q-code", *STEPS, "q-type", "use-type", "out-fixed"]
    assert walk.path() == expected
    assert walk.visits[expected.index("q-type")].answer == "uint64_t"
    assert stored_path(tmp_path / "sessions.sqlite3") == expected
    assert outcome_answers(tmp_path / "sessions.sqlite3") == []


async def test_keys_typed_past_an_outcome_are_dropped_not_recorded_on_it(tmp_path: Path) -> None:
    app, walk = recorded_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(app, pilot)
        # 2 then Enter takes answer 2 at once (it does not wait for a second digit): the outcome.
        burst(app, *TO_THE_LONG_LIST, "2", "enter", "5", "5", "1")
        await wait_for(pilot, lambda: walk.finished)
        await pilot.pause(0.1)
    assert walk.outcome == "out-of-ideas"
    assert walk.visits[-2].answer == "long" and walk.visits[-1].answer is None
    assert outcome_answers(tmp_path / "sessions.sqlite3") == []


async def test_every_list_shows_all_its_answers_after_a_burst(tmp_path: Path) -> None:
    app, walk = recorded_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(app, pilot)
        burst(app, "1", "3", "2")  # the burst: a list of 5, then 6, then this one of 4
        await wait_for(pilot, lambda: walk.current.node_id == "q-code")
        await pilot.pause(0.1)
        assert visible_labels(pilot) == [
            "1  A string literal",
            "2  A stream (serial, Wi-Fi, file)",
            "3  A char array",
            "4  Something else",
        ]
        burst(app, "2", *["1"] * 8)
        await wait_for(pilot, lambda: walk.current.node_id == "q-type")
        await pilot.pause(0.1)
        labels = visible_labels(pilot)
        assert len(labels) == 30 and labels[0] == " 1  int" and labels[24] == "25  uint64_t"
        assert "↓ " in screen_text(pilot) and "more answers" in screen_text(pilot)


async def test_a_lone_digit_that_could_start_a_number_waits_then_is_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tui.screens.walk.DIGIT_WAIT", 2.0)  # long enough for a busy machine
    app, walk = recorded_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await shown(app, pilot)
        burst(app, *TO_THE_LONG_LIST, "3")
        await wait_for(pilot, lambda: screen._keys.digits == "3")
        assert walk.current.node_id == "q-type"  # 3 could start 30: it waits for a digit
        await wait_for(pilot, lambda: walk.finished, seconds=6)
    assert walk.visits[-2].answer == "unsigned int" and walk.outcome == "out-other"


async def test_letters_filter_a_long_list_and_esc_clears_the_filter_first(
    tmp_path: Path,
) -> None:
    app, walk = recorded_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(app, pilot)
        burst(app, *TO_THE_LONG_LIST, "j", "s", "o", "n", "o")
        await wait_for(pilot, lambda: walk.current.node_id == "q-type")
        await pilot.pause(0.1)
        assert visible_labels(pilot) == ["12  JsonObject"]
        assert "Filter: jsono" in screen_text(pilot)
        burst(app, "backspace")
        await pilot.pause(0.1)
        assert [label.split()[1] for label in visible_labels(pilot)] == [
            "JsonArray",
            "JsonObject",
            "JsonVariant",
            "JsonString",
            "JsonPair",
        ]
        burst(app, "escape")
        await pilot.pause(0.1)
        assert len(visible_labels(pilot)) == 30 and walk.current.node_id == "q-type"
        burst(app, "j", "s", "o", "n", "o", "enter")
        await wait_for(pilot, lambda: walk.finished)
    assert walk.visits[-2].answer == "JsonObject"


async def test_a_burst_through_the_paya_tree_done_by_hand(tmp_path: Path) -> None:
    app, walk = recorded_app(tmp_path, PAYA, TREES)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(app, pilot)
        # Continue ×3, "No" (no Create User button), "y" (created before): the contact id.
        burst(app, "1", "1", "1", "2", "y")
        await wait_for(pilot, lambda: walk.current.node_id == "enter-contact-id")
        await pilot.pause(0.1)
        await pilot.press(*"1001", "enter")
        await wait_for(pilot, lambda: walk.current.node_id != "enter-contact-id")
        # By hand (no action is configured here): "Is User: YES", then Continue; and a key more.
        burst(app, "1", "1", "1")
        await wait_for(pilot, lambda: walk.finished)
        await pilot.pause(0.1)
    expected = [
        "open-contacts",
        "find-contact",
        "open-profile",
        "create-user-visible",
        "created-before",
        "enter-contact-id",
        "check-is-user",
        "advise-login",
        "done-advised",
    ]
    assert walk.path() == expected
    assert stored_path(tmp_path / "sessions.sqlite3") == expected
    assert outcome_answers(tmp_path / "sessions.sqlite3") == []


LINKS = Path(__file__).resolve().parents[1] / "data" / "links"


async def test_a_link_is_shown_as_a_step_and_the_linked_outcome_on_the_way_back(
    tmp_path: Path,
) -> None:
    app, walk = recorded_app(tmp_path, "tests/links/outer", LINKS)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(app, pilot)
        burst(app, "1")
        await wait_for(pilot, lambda: walk.current.node_id == "inner-step")
        await pilot.pause(0.1)
        inside = screen_text(pilot)
        # The link has no title of its own: the linked tree's is shown, then its body.
        assert "↪ The inner guide" in inside and "Now the inner guide, then back here." in inside
        assert inside.index("↪ The inner guide") < inside.index("A step of the inner guide")
        burst(app, "1")
        await wait_for(pilot, lambda: walk.current.node_id == "after")
        await pilot.pause(0.1)
        back = screen_text(pilot)
        assert "↩ Inner done (resolved)" in back and "↪" not in back
        burst(app, "1")
        await wait_for(pilot, lambda: walk.current.node_id == "done")
    assert walk.path() == [
        "start",
        "go-in",
        "tests/links/inner:inner-step",
        "tests/links/inner:inner-done",
        "after",
        "done",
    ]


async def test_esc_drops_a_number_being_typed(tmp_path: Path) -> None:
    app, walk = recorded_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await shown(app, pilot)
        burst(app, *TO_THE_LONG_LIST, "2", "escape")
        await wait_for(pilot, lambda: walk.current.node_id == "q-type" and not screen._keys.digits)
        await pilot.pause(0.7)  # past the wait for a second digit: nothing is taken
        assert walk.current.node_id == "q-type" and walk.current.answer is None
    with sqlite3.connect(tmp_path / "sessions.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM rewinds").fetchone() == (0,)  # nothing undone


async def test_two_digits_make_a_number_by_when_they_were_typed_not_when_handled(
    tmp_path: Path,
) -> None:
    app, walk = recorded_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(app, pilot)
        burst(app, *TO_THE_LONG_LIST)
        await wait_for(pilot, lambda: walk.current.node_id == "q-type")
        two, five = events.Key("2", "2"), events.Key("5", "5")
        five.time = two.time + 0.6  # typed after the wait, though handled right after the 2
        app.post_message(two)
        app.post_message(five)
        await wait_for(pilot, lambda: walk.finished)
    assert walk.visits[-2].answer == "long" and walk.outcome == "out-of-ideas"
