"""Walk.prompt and Walk.reply: one "what next" for every face; replies to old steps refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from engine.actions.config import Config
from engine.actions.registry import Registry
from engine.sessions.store import Store
from engine.tree.model import Action
from engine.walk.action_runner import ActionRunner, CallResult
from engine.walk.answers import Option
from engine.walk.prompts import Call, Called, Choose, Confirm, Ended, Failed, TypeValue, Way
from engine.walk.walker import InvalidAnswer, StaleReply, Walk
from tests.engine.test_walker import QUESTIONS, Grant, Lookup, Unconfigured, done, tree

ACTIONS = {
    "who": {"type": "input", "title": "Who?", "var": "who", "next": "grant"},
    "grant": {
        "type": "action",
        "title": "Grant",
        "action": {"uses": "test.grant", "with": {"who": "{{ who }}"}, "save_as": "granted"},
        "routes": [
            {"label": "Granted", "goto": "end", "when": {"var": "granted.granted", "equals": True}},
            {"label": "Not granted", "goto": "end"},
        ],
    },
    "end": done(),
}


def grant_walk(*, manual: bool = False, dry_run: bool = False) -> Walk:
    runner = ActionRunner(
        Registry([Grant(), Lookup(), Unconfigured()]), Config(), manual=manual, dry_run=dry_run
    )
    return Walk(tree("t/acts", ACTIONS), runner=runner)


def test_a_question_asks_to_choose_and_a_reply_names_its_step() -> None:
    walk = Walk(tree("t/q", QUESTIONS))
    first = walk.prompt()
    assert isinstance(first, Choose) and [o.label for o in first.options] == ["Continue"]
    walk.reply(first.step, "")
    second = walk.prompt()
    assert isinstance(second, Choose) and second.step > first.step
    assert [o.label for o in second.options] == ["Yes", "No"]
    walk.reply(second.step, second.options[0])
    assert walk.outcome == "fine"


def test_a_reply_naming_an_old_step_is_refused_and_changes_nothing() -> None:
    walk = Walk(tree("t/q", QUESTIONS))
    first = walk.prompt()
    walk.reply(first.step, "1")
    before = walk.path()
    with pytest.raises(StaleReply):
        walk.reply(first.step, "1")  # a second Enter typed for the step already left
    with pytest.raises(StaleReply):
        walk.reply(first.step, Option("Continue", "ask"))
    assert walk.path() == before and walk.current.answer is None


def test_going_back_makes_a_new_step_so_a_reply_to_the_old_one_is_refused() -> None:
    walk = Walk(tree("t/q", QUESTIONS))
    walk.reply(walk.step, "1")
    at_question = walk.step
    walk.back()
    walk.reply(walk.step, "1")
    assert walk.current.node_id == "ask"
    with pytest.raises(StaleReply):
        walk.reply(at_question, "y")


def test_an_outcome_refuses_every_answer(tmp_path: Path) -> None:
    store = Store(tmp_path / "sessions.sqlite3")
    walk = Walk(tree("t/q", QUESTIONS), recorder=store.recorder())
    walk.reply(walk.step, "1")
    walk.reply(walk.step, "y")
    ended = walk.prompt()
    assert isinstance(ended, Ended) and ended.status == "resolved"
    for reply in ("1", "int", Option("Yes", "fine", "y", 0), Way.RUN):
        with pytest.raises(InvalidAnswer, match="outcome takes no answer"):
            walk.reply(ended.step, reply)
    with pytest.raises(InvalidAnswer):
        walk.choose(Option("Yes", "fine", "y", 0))  # the lower-level entry refuses too
    with pytest.raises(InvalidAnswer):
        walk.answer("5")
    store.close()
    with sqlite3.connect(tmp_path / "sessions.sqlite3") as db:
        rows = db.execute("SELECT node_type, answer FROM steps ORDER BY idx").fetchall()
    assert rows == [("step", "Continue"), ("question", "Yes"), ("outcome", None)]


def test_an_option_of_another_step_is_refused() -> None:
    walk = Walk(tree("t/q", QUESTIONS))
    walk.reply(walk.step, "1")
    with pytest.raises(InvalidAnswer, match="not an answer of this step"):
        walk.reply(walk.step, Option("Continue", "ask"))


def test_an_input_asks_for_a_value_then_a_call_with_side_effects_asks_to_be_confirmed() -> None:
    walk = grant_walk()
    typed = walk.prompt()
    assert isinstance(typed, TypeValue) and typed.node.var == "who" and not typed.secret
    walk.reply(typed.step, "ann")
    confirm = walk.prompt()
    assert isinstance(confirm, Confirm) and confirm.call.args == {"who": "ann"}
    with pytest.raises(InvalidAnswer):
        walk.reply(confirm.step, "Granted")  # a route is no answer while the call is automatic
    walk.reply(confirm.step, Way.RUN)
    call = walk.prompt()
    assert isinstance(call, Call)
    result = walk.runner.invoke(call.call)
    walk.reply(call.step, Called(call.call, result))
    assert walk.outcome == "end" and walk.current.tree_id == "t/acts"
    assert walk.visits[1].action is not None and walk.visits[1].action.route == "Granted"


def test_holding_a_call_then_doing_it_by_hand_routes_on_a_person_s_answer() -> None:
    walk = grant_walk()
    walk.reply(walk.step, "ann")
    walk.reply(walk.step, Way.HOLD)
    held = walk.prompt()
    assert isinstance(held, Failed) and not held.ran
    assert held.ways == (Way.RUN, Way.BY_HAND)
    walk.reply(held.step, Way.BY_HAND)
    by_hand = walk.prompt()
    assert isinstance(by_hand, Choose) and by_hand.by_hand == "chosen instead of the call"
    assert [o.label for o in by_hand.options] == ["Granted", "Not granted"]
    walk.reply(by_hand.step, "Not granted")
    assert walk.finished


def test_a_failed_call_offers_retry_and_a_late_result_is_refused() -> None:
    walk = grant_walk()
    walk.reply(walk.step, "nobody")
    walk.reply(walk.step, Way.RUN)
    call = walk.prompt()
    assert isinstance(call, Call)
    walk.reply(call.step, Called(call.call, walk.runner.invoke(call.call)))
    failed = walk.prompt()
    assert isinstance(failed, Failed) and failed.message == "test.grant failed: no such person"
    with pytest.raises(StaleReply):
        walk.reply(call.step, Called(call.call, CallResult(result={"granted": True})))
    walk.reply(failed.step, Way.RUN)  # retry: asked to confirm again, as the first time
    assert isinstance(walk.prompt(), Confirm) and walk.error is None


def test_why_an_action_is_done_by_hand_is_said() -> None:
    manual = grant_walk(manual=True)
    manual.reply(manual.step, "ann")
    assert manual.by_hand_reason() == "--manual was given"
    dry = grant_walk(dry_run=True)
    dry.reply(dry.step, "ann")
    assert dry.by_hand_reason() == "dry run: this call changes things, so it is not made"
    offline = {**ACTIONS["grant"], "action": {"uses": "test.offline"}}
    unconfigured = Walk(
        tree("t/u", {"u": offline, "end": done()}),
        runner=ActionRunner(Registry([Unconfigured()]), Config()),
    )
    prompt = unconfigured.prompt()
    assert isinstance(prompt, Choose) and prompt.by_hand == (
        "test.offline is not configured here: see the documentation of the package that "
        "provides it, or run `branchwise actions`"
    )


def test_the_fields_the_routes_read_come_first() -> None:
    walk = grant_walk()
    node = walk.trees["t/acts"].nodes["grant"]
    assert isinstance(node, Action)
    assert walk.fields_read(node) == ["granted"]


def test_an_unconfigured_paya_action_says_what_to_set(tmp_path: Path) -> None:
    from engine.actions.catalog import builtin_actions
    from engine.actions.config import load_config

    runner = ActionRunner(Registry(builtin_actions()), load_config(tmp_path / "absent.toml", {}))
    reason = runner.why_by_hand("paya.get_contact")
    assert reason.startswith("paya.get_contact is not configured here: set ")
    assert "BRANCHWISE_PAYA_USER_API_KEY" in reason and "`branchwise actions`" in reason
